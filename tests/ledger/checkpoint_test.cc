#include "ledger/checkpoint.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "ledger/merkle.h"

namespace chipledger {
namespace {

// The example key and note of golang.org/x/mod/sumdb/note (note_test.go), which the C2SP
// signed-note spec standardises.
constexpr std::string_view kPeterVerifierKey =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr std::string_view kPeterSeed =
    "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";  // 0x01||seed
constexpr std::string_view kPeterText =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
constexpr std::string_view kPeterSignature =
    "\xe2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
constexpr std::string_view kEnochVerifierKey =
    "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";

KeyPair PeterKey() {
  auto typed_seed = Base64Decode(kPeterSeed, "seed");
  EXPECT_TRUE(typed_seed.ok());
  std::array<uint8_t, 32> seed;
  std::memcpy(seed.data(), typed_seed->data() + 1, seed.size());
  return KeyPairFromSeed(seed);
}

Checkpoint SomeCheckpoint(const std::string& origin) {
  return Checkpoint{origin, 20852163, Sha256("some root")};
}

// The signature line a key would add to `body`.
std::string SignatureLineOf(std::string_view body, const std::string& name, const KeyPair& key) {
  std::string note = SignNote(body, name, key);
  return note.substr(body.size() + 1);
}

TEST(Checkpoint, VerifierKeyKnownAnswers) {
  KeyPair peter = PeterKey();
  NoteVerifier verifier{"PeterNeumann", peter.public_key};
  EXPECT_EQ(verifier.KeyHash(), 0xc74f20a3u);
  EXPECT_EQ(FormatVerifierKey(verifier), kPeterVerifierKey);

  auto parsed = ParseVerifierKey(kPeterVerifierKey);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->name, "PeterNeumann");
  EXPECT_EQ(parsed->key, peter.public_key);

