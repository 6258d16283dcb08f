// The white list (SPEC §9), derived from the replayed state and the findings as of a time.
#include <algorithm>

#include "auditor/engine.h"
#include "auditor/engine_state.h"

namespace chipledger::audit {

std::string_view StandingStatusName(StandingStatus status) {
  switch (status) {
    case StandingStatus::kNotApproved:
      return "not_approved";
    case StandingStatus::kSuspended:
      return "suspended";
    case StandingStatus::kLapsed:
      return "lapsed";
    case StandingStatus::kGoodStanding:
      return "good_standing";
  }
  return "unknown";
}

namespace {

WhitelistEntry Standing(const ReplayState& state, const Params& params, const std::string& id,
                        const PartyInfo& party, std::map<std::string, uint64_t> open_findings,
                        Timestamp as_of) {
  WhitelistEntry entry;
  entry.party = id;
  entry.open_findings = std::move(open_findings);
  for (Severity severity : {Severity::kMedium, Severity::kHigh, Severity::kCritical}) {
    entry.open_findings[std::string(SeverityName(severity))] += 0;
  }
  bool lapsed = false;
  for (const auto& [site_id, site] : state.sites()) {
    if (!site.registered || site.record.party != id) continue;
    entry.sites.push_back(site_id);
    entry.chips_installed += site.installed;
    if (site.last_inspection &&
        (!entry.last_inspection || *site.last_inspection > *entry.last_inspection)) {
      entry.last_inspection = site.last_inspection;
    }
    lapsed = lapsed || InspectionOverdue(site, as_of, params.inspection_days);
  }
  for (const auto& [license_id, license] : state.licenses()) {
    if (license.record.end_user == id) entry.licenses.push_back(license_id);
  }
  bool serious = entry.open_findings["high"] + entry.open_findings["critical"] > 0;
  if (!party.ever_approved) {
    entry.status = StandingStatus::kNotApproved;
  } else if (serious || party.decision != WhitelistStatus::kApproved) {
    entry.status = StandingStatus::kSuspended;
  } else if (lapsed) {
    entry.status = StandingStatus::kLapsed;
  } else {
    entry.status = StandingStatus::kGoodStanding;
  }
  return entry;
}

}  // namespace

std::vector<WhitelistEntry> Engine::Whitelist(Timestamp as_of) const {
  // Open findings per party and severity name, counted in one pass (the findings are not copied).
  OpenFindingCounts open;
  ForEachFinding(as_of, [&](const Finding& finding) {
    if (!finding.resolved && finding.party) {
      ++open[*finding.party][std::string(SeverityName(finding.severity))];
    }
    return true;
  });
  return Whitelist(as_of, std::move(open));
}

std::vector<WhitelistEntry> Engine::Whitelist(Timestamp as_of, OpenFindingCounts open) const {
  std::vector<WhitelistEntry> out;
  for (const auto& [id, party] : state_->replay.parties()) {
    if (!party.registered || party.record.kind != PartyKind::kEndUser) continue;
    out.push_back(Standing(state_->replay, params_, id, party, std::move(open[id]), as_of));
  }
  return out;
}

nlohmann::json WhitelistEntryToJson(const WhitelistEntry& entry) {
  return {
      {"party", entry.party},
      {"status", StandingStatusName(entry.status)},
      {"sites", entry.sites},
      {"licenses", entry.licenses},
      {"chips_installed", entry.chips_installed},
      {"last_inspection", entry.last_inspection ? nlohmann::json(FormatTime(*entry.last_inspection))
                                                : nlohmann::json(nullptr)},
      {"open_findings", entry.open_findings}};
}

nlohmann::json WhitelistPayload(const Engine& engine, Timestamp as_of,
                                std::string_view checkpoint_note) {
  return WhitelistPayload(engine.Whitelist(as_of), as_of, checkpoint_note);
}

nlohmann::json WhitelistPayload(const std::vector<WhitelistEntry>& whitelist, Timestamp as_of,
                                std::string_view checkpoint_note) {
  nlohmann::json end_users = nlohmann::json::array();
  for (const auto& entry : whitelist) end_users.push_back(WhitelistEntryToJson(entry));
  return {{"as_of", FormatTime(as_of)}, {"checkpoint", checkpoint_note}, {"end_users", end_users}};
}

}  // namespace chipledger::audit
