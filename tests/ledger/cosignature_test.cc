// Known answers from the C2SP texts (signed-note, tlog-witness, tlog-cosignature) for the
// signed-note parser, cosignature/v1, witness verifier keys, the reader's quorum and the
// add-checkpoint request wire.
#include "ledger/cosignature.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "ledger/checkpoint.h"
#include "ledger/witness_protocol.h"

namespace chipledger {
namespace {

constexpr std::string_view kDash = "\xe2\x80\x94 ";  // U+2014 and a space

// signed-note.md, "Verifier keys / Example".
constexpr std::string_view kFooVerifierKey =
    "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
constexpr std::string_view kFooNote =
    "This is an example message.\n"
    "\n"
    "\xe2\x80\x94 example.com/foo "
    "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM="
    "\n";

// tlog-witness.md, "add-checkpoint": the example request body.
constexpr std::string_view kSofaCheckpoint =
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    "\n"
    "\xe2\x80\x94 example.com/behind-the-sofa "
    "Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
    "\xe2\x80\x94 example.com/behind-the-sofa "
    "opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+49/"
    "V6267UEjw6QUXTS5Rovnzv++qbSzm9Q=\n";
constexpr std::string_view kSofaText =
    "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
constexpr const char* kSofaProof[] = {
    "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=", "jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=",
    "5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=", "/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0="};

// tlog-witness.md: the example response body.
constexpr std::string_view kWitnessResponse =
    "\xe2\x80\x94 witness.example/w1 "
    "CMp+6LWBU0anHGH5aNDTJkH/"
    "gj79sG+T6+iP2ThYN5krrDJbR1HDnucjL39QsZTSvVjyQLrdk3DXDqI5G2HgLatVs0pWh6Up69HVOw==\n"
    "\xe2\x80\x94 witness.example/w1 "
    "I7rEps0pvK2UqkS2gSpVUDhrhVtQV9lgF6pRrWAvjJHjyWpW7VcE3SiOlVlbQNt64vWhO+DlkL0+"
    "UfzuOBMh9ChdMkP1vi/lCAsmlw==\n"
    "\xe2\x80\x94 witness.example/w2 "
    "AWui8Sk55XjYLOijihBjhqEH6nS1ndDymE0a+6idX7pLcnoB+dhnz0854aLZgrrKbYKA7nC3HNJhm/"
    "kWl7oJlqU3rXXvpysAdyP3wQ==\n";

// tlog-cosignature.md: the example cosignature, made at "time 1679315147" (its message example).
constexpr std::string_view kCosignedLine =
    "\xe2\x80\x94 witness.example.com/w1 "
    "jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/"
    "zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n";

// Computed independently of this code (Python `cryptography`, Ed25519 over the tlog-cosignature
// message) for the seed 00 01 .. 1f, the name witness.example/w1 and time 1679315147.
constexpr std::string_view kFixedWitnessKey =
    "witness.example/w1+e75f6532+BAOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4";
constexpr std::string_view kFixedCosignature =
    "\xe2\x80\x94 witness.example/w1 "
    "519lMgAAAABkGFDLBuRDazBLVac2NE+Y+IjbjQOcXLfF9CSDZVUIoS83rE1nFZsVE8YiWV6Ngr7lV8H6bdoBQGP/"
    "l73euDMQ9k+bBQ==\n";
constexpr uint64_t kFixedTime = 1679315147;

KeyPair SeedKey(uint8_t first) {
  std::array<uint8_t, 32> seed;
  for (size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<uint8_t>(first + i);
  return KeyPairFromSeed(seed);
}

uint64_t TimestampOf(const NoteSignature& signature) {
  uint64_t value = 0;
  for (size_t i = 0; i < 8; ++i) value = value << 8 | static_cast<uint8_t>(signature.signature[i]);
  return value;
}

// `line` (a cosignature line) claiming `timestamp` instead of the time it was signed for.
std::string WithTimestamp(const std::string& line, uint64_t timestamp) {
  size_t space = line.rfind(' ');
  Result<std::string> blob = Base64Decode(line.substr(space + 1, line.size() - space - 2), "line");
  EXPECT_TRUE(blob.ok());
  std::string bytes = *blob;
  for (int i = 7; i >= 0; --i, timestamp >>= 8) bytes[4 + i] = static_cast<char>(timestamp & 0xff);
  return line.substr(0, space + 1) + Base64Encode(bytes) + "\n";
}

class CosignatureTest : public ::testing::Test {
 protected:
  void SetUp() override { InitCrypto(); }
};

TEST_F(CosignatureTest, SignedNoteSpecExampleVerifies) {
  Result<NoteVerifier> foo = ParseVerifierKey(kFooVerifierKey);
  ASSERT_TRUE(foo.ok()) << foo.status().ToString();
  EXPECT_EQ(foo->KeyHash(), 0x530d903au);
  Result<SignedNote> note = ParseSignedNote(kFooNote);
  ASSERT_TRUE(note.ok()) << note.status().ToString();
  EXPECT_EQ(note->text, "This is an example message.\n");
  ASSERT_EQ(note->signatures.size(), 1u);
  const NoteSignature& line = note->signatures[0];
  EXPECT_EQ(line.name, "example.com/foo");
  EXPECT_EQ(line.key_hash, foo->KeyHash());
  Signature signature;
  ASSERT_EQ(line.signature.size(), signature.size());
  std::memcpy(signature.data(), line.signature.data(), signature.size());
  EXPECT_TRUE(Verify(foo->key, note->text, signature));
  EXPECT_FALSE(Verify(foo->key, "This is an example message!\n", signature));
}

TEST_F(CosignatureTest, WitnessSpecExampleRequestParses) {
  std::string body = "old 20852014\n";
  for (const char* hash : kSofaProof) body.append(hash).append("\n");
  body.append("\n").append(kSofaCheckpoint);
  Result<AddCheckpointRequest> request = ParseAddCheckpoint(body);
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_EQ(request->old_size, 20852014u);
  ASSERT_EQ(request->proof.size(), 4u);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(Base64Encode(request->proof[i]), kSofaProof[i]);
  EXPECT_EQ(request->checkpoint, kSofaCheckpoint);
  EXPECT_EQ(FormatAddCheckpoint(*request), body);  // and it is written back byte for byte

  Result<SignedNote> note = ParseSignedNote(request->checkpoint);
  ASSERT_TRUE(note.ok()) << note.status().ToString();
  EXPECT_EQ(note->text, kSofaText);
  EXPECT_EQ(note->signatures.size(), 2u);
  Result<Checkpoint> checkpoint = ParseCheckpointBody(note->text);
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status().ToString();
  EXPECT_EQ(checkpoint->origin, "example.com/behind-the-sofa");
  EXPECT_EQ(checkpoint->size, 20852163u);
}

TEST_F(CosignatureTest, WitnessSpecExampleResponseParsesAsNoteSignatures) {
  // tlog-witness: "the client MAY concatenate it to the checkpoint".
  std::string cosigned = std::string(kSofaCheckpoint) + std::string(kWitnessResponse);
  Result<SignedNote> note = ParseSignedNote(cosigned);
  ASSERT_TRUE(note.ok()) << note.status().ToString();
  ASSERT_EQ(note->signatures.size(), 5u);
  EXPECT_EQ(note->signatures[2].name, "witness.example/w1");
  EXPECT_EQ(note->signatures[4].name, "witness.example/w2");
  // Signatures by unknown keys are ignored: a reader trusting other witnesses finds none.
  WitnessPolicy policy{{{"witness.example/w1", SeedKey(1).public_key}}, 1};
  Result<std::vector<Cosignature>> valid = VerifyCosignatures(cosigned, policy.witnesses);
  ASSERT_TRUE(valid.ok()) << valid.status().ToString();
  EXPECT_TRUE(valid->empty());
}

TEST_F(CosignatureTest, CosignatureSpecExampleCarriesItsTimestamp) {
  std::string cosigned = std::string(kSofaText) + "\n" + std::string(kCosignedLine);
  Result<SignedNote> note = ParseSignedNote(cosigned);
  ASSERT_TRUE(note.ok()) << note.status().ToString();
  ASSERT_EQ(note->signatures.size(), 1u);
  EXPECT_EQ(note->signatures[0].name, "witness.example.com/w1");
  EXPECT_EQ(note->signatures[0].key_hash, 0x8d66cf3fu);
  ASSERT_EQ(note->signatures[0].signature.size(), 8u + 64u);
  EXPECT_EQ(TimestampOf(note->signatures[0]), 1679315147u);
  EXPECT_EQ(CosignedMessage(kSofaText, 1679315147),
            "cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\n"
            "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n");
}

TEST_F(CosignatureTest, CosignatureFromFixedSeedIsPinned) {
  KeyPair key = SeedKey(0);
  WitnessKey witness{"witness.example/w1", key.public_key};
  EXPECT_EQ(FormatWitnessKey(witness), kFixedWitnessKey);
  EXPECT_EQ(witness.KeyId(), 0xe75f6532u);
  std::string line = Cosign(kSofaText, witness.name, key, kFixedTime);
  EXPECT_EQ(line, kFixedCosignature);
  Result<std::vector<Cosignature>> valid =
      VerifyCosignatures(std::string(kSofaCheckpoint) + line, {witness});
  ASSERT_TRUE(valid.ok()) << valid.status().ToString();
  ASSERT_EQ(valid->size(), 1u);
  EXPECT_EQ((*valid)[0].witness, witness.name);
  EXPECT_EQ((*valid)[0].timestamp, kFixedTime);
  EXPECT_EQ((*valid)[0].line, line);
}

TEST_F(CosignatureTest, WitnessKeyRoundTripAndRefusals) {
  Result<WitnessKey> parsed = ParseWitnessKey(kFixedWitnessKey);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->name, "witness.example/w1");
  EXPECT_EQ(parsed->key, SeedKey(0).public_key);
  EXPECT_EQ(FormatWitnessKey(*parsed), kFixedWitnessKey);

  // A log's note key (type 0x01) is not a witness key, nor the other way round.
  Result<WitnessKey> log_key = ParseWitnessKey(kFooVerifierKey);
  ASSERT_FALSE(log_key.ok());
  EXPECT_NE(log_key.status().message().find("0x04"), std::string::npos)
      << log_key.status().message();
  EXPECT_FALSE(ParseVerifierKey(kFixedWitnessKey).ok());

  std::string wrong_id(kFixedWitnessKey);
  wrong_id.replace(wrong_id.find("+e75f6532+"), 10, "+e75f6533+");
  Result<WitnessKey> bad = ParseWitnessKey(wrong_id);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("key hash"), std::string::npos) << bad.status().message();
  std::string upper(kFixedWitnessKey);
  upper.replace(upper.find("+e75f6532+"), 10, "+E75F6532+");
  EXPECT_FALSE(ParseWitnessKey(upper).ok());
  EXPECT_FALSE(ParseWitnessKey("witness.example/w1+e75f6532").ok());
  EXPECT_FALSE(
      ParseWitnessKey("bad name+e75f6532+BAOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4").ok());
}

TEST_F(CosignatureTest, VerifyCosignaturesIgnoresUnknownKeysAndFailsBadLines) {
  KeyPair key = SeedKey(0);
  WitnessKey w1{"witness.example/w1", key.public_key};
  std::string good = Cosign(kSofaText, w1.name, key, kFixedTime);
  // Same name, other key (so another key id): ignored. Other name, same key: ignored.
  std::string other_key = Cosign(kSofaText, w1.name, SeedKey(7), kFixedTime);
  std::string other_name = Cosign(kSofaText, "witness.example/w9", key, kFixedTime);
  std::string note = std::string(kSofaCheckpoint) + other_key + other_name + good;
  Result<std::vector<Cosignature>> valid = VerifyCosignatures(note, {w1});
  ASSERT_TRUE(valid.ok()) << valid.status().ToString();
  ASSERT_EQ(valid->size(), 1u);
  EXPECT_EQ((*valid)[0].line, good);

  // Name and key id match but the signature was made for another time: the note is malformed.
  std::string bad_line = WithTimestamp(Cosign(kSofaText, w1.name, key, kFixedTime + 1), kFixedTime);
  Result<std::vector<Cosignature>> refused =
      VerifyCosignatures(std::string(kSofaCheckpoint) + bad_line, {w1});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), "bad_cosignature");
  EXPECT_NE(refused.status().message().find(w1.name), std::string::npos);

  // A cosignature over another checkpoint text fails too.
  std::string elsewhere = Cosign("example.com/behind-the-sofa\n1\n" + Base64Encode(Hash{}) + "\n",
                                 w1.name, key, kFixedTime);
  EXPECT_FALSE(VerifyCosignatures(std::string(kSofaCheckpoint) + elsewhere, {w1}).ok());
  // Timestamp 0 is refused (tlog-witness: a cosignature must not omit it).
  std::string zero = Cosign(kSofaText, w1.name, key, 0);
  EXPECT_FALSE(VerifyCosignatures(std::string(kSofaCheckpoint) + zero, {w1}).ok());
}

