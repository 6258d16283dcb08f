#include "auditor/finding_book.h"

#include <algorithm>
#include <charconv>
#include <utility>

#include "ledger/crypto.h"

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
bool SubjectLess(std::string_view a, std::string_view b) {
  if (AllDigits(a) && AllDigits(b) && a.size() != b.size()) return a.size() < b.size();
  return a < b;
}

bool KeyOrderLess(std::string_view rule_a, std::string_view kind_a, std::string_view subject_a,
                  std::string_view rule_b, std::string_view kind_b, std::string_view subject_b) {
  auto ra = RuleRank(rule_a), rb = RuleRank(rule_b);
  if (ra != rb) return ra < rb;
  // Two spellings of one rank ("D01", "D1") stay apart.
  if (rule_a != rule_b) return rule_a < rule_b;
  if (kind_a != kind_b) return kind_a < kind_b;
  return SubjectLess(subject_a, subject_b);
}

}  // namespace

bool ReportOrderLess(const Finding& a, const Finding& b) {
  return KeyOrderLess(a.rule, a.subject_kind, a.subject_id, b.rule, b.subject_kind, b.subject_id);
}

bool FindingBook::KeyLess::operator()(const Key& a, const Key& b) const {
  return KeyOrderLess(a.rule.str(), a.subject_kind.str(), a.subject_id, b.rule.str(),
                      b.subject_kind.str(), b.subject_id);
}

FindingBook::Recorded& FindingBook::Find(std::string_view rule, std::string_view subject_kind,
                                         std::string_view subject_id, bool* created) {
  Key key{Name(rule), Name(subject_kind), std::string(subject_id)};
  auto it = findings_.find(key);
  *created = false;
  if (it != findings_.end()) return it->second;
  if (base_ != nullptr) {
    if (auto inherited = base_->findings_.find(key); inherited != base_->findings_.end()) {
      return findings_.emplace(std::move(key), inherited->second).first->second;
    }
  }
  *created = true;
  Recorded& recorded = findings_[std::move(key)];
  Hash id = Sha256(std::string(rule) + "\n" + std::string(subject_kind) + ":" +
                   std::string(subject_id));  // FindingId, kept binary
  std::copy_n(id.begin(), recorded.id.size(), recorded.id.begin());
  return recorded;
}

void FindingBook::Report(std::string_view rule, Severity severity, std::string_view subject_kind,
                         std::string_view subject_id, const Place& place, std::string message,
                         std::initializer_list<uint64_t> evidence) {
  bool created = false;
  Recorded& finding = Find(rule, subject_kind, subject_id, &created);
  if (journal_) {
    journal_->reported.push_back(
        {std::string(rule), std::string(subject_kind), std::string(subject_id)});
  }
  if (created || severity > finding.severity) {
    finding.severity = severity;
    finding.message = std::move(message);
  }
  if (finding.site.empty() && place.site) finding.site = Name(*place.site);
  if (finding.party.empty() && place.party) finding.party = Name(*place.party);
  for (uint64_t index : evidence) {
    finding.last_evidence = std::max(finding.last_evidence, index);
    auto pos = std::lower_bound(finding.evidence.begin(), finding.evidence.end(), index);
    if (pos != finding.evidence.end() && *pos == index) continue;
    if (finding.evidence.size() >= kMaxEvidence && pos == finding.evidence.end()) continue;
    finding.evidence.insert(pos, index);
    if (finding.evidence.size() > kMaxEvidence) finding.evidence.pop_back();
  }
}

void FindingBook::Resolve(const std::string& finding_id, uint64_t index) {
  resolutions_[finding_id] = index;
  if (journal_) journal_->resolved.push_back(finding_id);
}

Engine::RecordedChanges FindingBook::TakeChanges() {
  if (!journal_) {
    journal_ = std::make_unique<Engine::RecordedChanges>();
    return {};
  }
  return std::exchange(*journal_, {});
}

std::optional<Finding> FindingBook::Get(std::string_view rule, std::string_view subject_kind,
                                        std::string_view subject_id) const {
  auto it = findings_.find(Key{Name(rule), Name(subject_kind), std::string(subject_id)});
  if (it == findings_.end()) return std::nullopt;
  Finding finding;
  Fill(*it, &finding);
  return finding;
}

void FindingBook::Fill(const Map::value_type& recorded, Finding* out) const {
  const auto& [key, finding] = recorded;
  out->id = ToHex(finding.id);
  out->rule = key.rule.str();
  out->severity = finding.severity;
  out->subject_kind = key.subject_kind.str();
  out->subject_id = key.subject_id;
  auto optional = [](const Name& name) {
    return name.empty() ? std::nullopt : std::optional<std::string>(name.str());
  };
  out->site = optional(finding.site);
  out->party = optional(finding.party);
  out->message = finding.message;
  out->evidence = finding.evidence;
  // Resolutions come from events, so only a base book (the engine's own) records them.
  const auto& resolutions = base_ != nullptr ? base_->resolutions_ : resolutions_;
  auto resolution = resolutions.find(out->id);
  out->resolved = resolution != resolutions.end() && finding.last_evidence < resolution->second;
}

void FindingBook::ForEach(const std::function<bool(const Finding&)>& visit) const {
  static const Map kNone;
  const Map& below = base_ != nullptr ? base_->findings_ : kNone;
  Finding finding;
  auto own = findings_.begin();
  KeyLess less;
  // A merge of the two ordered books; on the same key this book's record replaces the base's.
  for (auto base = below.begin(); base != below.end() || own != findings_.end();) {
    bool take_own =
        base == below.end() || (own != findings_.end() && !less(base->first, own->first));
    if (take_own) {
      if (base != below.end() && !less(own->first, base->first)) ++base;
      Fill(*own++, &finding);
    } else {
      Fill(*base++, &finding);
    }
    if (!visit(finding)) return;
  }
}

void FindingBook::ForEachOwn(const std::function<bool(const Finding&)>& visit) const {
  Finding finding;
  for (const auto& recorded : findings_) {
    Fill(recorded, &finding);
    if (!visit(finding)) return;
  }
}

}  // namespace chipledger::audit
