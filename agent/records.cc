// Input files of the field commands (docs/agent.md, "Input files"): one format per flag, a header
// row recognised only when it is exactly the documented one. Signed facts cannot be taken back,
// so anything that looks like a mistake (another file's header, quotes, a repeated serial) is
// refused with the line, the column and what to do, before anything is signed.
#include <algorithm>
#include <fstream>
#include <map>

#include "agent/agent.h"
#include "agent/text.h"

namespace chipledger::agent {
namespace {

using Rows = std::vector<std::vector<std::string>>;

std::vector<std::string> Columns(std::string_view line) {
  std::vector<std::string> columns = Split(line, ',');
  for (std::string& column : columns) column = Trim(column);
  return columns;
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string Join(const std::vector<std::string>& names, size_t count) {
  std::string out;
  for (size_t i = 0; i < count && i < names.size(); ++i) out += (i ? "," : "") + names[i];
  return out;
}

// "serial,host[,slot]".
std::string Shape(const RecordFormat& format) {
  std::string out = Join(format.columns, format.required);
  for (size_t i = format.required; i < format.columns.size(); ++i) {
    out += "[," + format.columns[i];
  }
  return out + std::string(format.columns.size() - format.required, ']');
}

bool IsHeader(const std::vector<std::string>& columns, const RecordFormat& format) {
  if (columns.size() < format.required || columns.size() > format.columns.size()) return false;
  return std::equal(columns.begin(), columns.end(), format.columns.begin());
}

// Column names of every input format, and what a spreadsheet export tends to call them.
bool IsColumnName(const std::string& value) {
  static const char* kNames[] = {"serial",  "attested_id",   "host", "slot", "serial_number",
                                 "chip",    "serial number", "sn",   "id",   "attested id",
                                 "hostname"};
  std::string lower = Lower(value);
  return std::any_of(std::begin(kNames), std::end(kNames),
                     [&](const char* n) { return lower == n; });
}

bool IsSerial(const std::string& value) {
  return !value.empty() && value.size() <= 64 &&
         std::all_of(value.begin(), value.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
         });
}

class RecordChecker {
 public:
  RecordChecker(const std::filesystem::path& file, const RecordFormat& format)
      : file_(file.string()), format_(format) {}

  // OK, or the line and column at fault, why, and what to do.
  Status Check(size_t line, const std::vector<std::string>& columns) {
    if (columns.size() > format_.columns.size()) {
      return Bad(line, 0,
                 std::to_string(columns.size()) + " columns, but " + format_.flag + " takes " +
                     Shape(format_) + " (at most " + std::to_string(format_.columns.size()) +
                     "); is this the right file?");
    }
    // Missing trailing columns are empty ones: a required one is reported by name.
    for (size_t c = 0; c < std::max(columns.size(), format_.required); ++c) {
      if (Status s = CheckColumn(line, c, c < columns.size() ? columns[c] : ""); !s.ok()) return s;
    }
    auto [seen, inserted] = serials_.emplace(columns[0], line);
    if (!inserted) {
      return Bad(line, 1,
                 "serial " + columns[0] + " is already on line " + std::to_string(seen->second) +
                     "; list each chip once");
    }
    return Status::Ok();
  }

 private:
  Status CheckColumn(size_t line, size_t c, const std::string& value) {
    if (IsColumnName(value)) {
      return Bad(line, c + 1,
                 "'" + value + "' is a column name, so this looks like a header row; " +
                     format_.flag + " takes " + Shape(format_) +
                     " and its header row, if any, must be the first line and exactly `" +
                     Join(format_.columns, format_.columns.size()) +
                     "` (or its first columns); is this the right file?");
    }
    if (value.find('"') != std::string::npos || value.find('\'') != std::string::npos) {
      return Bad(line, c + 1, "quotes are not supported; write the value without them");
    }
    if (c < format_.required && value.empty()) {
      return Bad(line, c + 1, "empty, but " + format_.flag + " needs " + Shape(format_));
    }
    if (c == 0 && !IsSerial(value)) {
      return Bad(line, 1, "'" + value + "' is not a serial (1-64 characters of A-Z a-z 0-9 . _ -)");
    }
    return Status::Ok();
  }

  Status Bad(size_t line, size_t column, const std::string& why) const {
    std::string where = format_.flag + " " + file_ + " line " + std::to_string(line);
    if (column > 0) {
      where += ", column " + std::to_string(column) + " (" + format_.columns[column - 1] + ")";
    }
    return Status::InvalidArgument("bad_input_file", where + ": " + why);
  }

  std::string file_;
  const RecordFormat& format_;
  std::map<std::string, size_t> serials_;  // serial -> the line it is on
};

}  // namespace

const RecordFormat& ObservedFormat() {
  static const RecordFormat kFormat{"--observed", {"serial", "attested_id", "host"}, 1};
  return kFormat;
}
const RecordFormat& SampledFormat() {
  static const RecordFormat kFormat{"--sampled", {"serial"}, 1};
  return kFormat;
}
const RecordFormat& ReceivedFormat() {
  static const RecordFormat kFormat{"--chips", {"serial"}, 1};
  return kFormat;
}
const RecordFormat& InstallFormat() {
  static const RecordFormat kFormat{"--chips", {"serial", "host", "slot"}, 2};
  return kFormat;
}
const RecordFormat& OnlineFormat() {
  static const RecordFormat kFormat{"--online", {"serial", "attested_id"}, 1};
  return kFormat;
}

Result<Rows> ReadRecords(const std::filesystem::path& file, const RecordFormat& format) {
  std::ifstream in(file);
  if (!in) {
    return Status::InvalidArgument("bad_input_file",
                                   format.flag + " " + file.string() + ": cannot be read");
  }
  RecordChecker checker(file, format);
  Rows rows;
  bool first = true;
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    std::string trimmed = Trim(line);
    if (trimmed.empty() || trimmed[0] == '#') continue;
    std::vector<std::string> columns = Columns(trimmed);
    bool header = first && IsHeader(columns, format);
    first = false;
    if (header) continue;
    if (Status s = checker.Check(number, columns); !s.ok()) return s;
    rows.push_back(std::move(columns));
  }
  return rows;
}

}  // namespace chipledger::agent
