#include "ledger/crypto.h"

#include <sodium.h>

#include <cstdlib>
#include <cstring>

namespace chipledger {

static_assert(sizeof(crypto_hash_sha256_state) <= 128, "Sha256Hasher state buffer too small");

SecretKey::SecretKey() { bytes_.fill(0); }
SecretKey::~SecretKey() { sodium_memzero(bytes_.data(), bytes_.size()); }
SecretKey::SecretKey(const SecretKey& other) : bytes_(other.bytes_) {}
SecretKey& SecretKey::operator=(const SecretKey& other) {
  bytes_ = other.bytes_;
  return *this;
}

void InitCrypto() {
  if (sodium_init() < 0) std::abort();  // no safe way on without a working RNG
}

Hash Sha256(std::string_view data) {
  Hash out;
  crypto_hash_sha256(out.data(), reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return out;
}

Sha256Hasher::Sha256Hasher() {
  crypto_hash_sha256_init(reinterpret_cast<crypto_hash_sha256_state*>(state_));
}

void Sha256Hasher::Update(std::string_view data) {
  crypto_hash_sha256_update(reinterpret_cast<crypto_hash_sha256_state*>(state_),
                            reinterpret_cast<const unsigned char*>(data.data()), data.size());
}

Hash Sha256Hasher::Finish() {
  Hash out;
  crypto_hash_sha256_final(reinterpret_cast<crypto_hash_sha256_state*>(state_), out.data());
  return out;
}

KeyPair GenerateKeyPair() {
  InitCrypto();
  KeyPair pair;
  crypto_sign_keypair(pair.public_key.data(), pair.secret_key.data());
  return pair;
}

KeyPair KeyPairFromSeed(const std::array<uint8_t, 32>& seed) {
  InitCrypto();
  KeyPair pair;
  crypto_sign_seed_keypair(pair.public_key.data(), pair.secret_key.data(), seed.data());
  return pair;
}

Signature Sign(const SecretKey& key, std::string_view message) {
  Signature sig;
  crypto_sign_detached(sig.data(), nullptr, reinterpret_cast<const unsigned char*>(message.data()),
                       message.size(), key.data());
  return sig;
}

bool Verify(const PublicKey& key, std::string_view message, const Signature& signature) {
  return crypto_sign_verify_detached(signature.data(),
                                     reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), key.data()) == 0;
}

std::string ToHex(const uint8_t* data, size_t size) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 0xf];
  }
  return out;
}

static int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

Result<std::string> FromHex(std::string_view hex, std::string_view what) {
  if (hex.size() % 2 != 0) {
    return Status::InvalidArgument("bad_hex", std::string(what) + ": odd number of hex digits");
  }
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = HexDigit(hex[2 * i]), lo = HexDigit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return Status::InvalidArgument("bad_hex", std::string(what) + ": not lowercase hexadecimal");
    }
    out[i] = static_cast<char>(hi << 4 | lo);
  }
  return out;
}

Result<Hash> HashFromHex(std::string_view hex, std::string_view what) {
  if (hex.size() != 64) {
    return Status::InvalidArgument("bad_hex", std::string(what) + ": must be 64 hex characters");
  }
  auto bytes = FromHex(hex, what);
  if (!bytes.ok()) return bytes.status();
  Hash out;
  std::memcpy(out.data(), bytes->data(), out.size());
  return out;
}

std::string Base64Encode(std::string_view bytes) {
  const int variant = sodium_base64_VARIANT_ORIGINAL;
  std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), variant);
  out.resize(out.size() - 1);  // drop the terminating NUL
  return out;
}

Result<std::string> Base64Decode(std::string_view text, std::string_view what) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  size_t length = 0;
  const char* end = nullptr;
  int rc = sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                             text.size(), nullptr, &length, &end, sodium_base64_VARIANT_ORIGINAL);
  if (rc != 0 || end != text.data() + text.size() || text.size() % 4 != 0) {
    return Status::InvalidArgument("bad_base64", std::string(what) + ": not valid padded base64");
  }
  out.resize(length);
  // Reject non-canonical encodings (stray bits in the last character) so that one byte string
  // has exactly one accepted text form.
  if (Base64Encode(out) != text) {
    return Status::InvalidArgument("bad_base64", std::string(what) + ": non-canonical base64");
  }
  return out;
}

template <size_t N>
static Result<std::array<uint8_t, N>> FixedFromBase64(std::string_view text, std::string_view what,
                                                      const char* kind) {
  auto bytes = Base64Decode(text, what);
  if (!bytes.ok()) return bytes.status();
  if (bytes->size() != N) {
    return Status::InvalidArgument(
        "bad_base64", std::string(what) + ": " + kind + " must be " + std::to_string(N) + " bytes");
  }
  std::array<uint8_t, N> out;
  std::memcpy(out.data(), bytes->data(), N);
  return out;
}

Result<PublicKey> PublicKeyFromBase64(std::string_view text, std::string_view what) {
  return FixedFromBase64<32>(text, what, "an Ed25519 public key");
}

Result<Signature> SignatureFromBase64(std::string_view text, std::string_view what) {
  return FixedFromBase64<64>(text, what, "an Ed25519 signature");
}

std::string KeyId(const PublicKey& key) { return ToHex(Sha256(AsBytes(key))); }

}  // namespace chipledger
