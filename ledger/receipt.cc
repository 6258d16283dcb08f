#include "ledger/receipt.h"

#include "ledger/event_internal.h"
#include "ledger/json_fields_internal.h"
#include "ledger/merkle.h"

namespace chipledger {

// Written directly rather than through a JSON value: one receipt per append.
std::string ReceiptToJson(const Receipt& receipt) {
  using internal::JsonString;
  std::string out =
      "{\"index\":" + std::to_string(receipt.index) + ",\"leaf_hash\":\"" +
      ToHex(receipt.leaf_hash) + "\",\"payload_hash\":\"" + ToHex(receipt.payload_hash) +
      "\",\"integrated_time\":" + JsonString(receipt.integrated_time) +
      ",\"checkpoint\":" + JsonString(receipt.checkpoint) +
      ",\"inclusion_proof\":{\"tree_size\":" + std::to_string(receipt.tree_size) + ",\"hashes\":[";
  for (size_t i = 0; i < receipt.hashes.size(); ++i) {
    out += (i == 0 ? "\"" : ",\"") + ToHex(receipt.hashes[i]) + "\"";
  }
  return out + "]}}";
}

Result<Receipt> ParseReceipt(std::string_view json) {
  using internal::FieldReader;
  using internal::JsonValue;
  auto parsed = internal::JsonTree::Parse(json, "receipt", "bad_receipt");
  if (!parsed.ok()) return parsed.status();
  Status error;
  Receipt receipt;
  JsonValue(&parsed->root(), "receipt", &error).Object([&](FieldReader& fields) {
    receipt.index = fields.Get("index").Integer(0, internal::kMaxSafeInteger);
    receipt.leaf_hash = fields.Get("leaf_hash").Hex();
    receipt.payload_hash = fields.Get("payload_hash").Hex();
    receipt.integrated_time = fields.Get("integrated_time").String();
    receipt.checkpoint = fields.Get("checkpoint").String();
    fields.Get("inclusion_proof").Object([&](FieldReader& proof) {
      receipt.tree_size = proof.Get("tree_size").Integer(1, internal::kMaxSafeInteger);
      receipt.hashes = proof.Get("hashes").List([](JsonValue hash) { return hash.Hex(); });
      return 0;
    });
    return 0;
  });
  if (!error.ok()) return internal::WithCode(error, "bad_receipt");
  auto time = ParseTime(receipt.integrated_time, "receipt.integrated_time");
  if (!time.ok()) return internal::WithCode(time.status(), "bad_receipt");
  return receipt;
}

Result<Checkpoint> VerifyReceipt(const Receipt& receipt, const NoteVerifier& log_key) {
  auto checkpoint = VerifyCheckpoint(receipt.checkpoint, log_key);
  if (!checkpoint.ok()) return checkpoint.status();
  if (receipt.tree_size != checkpoint->size) {
    return Status::Unauthenticated(
        "bad_receipt", "receipt.inclusion_proof.tree_size " + std::to_string(receipt.tree_size) +
                           " is not the checkpoint's size " + std::to_string(checkpoint->size));
  }
  if (!VerifyInclusion(receipt.index, receipt.tree_size, receipt.leaf_hash, receipt.hashes,
                       checkpoint->root)) {
    return Status::Unauthenticated(
        "bad_receipt", "receipt.inclusion_proof does not show leaf_hash at index " +
                           std::to_string(receipt.index) + " under the checkpoint's root");
  }
  return checkpoint;
}

}  // namespace chipledger
