#include "ledger/crypto.h"

#include <gtest/gtest.h>

#include "ledger/time.h"

namespace chipledger {
namespace {

TEST(Crypto, Sha256KnownAnswer) {
  EXPECT_EQ(ToHex(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Sha256Hasher hasher;
  hasher.Update("a");
  hasher.Update("bc");
  EXPECT_EQ(hasher.Finish(), Sha256("abc"));
}

// RFC 8032 §7.1, test 2.
TEST(Crypto, Ed25519KnownAnswer) {
  auto seed = FromHex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb", "seed");
  ASSERT_TRUE(seed.ok());
  std::array<uint8_t, 32> seed_bytes;
  std::copy(seed->begin(), seed->end(), seed_bytes.begin());
  KeyPair pair = KeyPairFromSeed(seed_bytes);
  EXPECT_EQ(ToHex(pair.public_key),
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
  Signature sig = Sign(pair.secret_key, std::string(1, '\x72'));
  EXPECT_EQ(ToHex(sig),
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
            "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00");
  EXPECT_TRUE(Verify(pair.public_key, std::string(1, '\x72'), sig));
  sig[0] ^= 1;
  EXPECT_FALSE(Verify(pair.public_key, std::string(1, '\x72'), sig));
}

TEST(Crypto, HexRoundTripAndErrors) {
  EXPECT_EQ(ToHex(std::string("\x00\xff\x10", 3)), "00ff10");
  EXPECT_EQ(*FromHex("00ff10", "x"), std::string("\x00\xff\x10", 3));
  auto upper = FromHex("00FF", "payload.prev");
  ASSERT_FALSE(upper.ok());
  EXPECT_NE(upper.status().message().find("payload.prev"), std::string::npos);
  EXPECT_FALSE(FromHex("abc", "x").ok());
  EXPECT_FALSE(HashFromHex("00", "x").ok());
}

TEST(Crypto, Base64StrictDecoding) {
  EXPECT_EQ(Base64Encode(std::string("foobar")), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode(std::string("fo")), "Zm8=");
  EXPECT_EQ(*Base64Decode("Zm8=", "x"), "fo");
  EXPECT_FALSE(Base64Decode("Zm8", "x").ok());    // missing padding
  EXPECT_FALSE(Base64Decode("Zm9=", "x").ok());   // non-canonical trailing bits
  EXPECT_FALSE(Base64Decode("Zm 8=", "x").ok());  // whitespace
  EXPECT_FALSE(Base64Decode("Zm8_", "x").ok());   // URL alphabet
  EXPECT_FALSE(PublicKeyFromBase64("Zm8=", "key").ok());
}

TEST(Crypto, KeyIdIsHexSha256OfRawKey) {
  KeyPair pair = GenerateKeyPair();
  EXPECT_EQ(KeyId(pair.public_key), ToHex(Sha256(AsBytes(pair.public_key))));
  EXPECT_EQ(KeyId(pair.public_key).size(), 64u);
}

TEST(Time, ParsesAndFormatsRfc3339Utc) {
  auto t = ParseTime("2026-11-23T08:15:00Z", "time");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->unix_nanos, 1795421700LL * kNanosPerSecond);
  EXPECT_EQ(FormatTime(*t), "2026-11-23T08:15:00.000Z");
  auto fractional = ParseTime("2026-11-23T08:15:00.123456789Z", "time");
  ASSERT_TRUE(fractional.ok());
  EXPECT_EQ(fractional->unix_nanos % kNanosPerSecond, 123456789);
  for (const char* bad : {"2026-11-23T08:15:00", "2026-11-23T08:15:00+00:00",
                          "2026-02-30T00:00:00Z", "2026-11-23 08:15:00Z", "2026-11-23T08:15:00.Z",
                          "2026-11-23T24:00:00Z", "2026-11-23T08:15:00.1234567890Z"}) {
    EXPECT_FALSE(ParseTime(bad, "time").ok()) << bad;
  }
}

}  // namespace
}  // namespace chipledger
