// The integrity verifier (SPEC §8, I1–I8): checks a log without trusting whoever served it.
//
// Fed the signed checkpoint note and then every entry's bytes in index order, it recomputes each
// leaf hash, the entry chain, the Merkle root, every signature, every agent's seq/prev chain and
// the §4 admission of each entry as of its position, and hands back each entry that parses, with
// its payload, for the rule engine. Memory is bounded by the number of agents: leaves are kept
// only as the Merkle tree's O(log n) right edge.
//
// Checks, each reported under its id:
//   I1 the checkpoint note's signature by the log key (and its origin).
//   I2 the Merkle root over all leaves equals the checkpoint's; as many entries as its size; the
//      source served every entry the checkpoint covers, in bundles of the right length.
//   I3 each entry parses, is at most 65,535 bytes, names its position as `index`, chains to the
//      previous leaf hash by `prev`, and its `integrated_time` never decreases.
//   I4 every envelope signature verifies under the key of the agent its keyid names, as of the
//      entry's position (the first must be the submitting agent's current key).
//   I5 every agent's seq/prev chain is gapless and unforked.
//   I6 a checkpoint seen before (--state) is not larger than the current one, and the root of the
//      first `size` leaves, recomputed here, equals it.
//   I7 every entry passes the rest of §4 admission as of its position, with the ledger's clock
//      taken as its integrated_time: payload schema, size, role, site, revocation, expiry, clock
//      skew, and no duplicate of the agent's latest payload.
//   I8 when witnesses are named (SPEC §10), the checkpoint note carries valid cosignatures
//      (cosignature/v1) from at least the quorum of them; the error names the missing ones, and a
//      named witness's cosignature that does not verify is an error too. Cosignatures from other
//      keys are ignored.
// I6 without an earlier checkpoint and I8 without witnesses are not run (not_run() says why), nor
// is anything after I1 when the checkpoint does not verify.
#ifndef CHIPLEDGER_AUDITOR_VERIFY_H_
#define CHIPLEDGER_AUDITOR_VERIFY_H_

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ledger/admission.h"
#include "ledger/checkpoint.h"
#include "ledger/cosignature.h"
#include "ledger/entry.h"
#include "ledger/event.h"
#include "ledger/merkle.h"

namespace chipledger::audit {

struct IntegrityError {
  std::string check;              // "I1" … "I8"
  std::optional<uint64_t> index;  // the entry, when the error is about one
  std::string message;
};

// A check that was not run, and why (e.g. I8 when no witnesses are named).
struct SkippedCheck {
  std::string check;
  std::string reason;
};

// An entry that parsed, with its payload: what the rule engine consumes.
struct VerifiedEntry {
  LogEntry entry;
  Event event;
  std::string note;  // PreparedEntry::note
};

// Every key enrolled anywhere in the log so far, by key id, for checking signatures ahead of
// order (Verifier::Prepare). Only a hint, as in the ledger's appenders: a key id names its key
// (SHA-256 of it), and Add still checks, in order, that the key is the signer's current one.
// Thread-safe.
class SignerKeys {
 public:
  void Remember(const PublicKey& key);
  std::optional<PublicKey> Find(std::string_view key_id) const;

 private:
  mutable std::shared_mutex mu_;
  std::map<std::string, PublicKey, std::less<>> keys_;
};

// What checking one entry needs that does not depend on the entries before it: its leaf hash,
// its parse, its payload's parse and schema, and the signatures verified under the keys their
// key ids name (when known). Made by Verifier::Prepare and VerifyAhead on any thread, consumed
// by Verifier::Add in index order.
struct PreparedEntry {
  size_t size = 0;  // bytes
  Hash leaf{};
  Status parsed;  // why the entry does not parse, when not ok
  // Its envelope is moved into the candidate, when there is one (Add moves it back).
  std::optional<LogEntry> entry;
  Status admissible_form;  // why the envelope does not parse as an event (§4 rows 1–2)
  std::optional<Candidate> candidate;
  // What the caller derived from the parsed entry and event on the preparing thread (e.g.
  // VerifyPipeline's Annotate), handed on with the verified entry.
  std::string note;
};

class Verifier {
 public:
  static constexpr size_t kDefaultMaxErrors = 1000;

  // `previous`: the checkpoint verified on an earlier run, for I6; `witnesses`: the witnesses and
  // quorum the checkpoint must be cosigned by, for I8 (empty: I8 is not run).
  Verifier(NoteVerifier log_key, std::optional<Checkpoint> previous, WitnessPolicy witnesses,
           size_t max_errors = kDefaultMaxErrors);
  Verifier(NoteVerifier log_key, std::optional<Checkpoint> previous,
           size_t max_errors = kDefaultMaxErrors)
      : Verifier(std::move(log_key), std::move(previous), WitnessPolicy{}, max_errors) {}

