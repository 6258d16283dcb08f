#include "ledger/crypto.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace chipledger {

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

namespace {

// Fetched once: EVP_sha256() would look the implementation up again on every hash.
const EVP_MD* Sha256Algorithm() {
  static const EVP_MD* const algorithm = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (algorithm == nullptr) std::abort();  // libcrypto without SHA-256: nothing can be checked
  return algorithm;
}

}  // namespace

Hash Sha256(std::string_view data) {
  Sha256Hasher hasher;
  hasher.Update(data);
  return hasher.Finish();
}

namespace {

struct FreeContext {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};
// A context kept per thread for the next hasher: allocating one cost as much as hashing a short
// input (a Merkle node), and an audit hashes a few per entry.
thread_local std::unique_ptr<EVP_MD_CTX, FreeContext> spare_context;

}  // namespace

// OpenSSL fails these calls only when it cannot allocate: as for InitCrypto, there is no safe
// way on (a wrong hash would read as forgery).
Sha256Hasher::Sha256Hasher() : context_(spare_context.release()) {
  if (context_ == nullptr) context_ = EVP_MD_CTX_new();
  if (context_ == nullptr || EVP_DigestInit_ex(context_, Sha256Algorithm(), nullptr) != 1) {
    std::abort();
  }
}

Sha256Hasher::~Sha256Hasher() {
  if (spare_context == nullptr) {
    spare_context.reset(context_);
  } else {
    EVP_MD_CTX_free(context_);
  }
}

void Sha256Hasher::Update(std::string_view data) {
  if (EVP_DigestUpdate(context_, data.data(), data.size()) != 1) std::abort();
}

Hash Sha256Hasher::Finish() {
  Hash out;
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(context_, out.data(), &size) != 1 || size != out.size()) std::abort();
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

// Each byte's value as a lowercase hex digit, or -1. A table, as entries and payloads carry
// several hashes each and a digit-or-letter branch per character mispredicts half the time.
constexpr std::array<int8_t, 256> kHexValues = [] {
  std::array<int8_t, 256> value{};
  value.fill(-1);
  for (int c = '0'; c <= '9'; ++c) value[c] = static_cast<int8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) value[c] = static_cast<int8_t>(c - 'a' + 10);
  return value;
}();

// Decodes hex.size() / 2 bytes of lowercase hex into `out`; false at the first other character.
static bool DecodeHex(std::string_view hex, uint8_t* out) {
  for (size_t i = 0; i < hex.size() / 2; ++i) {
    int hi = kHexValues[static_cast<uint8_t>(hex[2 * i])];
    int lo = kHexValues[static_cast<uint8_t>(hex[2 * i + 1])];
    if ((hi | lo) < 0) return false;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return true;
}

Result<std::string> FromHex(std::string_view hex, std::string_view what) {
  if (hex.size() % 2 != 0) {
    return Status::InvalidArgument("bad_hex", std::string(what) + ": odd number of hex digits");
  }
  std::string out(hex.size() / 2, '\0');
  if (!DecodeHex(hex, reinterpret_cast<uint8_t*>(out.data()))) {
    return Status::InvalidArgument("bad_hex", std::string(what) + ": not lowercase hexadecimal");
  }
  return out;
}

Result<Hash> HashFromHex(std::string_view hex, std::string_view what) {
  if (hex.size() != 64) {
    return Status::InvalidArgument("bad_hex", std::string(what) + ": must be 64 hex characters");
  }
  Hash out;  // decoded in place: entries and payloads carry several hashes each
  if (!DecodeHex(hex, out.data())) {
    return Status::InvalidArgument("bad_hex", std::string(what) + ": not lowercase hexadecimal");
  }
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

namespace {

// The 6-bit value of each base64 character (RFC 4648 §4 alphabet), -1 for other bytes.
constexpr std::array<int8_t, 256> kBase64Values = [] {
  std::array<int8_t, 256> values{};
  values.fill(-1);
  constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (size_t i = 0; i < kAlphabet.size(); ++i) {
    values[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int8_t>(i);
  }
  return values;
}();

// Decodes `text` into `out` when it is exactly what Base64Encode writes for some bytes: padded,
// only alphabet characters before the padding, and the unused low bits of the last character
// zero. Everything else returns false, and the caller's strict path says why. Entry payloads
// are decoded on every audit, and libsodium's constant-time decoder plus the re-encoding check
// cost more than the whole rest of an entry's parse; the bytes are public.
bool DecodeCanonicalBase64(std::string_view text, std::string* out) {
  if (text.size() % 4 != 0) return false;
  size_t padding = 0;
  if (!text.empty() && text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
  out->resize(text.size() / 4 * 3 - padding);
  char* written = out->data();
  auto value = [&](size_t i) { return kBase64Values[static_cast<unsigned char>(text[i])]; };
  size_t end = text.size() - padding, whole = end / 4 * 4;
  // Four characters at a time; any of them outside the alphabet makes the OR negative.
  for (size_t i = 0; i < whole; i += 4) {
    int32_t a = value(i), b = value(i + 1), c = value(i + 2), d = value(i + 3);
    if ((a | b | c | d) < 0) return false;
    uint32_t bits = static_cast<uint32_t>(a << 18 | b << 12 | c << 6 | d);
    written[0] = static_cast<char>(bits >> 16);
    written[1] = static_cast<char>(bits >> 8);
    written[2] = static_cast<char>(bits);
    written += 3;
  }
  uint32_t bits = 0;
  for (size_t i = whole; i < end; ++i) {
    int32_t v = value(i);
    if (v < 0) return false;
    bits = bits << 6 | static_cast<uint32_t>(v);
  }
  if (padding == 2) {  // two characters: 12 bits for one byte, the low 4 unused
    if ((bits & 0xF) != 0) return false;
    written[0] = static_cast<char>(bits >> 4);
  } else if (padding == 1) {  // three characters: 18 bits for two bytes, the low 2 unused
    if ((bits & 0x3) != 0) return false;
    written[0] = static_cast<char>(bits >> 10);
    written[1] = static_cast<char>(bits >> 2);
  }
  return true;
}

}  // namespace

Result<std::string> Base64Decode(std::string_view text, std::string_view what) {
  if (std::string fast; DecodeCanonicalBase64(text, &fast)) return fast;
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
