#include "ledger/checkpoint.h"

#include <charconv>
#include <cstdio>
#include <cstring>

namespace chipledger {
namespace {

constexpr std::string_view kSignaturePrefix = "\xe2\x80\x94 ";  // em dash U+2014, space
constexpr uint8_t kEd25519Type = 0x01;
// The signed-note spec asks verifiers to bound the signature count and accept at least 16.
constexpr size_t kMaxSignatures = 100;

Status Malformed(std::string message) {
  return Status::InvalidArgument("malformed_note", std::move(message));
}

// Decodes the UTF-8 code point at text[*pos] and advances *pos; -1 when the encoding is invalid
// (overlong, surrogate, out of range or truncated).
int32_t NextCodePoint(std::string_view text, size_t* pos) {
  auto byte = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
  uint8_t lead = byte(*pos);
  int length = lead < 0x80           ? 1
               : (lead >> 5) == 0x6  ? 2
               : (lead >> 4) == 0xe  ? 3
               : (lead >> 3) == 0x1e ? 4
                                     : 0;
  if (length == 0 || *pos + length > text.size()) return -1;
  int32_t code = length == 1 ? lead : lead & (0x7f >> length);
  for (int i = 1; i < length; ++i) {
    uint8_t next = byte(*pos + i);
    if ((next >> 6) != 0x2) return -1;
    code = code << 6 | (next & 0x3f);
  }
  static const int32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code < kMinimum[length] || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return -1;
  *pos += length;
  return code;
}

// The code points Go's unicode.IsSpace reports, which key names must not contain.
bool IsUnicodeSpace(int32_t c) {
  return (c >= 0x09 && c <= 0x0d) || c == 0x20 || c == 0x85 || c == 0xa0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f ||
         c == 0x3000;
}

// Valid UTF-8 with no control characters other than newline (signed-note §Format).
bool IsValidNoteText(std::string_view text) {
  for (size_t pos = 0; pos < text.size();) {
    int32_t c = NextCodePoint(text, &pos);
    if (c < 0 || (c < 0x20 && c != '\n')) return false;
  }
  return true;
}

std::string BigEndian32(uint32_t value) {
  std::string bytes;
  for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<char>(value >> shift));
  return bytes;
}

uint32_t ReadBigEndian32(const char* bytes) {
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) value = value << 8 | static_cast<uint8_t>(bytes[i]);
  return value;
}

// "— <name> <base64>" without its newline.
Result<NoteSignature> ParseSignatureLine(std::string_view line) {
  if (line.substr(0, kSignaturePrefix.size()) != kSignaturePrefix) {
    return Malformed("signature line does not start with an em dash and a space");
  }
  line.remove_prefix(kSignaturePrefix.size());
  size_t space = line.find(' ');
  if (space == std::string_view::npos) return Malformed("signature line has no signature");
  NoteSignature parsed;
  parsed.name = std::string(line.substr(0, space));
  if (!IsValidKeyName(parsed.name)) return Malformed("signature line has an invalid key name");
  auto blob = Base64Decode(line.substr(space + 1), "note signature");
  if (!blob.ok()) return Malformed(blob.status().message());
  if (blob->size() < 5) return Malformed("note signature is shorter than a key hash");
  parsed.key_hash = ReadBigEndian32(blob->data());
  parsed.signature = blob->substr(4);
  return parsed;
}

}  // namespace

bool IsValidKeyName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t pos = 0; pos < name.size();) {
    int32_t c = NextCodePoint(name, &pos);
    if (c < 0x20 || c == '+' || IsUnicodeSpace(c)) return false;  // c < 0: invalid UTF-8
  }
  return true;
}

bool ParseCanonicalDecimal(std::string_view text, uint64_t* value) {
  if (text.empty() || (text.size() > 1 && text[0] == '0')) return false;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *value);
  return error == std::errc() && end == text.data() + text.size();
}

