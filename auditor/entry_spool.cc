#include "auditor/entry_spool.h"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string_view>
#include <type_traits>

namespace chipledger::audit {

namespace {

constexpr size_t kSaidLimit = 300;  // characters of `said`: a line of the report, not the payload
constexpr size_t kSerialsShown = 5;

// Builds `said` from a body's fields, stopping at kSaidLimit.
class Said {
 public:
  void Field(std::string_view name, const std::string& value) {
    if (!value.empty()) Append(std::string(name) + " " + value);
  }
  void Field(std::string_view name, const std::optional<std::string>& value) {
    if (value) Field(name, *value);
  }
  // Lists of serials, chips, seals, sites: the first few and how many.
  template <typename Item>
  void Field(std::string_view name, const std::vector<Item>& items) {
    if (items.empty()) return;
    std::string text(name);
    for (size_t i = 0; i < items.size() && i < kSerialsShown; ++i) {
      text += i ? ", " : " ";
      AppendName(&text, items[i]);
    }
    if (items.size() > kSerialsShown) text += ", …";
    text.append(" (").append(std::to_string(items.size())).append(")");
    Append(text);
  }
  std::string Take() { return std::move(text_); }

 private:
  static void AppendName(std::string* text, const std::string& item) { *text += item; }
  static void AppendName(std::string* text, const SealState& seal) {
    text->append(seal.id).append(seal.intact ? "" : " NOT intact");
  }
  template <typename Item>
  static void AppendName(std::string* text, const Item& item) {
    *text += item.serial;
  }
  void Append(const std::string& part) {
    if (text_.size() >= kSaidLimit) return;
    if (!text_.empty()) text_ += "; ";
    text_ += part;
    if (text_.size() > kSaidLimit) {
      text_.resize(kSaidLimit);
      text_ += "…";
    }
  }

