#include "ledger/entry.h"

#include <gtest/gtest.h>

#include <string>

#include "ledger/event.h"

namespace chipledger {
namespace {

class EntryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    InitCrypto();
    key_ = GenerateKeyPair();
    entry_.index = 7;
    entry_.integrated_time = ParseTime("2026-11-23T08:15:00.123Z", "t").value();
    entry_.prev = Sha256("entry 6");
    entry_.envelope = Envelope{std::string(kEventPayloadType), "{\"v\":1}", {}};
    SignEnvelope(&entry_.envelope, key_);
  }

  KeyPair key_;
  LogEntry entry_;
};

TEST_F(EntryTest, SerializesKeysInWireOrder) {
  EXPECT_EQ(SerializeEntry(entry_),
            "{\"index\":7,\"integrated_time\":\"2026-11-23T08:15:00.123Z\","
            "\"prev\":\"" +
                ToHex(Sha256("entry 6")) + "\",\"envelope\":" + SerializeEnvelope(entry_.envelope) +
                "}");
}

TEST_F(EntryTest, RoundTripsThroughParse) {
  std::string bytes = SerializeEntry(entry_);
  auto parsed = ParseEntry(bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->index, 7u);
  EXPECT_EQ(parsed->integrated_time, entry_.integrated_time);
  EXPECT_EQ(parsed->prev, entry_.prev);
  EXPECT_EQ(parsed->envelope.payload, "{\"v\":1}");
  EXPECT_TRUE(VerifyEnvelopeSignature(parsed->envelope, 0, key_.public_key));
  EXPECT_EQ(SerializeEntry(*parsed), bytes);
}

TEST_F(EntryTest, KeepsThePrecisionWritten) {
  std::string bytes = SerializeEntry(entry_);
  bytes.replace(bytes.find(".123Z"), 5, ".123456789Z");
  auto parsed = ParseEntry(bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->integrated_time.unix_nanos % kNanosPerSecond, 123456789);
}

TEST_F(EntryTest, RefusesMalformedEntries) {
  const std::string envelope = SerializeEnvelope(entry_.envelope);
  const std::string prev = "\"prev\":\"" + std::string(64, '0') + "\"";
  const std::string time = "\"integrated_time\":\"2026-11-23T08:15:00.123Z\"";
  struct Case {
    std::string bytes, code, message;
  } cases[] = {
      {"{", "bad_entry", "entry: not valid UTF-8 JSON"},
      {"[]", "bad_entry", "entry: must be a JSON object"},
      {"{\"index\":-1," + time + "," + prev + ",\"envelope\":" + envelope + "}", "bad_entry",
       "index: must be an integer from 0 to 9007199254740991"},
      {"{\"index\":1.5," + time + "," + prev + ",\"envelope\":" + envelope + "}", "bad_entry",
       "index: must be an integer from 0 to 9007199254740991"},
      {"{\"index\":1," + prev + ",\"envelope\":" + envelope + "}", "bad_entry",
       "integrated_time: required field missing"},
      {"{\"index\":1,\"integrated_time\":\"yesterday\"," + prev + ",\"envelope\":" + envelope + "}",
       "bad_entry", "integrated_time: must be RFC 3339 UTC"},
      {"{\"index\":1," + time + ",\"prev\":\"00\",\"envelope\":" + envelope + "}", "bad_entry",
       "prev: must be 64 lowercase hex characters"},
      {"{\"index\":1," + time + "," + prev + ",\"envelope\":" + envelope + ",\"x\":0}", "bad_entry",
       "x: unknown field"},
      {"{\"index\":1,\"index\":2," + time + "," + prev + ",\"envelope\":" + envelope + "}",
       "bad_entry", "entry: duplicate key \"index\""},
      {"{\"index\":1," + time + "," + prev + ",\"envelope\":[]}", "bad_envelope",
       "envelope: must be an object"},
      {"{\"index\":1," + time + "," + prev + ",\"envelope\":{\"payloadType\":\"x\"}}",
       "bad_envelope", "envelope.payload: required field missing"},
      {SerializeEntry(entry_) + std::string(1, '\0') + "\xFF\xFE", "bad_entry",
       "entry: NUL byte at offset"},
  };
  for (const auto& c : cases) {
    auto parsed = ParseEntry(c.bytes);
    ASSERT_FALSE(parsed.ok()) << c.bytes;
    EXPECT_EQ(parsed.status().code(), c.code) << parsed.status().ToString();
    EXPECT_EQ(parsed.status().message().substr(0, c.message.size()), c.message)
        << parsed.status().message();
  }
}

TEST_F(EntryTest, RefusesEntriesLargerThanTheWireLimit) {
  entry_.envelope.payload = std::string(kMaxEntryBytes, 'x');
  std::string bytes = SerializeEntry(entry_);
  ASSERT_GT(bytes.size(), kMaxEntryBytes);
  auto parsed = ParseEntry(bytes);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), "bad_entry");
}

}  // namespace
}  // namespace chipledger
