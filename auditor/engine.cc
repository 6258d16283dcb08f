#include "auditor/engine.h"

#include <charconv>
#include <cmath>
#include <sstream>

#include "auditor/engine_state.h"
#include "ledger/crypto.h"

namespace chipledger::audit {

namespace {

Status BadParam(std::string_view name, std::string why) {
  return Status::InvalidArgument("bad_param", "--param " + std::string(name) + ": " + why);
}

// The double-valued parameters by name (dark_cluster, the one integer, is handled apart).
struct NamedParam {
  std::string_view name;
  double Params::*field;
};
constexpr NamedParam kDoubleParams[] = {
    {"receipt_days", &Params::receipt_days},
    {"install_days", &Params::install_days},
    {"inspection_days", &Params::inspection_days},
    {"heartbeat_gap_hours", &Params::heartbeat_gap_hours},
    {"max_speed_kmh", &Params::max_speed_kmh},
    {"chip_watts", &Params::chip_watts},
    {"max_backdate_days", &Params::max_backdate_days},
    {"max_skew_s", &Params::max_skew_s},
};

// What the time-based rules report as of `as_of`, into `overlay` (a book over the recorded one).
void EvaluateAsOf(const std::vector<std::unique_ptr<Rule>>& rules, const ReplayState& replay,
                  const Params& params, Timestamp as_of, FindingBook* overlay) {
  for (const auto& rule : rules) rule->Evaluate(replay, params, as_of, overlay);
}

}  // namespace

std::string Params::ToString() const {
  std::ostringstream out;
  for (const NamedParam& param : kDoubleParams)
    out << param.name << "=" << this->*param.field << " ";
  out << "dark_cluster=" << dark_cluster;
  return out.str();
}

Status Params::Set(std::string_view assignment) {
  size_t eq = assignment.find('=');
  if (eq == std::string_view::npos) {
    return BadParam(assignment, "expected NAME=VALUE");
  }
  std::string_view name = assignment.substr(0, eq);
  std::string_view text = assignment.substr(eq + 1);
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value) ||
      value <= 0) {
    return BadParam(name, "value '" + std::string(text) + "' is not a positive number");
  }
  if (name == "dark_cluster") {
    if (value != std::floor(value) || value > 1e9) {
      return BadParam(name, "value '" + std::string(text) + "' is not a positive integer");
    }
    dark_cluster = static_cast<int>(value);
    return Status::Ok();
  }
  for (const NamedParam& param : kDoubleParams) {
    if (name == param.name) {
      this->*param.field = value;
      return Status::Ok();
    }
  }
  return BadParam(name, "unknown parameter");
}

std::string_view SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kMedium:
      return "medium";
    case Severity::kHigh:
      return "high";
    case Severity::kCritical:
      return "critical";
  }
  return "unknown";
}

std::optional<Severity> SeverityFromName(std::string_view name) {
  for (Severity severity : {Severity::kMedium, Severity::kHigh, Severity::kCritical}) {
    if (SeverityName(severity) == name) return severity;
  }
  return std::nullopt;
}

std::string FindingId(std::string_view rule, std::string_view subject_kind,
                      std::string_view subject_id) {
  std::string text;
  text.append(rule).append("\n").append(subject_kind).append(":").append(subject_id);
  return ToHex(Sha256(text)).substr(0, 32);
}

nlohmann::json FindingToJson(const Finding& finding) {
  auto optional = [](const std::optional<std::string>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
  };
  return {{"id", finding.id},
          {"rule", finding.rule},
          {"severity", SeverityName(finding.severity)},
          {"subject", {{"kind", finding.subject_kind}, {"id", finding.subject_id}}},
          {"site", optional(finding.site)},
          {"party", optional(finding.party)},
          {"message", finding.message},
          {"evidence", finding.evidence},
          {"status", finding.resolved ? "resolved" : "open"}};
}

Engine::Engine(Params params) : params_(params), state_(std::make_unique<State>()) {
  state_->rules = AllRules();
}

Engine::~Engine() = default;

void Engine::Apply(const LogEntry& entry, const Event& event) {
  std::vector<const AgentInfo*> signers = state_->replay.Signers(entry, event);
  EventChips chips(state_->replay, event);
  EventContext context{entry, event, state_->replay, params_, signers, chips};
  for (auto& rule : state_->rules) rule->OnEvent(context, &state_->findings);
  if (const auto* resolved = std::get_if<FindingResolved>(&event.body)) {
    state_->findings.Resolve(resolved->finding, entry.index);
  }
  state_->replay.Apply(entry, event);
}

uint64_t Engine::entries_applied() const { return state_->replay.entries(); }

void Engine::SkipViewIndexes() { state_->replay.DropIndexes(); }

void Engine::ForEachFinding(Timestamp as_of,
                            const std::function<bool(const Finding&)>& visit) const {
  FindingBook as_of_book(&state_->findings);
  EvaluateAsOf(state_->rules, state_->replay, params_, as_of, &as_of_book);
  as_of_book.ForEach(visit);
}

std::vector<Finding> Engine::TimeBasedFindings(Timestamp as_of) const {
  FindingBook as_of_book(&state_->findings);
  EvaluateAsOf(state_->rules, state_->replay, params_, as_of, &as_of_book);
  std::vector<Finding> findings;
  as_of_book.ForEachOwn([&](const Finding& finding) {
    findings.push_back(finding);
    return true;
  });
  return findings;
}

std::vector<Finding> Engine::Findings(Timestamp as_of) const {
  std::vector<Finding> findings;
  ForEachFinding(as_of, [&](const Finding& finding) {
    findings.push_back(finding);
    return true;
  });
  return findings;
}

nlohmann::json Engine::Stats() const {
  const ReplayState& replay = state_->replay;
  nlohmann::json by_type = nlohmann::json::object();
  for (const auto& [type, count] : replay.event_counts()) by_type[EventTypeName(type)] = count;
  return {{"entries", replay.entries()},
          {"events_by_type", by_type},
          {"chips", replay.chips().size()},
          {"sites", replay.sites().size()},
          {"shipments", replay.shipments().size()},
          {"licenses", replay.licenses().size()},
          {"parties", replay.parties().size()},
          {"agents", replay.agents().size()},
          {"checks", replay.checks().size()},
          {"findings_recorded", state_->findings.size()}};
}

}  // namespace chipledger::audit
