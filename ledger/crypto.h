// Cryptography for chipledger (SPEC §2): Ed25519 and base64 through libsodium, SHA-256 through
// OpenSSL's libcrypto (see Sha256Hasher), hex and key ids. Byte strings are std::string, as LevelDB
// does with Slice.
#ifndef CHIPLEDGER_LEDGER_CRYPTO_H_
#define CHIPLEDGER_LEDGER_CRYPTO_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/status.h"

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX, declared here so that its headers stay private

namespace chipledger {

using Hash = std::array<uint8_t, 32>;
using PublicKey = std::array<uint8_t, 32>;
using Signature = std::array<uint8_t, 64>;

// libsodium's 64-byte Ed25519 secret key (seed followed by public key). Wiped on destruction.
class SecretKey {
 public:
  SecretKey();
  ~SecretKey();
  SecretKey(const SecretKey& other);
  SecretKey& operator=(const SecretKey& other);
  uint8_t* data() { return bytes_.data(); }
  const uint8_t* data() const { return bytes_.data(); }

 private:
  std::array<uint8_t, 64> bytes_;
};

struct KeyPair {
  PublicKey public_key;
  SecretKey secret_key;
};

// Must succeed once before any other call; safe to call repeatedly and from any thread.
void InitCrypto();

Hash Sha256(std::string_view data);

// Incremental SHA-256, for hashing files and concatenations without copying. OpenSSL's, not
// libsodium's: it uses the CPU's SHA extensions where there are any (about 5 times faster here),
// and every entry is hashed at least twice (its leaf hash and its payload's).
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;
  void Update(std::string_view data);
  Hash Finish();

 private:
  ::evp_md_ctx_st* context_;  // OpenSSL's EVP_MD_CTX
};

KeyPair GenerateKeyPair();
KeyPair KeyPairFromSeed(const std::array<uint8_t, 32>& seed);
Signature Sign(const SecretKey& key, std::string_view message);
bool Verify(const PublicKey& key, std::string_view message, const Signature& signature);

std::string ToHex(const uint8_t* data, size_t size);
template <size_t N>
std::string ToHex(const std::array<uint8_t, N>& bytes) {
  return ToHex(bytes.data(), N);
}
inline std::string ToHex(std::string_view bytes) {
  return ToHex(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}
// Lowercase hex only, as SPEC §2 writes hashes; `what` names the field in the error.
Result<std::string> FromHex(std::string_view hex, std::string_view what);
Result<Hash> HashFromHex(std::string_view hex, std::string_view what);

// Standard base64 with padding; decoding is strict (no whitespace, canonical padding).
std::string Base64Encode(std::string_view bytes);
template <size_t N>
std::string Base64Encode(const std::array<uint8_t, N>& bytes) {
  return Base64Encode(std::string_view(reinterpret_cast<const char*>(bytes.data()), N));
}
Result<std::string> Base64Decode(std::string_view text, std::string_view what);
Result<PublicKey> PublicKeyFromBase64(std::string_view text, std::string_view what);
Result<Signature> SignatureFromBase64(std::string_view text, std::string_view what);

// SPEC §2: lowercase hex of SHA-256 of the 32 raw key bytes.
std::string KeyId(const PublicKey& key);

// Views a fixed array as bytes, for hashing and concatenation.
template <size_t N>
std::string_view AsBytes(const std::array<uint8_t, N>& bytes) {
  return std::string_view(reinterpret_cast<const char*>(bytes.data()), N);
}

}  // namespace chipledger

#endif  // CHIPLEDGER_LEDGER_CRYPTO_H_
