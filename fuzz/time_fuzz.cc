// RFC 3339 times (ledger/time.h ParseTime): FormatTime writes an accepted time with the same date
// and time of day, and that text parses to the same instant to the millisecond.
#include "fuzz/fuzz_check.h"
#include "ledger/time.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace chipledger;
  std::string_view text = fuzz::Input(data, size);
  Result<Timestamp> time = ParseTime(text, "time");
  if (!time.ok()) return 0;
  const std::string formatted = FormatTime(*time);
  fuzz::Check(formatted.substr(0, 19) == text.substr(0, 19),
              "the formatted time has the same date and time of day");
  Result<Timestamp> again = ParseTime(formatted, "time");
  fuzz::Check(again.ok(), "a formatted time parses");
  fuzz::Check(again->unix_nanos == time->unix_nanos - time->unix_nanos % 1'000'000,
              "a formatted time is the same instant to the millisecond");
  return 0;
}
