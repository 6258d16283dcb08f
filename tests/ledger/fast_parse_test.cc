// The fast paths of parsing (a canonical entry read without a JSON document, simple JSON without
// nlohmann's lexer, canonical base64 without libsodium's decoder) change no result: what they
// accept parses to exactly what the strict parsers make of it, and everything else still gets
// the strict parsers' errors.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ledger/crypto.h"
#include "ledger/entry.h"
#include "ledger/event.h"
#include "ledger/json.h"
#include "tests/testing/same_json.h"

namespace chipledger {
namespace {

using nlohmann::json;

TEST(FastParseTest, JsonParsesAsNlohmannParsesIt) {
  const std::vector<std::string> texts = {
      R"({"v":1,"type":"monitor.heartbeat","online":[{"serial":"SN-1"},{"serial":"SN-2"}]})",
      " { \"a\" : [ 1 , -2 , 0 , true , false , null , \"\" , { } , [ ] ] }\n\t\r",
      "0",
      "-1",
      "123456789012345678",
      "1234567890123456789",
      "18446744073709551615",
      "18446744073709551616",
      "-9223372036854775808",
      "-0",
      "1.5",
      "1e3",
      "2E-2",
      "\"x\"",
      R"({"escaped":"a\"b\\c\u00e9\n"})",
      "{\"utf8\":\"caf\xC3\xA9\"}",
      std::string(40, '[') + "1" + std::string(40, ']')};
  for (const std::string& text : texts) {
    Result<json> parsed = ParseJson(text, "t");
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.status().ToString();
    json theirs = json::parse(text);
    EXPECT_TRUE(testing::SameJsonDocument(*parsed, theirs))
        << text << ": " << parsed->dump() << " against " << theirs.dump();
  }
}

TEST(FastParseTest, JsonErrorsAreTheStrictParsers) {
  EXPECT_EQ(ParseJson(R"({"a":1,"b":{"c":2,"c":3}})", "t").status().message(),
            "t: duplicate key \"c\"");
  for (const char* text : {"{\"a\":1,}", "[1,]", "[01]", "{\"a\" 1}", "tru", "[1] 2", "{\"a\":1",
                           "\"\x01\"", "\"\xC3\"", "[-]", ""}) {
    Result<json> parsed = ParseJson(text, "t");
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_TRUE(parsed.status().message().starts_with("t: not valid UTF-8 JSON")) << text;
  }
  EXPECT_EQ(ParseJson("[1,]", "t").status().message(),
            "t: not valid UTF-8 JSON at line 1, column 4: syntax error while parsing value - "
            "unexpected ']'; expected '[', '{', or a literal");
}

TEST(FastParseTest, Base64DecodesEveryLengthAndRefusesWhatItRefusedBefore) {
  std::string bytes;
  for (int n = 0; n < 70; ++n) {
    Result<std::string> decoded = Base64Decode(Base64Encode(bytes), "b");
    ASSERT_TRUE(decoded.ok()) << n;
    EXPECT_EQ(*decoded, bytes);
    bytes.push_back(static_cast<char>(n * 37 + 200));
  }
  // Stray bits in the last character: libsodium refuses them itself.
  for (const char* text :
       {"QR==", "QUJ=", "QQ=", "Q===", "QQ==QQ==", "QU JD", "QUJD\n", "QU=D", "===="}) {
    EXPECT_EQ(Base64Decode(text, "b").status().message(), "b: not valid padded base64") << text;
  }
}

class FastEntryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    InitCrypto();
    key_ = GenerateKeyPair();
    entry_.index = 12;
    entry_.integrated_time = ParseTime("2026-12-06T06:15:00.5Z", "t").value();
    entry_.prev = Sha256("entry 11");
    entry_.envelope = Envelope{std::string(kEventPayloadType), R"({"v":1,"note":"é"})", {}};
    SignEnvelope(&entry_.envelope, key_);
    SignEnvelope(&entry_.envelope, GenerateKeyPair());
  }

  KeyPair key_;
  LogEntry entry_;
};

TEST_F(FastEntryTest, ACanonicalEntryParsesAsTheSameEntryWrittenOtherwise) {
  std::string canonical = SerializeEntry(entry_);
  // The same entry in another form: spaces, another key order, an escaped character.
  json reordered = json::parse(canonical);
  std::string other = reordered.dump(1);
  other.replace(other.find("\"index\""), 7, "\"ind\\u0065x\"");
  for (const std::string& text : {canonical, other}) {
    Result<LogEntry> parsed = ParseEntry(text);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(SerializeEntry(*parsed), canonical);
    EXPECT_EQ(parsed->envelope.signatures.size(), 2u);
    EXPECT_TRUE(VerifyEnvelopeSignature(parsed->envelope, 0, key_.public_key));
  }
}

TEST_F(FastEntryTest, ANearlyCanonicalEntryGetsTheStrictErrors) {
  const std::string canonical = SerializeEntry(entry_);
  auto with = [&](const std::string& from, const std::string& to) {
    std::string text = canonical;
    text.replace(text.find(from), from.size(), to);
    return ParseEntry(text).status().message();
  };
  std::string payload = Base64Encode(entry_.envelope.payload);
  std::string bad_payload = payload;
  bad_payload[bad_payload.size() - 2] = 'Z';  // stray bits before the padding
  ASSERT_EQ(payload.back(), '=');
  EXPECT_EQ(with(payload, bad_payload), "envelope.payload: not valid padded base64");
  EXPECT_EQ(with("\"index\":12", "\"index\":012").substr(0, 29), "entry: not valid UTF-8 JSON a");
  EXPECT_EQ(with("\"index\":12", "\"index\":-1"),
            "index: must be an integer from 0 to 9007199254740991");
  EXPECT_EQ(with(FormatTime(entry_.integrated_time), "2026-12-06 06:15:00Z").substr(0, 17),
            "integrated_time: ");
  EXPECT_EQ(with(ToHex(entry_.prev), std::string(64, 'A')),
            "prev: must be 64 lowercase hex characters");
  EXPECT_EQ(with(std::string(kEventPayloadType), "text/plain"),
            "envelope.payloadType: must be " + std::string(kEventPayloadType));
  EXPECT_EQ(with("]}}", "]},\"extra\":1}"), "extra: unknown field");
  EXPECT_TRUE(ParseEntry(canonical + " ").ok());  // not canonical, still an entry
}

}  // namespace
}  // namespace chipledger
