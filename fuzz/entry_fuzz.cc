// Log entries (ledger/entry.h ParseEntry): an accepted entry re-serializes to bytes that parse to
// the same entry (its time at the milliseconds SerializeEntry writes) and serialize to themselves,
// and the strict parse accepts it as the same entry: a leading space takes the canonical fast
// path out, and what that path accepts and the strict one refuses would be an entry some
// verifiers read and others cannot.
#include "fuzz/fuzz_check.h"
#include "ledger/entry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace chipledger;
  Result<LogEntry> parsed = ParseEntry(fuzz::Input(data, size));
  if (!parsed.ok()) return 0;
  if (size < kMaxEntryBytes) {
    Result<LogEntry> strict = ParseEntry(" " + std::string(fuzz::Input(data, size)));
    fuzz::Check(strict.ok(), "an accepted entry is accepted by the strict parse");
    fuzz::Check(strict->index == parsed->index && strict->prev == parsed->prev &&
                    strict->integrated_time.unix_nanos == parsed->integrated_time.unix_nanos &&
                    SerializeEnvelope(strict->envelope) == SerializeEnvelope(parsed->envelope),
                "the strict parse reads the same entry");
  }
  const std::string canonical = SerializeEntry(*parsed);
  // Writing a time without a fraction as ".000" may push an entry at the size limit over it.
  if (canonical.size() > kMaxEntryBytes) return 0;
  Result<LogEntry> again = ParseEntry(canonical);
  fuzz::Check(again.ok(), "an accepted entry's serialization parses");
  fuzz::Check(again->index == parsed->index && again->prev == parsed->prev,
              "index and prev survive serialization");
  const int64_t nanos = parsed->integrated_time.unix_nanos;
  fuzz::Check(again->integrated_time.unix_nanos == nanos - nanos % 1'000'000,
              "integrated_time survives serialization to the millisecond");
  fuzz::Check(again->envelope.payload == parsed->envelope.payload,
              "the envelope's payload survives serialization");
  fuzz::Check(SerializeEntry(*again) == canonical, "the serialized entry is a fixpoint");
  return 0;
}
