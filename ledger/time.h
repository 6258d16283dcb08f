// Timestamps: RFC 3339 in UTC with a `Z` suffix (SPEC §2), held as nanoseconds since the epoch.
#ifndef CHIPLEDGER_LEDGER_TIME_H_
#define CHIPLEDGER_LEDGER_TIME_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/status.h"

namespace chipledger {

struct Timestamp {
  int64_t unix_nanos = 0;
  auto operator<=>(const Timestamp&) const = default;
};

constexpr int64_t kNanosPerSecond = 1'000'000'000;

// Accepts `YYYY-MM-DDTHH:MM:SS[.fraction]Z` (1–9 fraction digits), years 1970–2262.
Result<Timestamp> ParseTime(std::string_view text, std::string_view what);
// Milliseconds precision, always with a fraction: `2026-11-23T08:15:00.123Z`.
std::string FormatTime(Timestamp time);
Timestamp Now();

inline Timestamp AddSeconds(Timestamp t, double seconds) {
  return Timestamp{t.unix_nanos + static_cast<int64_t>(seconds * kNanosPerSecond)};
}
inline double SecondsBetween(Timestamp from, Timestamp to) {
  return static_cast<double>(to.unix_nanos - from.unix_nanos) / kNanosPerSecond;
}

}  // namespace chipledger

#endif  // CHIPLEDGER_LEDGER_TIME_H_
