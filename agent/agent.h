// The field agent (SPEC §3, §5, §7): an Ed25519 key encrypted at rest, events composed and
// signed into a durable outbox, in-order submission to the ledger, and verified receipts.
//
// Everything lives in one home directory (docs/agent.md):
//   config.json          agent id, ledger URL, log verifier key, optional CA file and reader token
//   key.json             the secret key, Argon2id + XSalsa20-Poly1305 (libsodium secretbox)
//   head.json            the chain head: last seq signed and the SHA-256 of its payload
//   outbox/<seq>.json    signed envelopes waiting to be submitted, seq zero-padded to 20 digits
//   receipts/<seq>.json  {"seq", "envelope", "receipt"}: each event with its verified receipt
//   checkpoint           the largest signed checkpoint `prove` has verified as consistent (with
//                        the witnesses' cosignatures when witnesses are configured)
// Every file is written through a temp file, fsync, rename and an fsync of the directory, so a
// crash leaves the old or the new state, never a torn one.
#ifndef CHIPLEDGER_AGENT_AGENT_H_
#define CHIPLEDGER_AGENT_AGENT_H_

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/checkpoint.h"
#include "ledger/cosignature.h"
#include "ledger/crypto.h"
#include "ledger/event.h"
#include "ledger/receipt.h"
#include "ledger/sealed_key.h"
#include "ledger/status.h"
#include "ledger/time.h"