TEST_F(CosignatureTest, QuorumNamesMissingWitnesses) {
  KeyPair k1 = SeedKey(1), k2 = SeedKey(2), k3 = SeedKey(3);
  std::vector<std::string> vkeys = {FormatWitnessKey({"w1.example", k1.public_key}),
                                    FormatWitnessKey({"w2.example", k2.public_key}),
                                    FormatWitnessKey({"w3.example", k3.public_key})};
  Result<WitnessPolicy> all = MakeWitnessPolicy(vkeys, std::nullopt);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->quorum, 3u);
  Result<WitnessPolicy> two = MakeWitnessPolicy(vkeys, 2);
  ASSERT_TRUE(two.ok());

  std::string note = std::string(kSofaCheckpoint) + Cosign(kSofaText, "w1.example", k1, 5) +
                     Cosign(kSofaText, "w3.example", k3, 6);
  EXPECT_TRUE(CheckWitnessQuorum(note, *two).ok());
  Status missing = CheckWitnessQuorum(note, *all);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.code(), "witness_quorum");
  EXPECT_NE(missing.message().find("w2.example"), std::string::npos) << missing.message();
  EXPECT_EQ(missing.message().find("w1.example"), std::string::npos) << missing.message();

  EXPECT_FALSE(MakeWitnessPolicy(vkeys, 0).ok());
  EXPECT_FALSE(MakeWitnessPolicy(vkeys, 4).ok());
  EXPECT_FALSE(MakeWitnessPolicy({}, 1).ok());
  EXPECT_FALSE(MakeWitnessPolicy({vkeys[0], vkeys[0]}, std::nullopt).ok());
}

