// C2SP signed notes and tlog-checkpoints (https://c2sp.org/signed-note,
// https://c2sp.org/tlog-checkpoint) signed with the log's Ed25519 key.
#ifndef CHIPLEDGER_LEDGER_CHECKPOINT_H_
#define CHIPLEDGER_LEDGER_CHECKPOINT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/crypto.h"
#include "ledger/status.h"

namespace chipledger {

struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  Hash root{};
};

// "<origin>\n<size>\n<base64 root>\n".
std::string CheckpointBody(const Checkpoint& checkpoint);
Result<Checkpoint> ParseCheckpointBody(std::string_view body);

// A note verifier: the key name (the log's origin) and its Ed25519 public key.
struct NoteVerifier {
  std::string name;
  PublicKey key{};
  // First four bytes of SHA-256(name || "\n" || 0x01 || key), big-endian.
  uint32_t KeyHash() const;
};

// "<name>+<8 hex digits of key hash>+<base64(0x01 || key)>".
std::string FormatVerifierKey(const NoteVerifier& verifier);
Result<NoteVerifier> ParseVerifierKey(std::string_view text);

// Signs a note body: body, blank line, "— <name> <base64(key hash || signature)>\n".
std::string SignNote(std::string_view body, const std::string& name, const KeyPair& key);
// The signed checkpoint note of `checkpoint`.
std::string SignCheckpoint(const Checkpoint& checkpoint, const KeyPair& key);

// Checks that `note` carries a valid signature by `verifier` (other signature lines, e.g. witness
// cosignatures, are ignored) and returns its checkpoint, whose origin must be verifier.name.
Result<Checkpoint> VerifyCheckpoint(std::string_view note, const NoteVerifier& verifier);

}  // namespace chipledger

#endif  // CHIPLEDGER_LEDGER_CHECKPOINT_H_
