// Offline verification of white lists, receipts and checkpoints; see offline_verify.h.
#include "auditor/offline_verify.h"

#include <cstdio>
#include <sstream>
#include <utility>

#include "auditor/engine.h"
#include "ledger/event.h"
#include "ledger/receipt.h"
#include "ledger/time.h"

namespace chipledger::audit {

std::string_view OfflineKindName(OfflineKind kind) {
  switch (kind) {
    case OfflineKind::kWhitelist:
      return "whitelist";
    case OfflineKind::kReceipt:
      return "receipt";
    case OfflineKind::kStoredReceipt:
      return "stored_receipt";
    case OfflineKind::kCheckpoint:
      return "checkpoint";
  }
  return "unknown";
}

namespace {

using nlohmann::json;

Status Unrecognised(std::string message) {
  return Status::InvalidArgument("unrecognised_file", std::move(message));
}

OfflineVerification Start(OfflineKind kind, const NoteVerifier& log_key,
                          const WitnessPolicy& witnesses) {
  char hash[9];
  std::snprintf(hash, sizeof hash, "%08x", log_key.KeyHash());
  OfflineVerification result;
  result.kind = kind;
  result.log_key = log_key.name + "+" + hash;
  result.log_key_id = KeyId(log_key.key);
  result.witness_quorum = witnesses.quorum;
  result.witnesses_named = witnesses.witnesses.size();
  return result;
}

OfflineVerification Failed(OfflineVerification result, std::string failure) {
  result.verified = false;
  result.failure = std::move(failure);
  return result;
}

// `note` (called `what` in failures) is a checkpoint signed by the log key and, when witnesses
// are named, cosigned by their quorum. Records the checkpoint and the valid cosignatures.
bool CheckCheckpoint(std::string_view note, const std::string& what, const NoteVerifier& log_key,
                     const WitnessPolicy& witnesses, OfflineVerification* result) {
  Result<Checkpoint> checkpoint = VerifyCheckpoint(note, log_key);
  if (!checkpoint.ok()) {
    result->failure = what + ": no valid signature by the log key " + result->log_key + ": " +
                      checkpoint.status().message();
    return false;
  }
  result->checkpoint = *checkpoint;
  if (witnesses.empty()) return true;
  Result<std::vector<Cosignature>> valid = VerifyCosignatures(note, witnesses.witnesses);
  if (!valid.ok()) {
    result->failure = what + ": " + valid.status().message();
    return false;
  }
  result->cosignatures = *std::move(valid);
  if (Status quorum = CheckWitnessQuorum(note, witnesses); !quorum.ok()) {
    result->failure = what + ": " + quorum.message();
    return false;
  }
  return true;
}

// The envelope carries a valid signature by the log key (its keyid is the log key's key id).
bool CheckLogSignature(const Envelope& envelope, const NoteVerifier& log_key,
                       OfflineVerification* result) {
  for (size_t i = 0; i < envelope.signatures.size(); ++i) {
    if (envelope.signatures[i].keyid != result->log_key_id) continue;
    if (VerifyEnvelopeSignature(envelope, i, log_key.key)) return true;
    result->failure = "signatures[" + std::to_string(i) + "]: the log key's signature (keyid " +
                      result->log_key_id +
                      ") does not verify: the white list was altered after signing";
    return false;
  }
  result->failure =
      "signatures: none by the log key " + result->log_key + " (keyid " + result->log_key_id + ")";
  return false;
}

// The white list's payload: {as_of, checkpoint, end_users}; empty when it has another shape.
std::string WhitelistShape(const json& payload) {
  if (!payload.is_object()) return "payload: not a JSON object";
  auto as_of = payload.find("as_of");
  if (as_of == payload.end() || !as_of->is_string()) return "payload.as_of: must be a string";
  if (Result<Timestamp> time = ParseTime(as_of->get<std::string>(), "payload.as_of"); !time.ok()) {
    return time.status().message();
  }
  auto checkpoint = payload.find("checkpoint");
  if (checkpoint == payload.end() || !checkpoint->is_string()) {
    return "payload.checkpoint: must be a signed checkpoint note (a string)";
  }
  auto end_users = payload.find("end_users");
  if (end_users == payload.end() || !end_users->is_array()) {
    return "payload.end_users: must be an array";
  }
  return "";
}

OfflineVerification VerifyWhitelist(const Envelope& envelope, const NoteVerifier& log_key,
                                    const WitnessPolicy& witnesses) {
  OfflineVerification result = Start(OfflineKind::kWhitelist, log_key, witnesses);
  if (!CheckLogSignature(envelope, log_key, &result)) return result;
  json payload = json::parse(envelope.payload, nullptr, false);
  if (std::string wrong = WhitelistShape(payload); !wrong.empty()) {
    return Failed(std::move(result), wrong);
  }
  result.content = {{"as_of", payload["as_of"]}, {"end_users", payload["end_users"]}};
  std::string note = payload["checkpoint"].get<std::string>();
  if (!CheckCheckpoint(note, "payload.checkpoint", log_key, witnesses, &result)) return result;
  result.verified = true;
  return result;
}

// The receipt's inclusion proof under its checkpoint, signed by the log key (and witnessed).
OfflineVerification CheckReceipt(OfflineVerification result, const Receipt& receipt,
                                 const NoteVerifier& log_key, const WitnessPolicy& witnesses) {
  result.content["index"] = receipt.index;
  result.content["leaf_hash"] = ToHex(receipt.leaf_hash);
  result.content["payload_hash"] = ToHex(receipt.payload_hash);
  result.content["integrated_time"] = receipt.integrated_time;
  result.content["tree_size"] = receipt.tree_size;
  if (Result<Checkpoint> proved = VerifyReceipt(receipt, log_key); !proved.ok()) {
    return Failed(std::move(result), "receipt: " + proved.status().message());
  }
  if (!CheckCheckpoint(receipt.checkpoint, "receipt.checkpoint", log_key, witnesses, &result)) {
    return result;
  }
  result.verified = true;
  return result;
}

// An agent's receipt file: the receipt, tied to the event by payload_hash.
OfflineVerification VerifyStoredReceipt(const json& file, const NoteVerifier& log_key,
                                        const WitnessPolicy& witnesses) {
  OfflineVerification result = Start(OfflineKind::kStoredReceipt, log_key, witnesses);
  const json& seq = file["seq"];
  if (!seq.is_number_unsigned()) return Failed(std::move(result), "seq: must be an integer");
  Result<Receipt> receipt = ParseReceipt(file["receipt"].dump());
  if (!receipt.ok()) return Failed(std::move(result), receipt.status().message());
  Result<Envelope> envelope = ParseEnvelope(file["envelope"].dump());
  if (!envelope.ok()) return Failed(std::move(result), "envelope: " + envelope.status().message());
  Result<Event> event = ParseEvent(envelope->payload);
  if (!event.ok())
    return Failed(std::move(result), "envelope.payload: " + event.status().message());
  result.content["event"] = {
      {"type", EventTypeName(event->type)}, {"agent", event->agent}, {"seq", event->seq}};
  if (event->seq != seq.get<uint64_t>()) {
    return Failed(std::move(result),
                  "seq: " + seq.dump() + ", the event's is " + std::to_string(event->seq));
  }
  if (Sha256(envelope->payload) != receipt->payload_hash) {
    return Failed(std::move(result),
                  "receipt.payload_hash: is not the SHA-256 of envelope.payload (" +
                      ToHex(Sha256(envelope->payload)) + ")");
  }
  return CheckReceipt(std::move(result), *receipt, log_key, witnesses);
}

// A statement of the log (DSSE, any payloadType): ParseEnvelope takes events only. Errors name
// the field.
Result<Envelope> ReadStatement(const json& file) {
  auto text = [&](const json& object, const std::string& key) -> const json* {
    auto it = object.find(key);
    return it != object.end() && it->is_string() ? &*it : nullptr;
  };
  const json* payload = text(file, "payload");
  if (payload == nullptr)
    return Status::InvalidArgument("bad_envelope", "payload: must be a string");
  Result<std::string> bytes = Base64Decode(payload->get<std::string>(), "payload");
  if (!bytes.ok()) return bytes.status();
  Envelope envelope{file["payloadType"].get<std::string>(), *std::move(bytes), {}};
  auto signatures = file.find("signatures");
  if (signatures == file.end() || !signatures->is_array()) {
    return Status::InvalidArgument("bad_envelope", "signatures: must be an array");
  }
  for (size_t i = 0; i < signatures->size(); ++i) {
    std::string at = "signatures[" + std::to_string(i) + "]";
    const json& signature = (*signatures)[i];
    const json* keyid = signature.is_object() ? text(signature, "keyid") : nullptr;
    const json* sig = signature.is_object() ? text(signature, "sig") : nullptr;
    if (keyid == nullptr || sig == nullptr) {
      return Status::InvalidArgument("bad_envelope", at + ": must have string keyid and sig");
    }
    Result<Signature> decoded = SignatureFromBase64(sig->get<std::string>(), at + ".sig");
    if (!decoded.ok()) return decoded.status();
    envelope.signatures.push_back({keyid->get<std::string>(), *decoded});
  }
  return envelope;
}

Result<OfflineVerification> VerifyJson(const json& file, const NoteVerifier& log_key,
                                       const WitnessPolicy& witnesses) {
  auto type = file.find("payloadType");
  if (type != file.end()) {
    if (!type->is_string() || type->get<std::string>() != kWhitelistPayloadType) {
      return Unrecognised("payloadType " + type->dump() + ": not a white list (" +
                          std::string(kWhitelistPayloadType) +
                          "); an event is verified through its receipt");
    }
    Result<Envelope> envelope = ReadStatement(file);
    if (!envelope.ok()) {
      return Failed(Start(OfflineKind::kWhitelist, log_key, witnesses),
                    envelope.status().message());
    }
    return VerifyWhitelist(*envelope, log_key, witnesses);
  }
  if (file.contains("seq") && file.contains("envelope") && file.contains("receipt")) {
    return VerifyStoredReceipt(file, log_key, witnesses);
  }
  if (file.contains("inclusion_proof")) {
    OfflineVerification result = Start(OfflineKind::kReceipt, log_key, witnesses);
    Result<Receipt> receipt = ParseReceipt(file.dump());
    if (!receipt.ok()) return Failed(std::move(result), receipt.status().message());
    return CheckReceipt(std::move(result), *receipt, log_key, witnesses);
  }
  return Unrecognised(
      "a JSON object that is neither a white list envelope (payloadType), a receipt "
      "(inclusion_proof) nor a stored receipt (seq, envelope, receipt)");
}

}  // namespace

Result<OfflineVerification> VerifyOffline(std::string_view file, const NoteVerifier& log_key,
                                          const WitnessPolicy& witnesses) {
  json parsed = json::parse(file, nullptr, false);
  if (parsed.is_object()) return VerifyJson(parsed, log_key, witnesses);
  Result<SignedNote> note = ParseSignedNote(file);
  if (!note.ok()) {
    return Unrecognised("neither a JSON object nor a signed note: " + note.status().message());
  }
  if (Result<Checkpoint> body = ParseCheckpointBody(note->text); !body.ok()) {
    return Unrecognised("a signed note, but not a checkpoint: " + body.status().message());
  }
  OfflineVerification result = Start(OfflineKind::kCheckpoint, log_key, witnesses);
  result.verified = CheckCheckpoint(file, "checkpoint", log_key, witnesses, &result);
  return result;
}

json OfflineVerificationToJson(const OfflineVerification& result) {
  json checkpoint = nullptr;
  if (result.checkpoint) {
    checkpoint = {{"origin", result.checkpoint->origin},
                  {"size", result.checkpoint->size},
                  {"root", ToHex(result.checkpoint->root)}};
  }
  json witnesses = json::array();
  for (const Cosignature& cosignature : result.cosignatures) {
    witnesses.push_back({{"name", cosignature.witness}, {"timestamp", cosignature.timestamp}});
  }
  return {
      {"file", OfflineKindName(result.kind)},
      {"verified", result.verified},
      {"failure", result.verified ? json(nullptr) : json(result.failure)},
      {"log_key", result.log_key},
      {"log_key_id", result.log_key_id},
      {"checkpoint", checkpoint},
      {"witnesses", witnesses},
      {"witness_quorum", result.witness_quorum == 0 ? json(nullptr) : json(result.witness_quorum)},
      {"content", result.content}};
}

namespace {

std::string Heading(const OfflineVerification& result) {
  switch (result.kind) {
    case OfflineKind::kWhitelist:
      return "file: a signed white list (" + std::string(kWhitelistPayloadType) + ")";
    case OfflineKind::kReceipt:
      return "file: a receipt";
    case OfflineKind::kStoredReceipt:
      return "file: an agent's stored receipt";
    case OfflineKind::kCheckpoint:
      return "file: a checkpoint note";
  }
  return "file";
}

// "checkpoint of size 9 (root ab…) of ORIGIN, signed by the log key NAME+HASH".
std::string CheckpointLine(const OfflineVerification& result) {
  const Checkpoint& checkpoint = *result.checkpoint;
  return "checkpoint of size " + std::to_string(checkpoint.size) + " (root " +
         ToHex(checkpoint.root) + ") of " + checkpoint.origin + ", signed by the log key " +
         result.log_key;
}

// What the witnesses proved, or that they were not asked about.
std::string WitnessLine(const OfflineVerification& result) {
  if (result.witnesses_named == 0) {
    return "not checked: witness cosignatures (no --witness named)";
  }
  std::string names;
  for (const Cosignature& cosignature : result.cosignatures) {
    if (!names.empty()) names += ", ";
    names += cosignature.witness + " (at unix time " + std::to_string(cosignature.timestamp) + ")";
  }
  return "verified: checkpoint cosigned by " + names + ": quorum " +
         std::to_string(result.witness_quorum) + " of " + std::to_string(result.witnesses_named) +
         " named witnesses met";
}

std::string EndUsersLine(const json& end_users) {
  std::string line = std::to_string(end_users.size()) + " end user" +
                     (end_users.size() == 1 ? "" : "s") + (end_users.empty() ? "" : ":");
  for (size_t i = 0; i < end_users.size(); ++i) {
    line += (i == 0 ? " " : ", ") + end_users[i].value("party", std::string("?")) + " " +
            end_users[i].value("status", std::string("?"));
  }
  return line;
}

std::string ReceiptLine(const OfflineVerification& result) {
  const json& content = result.content;
  std::string line;
  if (content.contains("event")) {
    const json& event = content["event"];
    line = event["type"].get<std::string>() + " by \"" + event["agent"].get<std::string>() +
           "\" (seq " + event["seq"].dump() + "), whose payload hashes to the receipt's " +
           "payload_hash, is ";
  }
  return line + "entry " + content["index"].dump() + " (leaf " +
         content["leaf_hash"].get<std::string>() + ", integrated " +
         content["integrated_time"].get<std::string>() + "), included in the " +
         CheckpointLine(result);
}

}  // namespace

std::string OfflineVerificationToText(const OfflineVerification& result) {
  std::ostringstream out;
  out << Heading(result) << "\n";
  if (!result.verified) {
    out << "FAILED: " << result.failure << "\n";
    return out.str();
  }
  switch (result.kind) {
    case OfflineKind::kWhitelist:
      out << "verified: white list as of " << result.content["as_of"].get<std::string>()
          << ", signed by the log key " << result.log_key << " (keyid " << result.log_key_id
          << "), computed on the " << CheckpointLine(result) << "\n";
      break;
    case OfflineKind::kReceipt:
    case OfflineKind::kStoredReceipt:
      out << "verified: " << ReceiptLine(result) << "\n";
      break;
    case OfflineKind::kCheckpoint:
      out << "verified: " << CheckpointLine(result) << "\n";
      break;
  }
  out << WitnessLine(result) << "\n";
  if (result.kind == OfflineKind::kWhitelist)
    out << EndUsersLine(result.content["end_users"]) << "\n";
  return out.str();
}

}  // namespace chipledger::audit
