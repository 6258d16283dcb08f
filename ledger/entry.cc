#include "ledger/entry.h"

#include <optional>

#include "ledger/event_internal.h"
#include "ledger/json_fields_internal.h"

namespace chipledger {

namespace {

// Reads the text SerializeEntry writes, left to right.
class CanonicalReader {
 public:
  explicit CanonicalReader(std::string_view text) : rest_(text) {}

  bool Literal(std::string_view literal) {
    if (!rest_.starts_with(literal)) return false;
    rest_.remove_prefix(literal.size());
    return true;
  }
  // A JSON string's contents, the closing quote consumed, when it is printable ASCII without
  // escapes (so the contents are the value).
  std::optional<std::string_view> String() {
    size_t end = rest_.find('"');  // memchr
    if (end == std::string_view::npos) return std::nullopt;
    std::string_view value = rest_.substr(0, end);
    if (!internal::IsPlainJsonText(value)) return std::nullopt;
    rest_.remove_prefix(end + 1);
    return value;
  }
  // A JSON integer without sign, leading zeros, fraction or exponent, up to kMaxSafeInteger.
  std::optional<uint64_t> Index() {
    size_t digits = 0;
    while (digits < rest_.size() && rest_[digits] >= '0' && rest_[digits] <= '9') ++digits;
    if (digits == 0 || digits > 16 || (digits > 1 && rest_[0] == '0')) return std::nullopt;
    uint64_t value = 0;
    for (size_t i = 0; i < digits; ++i) value = value * 10 + static_cast<uint64_t>(rest_[i] - '0');
    if (value > static_cast<uint64_t>(internal::kMaxSafeInteger)) return std::nullopt;
    rest_.remove_prefix(digits);
    return value;
  }
  bool AtEnd() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

// The entry, when `bytes` are exactly what SerializeEntry writes for one that ParseEntry's strict
// parse accepts; otherwise nullopt, and the strict parse says why. Every entry the ledger wrote
// is canonical, so a reader of the log (the auditor reads a million) parses each once, without a
// JSON document or copies of the payload's base64. Anything else (whitespace, escapes, another
// key order, a value the typed checks refuse) is left to the strict parse, which accepts every
// text accepted here with the same values.
std::optional<LogEntry> ParseCanonicalEntry(std::string_view bytes) {
  CanonicalReader in(bytes);
  LogEntry entry;
  if (!in.Literal(R"({"index":)")) return std::nullopt;
  std::optional<uint64_t> index = in.Index();
  if (!index || !in.Literal(R"(,"integrated_time":")")) return std::nullopt;
  entry.index = *index;
  std::optional<std::string_view> time = in.String();
  if (!time || !in.Literal(R"(,"prev":")")) return std::nullopt;
  Result<Timestamp> integrated = ParseTime(*time, "integrated_time");
  if (!integrated.ok()) return std::nullopt;
  entry.integrated_time = *integrated;
  std::optional<std::string_view> prev = in.String();
  if (!prev || !in.Literal(R"(,"envelope":{"payloadType":")")) return std::nullopt;
  Result<Hash> prev_hash = HashFromHex(*prev, "prev");
  if (!prev_hash.ok()) return std::nullopt;
  entry.prev = *prev_hash;
  std::optional<std::string_view> type = in.String();
  if (!type || *type != kEventPayloadType || !in.Literal(R"(,"payload":")")) return std::nullopt;
  entry.envelope.payload_type = *type;
  std::optional<std::string_view> payload = in.String();
  if (!payload || !in.Literal(R"(,"signatures":[)")) return std::nullopt;
  Result<std::string> payload_bytes = Base64Decode(*payload, "payload");
  if (!payload_bytes.ok()) return std::nullopt;
  entry.envelope.payload = std::move(payload_bytes).value();
  do {
    if (!in.Literal(R"({"keyid":")")) return std::nullopt;
    std::optional<std::string_view> keyid = in.String();
    if (!keyid || !in.Literal(R"(,"sig":")")) return std::nullopt;
    std::optional<std::string_view> sig = in.String();
    if (!sig || !in.Literal("}")) return std::nullopt;
    Result<Hash> keyid_hash = HashFromHex(*keyid, "keyid");
    Result<Signature> signature = SignatureFromBase64(*sig, "sig");
    if (!keyid_hash.ok() || !signature.ok()) return std::nullopt;
    entry.envelope.signatures.push_back({ToHex(*keyid_hash), *signature});
  } while (in.Literal(","));
  if (!in.Literal("]}}") || !in.AtEnd()) return std::nullopt;
  return entry;
}

}  // namespace

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
  if (std::optional<LogEntry> canonical = ParseCanonicalEntry(bytes)) return *std::move(canonical);
  auto json = internal::JsonTree::Parse(bytes, "entry", "bad_entry");
  if (!json.ok()) return json.status();
  if (json->root().kind != internal::JsonTree::Kind::kObject) {
    return Status::InvalidArgument("bad_entry", "entry: must be a JSON object");
  }
  Status error;
  LogEntry entry;
  internal::FieldReader fields(json->root(), "", &error);
  entry.index = static_cast<uint64_t>(fields.Get("index").Integer(0, internal::kMaxSafeInteger));
  entry.integrated_time = fields.Get("integrated_time").Time();
  entry.prev = fields.Get("prev").Hex();
  const internal::JsonTree::Node* envelope = fields.Get("envelope").node();
  fields.Finish();
  if (!error.ok()) return internal::WithCode(error, "bad_entry");
  auto parsed = internal::ReadEnvelope(*envelope, "envelope");
  if (!parsed.ok()) return parsed.status();
  entry.envelope = std::move(*parsed);
  return entry;
}

}  // namespace chipledger