  std::string text_;
};

// The fields that say what an event is about, by name across the event types (ledger/event.h);
// the site is shown on its own.
template <typename Body>
std::string SayBody(const Body& body) {
  Said said;
  if constexpr (requires { body.id; }) said.Field("id", body.id);
  if constexpr (requires { body.name; }) said.Field("name", body.name);
  if constexpr (requires { body.party; }) said.Field("party", body.party);
  if constexpr (requires { body.org; }) said.Field("org", body.org);
  if constexpr (requires { body.exporter; }) said.Field("exporter", body.exporter);
  if constexpr (requires { body.end_user; }) said.Field("end user", body.end_user);
  if constexpr (requires { body.agent; }) said.Field("agent", body.agent);
  if constexpr (requires { body.shipment; }) said.Field("shipment", body.shipment);
  if constexpr (requires { body.inspection; }) said.Field("inspection", body.inspection);
  if constexpr (requires { body.check; }) said.Field("check", body.check);
  if constexpr (requires { body.finding; }) said.Field("finding", body.finding);
  if constexpr (requires { body.license; }) said.Field("license", body.license);
  if constexpr (requires { body.consignee; }) said.Field("consignee", body.consignee);
  if constexpr (requires { body.destination_site; }) said.Field("to", body.destination_site);
  if constexpr (requires { body.from_site; }) said.Field("from", body.from_site);
  if constexpr (requires { body.to_site; }) said.Field("to", body.to_site);
  if constexpr (requires { body.chips; }) said.Field("chips", body.chips);
  if constexpr (requires { body.observed; }) said.Field("observed", body.observed);
  if constexpr (requires { body.online; }) said.Field("online", body.online);
  if constexpr (requires { body.seals; }) said.Field("seals", body.seals);
  if constexpr (requires { body.models; }) said.Field("models", body.models);
  if constexpr (requires { body.purpose_observed; }) said.Field("purpose", body.purpose_observed);
  if constexpr (requires { body.resolution; }) said.Field("resolution", body.resolution);
  if constexpr (requires { body.reason; }) said.Field("reason", body.reason);
  return said.Take();
}

// A spool line is tab-separated; the free-text fields must not break it.
void AppendFlat(std::string* line, std::string_view text) {
  size_t start = line->size();
  line->append(text);
  std::replace_if(
      line->begin() + static_cast<std::ptrdiff_t>(start), line->end(),
      [](char c) { return c == '\t' || c == '\n' || c == '\r'; }, ' ');
}

std::optional<EntrySummary> ParseLine(std::string_view line) {
  std::vector<std::string_view> fields;
  for (size_t start = 0;;) {
    size_t tab = line.find('\t', start);
    fields.push_back(line.substr(start, tab - start));
    if (tab == std::string_view::npos) break;
    start = tab + 1;
  }
  if (fields.size() != 7) return std::nullopt;
  EntrySummary summary;
  summary.index = std::stoull(std::string(fields[0]));
  summary.integrated_time.unix_nanos = std::stoll(std::string(fields[1]));
  summary.time.unix_nanos = std::stoll(std::string(fields[2]));
  summary.type = fields[3];
  summary.agent = fields[4];
  summary.site = fields[5];
  summary.said = fields[6];
  return summary;
}

}  // namespace

EntrySummary SummariseEntry(const LogEntry& entry, const Event& event) {
  EntrySummary summary;
  summary.index = entry.index;
  summary.integrated_time = entry.integrated_time;
  summary.time = event.time;
  summary.type = EventTypeName(event.type);
  summary.agent = event.agent;
  summary.site = event.Site().value_or("");
  summary.said = std::visit([](const auto& body) { return SayBody(body); }, event.body);
  return summary;
}

Result<EntrySpool> EntrySpool::Create() {
  std::error_code error;
  std::filesystem::path dir = std::filesystem::temp_directory_path(error);
  if (error) dir = "/tmp";
  std::string path = (dir / "chipledger-audit-entries-XXXXXX").string();
  int fd = ::mkstemp(path.data());
  if (fd < 0) {
    return Status::IOError("temporary file for the report's evidence summaries in " + dir.string() +
                           ": " + std::strerror(errno) + "; set TMPDIR to a writable directory");
  }
  ::unlink(path.c_str());  // gone when the process ends, however it ends
  std::FILE* file = ::fdopen(fd, "w+");
  if (file == nullptr) {
    ::close(fd);
    return Status::IOError("temporary file " + path + ": " + std::strerror(errno));
  }
  return EntrySpool(std::unique_ptr<std::FILE, Closer>(file), path);
}

std::string EntrySpool::Line(const LogEntry& entry, const Event& event) {
  EntrySummary summary = SummariseEntry(entry, event);
  std::string line;
  line.reserve(128 + summary.said.size());
  line.append(std::to_string(summary.index)).append("\t");
  line.append(std::to_string(summary.integrated_time.unix_nanos)).append("\t");
  line.append(std::to_string(summary.time.unix_nanos));
  for (const std::string* text : {&summary.type, &summary.agent, &summary.site, &summary.said}) {
    line += '\t';
    AppendFlat(&line, *text);
  }
  line += '\n';
  return line;
}

void EntrySpool::AddLine(std::string_view line) {
  if (failed_) return;
  failed_ = std::fwrite(line.data(), 1, line.size(), file_.get()) != line.size();
}

namespace {

// Reads `file` line by line from the start, calling `line` with each (without its newline) until
// it returns false; false when reading failed.
template <typename Line>
bool ForEachLine(std::FILE* file, Line line) {
  if (std::fflush(file) != 0 || std::fseek(file, 0, SEEK_SET) != 0) return false;
  char* buffer = nullptr;
  size_t capacity = 0;
  ssize_t length;
  bool more = true;
  while (more && (length = ::getline(&buffer, &capacity, file)) > 0) {
    more = line(std::string_view(buffer, static_cast<size_t>(length) - 1));
  }
  std::free(buffer);
  return !std::ferror(file) && std::fseek(file, 0, SEEK_END) == 0;  // later Adds append
}

}  // namespace

Status EntrySpool::Restore(const std::string& path, uint64_t entries) {
  std::unique_ptr<std::FILE, Closer> saved(std::fopen(path.c_str(), "re"));
  if (!saved) return Status::IOError(path + ": " + std::strerror(errno));
  uint64_t next = 0;
  bool in_order = true;
  bool read = ForEachLine(saved.get(), [&](std::string_view line) {
    in_order = next < entries && std::strtoull(line.data(), nullptr, 10) == next &&
               std::fwrite(line.data(), 1, line.size(), file_.get()) == line.size() &&
               std::fputc('\n', file_.get()) != EOF;
    ++next;
    return in_order;
  });
  if (read && in_order && next == entries) return Status::Ok();
  // Start again empty rather than with a wrong or partial copy.
  failed_ = std::fflush(file_.get()) != 0 || ::ftruncate(::fileno(file_.get()), 0) != 0 ||
            std::fseek(file_.get(), 0, SEEK_SET) != 0;
  return Status::Corruption(path + ": " +
                            (read ? "does not hold the summaries of entries 0 to " +
                                        std::to_string(entries) + " (exclusive)"
                                  : "cannot be read"));
}

Status EntrySpool::Save(std::ostream& out) {
  bool read = !failed_ && ForEachLine(file_.get(), [&](std::string_view line) {
    out << line << '\n';
    return static_cast<bool>(out);
  });
  if (read && out) return Status::Ok();
  return Status::IOError("temporary file " + path_ + " (the report's evidence summaries): " +
                         "cannot be copied beside the snapshot");
}

Result<SpooledEntries> EntrySpool::Find(const std::vector<uint64_t>& summaries,
                                        const std::vector<uint64_t>& times) {
  SpooledEntries found;
  bool read = !failed_ && ForEachLine(file_.get(), [&](std::string_view line) {
    // Parse the rest only when wanted.
    uint64_t index = std::strtoull(line.data(), nullptr, 10);
    bool time = std::binary_search(times.begin(), times.end(), index);
    bool summary = std::binary_search(summaries.begin(), summaries.end(), index);
    if (!time && !summary) return true;
    std::optional<EntrySummary> parsed = ParseLine(line);
    if (!parsed) return true;
    if (time) found.times.emplace_back(index, parsed->integrated_time);
    if (summary) found.summaries.emplace(index, std::move(*parsed));
    return true;
  });
  if (!read) {
    return Status::IOError("temporary file " + path_ + " (the report's evidence summaries): " +
                           "a write failed; free space in $TMPDIR or point it elsewhere");
  }
  return found;
}

}  // namespace chipledger::audit