  auto enoch = ParseVerifierKey(kEnochVerifierKey);
  ASSERT_TRUE(enoch.ok()) << enoch.status().ToString();
  EXPECT_EQ(enoch->KeyHash(), 0xaf0cfe78u);
  EXPECT_EQ(FormatVerifierKey(*enoch), kEnochVerifierKey);
}

TEST(Checkpoint, MangledVerifierKeysAreRefused) {
  std::string key(kPeterVerifierKey);
  for (size_t i = 0; i <= key.size(); ++i) {
    for (size_t j = i + 1; j <= key.size(); ++j) {
      if (i == 0 && j == key.size()) continue;
      EXPECT_FALSE(ParseVerifierKey(key.substr(i, j - i)).ok()) << key.substr(i, j - i);
    }
  }
  for (size_t i = 0; i < key.size(); ++i) {
    std::string mangled = key;
    ++mangled[i];
    EXPECT_FALSE(ParseVerifierKey(mangled).ok()) << mangled;
  }
  // A wrong-length key and an unknown algorithm, each with its key hash adjusted to match.
  EXPECT_FALSE(ParseVerifierKey("PeterNeumann+cc469956+"
                                "ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==")
                   .ok());
  EXPECT_FALSE(
      ParseVerifierKey("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").ok());
  auto upper =
      ParseVerifierKey("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
  ASSERT_FALSE(upper.ok());
  EXPECT_NE(upper.status().message().find("key hash"), std::string::npos);
  EXPECT_FALSE(
      ParseVerifierKey("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").ok());
}

// Ed25519 is deterministic, so signing the reference text must reproduce the reference note.
TEST(Checkpoint, SignNoteReproducesTheReferenceNote) {
  std::string note = SignNote(kPeterText, "PeterNeumann", PeterKey());
  EXPECT_EQ(note, std::string(kPeterText) + "\n" + std::string(kPeterSignature));
}

TEST(Checkpoint, BodyFormatAndParse) {
  // The example of c2sp.org/tlog-checkpoint.
  const std::string body =
      "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
  auto parsed = ParseCheckpointBody(body);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->origin, "example.com/behind-the-sofa");
  EXPECT_EQ(parsed->size, 20852163u);
  EXPECT_EQ(Base64Encode(parsed->root), "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=");
  EXPECT_EQ(CheckpointBody(*parsed), body);

  EXPECT_EQ(CheckpointBody(Checkpoint{"log.example/a", 0, EmptyTreeRoot()}),
            "log.example/a\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n");
  auto unicode = ParseCheckpointBody("log.example/\xcf\x80\n1\n" + Base64Encode(Hash{}) + "\n");
  ASSERT_TRUE(unicode.ok()) << unicode.status().ToString();
  EXPECT_EQ(unicode->origin, "log.example/\xcf\x80");
  auto largest = ParseCheckpointBody("o\n18446744073709551615\n" + Base64Encode(Hash{}) + "\n");
  ASSERT_TRUE(largest.ok());
  EXPECT_EQ(largest->size, UINT64_MAX);
}

TEST(Checkpoint, MalformedBodiesAreRefused) {
  const std::string root = Base64Encode(Sha256("x"));
  const std::string bodies[] = {
      "",
      "o\n5\n" + root,                                       // no final newline
      "o\n5\n",                                              // no root
      "\n5\n" + root + "\n",                                 // empty origin
      "o\n05\n" + root + "\n",                               // leading zero
      "o\n+5\n" + root + "\n",                               // sign
      "o\n-5\n" + root + "\n",                               // negative
      "o\n 5\n" + root + "\n",                               // space
      "o\n18446744073709551616\n" + root + "\n",             // 2^64
      "o\n5\n" + root.substr(4) + "\n",                      // short base64
      "o\n5\n" + Base64Encode(std::string(31, 'a')) + "\n",  // 31-byte root
      "o\n5\n" + Base64Encode(std::string(33, 'a')) + "\n",  // 33-byte root
      "o\n5\n" + root + "\nextension\n",                     // extension lines are not ours
      "o\n5\n" + root + "\n\n",                              // empty extension line
      "o\r\n5\n" + root + "\n",
      "o\xc0\xaf\n5\n" + root + "\n",      // overlong UTF-8
      "o\xed\xa0\x80\n5\n" + root + "\n",  // UTF-16 surrogate
      "o\xe2\x80\n5\n" + root + "\n",      // truncated UTF-8
  };
  for (const std::string& body : bodies) {
    auto parsed = ParseCheckpointBody(body);
    ASSERT_FALSE(parsed.ok()) << body;
    EXPECT_EQ(parsed.status().kind(), StatusKind::kInvalidArgument) << body;
    EXPECT_NE(parsed.status().message().find("checkpoint"), std::string::npos) << body;
  }
}

TEST(Checkpoint, SignedCheckpointVerifies) {
  KeyPair key = GenerateKeyPair();
  Checkpoint checkpoint = SomeCheckpoint("ledger.example/chips");
  std::string note = SignCheckpoint(checkpoint, key);
  EXPECT_EQ(note.substr(0, note.find("\n\n") + 1), CheckpointBody(checkpoint));
  EXPECT_EQ(note.substr(note.find("\n\n") + 2, 4), "\xe2\x80\x94 ");

  NoteVerifier verifier{"ledger.example/chips", key.public_key};
  auto verified = VerifyCheckpoint(note, verifier);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->origin, checkpoint.origin);
  EXPECT_EQ(verified->size, checkpoint.size);
  EXPECT_EQ(verified->root, checkpoint.root);

  // The printed verifier key round-trips to one that verifies the same note.
  auto parsed = ParseVerifierKey(FormatVerifierKey(verifier));
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(VerifyCheckpoint(note, *parsed).ok());
}

