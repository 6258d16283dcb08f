// findings.csv: every finding, one row each, for spreadsheets and scripts (RFC 4180).
#include <algorithm>

#include "auditor/report.h"

namespace chipledger::audit {

namespace {

constexpr std::string_view kColumns[] = {"id",           "rule",       "severity", "status",
                                         "subject_kind", "subject_id", "site",     "party",
                                         "first_seen",   "evidence",   "message"};

// One RFC 4180 field. A spreadsheet evaluates a cell starting with = + - @ as a formula, and a
// finding's message, subject or site quotes what agents wrote into the log (CSV injection): such
// a cell is prefixed with ' so that it reads as text; the data stays whole in report.json.
std::string Cell(std::string_view text) {
  std::string value(text);
  if (!value.empty() && std::string_view("=+-@").find(value.front()) != std::string_view::npos) {
    value.insert(value.begin(), '\'');
  }
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string quoted = "\"";
  for (char c : value) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string Evidence(const std::vector<uint64_t>& evidence) {
  std::string text;
  for (uint64_t index : evidence) text += (text.empty() ? "" : " ") + std::to_string(index);
  return text;
}

void Row(std::ostream& out, const std::vector<std::string>& cells) {
  for (size_t i = 0; i < cells.size(); ++i) out << (i ? "," : "") << Cell(cells[i]);
  out << "\r\n";
}

}  // namespace

void WriteFindingsCsv(const Report& report, std::ostream& out) {
  Row(out, std::vector<std::string>(std::begin(kColumns), std::end(kColumns)));
  report.for_each_finding([&](const Finding& finding) {
    std::optional<Timestamp> first_seen = FirstSeen(report, finding);
    Row(out,
        {finding.id, finding.rule, std::string(SeverityName(finding.severity)),
         finding.resolved ? "resolved" : "open", finding.subject_kind, finding.subject_id,
         finding.site.value_or(""), finding.party.value_or(""),
         first_seen ? FormatTime(*first_seen) : "", Evidence(finding.evidence), finding.message});
    return true;
  });
}

}  // namespace chipledger::audit
