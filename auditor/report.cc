// report.json, the stdout summary and the exit code; the HTML is in report_html.cc.
#include "auditor/report.h"

#include <algorithm>
#include <memory>
#include <type_traits>

namespace chipledger::audit {

namespace {

constexpr int64_t kNanosPerDay = 86400 * kNanosPerSecond;

constexpr std::array<Severity, 3> kSeverities = {Severity::kCritical, Severity::kHigh,
                                                 Severity::kMedium};

}  // namespace

std::string_view LaneName(Lane lane) {
  switch (lane) {
    case Lane::kDispatched:
      return "Dispatched to site";
    case Lane::kReceived:
      return "Received";
    case Lane::kInstalled:
      return "Installed";
    case Lane::kInspected:
      return "Inspections";
    case Lane::kHeartbeat:
      return "Heartbeats";
    case Lane::kMoved:
      return "Transfers, decommissions";
    case Lane::kRequested:
      return "Checks requested";
  }
  return "";
}

void SiteActivity::Count(const std::string& site, Lane lane, Timestamp time) {
  int64_t day = time.unix_nanos / kNanosPerDay;
  ++sites_[site].days[day][static_cast<size_t>(lane)];
}

void SiteActivity::Add(const Event& event) {
  std::visit(
      [&](const auto& body) {
        using Body = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<Body, SiteRegistered>) {
          Site& site = sites_[body.id];
          site.name = body.name;
          site.party = body.party;
        } else if constexpr (std::is_same_v<Body, ShipmentDispatched>) {
          Count(body.destination_site, Lane::kDispatched, event.time);
        } else if constexpr (std::is_same_v<Body, ShipmentReceived>) {
          Count(body.site, Lane::kReceived, event.time);
        } else if constexpr (std::is_same_v<Body, ChipInstalled>) {
          Count(body.site, Lane::kInstalled, event.time);
        } else if constexpr (std::is_same_v<Body, InspectionPerformed>) {
          Count(body.site, Lane::kInspected, event.time);
        } else if constexpr (std::is_same_v<Body, MonitorHeartbeat>) {
          Count(body.site, Lane::kHeartbeat, event.time);
        } else if constexpr (std::is_same_v<Body, ChipTransferred>) {
          Count(body.from_site, Lane::kMoved, event.time);
          Count(body.to_site, Lane::kMoved, event.time);
        } else if constexpr (std::is_same_v<Body, ChipDecommissioned>) {
          Count(body.site, Lane::kMoved, event.time);
        } else if constexpr (std::is_same_v<Body, CheckRequested>) {
          Count(body.site, Lane::kRequested, event.time);
        }
      },
      event.body);
}

Report BuildReport(const Verifier& verifier, const std::optional<Checkpoint>& checkpoint,
                   const Engine& engine, const SiteActivity& activity, Timestamp as_of) {
  Report report;
  report.as_of = as_of;
  report.checkpoint = checkpoint;
  report.integrity_ok = verifier.ok();
  report.entries_checked = verifier.entries_checked();
  report.entries_judged = engine.entries_applied();
  report.errors = verifier.errors();
  report.error_count = verifier.error_count();
  report.not_run = verifier.not_run();
  for (const WitnessKey& witness : verifier.witnesses().witnesses) {
    report.witnesses.push_back(witness.name);
  }
  report.witness_quorum = verifier.witnesses().quorum;
  report.cosignatures = verifier.cosignatures();
  SetFindings(&report, [&engine, as_of](const FindingVisitor& visit) {
    engine.ForEachFinding(as_of, visit);
  });
  report.whitelist = engine.Whitelist(as_of);
  report.balance = engine.MaterialBalance();
  nlohmann::json stats = engine.Stats();
  if (stats.is_object()) report.stats = std::move(stats);
  report.stats["entries_audited"] = engine.entries_applied();
  report.stats["integrity_errors"] = verifier.error_count();
  report.activity = activity.sites();
  return report;
}