namespace chipledger::agent {

// The key at rest: chipledger::SealKey / OpenKey (ledger/sealed_key.h), in key.json.
using chipledger::DefaultKdfCost;
using chipledger::FastKdfCost;
using chipledger::KdfCost;
using chipledger::OpenKey;
using chipledger::SealKey;

// ---- Configuration and state ----

struct Config {
  std::string agent;                   // the agent id enrolled in the ledger
  std::string ledger_url;              // e.g. https://ledger.example:8443 (empty: offline only)
  std::string log_key;                 // the log's note verifier key
  std::optional<std::string> ca_file;  // PEM bundle to trust for https
  std::optional<std::string> token;    // reader token, for `prove` (consistency proofs)
  // Witness verifier keys (SPEC §10): when set, `prove` trusts only a checkpoint cosigned by at
  // least `witness_quorum` of them (default: all).
  std::vector<std::string> witnesses;
  std::optional<size_t> witness_quorum;
};

// The witness policy of `vkeys` and `quorum` (MakeWitnessPolicy); an error names `witnesses_name`
// (a bad or repeated key) or `quorum_name` (a quorum out of range), e.g. "--witness".
Result<WitnessPolicy> CheckWitnessPolicy(const std::vector<std::string>& vkeys,
                                         std::optional<size_t> quorum,
                                         std::string_view witnesses_name,
                                         std::string_view quorum_name);

struct ChainHead {
  uint64_t seq = 0;  // the last seq signed; 0 before the first event
  Hash prev{};       // SHA-256 of that payload; zeros before the first event
};

// Common fields that the composer does not invent (SPEC §3).
struct ComposeOptions {
  std::optional<Timestamp> time;  // default: now
  std::optional<Location> location;
  std::optional<std::string> note;
};

struct QueuedEvent {
  uint64_t seq = 0;
  EventType type = EventType::kPartyRegistered;
  Hash payload_hash{};
  std::string envelope;  // the serialized DSSE envelope
  size_t signatures = 0;
};

struct StoredReceipt {
  uint64_t seq = 0;
  std::string envelope;  // serialized DSSE envelope as submitted
  Receipt receipt;
};

// A failed attempt that will be retried (network error, 5xx, 429), for progress output.
struct RetryNotice {
  int attempt = 0;  // the attempt that failed, from 1
  int max_attempts = 0;
  double wait_s = 0;  // before the next attempt
  std::string why;    // the request and its failure, in words
};

struct SubmitOptions {
  int max_attempts = 6;            // per event, for network errors and 5xx
  double initial_backoff_s = 0.5;  // doubled after each failed attempt
  double max_backoff_s = 30;
  // On 409, re-sign the queued events onto the ledger's chain head (see Agent::Resync).
  bool resync = false;
  // Called after each receipt is stored (progress output in the CLI).
  std::function<void(const StoredReceipt&)> on_receipt;
  // Called before each wait for a retry (progress output on a terminal).
  std::function<void(const RetryNotice&)> on_retry;
};

// The ledger's final refusal of a queued event (an HTTP 4xx other than 409), which `Submit` keeps
// beside the event (outbox/<seq>.refused.json) until the event is submitted, replaced or discarded.
struct Refusal {
  int status = 0;
  std::string error, message;
};

struct SubmitReport {
  size_t submitted = 0;   // 201: newly appended
  size_t duplicates = 0;  // 200: already in the log, original receipt stored
  size_t resynced = 0;    // events re-signed onto the ledger's chain head after a 409
  size_t remaining = 0;   // events still in the outbox
};

struct ProveOptions {
  // How long to fetch /checkpoint again while the served (witnessed) checkpoint does not yet
  // cover the receipt's or the remembered one: it lags the tree by the witnesses' round trip.
  std::chrono::milliseconds wait{10000};
  std::chrono::milliseconds poll{500};
  // Called before each new attempt with the served size and the size it must reach.
  std::function<void(uint64_t served, uint64_t needed)> on_wait;
};

// A configured witness and, when it cosigned the current checkpoint, the cosignature's time.
struct WitnessStatus {
  std::string name;
  std::optional<uint64_t> timestamp;  // unix seconds
};

// The outcome of `prove`: the receipt's checkpoint is consistent with the ledger's current one.
struct ConsistencyReport {
  Checkpoint old_checkpoint;
  Checkpoint new_checkpoint;
  size_t proof_hashes = 0;
  // The checkpoint an earlier `prove` remembered, also proved consistent with new_checkpoint.
  std::optional<Checkpoint> remembered;
  // With witnesses configured: each one's cosignature on new_checkpoint, and the quorum met.
  std::vector<WitnessStatus> witnesses;
  size_t witness_quorum = 0;
};

// Checks a receipt against the log key and the envelope it answers: the checkpoint signature,
// the inclusion proof, and payload_hash = SHA-256 of the envelope's payload.
Result<Checkpoint> VerifyReceiptFor(const Receipt& receipt, std::string_view envelope_json,
                                    const NoteVerifier& log_key);
// Parses a stored receipt file ({"seq","envelope","receipt"}).
Result<StoredReceipt> ParseStoredReceipt(std::string_view json);
std::string StoredReceiptToJson(const StoredReceipt& stored);

// Adds `key`'s signature to an envelope from another agent after checking its payload is a valid
// event (ParseEvent); refuses to sign twice. Returns the new serialized envelope.
Result<std::string> CosignEnvelope(std::string_view envelope_json, const KeyPair& key);

class Agent {
 public:
  // Creates `home` with its config and a new key sealed under `passphrase`; refuses to overwrite
  // an existing key. The agent id is checked as an id (SPEC §2).
  static Result<Agent> Create(const std::filesystem::path& home, const Config& config,
                              std::string_view passphrase, KdfCost cost = DefaultKdfCost());
  // Opens an existing home (no passphrase needed: submitting and reading receipts need no key).
  static Result<Agent> Open(const std::filesystem::path& home);

  // Decrypts the key, for the operations that sign.
  Status Unlock(std::string_view passphrase);
  bool unlocked() const { return key_.has_value(); }

  const std::filesystem::path& home() const { return home_; }
  const Config& config() const { return config_; }
  Status SaveConfig(const Config& config);
  const PublicKey& public_key() const { return public_key_; }
  std::string key_id() const { return KeyId(public_key_); }
  const ChainHead& head() const { return head_; }

  // The payload bytes Compose would sign: v/type/agent/seq/prev/time/location/note filled in
  // around `fields` (the type's own fields) and checked with ParseEvent. Needs no key.
  Result<std::string> Preview(EventType type, const nlohmann::json& fields,
                              const ComposeOptions& options = {}) const;
  // Preview, then signs and queues the payload. The chain head is persisted before this
  // returns. Needs Unlock.
  Result<QueuedEvent> Compose(EventType type, const nlohmann::json& fields,
                              const ComposeOptions& options = {});

