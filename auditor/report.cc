// report.json, the stdout summary and the exit code; the HTML is in report_html.cc.
#include "auditor/report.h"

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
  report.errors = verifier.errors();
  report.error_count = verifier.error_count();
  report.not_run = verifier.not_run();
  for (const WitnessKey& witness : verifier.witnesses().witnesses) {
    report.witnesses.push_back(witness.name);
  }
  report.witness_quorum = verifier.witnesses().quorum;
  report.cosignatures = verifier.cosignatures();
  report.findings = engine.Findings(as_of);
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

nlohmann::json ReportToJson(const Report& report) {
  nlohmann::json errors = nlohmann::json::array();
  for (const IntegrityError& error : report.errors) errors.push_back(IntegrityErrorToJson(error));
  nlohmann::json not_run = nlohmann::json::array();
  for (const SkippedCheck& skipped : report.not_run) {
    not_run.push_back({{"check", skipped.check}, {"reason", skipped.reason}});
  }
  nlohmann::json findings = nlohmann::json::array();
  for (const Finding& finding : report.findings) findings.push_back(FindingToJson(finding));
  nlohmann::json whitelist = nlohmann::json::array();
  for (const WhitelistEntry& entry : report.whitelist) {
    whitelist.push_back(WhitelistEntryToJson(entry));
  }
  return {{"as_of", FormatTime(report.as_of)},
          {"log", LogJson(report)},
          {"integrity",
           {{"ok", report.integrity_ok},
            {"entries_checked", report.entries_checked},
            {"errors", errors},
            {"not_run", not_run}}},
          {"findings", findings},
          {"whitelist", whitelist},
          {"stats", report.stats}};
}

std::map<std::string, uint64_t> OpenFindingCounts(const Report& report) {
  std::map<std::string, uint64_t> counts;
  for (Severity severity : kSeverities) counts[std::string(SeverityName(severity))] = 0;
  for (const Finding& finding : report.findings) {
    if (!finding.resolved) ++counts[std::string(SeverityName(finding.severity))];
  }
  return counts;
}

int ExitCode(const Report& report, Severity fail_on) {
  if (!report.integrity_ok) return 2;
  for (const Finding& finding : report.findings) {
    if (!finding.resolved && finding.severity >= fail_on) return 1;
  }
  return 0;
}

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
  if (!report.witnesses.empty()) {
    out += "witnesses: " + std::to_string(report.cosignatures.size()) + " of " +
           std::to_string(report.witnesses.size()) + " cosigned (quorum " +
           std::to_string(report.witness_quorum) + ")";
    for (size_t i = 0; i < report.cosignatures.size(); ++i) {
      out += (i ? ", " : ": ") + report.cosignatures[i].witness;
    }
    out += "\n";
  }
  size_t resolved = 0;
  for (const Finding& finding : report.findings) resolved += finding.resolved ? 1 : 0;
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