namespace {

// log: the checkpoint (nulls when I1 failed), the named witnesses' cosignatures on it and the
// quorum required (null when no witness was named).
nlohmann::json LogJson(const Report& report) {
  nlohmann::json log = {{"origin", nullptr}, {"tree_size", nullptr}, {"root", nullptr}};
  if (report.checkpoint) {
    log = {{"origin", report.checkpoint->origin},
           {"tree_size", report.checkpoint->size},
           {"root", ToHex(report.checkpoint->root)}};
  }
  nlohmann::json witnesses = nlohmann::json::array();
  for (const Cosignature& cosignature : report.cosignatures) {
    witnesses.push_back({{"name", cosignature.witness}, {"timestamp", cosignature.timestamp}});
  }
  log["witnesses"] = witnesses;
  log["witness_quorum"] =
      report.witnesses.empty() ? nlohmann::json(nullptr) : nlohmann::json(report.witness_quorum);
  return log;
}

}  // namespace

namespace {

nlohmann::json IntegrityJson(const Report& report) {
  nlohmann::json errors = nlohmann::json::array();
  for (const IntegrityError& error : report.errors) errors.push_back(IntegrityErrorToJson(error));
  nlohmann::json not_run = nlohmann::json::array();
  for (const SkippedCheck& skipped : report.not_run) {
    not_run.push_back({{"check", skipped.check}, {"reason", skipped.reason}});
  }
  return {{"ok", report.integrity_ok},
          {"entries_checked", report.entries_checked},
          {"errors", errors},
          {"not_run", not_run}};
}

// `value`.dump(2) as it reads nested `depth` levels deep in a dump(2) of the whole report. JSON
// strings never hold a raw newline, so every newline is dump's own.
std::string Nested(const nlohmann::json& value, int depth) {
  std::string text = value.dump(2), out;
  const std::string indent(2 * static_cast<size_t>(depth), ' ');
  for (char c : text) {
    out += c;
    if (c == '\n') out += indent;
  }
  return out;
}

// A top-level array member, one element serialised at a time as `for_each` visits them.
template <typename Item, typename ForEach, typename ToJson>
void WriteArray(std::ostream& out, const ForEach& for_each, ToJson to_json) {
  bool first = true;
  for_each([&](const Item& item) {
    out << (first ? "[\n    " : ",\n    ") << Nested(to_json(item), 2);
    first = false;
    return true;
  });
  out << (first ? "[]" : "\n  ]");
}

}  // namespace

nlohmann::json ReportToJson(const Report& report) {
  nlohmann::json findings = nlohmann::json::array();
  report.for_each_finding([&](const Finding& finding) {
    findings.push_back(FindingToJson(finding));
    return true;
  });
  nlohmann::json whitelist = nlohmann::json::array();
  for (const WhitelistEntry& entry : report.whitelist) {
    whitelist.push_back(WhitelistEntryToJson(entry));
  }
  return {{"as_of", FormatTime(report.as_of)},
          {"log", LogJson(report)},
          {"integrity", IntegrityJson(report)},
          {"findings", findings},
          {"whitelist", whitelist},
          {"stats", report.stats}};
}

// nlohmann's objects keep their keys sorted, so dump(2) writes the members in this order.
void WriteReportJson(const Report& report, std::ostream& out) {
  out << "{\n  \"as_of\": " << nlohmann::json(FormatTime(report.as_of)).dump()
      << ",\n  \"findings\": ";
  WriteArray<Finding>(out, report.for_each_finding, FindingToJson);
  out << ",\n  \"integrity\": " << Nested(IntegrityJson(report), 1)
      << ",\n  \"log\": " << Nested(LogJson(report), 1)
      << ",\n  \"stats\": " << Nested(report.stats, 1) << ",\n  \"whitelist\": ";
  auto each_entry = [&](const auto& visit) {
    for (const WhitelistEntry& entry : report.whitelist) visit(entry);
  };
  WriteArray<WhitelistEntry>(out, each_entry, WhitelistEntryToJson);
  out << "\n}\n";
}