  // I1, I8 and the I6 rollback check. Returns the checkpoint to read entries up to, or nullopt
  // when the note does not verify: then there is nothing trustworthy to check entries against.
  std::optional<Checkpoint> Begin(std::string_view checkpoint_note);

  // The order-independent part of checking an entry but its signatures; thread-safe.
  static PreparedEntry Prepare(std::string_view entry_bytes);
  // Verifies the prepared entry's signatures ahead, only under keys `keys` knows; an enrolment is
  // remembered in it first. Thread-safe; call it for a run of entries in their order, so that
  // an agent's events that follow its enrolment find its key. A pipeline prepares a chunk of
  // entries, then verifies them one after the other: with libsodium's tables and code left in the
  // caches between two verifications, an audit takes about 2 % less CPU.
  static void VerifyAhead(PreparedEntry* prepared, SignerKeys* keys);

  // Checks the next entry (index = entries_checked()); returns it parsed when it does parse.
  // Add of a prepared entry, with its signatures verified ahead or not, gives the same errors,
  // in the same order, as Add(bytes).
  std::optional<VerifiedEntry> Add(std::string_view entry_bytes) {
    return Add(Prepare(entry_bytes));
  }
  std::optional<VerifiedEntry> Add(PreparedEntry prepared);
  // Tells `keys` every agent's current key as of the entries checked so far (the log key at
  // first, or all of them after resuming from a snapshot).
  void RememberKeys(SignerKeys* keys) const;

  // I2: the source served what cannot be the checkpoint's entries from entry `index` on (a bundle
  // that does not decode or has the wrong length, an entry it says does not exist); it read no
  // further. Evidence against the log, like any other integrity error.
  void SourceMismatch(uint64_t index, std::string message);

  // I2 root and size, I6 at sizes not reached. Call once, after the last entry.
  void Finish();

  bool ok() const { return error_count_ == 0; }
  uint64_t entries_checked() const { return tree_.size(); }
  // At most max_errors, in the order found; error_count() counts them all.
  const std::vector<IntegrityError>& errors() const { return errors_; }
  uint64_t error_count() const { return error_count_; }
  // The checks not run on this log, in order, with the reason.
  std::vector<SkippedCheck> not_run() const;
  const WitnessPolicy& witnesses() const { return witnesses_; }
  // The named witnesses' valid cosignatures on the checkpoint (after Begin).
  const std::vector<Cosignature>& cosignatures() const { return cosignatures_; }

  // What checking entry n+1 needs of entries 0..n (auditor/verify_snapshot.cc), for resuming an
  // audit from a snapshot: the tree's right edge, the last leaf hash and integrated_time, and
  // the agents (I4, I5, I7).
  struct Carried {
    uint64_t size = 0;
    std::vector<Hash> edge;  // TreeBuilder::edge()
    Hash last_leaf{};
    std::optional<Timestamp> last_integrated;
    std::vector<AgentState> agents;
    bool genesis_open = true;
  };
  Carried Export() const;
  // Continues from `carried` as if its entries had been added; call before Begin and Add. The
  // edge must make the tree of `at` (size and root), which proves it is that of the entries
  // `at` covers; otherwise Corruption, and the verifier must not be used.
  Status Resume(Carried carried, const Checkpoint& at);

 private:
  void Fail(std::string_view check, std::optional<uint64_t> index, std::string message);
  void CheckAdmission(uint64_t index, const LogEntry& entry, const Candidate& candidate);
  void CheckPrevious();
  void CheckWitnesses(std::string_view checkpoint_note);

  NoteVerifier log_key_;
  std::optional<Checkpoint> previous_;
  WitnessPolicy witnesses_;
  std::vector<Cosignature> cosignatures_;
  size_t max_errors_;
  std::optional<Checkpoint> checkpoint_;
  TreeBuilder tree_;
  std::vector<TreeBuilder::Node> new_nodes_;
  Hash last_leaf_{};
  std::optional<Timestamp> last_integrated_;
  AgentRegistry agents_;
  std::vector<IntegrityError> errors_;
  uint64_t error_count_ = 0;
};

nlohmann::json IntegrityErrorToJson(const IntegrityError& error);

}  // namespace chipledger::audit

#endif  // CHIPLEDGER_AUDITOR_VERIFY_H_
