// Log entries (SPEC §5, wire): the JSON object the ledger writes once when it integrates an event,
// chained to the previous entry by its leaf hash.
#ifndef CHIPLEDGER_LEDGER_ENTRY_H_
#define CHIPLEDGER_LEDGER_ENTRY_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/crypto.h"
#include "ledger/event.h"
#include "ledger/status.h"
#include "ledger/time.h"

namespace chipledger {

inline constexpr size_t kMaxEntryBytes = 65535;

struct LogEntry {
  uint64_t index = 0;
  Timestamp integrated_time;
  Hash prev{};  // leaf hash of entry index-1; zeros for entry 0
  Envelope envelope;
};

// {"index":7,"integrated_time":"…","prev":"…","envelope":{…canonical envelope…}}, in that order.
std::string SerializeEntry(const LogEntry& entry);
// Strict parse of entry bytes; `integrated_time` keeps the precision written.
Result<LogEntry> ParseEntry(std::string_view bytes);

}  // namespace chipledger

#endif  // CHIPLEDGER_LEDGER_ENTRY_H_