Result<SignedNote> ParseSignedNote(std::string_view note) {
  if (!IsValidNoteText(note)) {
    return Malformed("note is not UTF-8 text without control characters");
  }
  size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos) return Malformed("note has no signature block");
  SignedNote parsed;
  parsed.text = note.substr(0, split + 1);
  std::string_view block = note.substr(split + 2);
  if (block.empty() || block.back() != '\n') {
    return Malformed("signature block is empty or does not end in a newline");
  }
  while (!block.empty()) {
    size_t newline = block.find('\n');
    auto line = ParseSignatureLine(block.substr(0, newline));
    if (!line.ok()) return line.status();
    parsed.signatures.push_back(std::move(*line));
    if (parsed.signatures.size() > kMaxSignatures) return Malformed("note has too many signatures");
    block.remove_prefix(newline + 1);
  }
  return parsed;
}

uint32_t KeyHashOf(const Hash& hash) {
  return ReadBigEndian32(reinterpret_cast<const char*>(hash.data()));
}

std::string NoteSignatureLine(const std::string& name, uint32_t key_hash,
                              std::string_view signature) {
  std::string blob = BigEndian32(key_hash);
  blob.append(signature);
  std::string line(kSignaturePrefix);
  line.append(name).append(" ").append(Base64Encode(blob)).append("\n");
  return line;
}

std::string CheckpointBody(const Checkpoint& checkpoint) {
  return checkpoint.origin + "\n" + std::to_string(checkpoint.size) + "\n" +
         Base64Encode(checkpoint.root) + "\n";
}

Result<Checkpoint> ParseCheckpointBody(std::string_view body) {
  auto bad = [](std::string message) {
    return Status::InvalidArgument("bad_checkpoint", "checkpoint: " + std::move(message));
  };
  if (body.empty() || body.back() != '\n') return bad("body must end in a newline");
  if (!IsValidNoteText(body)) return bad("body is not UTF-8 text without control characters");
  std::vector<std::string_view> lines;
  for (std::string_view rest = body; !rest.empty();) {
    size_t newline = rest.find('\n');
    lines.push_back(rest.substr(0, newline));
    rest.remove_prefix(newline + 1);
  }
  // This log writes no extension lines, so a checkpoint carrying any is not one of its own.
  if (lines.size() != 3) return bad("body must be exactly origin, size and root lines");
  Checkpoint checkpoint;
  checkpoint.origin = std::string(lines[0]);
  if (checkpoint.origin.empty()) return bad("origin is empty");
  if (!ParseCanonicalDecimal(lines[1], &checkpoint.size)) {
    return bad("size is not a canonical decimal number");
  }
  auto root = Base64Decode(lines[2], "checkpoint root");
  if (!root.ok()) return root.status();
  if (root->size() != checkpoint.root.size()) return bad("root hash is not 32 bytes");
  std::memcpy(checkpoint.root.data(), root->data(), checkpoint.root.size());
  return checkpoint;
}

uint32_t TypedKeyHash(std::string_view name, uint8_t type, const PublicKey& key) {
  Sha256Hasher hasher;
  hasher.Update(name);
  hasher.Update("\n");
  hasher.Update(std::string_view(reinterpret_cast<const char*>(&type), 1));
  hasher.Update(AsBytes(key));
  return KeyHashOf(hasher.Finish());
}

std::string FormatTypedVerifierKey(const std::string& name, uint8_t type, const PublicKey& key) {
  std::string typed_key(1, static_cast<char>(type));
  typed_key.append(AsBytes(key));
  return name + "+" + ToHex(BigEndian32(TypedKeyHash(name, type, key))) + "+" +
         Base64Encode(typed_key);
}

