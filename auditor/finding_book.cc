#include "auditor/finding_book.h"

#include <algorithm>
#include <charconv>
#include <tuple>

namespace chipledger::audit {

namespace {

// D1…D17, then L1…L7, then A1…A3, as SPEC §8 lists them.
std::pair<int, int> RuleRank(std::string_view rule) {
  int family = rule.empty() ? 3 : rule[0] == 'D' ? 0 : rule[0] == 'L' ? 1 : rule[0] == 'A' ? 2 : 3;
  int number = 0;
  if (rule.size() > 1) std::from_chars(rule.data() + 1, rule.data() + rule.size(), number);
  return {family, number};
}

bool AllDigits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Event subjects are entry indices: order them as numbers.
bool SubjectLess(const std::string& a, const std::string& b) {
  if (AllDigits(a) && AllDigits(b) && a.size() != b.size()) return a.size() < b.size();
  return a < b;
}

bool FindingLess(const Finding& a, const Finding& b) {
  auto ra = RuleRank(a.rule), rb = RuleRank(b.rule);
  if (ra != rb) return ra < rb;
  if (a.subject_kind != b.subject_kind) return a.subject_kind < b.subject_kind;
  return SubjectLess(a.subject_id, b.subject_id);
}

}  // namespace

void FindingBook::Report(std::string_view rule, Severity severity, std::string_view subject_kind,
                         std::string_view subject_id, const Place& place, std::string message,
                         std::initializer_list<uint64_t> evidence) {
  std::string id = FindingId(rule, subject_kind, subject_id);
  auto [it, created] = findings_.try_emplace(id);
  Finding& finding = it->second.finding;
  if (created) {
    finding.id = id;
    finding.rule = rule;
    finding.severity = severity;
    finding.subject_kind = subject_kind;
    finding.subject_id = subject_id;
    finding.message = std::move(message);
  } else if (severity > finding.severity) {
    finding.severity = severity;
    finding.message = std::move(message);
  }
  if (!finding.site) finding.site = place.site;
  if (!finding.party) finding.party = place.party;
  for (uint64_t index : evidence) {
    it->second.last_evidence = std::max(it->second.last_evidence, index);
    auto pos = std::lower_bound(finding.evidence.begin(), finding.evidence.end(), index);
    if (pos != finding.evidence.end() && *pos == index) continue;
    if (finding.evidence.size() >= kMaxEvidence && pos == finding.evidence.end()) continue;
    finding.evidence.insert(pos, index);
    if (finding.evidence.size() > kMaxEvidence) finding.evidence.pop_back();
  }
}

void FindingBook::Resolve(const std::string& finding_id, uint64_t index) {
  resolutions_[finding_id] = index;
}

std::vector<Finding> FindingBook::Snapshot() const {
  std::vector<Finding> out;
  out.reserve(findings_.size());
  for (const auto& [id, recorded] : findings_) {
    out.push_back(recorded.finding);
    auto resolution = resolutions_.find(id);
    out.back().resolved =
        resolution != resolutions_.end() && recorded.last_evidence < resolution->second;
  }
  std::sort(out.begin(), out.end(), FindingLess);
  return out;
}

}  // namespace chipledger::audit
