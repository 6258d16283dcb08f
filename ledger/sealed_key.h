// An Ed25519 key sealed at rest under a passphrase (Argon2id + XSalsa20-Poly1305, libsodium), as
// the field agent and the witness keep theirs, and how a program asks for the passphrase.
#ifndef CHIPLEDGER_LEDGER_SEALED_KEY_H_
#define CHIPLEDGER_LEDGER_SEALED_KEY_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/crypto.h"
#include "ledger/status.h"

namespace chipledger {

// Argon2id cost; stored with the key so it can be raised later without breaking old files.
struct KdfCost {
  uint64_t opslimit;
  size_t memlimit;
};
KdfCost DefaultKdfCost();  // libsodium's "moderate" (256 MiB)
KdfCost FastKdfCost();     // libsodium's "interactive" (64 MiB), for constrained devices

// The sealed key's JSON text for `key` under `passphrase` with a fresh random salt and nonce.
Result<std::string> SealKey(const KeyPair& key, std::string_view passphrase, KdfCost cost);
// Opens sealed key JSON text; a wrong passphrase is an Unauthenticated status, never a crash.
Result<KeyPair> OpenKey(std::string_view key_json, std::string_view passphrase);

}  // namespace chipledger

#endif  // CHIPLEDGER_LEDGER_SEALED_KEY_H_
