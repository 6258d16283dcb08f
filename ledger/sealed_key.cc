// The secret key at rest: the 32-byte Ed25519 seed sealed with crypto_secretbox_easy under a key
// derived from the passphrase by Argon2id (crypto_pwhash) with a random salt.
#include "ledger/sealed_key.h"

#include <sodium.h>

#include <array>
#include <nlohmann/json.hpp>

namespace chipledger {
namespace {

constexpr std::string_view kKdfName = "argon2id13";
constexpr std::string_view kCipherName = "xsalsa20poly1305";
// Bounds on a stored cost, so that a corrupted or hostile key file cannot exhaust the machine.
constexpr uint64_t kMaxOpslimit = 64;
constexpr size_t kMaxMemlimit = size_t{4} << 30;

using SecretBoxKey = std::array<uint8_t, crypto_secretbox_KEYBYTES>;

class WipedKey {
 public:
  ~WipedKey() { sodium_memzero(key.data(), key.size()); }
  SecretBoxKey key{};
};

Status DeriveKey(std::string_view passphrase, const std::string& salt, KdfCost cost,
                 WipedKey* out) {
  if (crypto_pwhash(out->key.data(), out->key.size(), passphrase.data(), passphrase.size(),
                    reinterpret_cast<const unsigned char*>(salt.data()), cost.opslimit,
                    cost.memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::IOError("key derivation ran out of memory");
  }
  return Status::Ok();
}

std::string RandomBytes(size_t size) {
  std::string bytes(size, '\0');
  randombytes_buf(bytes.data(), size);
  return bytes;
}

Status BadKeyFile(std::string_view field, std::string_view why) {
  return Status::Corruption("key file: " + std::string(field) + ": " + std::string(why));
}

}  // namespace

KdfCost DefaultKdfCost() {
  return {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE};
}
KdfCost FastKdfCost() {
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

Result<std::string> SealKey(const KeyPair& key, std::string_view passphrase, KdfCost cost) {
  InitCrypto();
  if (passphrase.empty()) {
    return Status::InvalidArgument("bad_passphrase", "passphrase: must not be empty");
  }
  std::string salt = RandomBytes(crypto_pwhash_SALTBYTES);
  std::string nonce = RandomBytes(crypto_secretbox_NONCEBYTES);
  WipedKey box_key;
  if (Status s = DeriveKey(passphrase, salt, cost, &box_key); !s.ok()) return s;
  std::string sealed(32 + crypto_secretbox_MACBYTES, '\0');
  crypto_secretbox_easy(reinterpret_cast<unsigned char*>(sealed.data()), key.secret_key.data(), 32,
                        reinterpret_cast<const unsigned char*>(nonce.data()), box_key.key.data());
  nlohmann::json file = {{"version", 1},
                         {"kdf", kKdfName},
                         {"opslimit", cost.opslimit},
                         {"memlimit", cost.memlimit},
                         {"salt", Base64Encode(salt)},
                         {"cipher", kCipherName},
                         {"nonce", Base64Encode(nonce)},
                         {"sealed", Base64Encode(sealed)},
                         {"public_key", Base64Encode(key.public_key)},
                         {"key_id", KeyId(key.public_key)}};
  return file.dump(2) + "\n";
}

Result<KeyPair> OpenKey(std::string_view key_json, std::string_view passphrase) {
  InitCrypto();
  nlohmann::json file = nlohmann::json::parse(key_json, nullptr, false);
  if (!file.is_object()) return BadKeyFile("", "not a JSON object");
  auto text = [&](const char* field) -> std::string {
    auto it = file.find(field);
    return it != file.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (text("kdf") != kKdfName) return BadKeyFile("kdf", "must be argon2id13");
  if (text("cipher") != kCipherName) return BadKeyFile("cipher", "must be xsalsa20poly1305");
  auto ops = file.find("opslimit");
  auto mem = file.find("memlimit");
  if (ops == file.end() || !ops->is_number_unsigned() || ops->get<uint64_t>() > kMaxOpslimit) {
    return BadKeyFile("opslimit", "must be an integer at most 64");
  }
  if (mem == file.end() || !mem->is_number_unsigned() || mem->get<uint64_t>() > kMaxMemlimit) {
    return BadKeyFile("memlimit", "must be an integer at most 4 GiB");
  }
  Result<std::string> salt = Base64Decode(text("salt"), "salt");
  Result<std::string> nonce = Base64Decode(text("nonce"), "nonce");
  Result<std::string> sealed = Base64Decode(text("sealed"), "sealed");
  Result<PublicKey> public_key = PublicKeyFromBase64(text("public_key"), "public_key");
  for (const Status* s :
       {&salt.status(), &nonce.status(), &sealed.status(), &public_key.status()}) {
    if (!s->ok()) return BadKeyFile(s->code(), s->message());
  }
  if (salt->size() != crypto_pwhash_SALTBYTES) return BadKeyFile("salt", "wrong length");
  if (nonce->size() != crypto_secretbox_NONCEBYTES) return BadKeyFile("nonce", "wrong length");
  if (sealed->size() != 32 + crypto_secretbox_MACBYTES) return BadKeyFile("sealed", "wrong length");

  WipedKey box_key;
  KdfCost cost{ops->get<uint64_t>(), mem->get<size_t>()};
  if (Status s = DeriveKey(passphrase, *salt, cost, &box_key); !s.ok()) return s;
  std::array<uint8_t, 32> seed;
  if (crypto_secretbox_open_easy(
          seed.data(), reinterpret_cast<const unsigned char*>(sealed->data()), sealed->size(),
          reinterpret_cast<const unsigned char*>(nonce->data()), box_key.key.data()) != 0) {
    return Status::Unauthenticated("wrong_passphrase",
                                   "wrong passphrase (or the key file was altered)");
  }
  KeyPair pair = KeyPairFromSeed(seed);
  sodium_memzero(seed.data(), seed.size());
  if (pair.public_key != *public_key) {
    return BadKeyFile("public_key", "does not match the sealed secret key");
  }
  return pair;
}

}  // namespace chipledger