namespace {

// The entry a finding was last evidenced by: its "age" for ordering (newest first).
uint64_t Newest(const Finding& finding) {
  return finding.evidence.empty()
             ? 0
             : *std::max_element(finding.evidence.begin(), finding.evidence.end());
}

// report.html's order: most severe first, open before resolved, then newest.
bool ShownBefore(const Finding& a, const Finding& b) {
  if (a.severity != b.severity) return a.severity > b.severity;
  if (a.resolved != b.resolved) return !a.resolved;
  return Newest(a) > Newest(b);
}

// Keeps the kFindingsInFull findings shown first, holding at most twice as many meanwhile.
class InFull {
 public:
  void Add(const Finding& finding) {
    kept_.push_back(finding);
    if (kept_.size() == 2 * kFindingsInFull) Trim();
  }
  std::vector<Finding> Take() {
    Trim();
    std::stable_sort(kept_.begin(), kept_.end(), ShownBefore);
    return std::move(kept_);
  }

 private:
  // Drops all but the first kFindingsInFull; stable, so ties keep report.json's order.
  void Trim() {
    if (kept_.size() <= kFindingsInFull) return;
    std::stable_sort(kept_.begin(), kept_.end(), ShownBefore);
    kept_.resize(kFindingsInFull);
  }
  std::vector<Finding> kept_;
};

}  // namespace

void Tally::Add(const Finding& finding) {
  if (finding.resolved) {
    ++resolved;
  } else {
    ++open[static_cast<size_t>(Severity::kCritical) - static_cast<size_t>(finding.severity)];
  }
}

uint64_t Tally::open_of(Severity severity) const {
  return open[static_cast<size_t>(Severity::kCritical) - static_cast<size_t>(severity)];
}

void SetFindings(Report* report, std::function<void(const FindingVisitor&)> for_each_finding) {
  FindingCounts counts;
  InFull in_full;
  for_each_finding([&](const Finding& finding) {
    counts.all.Add(finding);
    counts.by_rule[finding.rule].Add(finding);
    counts.by_site[finding.site.value_or("")].Add(finding);
    ++counts.by_severity[finding.severity];
    in_full.Add(finding);
    return true;
  });
  report->for_each_finding = std::move(for_each_finding);
  report->counts = std::move(counts);
  report->in_full = in_full.Take();
}

void SetFindings(Report* report, std::vector<Finding> findings) {
  auto list = std::make_shared<const std::vector<Finding>>(std::move(findings));
  SetFindings(report, [list](const FindingVisitor& visit) {
    for (const Finding& finding : *list) {
      if (!visit(finding)) return;
    }
  });
}

Status AttachEntries(EntrySpool* spool, Report* report) {
  std::vector<uint64_t> summaries, times;
  for (const Finding& finding : report->in_full) {
    for (size_t i = 0; i < finding.evidence.size() && i < kEvidenceShown; ++i) {
      summaries.push_back(finding.evidence[i]);
    }
  }
  for (const SiteBalance& site : report->balance) {
    if (site.inspection) summaries.push_back(*site.inspection);
  }
  report->for_each_finding([&](const Finding& finding) {
    if (!finding.evidence.empty()) {
      times.push_back(*std::min_element(finding.evidence.begin(), finding.evidence.end()));
    }
    return true;
  });
  for (std::vector<uint64_t>* indices : {&summaries, &times}) {
    std::sort(indices->begin(), indices->end());
    indices->erase(std::unique(indices->begin(), indices->end()), indices->end());
  }
  Result<SpooledEntries> found = spool->Find(summaries, times);
  if (!found.ok()) return found.status();
  report->entries = std::move(*found);
  return Status::Ok();
}

std::optional<Timestamp> FirstSeen(const Report& report, const Finding& finding) {
  if (finding.evidence.empty()) return std::nullopt;
  uint64_t first = *std::min_element(finding.evidence.begin(), finding.evidence.end());
  const auto& times = report.entries.times;
  auto found =
      std::lower_bound(times.begin(), times.end(), first,
                       [](const auto& time, uint64_t index) { return time.first < index; });
  if (found == times.end() || found->first != first) return std::nullopt;
  return found->second;
}

