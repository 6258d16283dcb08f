// A new ledger, on any driver: the genesis enrolments and the first checkpoints.
#include <nlohmann/json.hpp>
#include <set>

#include "ledger/store/sequencer.h"

namespace chipledger::store {

namespace {

Status CheckOptions(const CreateOptions& options) {
  const std::string& origin = options.origin;
  if (origin.empty() || origin.find_first_of(" \t\r\n+") != std::string::npos) {
    return Status::InvalidArgument("bad_origin",
                                   "origin: must be non-empty, without spaces, newlines or '+'");
  }
  std::set<std::string> ids;
  for (const Authority& authority : options.authorities) {
    if (!ids.insert(authority.id).second) {
      return Status::InvalidArgument("duplicate_authority",
                                     "authority: \"" + authority.id + "\" is given twice");
    }
  }
  return Status::Ok();
}

}  // namespace

// One agent.enrolled per authority, signed by `log`, seq 1, 2, ….
Result<std::vector<Candidate>> GenesisEvents(const CreateOptions& options, const KeyPair& key) {
  if (Status checked = CheckOptions(options); !checked.ok()) return checked;
  std::vector<Candidate> events;
  Hash prev{};
  Timestamp now = Now();
  for (size_t i = 0; i < options.authorities.size(); ++i) {
    const Authority& authority = options.authorities[i];
    nlohmann::json payload = {{"v", 1},
                              {"type", EventTypeName(EventType::kAgentEnrolled)},
                              {"agent", kLogAgentId},
                              {"seq", i + 1},
                              {"prev", ToHex(prev)},
                              {"time", FormatTime(now)},
                              {"enroll",
                               {{"agent", authority.id},
                                {"public_key", Base64Encode(authority.public_key)},
                                {"role", RoleName(Role::kAuthority)},
                                {"org", authority.id},
                                {"sites", nlohmann::json::array()}}}};
    Envelope envelope{std::string(kEventPayloadType), payload.dump(), {}};
    SignEnvelope(&envelope, key);
    Result<Candidate> candidate = ParseCandidate(SerializeEnvelope(envelope));
    if (!candidate.ok()) {
      return Status::InvalidArgument(
          candidate.status().code(),
          "authority \"" + authority.id + "\": " + candidate.status().message());
    }
    prev = candidate->payload_hash;
    events.push_back(std::move(candidate).value());
  }
  return events;
}

Result<std::string> CreateOn(std::shared_ptr<Driver> driver, const std::string& origin,
                             const KeyPair& log_key, std::vector<Candidate> genesis) {
  std::string empty = SignCheckpoint(Checkpoint{origin, 0, EmptyTreeRoot()}, log_key);
  if (Status written = driver->Initialize(origin, log_key.public_key, empty); !written.ok()) {
    return written;
  }
  Result<std::unique_ptr<Sequencer>> ledger =
      Sequencer::Open(std::move(driver), OpenOptions{}, log_key);
  if (!ledger.ok()) return ledger.status();
  for (const AppendResult& result : (*ledger)->AppendGroup(std::move(genesis))) {
    if (!result.status.ok()) return result.status;
  }
  return FormatVerifierKey((*ledger)->verifier());
}

}  // namespace chipledger::store
