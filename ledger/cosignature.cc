#include "ledger/cosignature.h"

#include <cstring>
#include <set>

namespace chipledger {
namespace {

constexpr size_t kTimestampBytes = 8;
constexpr uint64_t kMaxTimestamp = (uint64_t{1} << 63) - 1;

std::string BigEndian64(uint64_t value) {
  std::string bytes;
  for (int shift = 56; shift >= 0; shift -= 8) bytes.push_back(static_cast<char>(value >> shift));
  return bytes;
}

uint64_t ReadBigEndian64(const char* bytes) {
  uint64_t value = 0;
  for (size_t i = 0; i < kTimestampBytes; ++i) value = value << 8 | static_cast<uint8_t>(bytes[i]);
  return value;
}

Status BadCosignature(const std::string& witness, const std::string& why) {
  return Status::Unauthenticated("bad_cosignature", "cosignature by " + witness + " " + why);
}

}  // namespace

uint32_t WitnessKey::KeyId() const { return TypedKeyHash(name, kCosignatureType, key); }

std::string FormatWitnessKey(const WitnessKey& witness) {
  return FormatTypedVerifierKey(witness.name, kCosignatureType, witness.key);
}

Result<WitnessKey> ParseWitnessKey(std::string_view text) {
  Result<NoteVerifier> parsed = ParseTypedVerifierKey(text, kCosignatureType, "witness key");
  if (!parsed.ok()) return parsed.status();
  return WitnessKey{parsed->name, parsed->key};
}

std::string CosignedMessage(std::string_view note_text, uint64_t timestamp) {
  std::string message = "cosignature/v1\ntime " + std::to_string(timestamp) + "\n";
  message.append(note_text);
  return message;
}

std::string Cosign(std::string_view note_text, const std::string& name, const KeyPair& key,
                   uint64_t timestamp) {
  std::string signed_part = BigEndian64(timestamp);
  signed_part.append(AsBytes(Sign(key.secret_key, CosignedMessage(note_text, timestamp))));
  return NoteSignatureLine(name, WitnessKey{name, key.public_key}.KeyId(), signed_part);
}

Result<std::vector<Cosignature>> VerifyCosignatures(std::string_view note,
                                                    const std::vector<WitnessKey>& witnesses) {
  Result<SignedNote> parsed = ParseSignedNote(note);
  if (!parsed.ok()) return parsed.status();
  std::vector<Cosignature> valid;
  std::set<std::string> seen;
  for (const NoteSignature& line : parsed->signatures) {
    for (const WitnessKey& witness : witnesses) {
      if (line.name != witness.name || line.key_hash != witness.KeyId()) continue;
      if (line.signature.size() != kTimestampBytes + sizeof(Signature)) {
        return BadCosignature(witness.name, "is not a timestamp and a 64-byte signature");
      }
      uint64_t timestamp = ReadBigEndian64(line.signature.data());
      if (timestamp == 0 || timestamp > kMaxTimestamp) {
        return BadCosignature(witness.name, "has no valid timestamp");
      }
      Signature signature;
      std::memcpy(signature.data(), line.signature.data() + kTimestampBytes, signature.size());
      if (!Verify(witness.key, CosignedMessage(parsed->text, timestamp), signature)) {
        return BadCosignature(witness.name, "does not verify");
      }
      if (seen.insert(witness.name).second) {
        valid.push_back(
            {witness.name, timestamp, NoteSignatureLine(line.name, line.key_hash, line.signature)});
      }
    }
  }
  return valid;
}

Result<WitnessPolicy> MakeWitnessPolicy(const std::vector<std::string>& vkeys,
                                        std::optional<size_t> quorum) {
  WitnessPolicy policy;
  std::set<std::string> names;
  for (const std::string& vkey : vkeys) {
    Result<WitnessKey> witness = ParseWitnessKey(vkey);
    if (!witness.ok()) return witness.status();
    if (!names.insert(witness->name).second) {
      return Status::InvalidArgument("bad_witness", "witness " + witness->name + " named twice");
    }
    policy.witnesses.push_back(std::move(*witness));
  }
  policy.quorum = quorum.value_or(policy.witnesses.size());
  if (quorum && policy.witnesses.empty()) {
    return Status::InvalidArgument("bad_witness", "a witness quorum needs witnesses (--witness)");
  }
  if (!policy.witnesses.empty() &&
      (policy.quorum == 0 || policy.quorum > policy.witnesses.size())) {
    return Status::InvalidArgument("bad_witness", "witness quorum must be between 1 and " +
                                                      std::to_string(policy.witnesses.size()));
  }
  return policy;
}

Status CheckWitnessQuorum(std::string_view note, const WitnessPolicy& policy) {
  Result<std::vector<Cosignature>> valid = VerifyCosignatures(note, policy.witnesses);
  if (!valid.ok()) return valid.status();
  if (valid->size() >= policy.quorum) return Status::Ok();
  std::string missing;
  for (const WitnessKey& witness : policy.witnesses) {
    bool cosigned = false;
    for (const Cosignature& c : *valid) cosigned = cosigned || c.witness == witness.name;
    if (!cosigned) missing += (missing.empty() ? "" : ", ") + witness.name;
  }
  return Status::Unauthenticated("witness_quorum",
                                 "checkpoint has " + std::to_string(valid->size()) + " of the " +
                                     std::to_string(policy.quorum) +
                                     " witness cosignatures required; missing: " + missing);
}

}  // namespace chipledger