std::map<std::string, uint64_t> OpenFindingCounts(const Report& report) {
  std::map<std::string, uint64_t> counts;
  for (Severity severity : kSeverities) {
    counts[std::string(SeverityName(severity))] = report.counts.all.open_of(severity);
  }
  return counts;
}

int ExitCode(const Report& report, Severity fail_on) {
  if (!report.integrity_ok) return 2;
  for (Severity severity : kSeverities) {
    if (severity >= fail_on && report.counts.all.open_of(severity) > 0) return 1;
  }
  return 0;
}

namespace {

// "not run: I6 (why); I8 (why)", checks sharing a reason listed together; empty when all ran.
std::string NotRunLine(const std::vector<SkippedCheck>& not_run) {
  if (not_run.empty()) return "";
  std::string line = "not run:";
  for (size_t i = 0; i < not_run.size(); ++i) {
    bool same = i > 0 && not_run[i - 1].reason == not_run[i].reason;
    line += (same ? ", " : (i ? "; " : " ")) + not_run[i].check;
    if (i + 1 == not_run.size() || not_run[i + 1].reason != not_run[i].reason) {
      line += " (" + not_run[i].reason + ")";
    }
  }
  return line + "\n";
}

// How many of the entries read the rules judged: --as-of cuts the log, later entries are only
// verified. Nothing to say when no entry was read (I1 failed).
std::string JudgedLine(const Report& report) {
  if (!report.checkpoint) return "";
  std::string line = "judged as of " + FormatTime(report.as_of) + ": " +
                     std::to_string(report.entries_judged) + " entries";
  if (report.entries_checked > report.entries_judged) {
    line += "; " + std::to_string(report.entries_checked - report.entries_judged) +
            " integrated after it were verified but not judged";
  }
  return line + "\n";
}

}  // namespace

std::string Summary(const Report& report) {
  std::string out;
  if (report.integrity_ok) {
    out += "integrity: ok, " + std::to_string(report.entries_checked) + " entries verified";
    if (report.checkpoint) out += " (root " + ToHex(report.checkpoint->root) + ")";
    out += "\n";
  } else {
    out += "integrity: FAILED, " + std::to_string(report.error_count) + " error(s)\n";
    for (size_t i = 0; i < report.errors.size() && i < 5; ++i) {
      const IntegrityError& error = report.errors[i];
      out += "  " + error.check +
             (error.index ? " entry " + std::to_string(*error.index) : std::string()) + ": " +
             error.message + "\n";
    }
  }
  out += JudgedLine(report);
  out += NotRunLine(report.not_run);
  if (!report.witnesses.empty()) {
    out += "witnesses: " + std::to_string(report.cosignatures.size()) + " of " +
           std::to_string(report.witnesses.size()) + " cosigned (quorum " +
           std::to_string(report.witness_quorum) + ")";
    for (size_t i = 0; i < report.cosignatures.size(); ++i) {
      out += (i ? ", " : ": ") + report.cosignatures[i].witness;
    }
    out += "\n";
  }
  uint64_t resolved = report.counts.all.resolved;
  std::map<std::string, uint64_t> open = OpenFindingCounts(report);
  out += "open findings:";
  for (Severity severity : kSeverities) {
    std::string name(SeverityName(severity));
    out += " " + name + " " + std::to_string(open[name]);
  }
  out += " (resolved " + std::to_string(resolved) + ")\n";
  std::map<std::string, uint64_t> statuses;
  for (StandingStatus status : {StandingStatus::kGoodStanding, StandingStatus::kLapsed,
                                StandingStatus::kSuspended, StandingStatus::kNotApproved}) {
    statuses[std::string(StandingStatusName(status))] = 0;
  }
  for (const WhitelistEntry& entry : report.whitelist) {
    ++statuses[std::string(StandingStatusName(entry.status))];
  }
  out += "white list:";
  for (const auto& [status, count] : statuses) out += " " + status + " " + std::to_string(count);
  out += "\n";
  return out;
}

}  // namespace chipledger::audit
