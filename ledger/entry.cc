#include "ledger/entry.h"

#include "ledger/event_internal.h"
#include "ledger/json_fields_internal.h"

namespace chipledger {

std::string SerializeEntry(const LogEntry& entry) {
  return "{\"index\":" + std::to_string(entry.index) + ",\"integrated_time\":\"" +
         FormatTime(entry.integrated_time) + "\",\"prev\":\"" + ToHex(entry.prev) +
         "\",\"envelope\":" + SerializeEnvelope(entry.envelope) + "}";
}

Result<LogEntry> ParseEntry(std::string_view bytes) {
  if (bytes.size() > kMaxEntryBytes) {
    return Status::InvalidArgument(
        "bad_entry", "entry: larger than " + std::to_string(kMaxEntryBytes) + " bytes");
  }
  auto json = internal::ParseStrictJson(bytes, "entry", "bad_entry");
  if (!json.ok()) return json.status();
  if (!json->is_object()) {
    return Status::InvalidArgument("bad_entry", "entry: must be a JSON object");
  }
  Status error;
  LogEntry entry;
  internal::FieldReader fields(*json, "", &error);
  entry.index = static_cast<uint64_t>(fields.Get("index").Integer(0, internal::kMaxSafeInteger));
  entry.integrated_time = fields.Get("integrated_time").Time();
  entry.prev = fields.Get("prev").Hex();
  const internal::Json* envelope = fields.Get("envelope").json();
  fields.Finish();
  if (!error.ok()) return internal::WithCode(error, "bad_entry");
  auto parsed = internal::ReadEnvelope(*envelope, "envelope");
  if (!parsed.ok()) return parsed.status();
  entry.envelope = std::move(*parsed);
  return entry;
}

}  // namespace chipledger