// A valid request body with `old` and `proof_lines` lines, for the refusals below to break.
std::string Body(const std::string& old, size_t proof_lines) {
  std::string body = "old " + old + "\n";
  for (size_t i = 0; i < proof_lines; ++i) body += std::string(kSofaProof[i % 4]) + "\n";
  return body + "\n" + std::string(kSofaCheckpoint);
}

void ExpectRefused(const std::string& body, std::string_view why) {
  Result<AddCheckpointRequest> request = ParseAddCheckpoint(body);
  ASSERT_FALSE(request.ok()) << why;
  EXPECT_EQ(request.status().kind(), StatusKind::kInvalidArgument);
  EXPECT_EQ(request.status().code(), "bad_request");
  EXPECT_NE(request.status().message().find(why), std::string::npos) << request.status().message();
}

TEST_F(CosignatureTest, AddCheckpointRefusals) {
  ASSERT_TRUE(ParseAddCheckpoint(Body("0", 0)).ok());
  ASSERT_TRUE(ParseAddCheckpoint(Body("7", 63)).ok());
  ExpectRefused(Body("020852014", 4), "old <size>");
  ExpectRefused(Body("00", 0), "old <size>");
  ExpectRefused(Body("-1", 0), "old <size>");
  ExpectRefused(Body("18446744073709551616", 0), "old <size>");  // 2^64
  ExpectRefused("Old 5\n\n" + std::string(kSofaCheckpoint), "old <size>");
  ExpectRefused("old  5\n\n" + std::string(kSofaCheckpoint), "old <size>");
  ExpectRefused(Body("7", 64), "more than 63");
  ExpectRefused("old 5\n" + std::string(kSofaProof[0]) + "\n", "no blank line");
  ExpectRefused("old 5", "no old size line");
  ExpectRefused("", "no old size line");
  ExpectRefused("old 5\nnot*base64*at*all*is*this*line*here=\n\n" + std::string(kSofaCheckpoint),
                "proof line 1");
  std::string short_hash = Base64Encode(std::string(31, 'x'));
  ExpectRefused("old 5\n" + std::string(kSofaProof[0]) + "\n" + short_hash + "\n\n" +
                    std::string(kSofaCheckpoint),
                "proof line 2");
  ExpectRefused("old 5\n\n", "no checkpoint");
  ExpectRefused("old 5\r\n\n" + std::string(kSofaCheckpoint), "old <size>");
}

TEST_F(CosignatureTest, TlogSizeBody) {
  EXPECT_EQ(FormatTlogSize(20852163), "20852163\n");
  Result<uint64_t> size = ParseTlogSize("20852163\n");
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(*size, 20852163u);
  EXPECT_FALSE(ParseTlogSize("20852163").ok());
  EXPECT_FALSE(ParseTlogSize("020\n").ok());
  EXPECT_FALSE(ParseTlogSize("\n").ok());
  EXPECT_EQ(kTlogSizeContentType, "text/x.tlog.size");
}

}  // namespace
}  // namespace chipledger
