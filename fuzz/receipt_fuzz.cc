// Receipts (ledger/receipt.h ParseReceipt, VerifyReceipt): an accepted receipt's JSON parses to
// the same receipt and is its own serialization; verifying it against the fuzz log key is safe on
// any input and only succeeds for the checkpoint's own tree size.
#include "fuzz/fuzz_check.h"
#include "ledger/receipt.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace chipledger;
  static const NoteVerifier kLog{std::string(fuzz::kLogOrigin), fuzz::LogKey().public_key};
  Result<Receipt> parsed = ParseReceipt(fuzz::Input(data, size));
  if (!parsed.ok()) return 0;
  const std::string canonical = ReceiptToJson(*parsed);
  Result<Receipt> again = ParseReceipt(canonical);
  fuzz::Check(again.ok(), "an accepted receipt's JSON parses");
  fuzz::Check(again->index == parsed->index && again->leaf_hash == parsed->leaf_hash &&
                  again->payload_hash == parsed->payload_hash &&
                  again->integrated_time == parsed->integrated_time &&
                  again->checkpoint == parsed->checkpoint &&
                  again->tree_size == parsed->tree_size && again->hashes == parsed->hashes,
              "a receipt survives its JSON");
  fuzz::Check(ReceiptToJson(*again) == canonical, "a receipt's JSON is a fixpoint");
  Result<Checkpoint> verified = VerifyReceipt(*parsed, kLog);
  fuzz::Check(!verified.ok() || verified->size == parsed->tree_size,
              "a verified receipt proves against its checkpoint's size");
  return 0;
}
