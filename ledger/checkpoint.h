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

// A C2SP verifier key of signature type `type` (0x01 notes, 0x04 cosignatures):
// "<name>+<8 hex digits of SHA-256(name || "\n" || type || key)[:4]>+<base64(type || key)>".
uint32_t TypedKeyHash(std::string_view name, uint8_t type, const PublicKey& key);
std::string FormatTypedVerifierKey(const std::string& name, uint8_t type, const PublicKey& key);
// `what` names the key in errors.
Result<NoteVerifier> ParseTypedVerifierKey(std::string_view text, uint8_t type,
                                           std::string_view what);

// "<name>+<8 hex digits of key hash>+<base64(0x01 || key)>".
std::string FormatVerifierKey(const NoteVerifier& verifier);
Result<NoteVerifier> ParseVerifierKey(std::string_view text);

// Signed-note key names: non-empty, valid UTF-8, no Unicode spaces and no '+'.
bool IsValidKeyName(std::string_view name);
// ASCII decimal with no sign, no leading zeros (except "0") and no overflow, as notes and the
// witness protocol write sizes.
bool ParseCanonicalDecimal(std::string_view text, uint64_t* value);

// One signature line of a signed note: "— <name> base64(key hash || signature)".
struct NoteSignature {
  std::string name;
  uint32_t key_hash = 0;
  std::string signature;  // the bytes after the key hash
};

// A signed note split at its last blank line: the text (with its final newline) and its
// signature lines, after checking the note is UTF-8 text with no control characters and every
// signature line is well formed (signed-note §Format).
struct SignedNote {
  std::string_view text;
  std::vector<NoteSignature> signatures;
};
Result<SignedNote> ParseSignedNote(std::string_view note);

// Signs a note body: body, blank line, "— <name> <base64(key hash || signature)>\n".
std::string SignNote(std::string_view body, const std::string& name, const KeyPair& key);
// The signed checkpoint note of `checkpoint`.
std::string SignCheckpoint(const Checkpoint& checkpoint, const KeyPair& key);
// "— <name> base64(key hash || signature)\n".
std::string NoteSignatureLine(const std::string& name, uint32_t key_hash,
                              std::string_view signature);
// Big-endian uint32 of the first four bytes of `hash` (signed-note key hashes).
uint32_t KeyHashOf(const Hash& hash);

// Checks that `note` carries a valid signature by `verifier` (other signature lines, e.g. witness
// cosignatures, are ignored) and returns its checkpoint, whose origin must be verifier.name.
Result<Checkpoint> VerifyCheckpoint(std::string_view note, const NoteVerifier& verifier);

}  // namespace chipledger

#endif  // CHIPLEDGER_LEDGER_CHECKPOINT_H_
