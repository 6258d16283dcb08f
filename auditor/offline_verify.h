// Offline verification for regulators (SPEC §5, §9, §10): checks a file someone was handed — a
// signed white list, a receipt (bare, or an agent's stored receipt file) or a checkpoint note —
// against the log's verifier key and, when named, a quorum of witnesses, with no network and no
// trust in whoever handed it over. Says what the file is and exactly what was proved, or what
// failed. Used by `chipledger-audit verify`; the CLI only parses flags and prints.
//
// Detection, from the bytes alone:
//   - a JSON DSSE envelope of payloadType application/vnd.chipledger.whitelist.v1+json: the white
//     list, whose signature by the log key (keyid = the log key's key id) and embedded checkpoint
//     are checked;
//   - a JSON object with "seq", "envelope" and "receipt": an agent's stored receipt file, whose
//     receipt is checked and tied to the event by payload_hash = SHA-256(payload);
//   - a JSON object with "inclusion_proof": a receipt (as POST /v1/events answers);
//   - otherwise a C2SP signed note whose text is a checkpoint (GET /checkpoint).
// Anything else is unrecognised: an InvalidArgument status, never a failed verification.
#ifndef CHIPLEDGER_AUDITOR_OFFLINE_VERIFY_H_
#define CHIPLEDGER_AUDITOR_OFFLINE_VERIFY_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/checkpoint.h"
#include "ledger/cosignature.h"
#include "ledger/status.h"

namespace chipledger::audit {

enum class OfflineKind { kWhitelist, kReceipt, kStoredReceipt, kCheckpoint };
// "whitelist", "receipt", "stored_receipt", "checkpoint".
std::string_view OfflineKindName(OfflineKind kind);

struct OfflineVerification {
  OfflineKind kind = OfflineKind::kCheckpoint;
  bool verified = false;
  std::string failure;  // when not verified: exactly what failed
  // The log key's note name and key hash ("<origin>+<8 hex>") and its key id (SPEC §2).
  std::string log_key;
  std::string log_key_id;
  // The checkpoint the file rests on, once its signature by the log key verified.
  std::optional<Checkpoint> checkpoint;
  // The named witnesses' valid cosignatures on that checkpoint, and the quorum required (0: no
  // witnesses named, cosignatures not checked).
  std::vector<Cosignature> cosignatures;
  size_t witness_quorum = 0;
  size_t witnesses_named = 0;
  // What the file says, once verified as far as it got: for a white list {as_of, end_users}; for
  // a receipt {index, leaf_hash, payload_hash, integrated_time, tree_size} and, from a stored
  // receipt, the event {type, agent, seq}.
  nlohmann::json content = nlohmann::json::object();
};

// Detects what `file` is and verifies it. An error Status only when the bytes are not a file
// this can verify (unrecognised); a file that is recognised but does not verify is a result
// with verified = false.
Result<OfflineVerification> VerifyOffline(std::string_view file, const NoteVerifier& log_key,
                                          const WitnessPolicy& witnesses);

// {"file", "verified", "failure", "log_key", "log_key_id", "checkpoint": {origin, size, root} |
// null, "witnesses": [{name, timestamp}], "witness_quorum": N | null, "content"}.
nlohmann::json OfflineVerificationToJson(const OfflineVerification& result);
// For people: what the file is, then what was proved (or what failed), a line each.
std::string OfflineVerificationToText(const OfflineVerification& result);

}  // namespace chipledger::audit

#endif  // CHIPLEDGER_AUDITOR_OFFLINE_VERIFY_H_
