// DSSE envelopes (ledger/event.h ParseEnvelope): whatever is accepted serializes to the canonical
// form, which parses back to the same envelope and is its own serialization.
#include "fuzz/fuzz_check.h"
#include "ledger/event.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace chipledger;
  Result<Envelope> parsed = ParseEnvelope(fuzz::Input(data, size));
  if (!parsed.ok()) return 0;
  const std::string canonical = SerializeEnvelope(*parsed);
  Result<Envelope> again = ParseEnvelope(canonical);
  fuzz::Check(again.ok(), "an accepted envelope's serialization parses");
  fuzz::Check(again->payload == parsed->payload, "the payload survives serialization");
  fuzz::Check(SerializeEnvelope(*again) == canonical, "the canonical envelope is a fixpoint");
  (void)Pae(parsed->payload_type, parsed->payload);
  return 0;
}