  // The outbox, in seq order.
  Result<std::vector<QueuedEvent>> Outbox() const;
  Result<QueuedEvent> Queued(uint64_t seq) const;
  // Replaces a queued envelope by a co-signed copy of it: same payload, this agent's signature
  // first, then the co-signers' (which the ledger verifies against its enrolments); not yet
  // submitted.
  Result<QueuedEvent> ImportCosigned(std::string_view envelope_json);
  // The refusal Submit recorded for a queued event, if any.
  Result<std::optional<Refusal>> RefusalOf(uint64_t seq) const;
  // Drops the event at the head of the outbox, which the ledger refused, and re-signs the events
  // after it one seq lower, chained onto the event before it, so the ledger sees no gap. Refused
  // for any other event (one the ledger has not refused may be in it). Needs Unlock when events
  // follow it.
  Status Discard(uint64_t seq);
  // Puts a new composition (Compose's arguments; the time defaults to the refused event's) in
  // place of the refused event at the head of the outbox, same seq and prev, and re-signs the
  // events after it. Needs Unlock.
  Result<QueuedEvent> Replace(uint64_t seq, EventType type, const nlohmann::json& fields,
                              ComposeOptions options);
  // CosignEnvelope with this agent's key (for another agent's event). Needs Unlock.
  Result<std::string> Cosign(std::string_view envelope_json) const;

  // Sends the outbox in order (SPEC §4 answers; policy in docs/agent.md). Stops at the first
  // event that cannot be submitted, leaving it and those after it queued.
  Result<SubmitReport> Submit(const SubmitOptions& options = {});
  // Re-signs every queued event onto the ledger's chain head (expected_seq, expected_prev, as a
  // 409 reports them). Refused when the ledger is behind a seq this agent holds a receipt for
  // (the ledger lost an accepted event) or when a queued event carries co-signatures. Needs Unlock.
  Status Resync(uint64_t expected_seq, const Hash& expected_prev);

  Result<std::vector<StoredReceipt>> Receipts() const;
  Result<StoredReceipt> ReceiptFor(uint64_t seq) const;
  // Fetches the ledger's current checkpoint and a consistency proof from the receipt's
  // checkpoint to it (with the reader `token`), and verifies both. With witnesses configured the
  // current checkpoint must carry their quorum of cosignatures (refused naming the missing ones)
  // and cover the receipt (fetched again for up to options.wait while it lags). Also proves the
  // current checkpoint consistent with the one an earlier `prove` remembered, so a ledger that
  // rolled back or forked since is caught even when the receipt is old; then remembers the
  // current one.
  Result<ConsistencyReport> Prove(const StoredReceipt& stored,
                                  const std::optional<std::string>& token,
                                  const ProveOptions& options = {});

  Result<NoteVerifier> LogKey() const;
  // The configured witnesses and quorum (empty policy: none configured).
  Result<WitnessPolicy> Witnesses() const;

 private:
  struct ServedCheckpoint {
    std::string note;
    Checkpoint checkpoint;
    std::vector<Cosignature> cosignatures;  // the configured witnesses' valid ones
  };
  // GET /checkpoint, verified by the log key and, when `policy` names witnesses, its quorum.
  Result<ServedCheckpoint> FetchCheckpoint(const NoteVerifier& log_key,
                                           const WitnessPolicy& policy) const;
  // FetchCheckpoint again until the checkpoint's size reaches `needed` or options.wait passes.
  Result<ServedCheckpoint> AwaitCheckpoint(const NoteVerifier& log_key, const WitnessPolicy& policy,
                                           uint64_t needed, const ProveOptions& options) const;
  // The receipt's and the remembered checkpoints, each proved consistent with report->new.
  Status ProveAgainst(ConsistencyReport* report, const std::optional<std::string>& token) const;
  // OK if `later` extends `earlier` (same tree, or a verified consistency proof between them);
  // Corruption naming the fork or rollback otherwise. Adds the proof's length to `hashes`.
  Status CheckConsistency(const Checkpoint& earlier, const Checkpoint& later,
                          const std::optional<std::string>& token, size_t* hashes) const;
  Result<std::optional<Checkpoint>> RememberedCheckpoint(const NoteVerifier& log_key) const;

  Agent(std::filesystem::path home, Config config, PublicKey public_key, ChainHead head)
      : home_(std::move(home)), config_(std::move(config)), public_key_(public_key), head_(head) {}

