// The witness's key at rest: <data>/witness.key, a JSON object holding the witness verifier key
// and the Ed25519 seed, either plain (mode 0600) or sealed under a passphrase
// (ledger/sealed_key.h).
#ifndef CHIPLEDGER_WITNESS_KEY_FILE_H_
#define CHIPLEDGER_WITNESS_KEY_FILE_H_

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "ledger/cosignature.h"
#include "ledger/crypto.h"
#include "ledger/status.h"

namespace chipledger::witness {

std::filesystem::path KeyFilePath(const std::filesystem::path& data);

// Creates `data` (mode 0700) if needed and a new key named `name` in it, sealed when `passphrase`
// is given; refuses to replace an existing key. Returns the witness verifier key.
Result<WitnessKey> CreateKeyFile(const std::filesystem::path& data, const std::string& name,
                                 const std::optional<std::string>& passphrase);

// The witness verifier key, readable without the passphrase.
Result<WitnessKey> ReadWitnessKey(const std::filesystem::path& data);

struct LoadedKey {
  WitnessKey witness;
  KeyPair key;
};
// The key pair; `passphrase` is asked only when the key is sealed.
Result<LoadedKey> LoadKeyFile(const std::filesystem::path& data,
                              const std::function<Result<std::string>()>& passphrase);

}  // namespace chipledger::witness

#endif  // CHIPLEDGER_WITNESS_KEY_FILE_H_
