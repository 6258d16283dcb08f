// Receipt checks and the stored receipt format; co-signing an envelope from another agent.
#include "agent/agent.h"

namespace chipledger::agent {

Result<Checkpoint> VerifyReceiptFor(const Receipt& receipt, std::string_view envelope_json,
                                    const NoteVerifier& log_key) {
  Result<Envelope> envelope = ParseEnvelope(envelope_json);
  if (!envelope.ok()) return envelope.status();
  if (Sha256(envelope->payload) != receipt.payload_hash) {
    return Status::Unauthenticated("receipt_mismatch",
                                   "receipt.payload_hash: is not the SHA-256 of the event payload");
  }
  Result<Checkpoint> checkpoint = VerifyReceipt(receipt, log_key);
  if (!checkpoint.ok()) {
    return Status::Unauthenticated("bad_receipt",
                                   "receipt failed verification: " + checkpoint.status().message());
  }
  return checkpoint;
}

std::string StoredReceiptToJson(const StoredReceipt& stored) {
  nlohmann::json out = {{"seq", stored.seq},
                        {"envelope", nlohmann::json::parse(stored.envelope, nullptr, false)},
                        {"receipt", nlohmann::json::parse(ReceiptToJson(stored.receipt))}};
  return out.dump(2) + "\n";
}

Result<StoredReceipt> ParseStoredReceipt(std::string_view json) {
  nlohmann::json in = nlohmann::json::parse(json, nullptr, false);
  if (!in.is_object()) return Status::InvalidArgument("bad_receipt_file", "not a JSON object");
  auto seq = in.find("seq");
  auto envelope = in.find("envelope");
  auto receipt = in.find("receipt");
  if (seq == in.end() || !seq->is_number_unsigned()) {
    return Status::InvalidArgument("bad_receipt_file", "seq: must be a positive integer");
  }
  if (envelope == in.end() || !envelope->is_object()) {
    return Status::InvalidArgument("bad_receipt_file", "envelope: must be an object");
  }
  if (receipt == in.end() || !receipt->is_object()) {
    return Status::InvalidArgument("bad_receipt_file", "receipt: must be an object");
  }
  Result<Receipt> parsed = ParseReceipt(receipt->dump());
  if (!parsed.ok()) return parsed.status();
  return StoredReceipt{seq->get<uint64_t>(), envelope->dump(), *std::move(parsed)};
}

Result<std::string> CosignEnvelope(std::string_view envelope_json, const KeyPair& key) {
  Result<Envelope> envelope = ParseEnvelope(envelope_json);
  if (!envelope.ok()) return envelope.status();
  if (envelope->payload_type != kEventPayloadType) {
    return Status::InvalidArgument("bad_payload_type",
                                   "payloadType: must be " + std::string(kEventPayloadType));
  }
  if (envelope->signatures.empty()) {
    return Status::InvalidArgument("unsigned", "signatures: the submitting agent has not signed");
  }
  Result<Event> event = ParseEvent(envelope->payload);
  if (!event.ok()) return event.status();
  std::string key_id = KeyId(key.public_key);
  for (const EnvelopeSignature& signature : envelope->signatures) {
    if (signature.keyid == key_id) {
      return Status::Conflict("already_signed", "signatures: this key has already signed");
    }
  }
  SignEnvelope(&*envelope, key);
  std::string out = SerializeEnvelope(*envelope);
  if (out.size() > kMaxEnvelopeBytes) {
    return Status::TooLarge("too_large", "envelope: larger than 60 KiB with this signature");
  }
  return out;
}

}  // namespace chipledger::agent
