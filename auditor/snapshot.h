// An audit snapshot: everything an audit carries from one entry to the next, taken at a verified
// checkpoint, so that a later audit resumes there and reads, verifies and judges only the entries
// after it, with the same report as reading the whole log (docs/audit.md, "Incremental audits").
// chipledger-audit keeps one beside its --state file; a server can restart from one the same way
// and catch up from the log.
//
// What it holds: the signed checkpoint note it was taken at, the rule parameters, the verifier's
// carried state (Verifier::Carried: the Merkle tree's right edge, the last leaf hash and
// integrated_time, the agent registry), the engine's state (every ReplayState record and the
// FindingBook) and the report's SiteActivity. Rules keep no state of their own (rules/rule.h).
//
// Format, version 3 (binary; version 1 kept findings by id, with the id in hex; version 2 wrote
// ReplayState's chips before its shipments and a finding's site and party as optionals):
//   magic    the 26 bytes "chipledger-audit-snapshot\n"
//   version  varint (kSnapshotVersion)
//   header   checkpoint note (string), Params, Verifier::Carried
//   body     ReplayState, FindingBook, SiteActivity
//   checksum SHA-256 of every byte before it (32 bytes)
// Unsigned integers and enums are LEB128 varints, signed integers zigzag varints, doubles 8 bytes
// IEEE 754 little-endian, bools one byte, strings and containers a varint length then their
// bytes or elements (maps key then value, in the container's order), byte arrays (hashes, keys)
// raw, an optional a presence byte then its value, a record its fields in declaration order (see
// SnapshotCodec in snapshot.cc; ReplayState's shipments come first, as a chip's shipment is
// written as its id, "" for none, and read back as a pointer to that shipment's key). Timestamps
// are nanoseconds since the epoch. About 150 bytes a chip plus its history; memory on load is the
// engine's own.
//
// Trust: on load the magic, version and checksum are checked, the note must verify under the log
// key, and the restored right edge must hash to the note's root. The checksum catches corruption,
// not forgery: the snapshot is the auditor's own file, kept like its reports; `--full` re-derives
// everything from the log.
#ifndef CHIPLEDGER_AUDITOR_SNAPSHOT_H_
#define CHIPLEDGER_AUDITOR_SNAPSHOT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auditor/engine.h"
#include "auditor/report.h"
#include "auditor/verify.h"
#include "ledger/checkpoint.h"
#include "ledger/status.h"

namespace chipledger::audit {

// Bumped whenever a record's fields or their encoding change: an older snapshot is then refused
// (and the audit runs in full) rather than misread.
inline constexpr uint64_t kSnapshotVersion = 4;

// Serialises the audit as it stands after the entries of `checkpoint_note`: the verifier has
// checked exactly its `size` entries and the engine judged every one of them (otherwise
// InvalidArgument: entries after --as-of were not judged, and a snapshot would miss them).
Result<std::string> SaveSnapshot(std::string_view checkpoint_note, const Engine& engine,
                                 const SiteActivity& activity, const Verifier& verifier);

// A server's snapshot (chipledgerd's DATA/audit.snapshot, docs/operations.md "Restarts"): the
// same format holding the engine's state only. The server trusts its own log and keeps no
// verifier, so the carried verifier state holds the size alone and the SiteActivity is empty:
// chipledger-audit cannot resume from one (no right edge: RestoreInto is Corruption) and audits
// in full. `checkpoint_note` must be the note at the engine's entries_applied().
Result<std::string> SaveEngineSnapshot(std::string_view checkpoint_note, const Engine& engine);

class Snapshot {
 public:
  // Checks the magic, version and checksum, that the note verifies under `log_key` and names the
  // verifier's size, and reads the header. Corruption says what is wrong.
  static Result<Snapshot> Parse(std::string bytes, const NoteVerifier& log_key);

  const std::string& note() const { return note_; }
  const Checkpoint& checkpoint() const { return checkpoint_; }
  const Params& params() const { return params_; }
  // The integrated_time of the last entry judged (none for an empty log).
  const std::optional<Timestamp>& last_judged() const { return verifier_.last_integrated; }

  // Fills a fresh engine, activity and verifier (nothing applied, added or begun yet) with the
  // snapshot's state. The engine's parameters must be the snapshot's, and the restored right
  // edge must hash to the checkpoint's root. On error (Corruption, InvalidArgument for other
  // parameters) the three are partly filled and must be discarded.
  Status RestoreInto(Engine* engine, SiteActivity* activity, Verifier* verifier) const;
  // Replaces a fresh engine's state (nothing applied yet) with the snapshot's, all or nothing:
  // on error (InvalidArgument for other parameters, Corruption) the engine is unchanged. Checks
  // neither the right edge nor the site activity: for a server that trusts its own log and
  // matches the checkpoint against it (SaveEngineSnapshot).
  Status RestoreEngine(Engine* engine) const;

 private:
  Status CheckParams(const Engine& engine) const;

  std::string bytes_;
  size_t body_ = 0;  // offset of the body in bytes_
  std::string note_;
  Checkpoint checkpoint_;
  Params params_;
  Verifier::Carried verifier_;
};

}  // namespace chipledger::audit

#endif  // CHIPLEDGER_AUDITOR_SNAPSHOT_H_