Result<NoteVerifier> ParseTypedVerifierKey(std::string_view text, uint8_t type,
                                           std::string_view what) {
  auto bad = [what](std::string message) {
    return Status::InvalidArgument("bad_verifier_key",
                                   std::string(what) + ": " + std::move(message));
  };
  size_t first = text.find('+');
  size_t second = first == std::string_view::npos ? first : text.find('+', first + 1);
  if (second == std::string_view::npos) return bad("expected <name>+<key hash>+<key>");
  NoteVerifier parsed;
  parsed.name = std::string(text.substr(0, first));
  if (!IsValidKeyName(parsed.name)) return bad("invalid key name");
  std::string_view hash_hex = text.substr(first + 1, second - first - 1);
  auto hash = FromHex(hash_hex, "verifier key hash");
  if (hash_hex.size() != 8 || !hash.ok()) return bad("key hash must be 8 lowercase hex digits");
  auto typed_key = Base64Decode(text.substr(second + 1), what);
  if (!typed_key.ok()) return typed_key.status();
  if (typed_key->size() != 1 + parsed.key.size() || static_cast<uint8_t>((*typed_key)[0]) != type) {
    char expected[8];
    std::snprintf(expected, sizeof(expected), "0x%02x", type);
    return bad(std::string("key must be ") + expected +
               " followed by a 32-byte Ed25519 public key");
  }
  std::memcpy(parsed.key.data(), typed_key->data() + 1, parsed.key.size());
  if (TypedKeyHash(parsed.name, type, parsed.key) != ReadBigEndian32(hash->data())) {
    return bad("key hash does not match the name and key");
  }
  return parsed;
}

uint32_t NoteVerifier::KeyHash() const { return TypedKeyHash(name, kEd25519Type, key); }

std::string FormatVerifierKey(const NoteVerifier& verifier) {
  return FormatTypedVerifierKey(verifier.name, kEd25519Type, verifier.key);
}

Result<NoteVerifier> ParseVerifierKey(std::string_view text) {
  return ParseTypedVerifierKey(text, kEd25519Type, "verifier key");
}

std::string SignNote(std::string_view body, const std::string& name, const KeyPair& key) {
  std::string note(body);
  note.append("\n").append(NoteSignatureLine(name, NoteVerifier{name, key.public_key}.KeyHash(),
                                             AsBytes(Sign(key.secret_key, body))));
  return note;
}

std::string SignCheckpoint(const Checkpoint& checkpoint, const KeyPair& key) {
  return SignNote(CheckpointBody(checkpoint), checkpoint.origin, key);
}

Result<Checkpoint> VerifyCheckpoint(std::string_view note, const NoteVerifier& verifier) {
  Result<SignedNote> parsed = ParseSignedNote(note);
  if (!parsed.ok()) return parsed.status();
  std::string_view text = parsed->text;
  const uint32_t key_hash = verifier.KeyHash();
  bool verified = false;
  for (const NoteSignature& line : parsed->signatures) {
    if (line.name != verifier.name || line.key_hash != key_hash) continue;  // another key's
    Signature signature;
    if (line.signature.size() != signature.size()) {
      return Status::Unauthenticated("bad_checkpoint_signature",
                                     "signature by " + verifier.name + " is not 64 bytes");
    }
    std::memcpy(signature.data(), line.signature.data(), signature.size());
    if (!Verify(verifier.key, text, signature)) {
      return Status::Unauthenticated("bad_checkpoint_signature",
                                     "signature by " + verifier.name + " does not verify");
    }
    verified = true;
  }
  if (!verified) {
    return Status::Unauthenticated("bad_checkpoint_signature",
                                   "note carries no signature by " + verifier.name);
  }
  auto checkpoint = ParseCheckpointBody(text);
  if (!checkpoint.ok()) return checkpoint.status();
  if (checkpoint->origin != verifier.name) {
    return Status::Unauthenticated("wrong_origin", "checkpoint origin \"" + checkpoint->origin +
                                                       "\" is not the log's \"" + verifier.name +
                                                       "\"");
  }
  return checkpoint;
}

}  // namespace chipledger