  // The payload of a composition chained onto `head` (Preview: onto the chain head).
  Result<std::string> PayloadAt(const ChainHead& head, EventType type, const nlohmann::json& fields,
                                const ComposeOptions& options) const;
  Status Enqueue(const std::string& payload);
  // The refused head event `seq` (checked as Discard and Replace require), where it sits in the
  // chain, and the payloads queued after it.
  struct RefusedHead {
    Event event;
    ChainHead base;  // the chain just before it: seq - 1 and its prev
    std::vector<std::string> after;
  };
  Result<RefusedHead> LoadRefusedHead(uint64_t seq) const;
  // Re-signs `payloads` as seq base.seq+1, +2, … chained from `base` into a staged outbox, and
  // swaps it in with the new chain head (RecoverOutboxSwap finishes an interrupted swap).
  Status Restage(const ChainHead& base, const std::vector<std::string>& payloads);
  // GET /checkpoint under the configured log key before anything is sent (retried as events are).
  Status CheckLedgerKey(const NoteVerifier& log_key, const SubmitOptions& options) const;
  Status StoreReceipt(const QueuedEvent& event, const Receipt& receipt);
  Status HandleConflict(const QueuedEvent& event, uint64_t expected_seq, const Hash& expected_prev,
                        bool resync, SubmitReport* report);

  std::filesystem::path home_;
  Config config_;
  PublicKey public_key_;
  ChainHead head_;
  std::optional<KeyPair> key_;
};

// ---- Field commands: type-specific fields from what the inspector has at hand ----

// "lat,lon[,accuracy_m]".
Result<Location> ParseLocation(std::string_view text);
// "ID=intact" or "ID=broken".
Result<SealState> ParseSeal(std::string_view text);
// The format of an input file (docs/agent.md, "Input files"): one record a line, comma-separated
// `columns`, the first `required` of them not empty; blank lines and '#' comments skipped.
struct RecordFormat {
  std::string flag;                  // the flag that names the file, e.g. "--observed"
  std::vector<std::string> columns;  // e.g. serial, attested_id, host
  size_t required = 1;
};
const RecordFormat& ObservedFormat();  // --observed: serial[,attested_id[,host]]
const RecordFormat& SampledFormat();   // --sampled: serial
const RecordFormat& ReceivedFormat();  // receive --chips: serial
const RecordFormat& InstallFormat();   // install --chips: serial,host[,slot]
const RecordFormat& OnlineFormat();    // --online: serial[,attested_id]
// The records of `file`. A first record that is exactly the header (the column names, all of
// them or the first `required` or more) is skipped; any other record naming a column, a quoted
// value, too many columns, an empty required column, a serial that is not one (SPEC §2) or a
// serial seen before is an error naming the file, line, column, why and what to do.
Result<std::vector<std::vector<std::string>>> ReadRecords(const std::filesystem::path& file,
                                                          const RecordFormat& format);
// {"sha256","media_type","description"}: the file is hashed, never uploaded; the media type is
// guessed from its extension.
Result<nlohmann::json> HashEvidence(const std::filesystem::path& file, std::string description);

struct InspectionInput {
  std::string inspection, site, kind = "routine", purpose, result = "pass";
  std::optional<std::string> check;
  std::optional<std::filesystem::path> observed;  // ObservedFormat
  std::optional<std::filesystem::path> sampled;   // SampledFormat
  std::vector<std::string> seals;                 // ID=intact|broken
  std::vector<std::string> evidence;              // PATH[=DESCRIPTION]
};
Result<nlohmann::json> InspectionFields(const InspectionInput& input);

struct ReceiptInput {
  std::string shipment, site;
  std::filesystem::path chips;     // ReceivedFormat
  std::vector<std::string> seals;  // ID=intact|broken
};
Result<nlohmann::json> ReceiptFields(const ReceiptInput& input);

struct InstallInput {
  std::string site;
  std::filesystem::path chips;  // InstallFormat
};
Result<nlohmann::json> InstallFields(const InstallInput& input);

struct HeartbeatInput {
  std::string site;
  std::string window_start, window_end;  // RFC 3339
  std::filesystem::path online;          // OnlineFormat
  std::vector<std::string> rtt;          // LANDMARK=MS
};
Result<nlohmann::json> HeartbeatFields(const HeartbeatInput& input);

// What an inspector reads before signing: the payload's type, seq and fields, one a line; lists
// as their count and items (serials, ids, …), at most `max_items` of them.
std::vector<std::string> Summarize(std::string_view payload, size_t max_items = 20);

}  // namespace chipledger::agent

#endif  // CHIPLEDGER_AGENT_AGENT_H_