TEST(Checkpoint, ForeignSignaturesAreIgnoredButOneByTheLogIsRequired) {
  KeyPair log = GenerateKeyPair(), witness = GenerateKeyPair(), impostor = GenerateKeyPair();
  NoteVerifier verifier{"log.example", log.public_key};
  std::string body = CheckpointBody(SomeCheckpoint("log.example"));
  std::string log_line = SignatureLineOf(body, "log.example", log);
  std::string witness_line = SignatureLineOf(body, "witness.example", witness);
  // Same name, different key: an unknown key per signed-note, so ignored.
  std::string impostor_line = SignatureLineOf(body, "log.example", impostor);

  EXPECT_TRUE(VerifyCheckpoint(body + "\n" + witness_line + log_line, verifier).ok());
  EXPECT_TRUE(VerifyCheckpoint(body + "\n" + log_line + witness_line, verifier).ok());
  EXPECT_TRUE(VerifyCheckpoint(body + "\n" + impostor_line + log_line, verifier).ok());

  auto witness_only = VerifyCheckpoint(body + "\n" + witness_line, verifier);
  ASSERT_FALSE(witness_only.ok());
  EXPECT_EQ(witness_only.status().kind(), StatusKind::kUnauthenticated);
  EXPECT_FALSE(VerifyCheckpoint(body + "\n" + impostor_line, verifier).ok());

  // A line that claims to be the log's key but does not verify spoils the note.
  std::string forged = SignatureLineOf(CheckpointBody(SomeCheckpoint("other")), "log.example", log);
  auto spoiled = VerifyCheckpoint(body + "\n" + log_line + forged, verifier);
  ASSERT_FALSE(spoiled.ok());
  EXPECT_EQ(spoiled.status().code(), "bad_checkpoint_signature");
}

TEST(Checkpoint, TamperedOrForeignCheckpointsAreRefused) {
  KeyPair key = GenerateKeyPair();
  NoteVerifier verifier{"log.example", key.public_key};
  std::string note = SignCheckpoint(SomeCheckpoint("log.example"), key);

  std::string bigger = note;
  bigger.replace(bigger.find("20852163"), 8, "20852164");
  EXPECT_EQ(VerifyCheckpoint(bigger, verifier).status().code(), "bad_checkpoint_signature");

  NoteVerifier other_key{"log.example", GenerateKeyPair().public_key};
  EXPECT_FALSE(VerifyCheckpoint(note, other_key).ok());

  // Validly signed by the log's key, but for another origin.
  std::string foreign =
      SignNote(CheckpointBody(SomeCheckpoint("other.example")), "log.example", key);
  auto wrong_origin = VerifyCheckpoint(foreign, verifier);
  ASSERT_FALSE(wrong_origin.ok());
  EXPECT_EQ(wrong_origin.status().code(), "wrong_origin");

  // A signed note that is not a checkpoint.
  std::string prose = SignNote(kPeterText, "log.example", key);
  EXPECT_EQ(VerifyCheckpoint(prose, verifier).status().code(), "bad_checkpoint");
}

TEST(Checkpoint, MalformedNotesAreRefused) {
  KeyPair key = GenerateKeyPair();
  NoteVerifier verifier{"log.example", key.public_key};
  std::string body = CheckpointBody(SomeCheckpoint("log.example"));
  std::string line = SignatureLineOf(body, "log.example", key);
  std::string blob = line.substr(line.rfind(' ') + 1, line.size() - line.rfind(' ') - 2);

  std::string many;
  for (int i = 0; i < 101; ++i) many += line;
  const std::string notes[] = {
      body,                                                     // no signatures
      body + "\n",                                              // empty signature block
      body + "\n" + line.substr(0, line.size() - 1),            // no final newline
      "\x01" + body + "\n" + line,                              // control character
      "\xff" + body + "\n" + line,                              // invalid UTF-8
      body + "\n" + "\xe2\x80\x94 log example " + blob + "\n",  // space in the name
      body + "\n" + "\xe2\x80\x94 log+example " + blob + "\n",  // plus in the name
      body + "\n" + "- log.example " + blob + "\n",             // hyphen, not em dash
      body + "\n" + line + "Unexpected line.\n",
      body + "\n" + line + "\n",                        // blank line after the signatures
      body + "\n" + "\xe2\x80\x94 log.example AAAA\n",  // shorter than a key hash
      body + "\n" + "\xe2\x80\x94 log.example " + blob.substr(4) + "\n",  // broken base64
      body + "\n" + many,                                                 // too many signatures
      body + "\n" + "\xe2\x80\x94 log.example\n",
  };
  for (const std::string& note : notes) {
    auto verified = VerifyCheckpoint(note, verifier);
    EXPECT_FALSE(verified.ok()) << note;
  }
  EXPECT_EQ(VerifyCheckpoint(body + "\n" + line + "Unexpected line.\n", verifier).status().code(),
            "malformed_note");
}

}  // namespace
}  // namespace chipledger
