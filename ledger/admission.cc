// SPEC §4 admission, checked in the table's order: parse (400), size (413), signatures (401),
// authority (403), clock (400); the store checks duplicates and then the agent's chain (409).
// Within row 3, every signer is resolved before any signature is verified, and row 1 bounds the
// signatures, so a refused envelope costs at most kMaxSignatures verifications.
#include "ledger/admission.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "ledger/json_fields_internal.h"

namespace chipledger {

namespace {

std::string SignatureField(size_t i, std::string_view field) {
  return "signatures[" + std::to_string(i) + "]." + std::string(field);
}

bool Expired(const AgentState& agent, Timestamp now) {
  return agent.valid_until.has_value() && now > *agent.valid_until;
}

// True if signatures[i] holds under `key`, trusting an earlier PreverifySignature for that key.
bool SignatureHolds(const Candidate& candidate, size_t i, const PublicKey& key) {
  const auto& verified = candidate.verified_keys;
  if (i < verified.size() && verified[i] == key) return true;
  return VerifyEnvelopeSignature(candidate.envelope, i, key);
}

// The agent an enrolment or revocation acts on, if any.
const std::string* SubjectAgent(const Event& event) {
  if (const auto* enroll = std::get_if<AgentEnrolled>(&event.body)) return &enroll->agent;
  if (const auto* revoke = std::get_if<AgentRevoked>(&event.body)) return &revoke->agent;
  return nullptr;
}

// Row 1 for the signature list: bounded, and one signature per key. Keys are unique to agents,
// so a repeated key id is an agent co-signing its own event or a co-signer counted twice.
Status CheckSignatureList(const std::vector<EnvelopeSignature>& signatures) {
  if (signatures.size() > kMaxSignatures) {
    return Status::InvalidArgument("too_many_signatures",
                                   "signatures: " + std::to_string(signatures.size()) +
                                       " given, at most " + std::to_string(kMaxSignatures) +
                                       " allowed (the submitter's and its co-signers')");
  }
  for (size_t i = 1; i < signatures.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (signatures[i].keyid != signatures[j].keyid) continue;
      return Status::InvalidArgument("duplicate_signer",
                                     SignatureField(i, "keyid") + ": the same key as " +
                                         SignatureField(j, "keyid") +
                                         (j == 0 ? " (an agent cannot co-sign its own event)"
                                                 : " (each co-signer signs once)"));
    }
  }
  return Status::Ok();
}

// The length of SerializeEnvelope(envelope), without writing it: base64 (padded) needs no JSON
// escapes, the other strings are measured as JsonString writes them.
size_t SerializedSize(const Envelope& envelope) {
  auto base64 = [](size_t bytes) { return (bytes + 2) / 3 * 4 + 2; };  // with its quotes
  size_t size = std::string_view(R"({"payloadType":,"payload":,"signatures":[]})").size() +
                internal::JsonStringSize(envelope.payload_type) + base64(envelope.payload.size());
  for (size_t i = 0; i < envelope.signatures.size(); ++i) {
    size += (i > 0 ? 1 : 0) + std::string_view(R"({"keyid":,"sig":})").size() +
            internal::JsonStringSize(envelope.signatures[i].keyid) +
            base64(envelope.signatures[i].sig.size());
  }
  return size;
}

// Rows 1–2 after the envelope's JSON and base64 parsed; `size` is the envelope's in bytes.
Result<Candidate> CheckCandidate(Envelope envelope, size_t size) {
  if (envelope.payload_type != kEventPayloadType) {
    return Status::InvalidArgument(
        "bad_payload_type", "payloadType: must be \"" + std::string(kEventPayloadType) + "\"");
  }
  if (Status signatures = CheckSignatureList(envelope.signatures); !signatures.ok()) {
    return signatures;
  }
  Result<Event> event = ParseEvent(envelope.payload);
  if (!event.ok()) return event.status();
  if (size > kMaxEnvelopeBytes) {
    return Status::TooLarge("too_large", "envelope: " + std::to_string(size) + " bytes, at most " +
                                             std::to_string(kMaxEnvelopeBytes) + " allowed");
  }
  Hash payload_hash = Sha256(envelope.payload);
  return Candidate{std::move(envelope), std::move(event).value(), payload_hash, {}};
}

}  // namespace

Result<Candidate> ParseCandidate(std::string_view envelope_json) {
  Result<Envelope> envelope = ParseEnvelope(envelope_json);
  if (!envelope.ok()) return envelope.status();
  return CheckCandidate(std::move(envelope).value(), envelope_json.size());
}

Result<Candidate> ParseCandidate(Envelope envelope) {
  size_t size = SerializedSize(envelope);
  return CheckCandidate(std::move(envelope), size);
}

void PreverifySignature(Candidate* candidate, size_t i, const PublicKey& key) {
  if (i >= candidate->envelope.signatures.size()) return;
  if (!VerifyEnvelopeSignature(candidate->envelope, i, key)) return;
  if (candidate->verified_keys.size() <= i) candidate->verified_keys.resize(i + 1);
  candidate->verified_keys[i] = key;
}

AgentRegistry::AgentRegistry(const PublicKey& log_key) {
  AgentState log;
  log.id = kLogAgentId;
  log.key = log_key;
  Restore(std::move(log));
}

const AgentState* AgentRegistry::Find(std::string_view agent) const {
  auto it = agents_.find(agent);
  return it == agents_.end() ? nullptr : &it->second;
}

const AgentState* AgentRegistry::FindByKeyId(std::string_view key_id) const {
  auto it = agent_by_key_id_.find(key_id);
  return it == agent_by_key_id_.end() ? nullptr : Find(it->second);
}

void AgentRegistry::Restore(AgentState state) {
  agent_by_key_id_[KeyId(state.key)] = state.id;
  for (const PublicKey& retired : state.retired_keys) retired_by_key_id_[KeyId(retired)] = state.id;
  std::string id = state.id;
  agents_[id] = std::move(state);
}

Status AgentRegistry::Authorize(const Candidate& candidate, uint64_t /*index*/,
                                Timestamp now) const {
  const Envelope& envelope = candidate.envelope;
  const Event& event = candidate.event;
  if (envelope.signatures.empty()) {
    return Status::Unauthenticated("unknown_key", "signatures: at least one is required");
  }
  const AgentState* agent = Find(event.agent);
  if (agent == nullptr) {
    return Status::Unauthenticated("unknown_key",
                                   "agent: no enrolled agent is named \"" + event.agent + "\"");
  }
  // Row 3 (401): every signer is known (the submitter's current key first, then the
  // co-signers'), and only then does any signature have to verify.
  std::vector<const AgentState*> signers;
  for (size_t i = 0; i < envelope.signatures.size(); ++i) {
    const std::string& key_id = envelope.signatures[i].keyid;
    const AgentState* signer = i == 0 ? agent : FindByKeyId(key_id);
    if (i == 0 && key_id != KeyId(agent->key)) {
      return Status::Unauthenticated(
          "unknown_key",
          SignatureField(0, "keyid") + ": not the current key of agent \"" + event.agent + "\"");
    }
    if (signer == nullptr) {
      return Status::Unauthenticated(
          "unknown_key", SignatureField(i, "keyid") + ": no enrolled agent has this key");
    }
    signers.push_back(signer);
  }
  for (size_t i = 0; i < signers.size(); ++i) {
    const AgentState* signer = signers[i];
    if (!SignatureHolds(candidate, i, signer->key)) {
      return Status::Unauthenticated("bad_signature", SignatureField(i, "sig") +
                                                          ": does not verify under the key of "
                                                          "agent \"" +
                                                          signer->id + "\"");
    }
  }
  // Row 4 (403): the submitter, then the co-signers.
  if (agent->revoked) {
    return Status::PermissionDenied("agent_revoked", "agent: \"" + agent->id + "\" is revoked");
  }
  if (Expired(*agent, now)) {
    return Status::PermissionDenied(
        "agent_expired",
        "agent: \"" + agent->id + "\" was valid until " + FormatTime(*agent->valid_until));
  }
  std::string type(EventTypeName(event.type));
  if (!agent->role.has_value()) {
    if (event.type != EventType::kAgentEnrolled || !genesis_open_) {
      return Status::PermissionDenied(
          "role_forbidden", "type: the log agent may sign only the genesis agent.enrolled events");
    }
  } else if (!RoleMaySign(*agent->role, event.type)) {
    return Status::PermissionDenied(
        "role_forbidden",
        "type: role " + std::string(RoleName(*agent->role)) + " may not sign " + type);
  }
  if (const std::string* subject = SubjectAgent(event); subject && *subject == kLogAgentId) {
    return Status::PermissionDenied("role_forbidden",
                                    type + ": the agent id \"log\" is reserved for the ledger");
  }
  if (const auto* enroll = std::get_if<AgentEnrolled>(&event.body)) {
    if (Status key = CheckEnrolledKey(enroll->agent, enroll->public_key); !key.ok()) return key;
  }
  std::optional<std::string> site = event.Site();
  if (site.has_value() && !agent->sites.empty() &&
      std::find(agent->sites.begin(), agent->sites.end(), *site) == agent->sites.end()) {
    return Status::PermissionDenied(
        "site_forbidden",
        "site: \"" + *site + "\" is outside the sites of agent \"" + agent->id + "\"");
  }
  for (size_t i = 1; i < signers.size(); ++i) {
    if (signers[i]->revoked) {
      return Status::PermissionDenied(
          "cosigner_revoked",
          SignatureField(i, "keyid") + ": agent \"" + signers[i]->id + "\" is revoked");
    }
    if (Expired(*signers[i], now)) {
      return Status::PermissionDenied("cosigner_expired", SignatureField(i, "keyid") +
                                                              ": agent \"" + signers[i]->id +
                                                              "\" is past its valid_until");
    }
  }
  // Row 5 (400): the agent's clock may not run ahead of the ledger's.
  if (SecondsBetween(now, event.time) > kMaxFutureSeconds) {
    return Status::InvalidArgument("time_in_future",
                                   "time: " + FormatTime(event.time) + " is more than " +
                                       std::to_string(kMaxFutureSeconds) +
                                       " s ahead of the ledger's clock " + FormatTime(now));
  }
  return Status::Ok();
}

Status AgentRegistry::CheckEnrolledKey(const std::string& agent, const PublicKey& key) const {
  const std::string key_id = KeyId(key);
  const AgentState* holder = FindByKeyId(key_id);
  if (holder != nullptr && holder->revoked) {
    return Status::PermissionDenied("key_retired",
                                    "enroll.public_key: the key of revoked agent \"" + holder->id +
                                        "\"; a revoked key never signs again (enrol a new key)");
  }
  if (auto retired = retired_by_key_id_.find(key_id); retired != retired_by_key_id_.end()) {
    return Status::PermissionDenied("key_retired", "enroll.public_key: a key agent \"" +
                                                       retired->second +
                                                       "\" held before; a retired key is never "
                                                       "enrolled again");
  }
  if (holder != nullptr && holder->id != agent) {
    return Status::PermissionDenied(
        "key_in_use", "enroll.public_key: already the key of agent \"" + holder->id + "\"");
  }
  return Status::Ok();
}

Status AgentRegistry::CheckSequence(const Candidate& candidate, uint64_t* expected_seq,
                                    Hash* expected_prev) const {
  const Event& event = candidate.event;
  const AgentState* agent = Find(event.agent);
  *expected_seq = agent == nullptr ? 1 : agent->last_seq + 1;
  *expected_prev = agent == nullptr ? Hash{} : agent->last_payload_hash;
  if (event.seq != *expected_seq) {
    return Status::Conflict("seq_conflict", "seq: expected " + std::to_string(*expected_seq) +
                                                ", got " + std::to_string(event.seq));
  }
  if (event.prev != *expected_prev) {
    return Status::Conflict("seq_conflict", "prev: expected " + ToHex(*expected_prev) +
                                                " (the agent's previous payload hash)");
  }
  return Status::Ok();
}

void AgentRegistry::Apply(const Candidate& candidate) {
  const Event& event = candidate.event;
  AgentState& agent = agents_[event.agent];
  agent.last_seq = event.seq;
  agent.last_payload_hash = candidate.payload_hash;
  if (event.agent != kLogAgentId) genesis_open_ = false;

  if (const auto* enroll = std::get_if<AgentEnrolled>(&event.body)) {
    AgentState& subject = agents_[enroll->agent];
    if (!subject.id.empty() && subject.key != enroll->public_key) {  // rotation
      agent_by_key_id_.erase(KeyId(subject.key));
      retired_by_key_id_[KeyId(subject.key)] = subject.id;
      subject.retired_keys.push_back(subject.key);
    }
    subject.id = enroll->agent;
    subject.role = enroll->role;
    subject.org = enroll->org;
    subject.sites = enroll->sites;
    subject.valid_until = enroll->valid_until;
    subject.key = enroll->public_key;
    // Authorize lets a revoked agent be enrolled again only with a fresh key, which reinstates it.
    subject.revoked = false;
    agent_by_key_id_[KeyId(subject.key)] = subject.id;
  } else if (const auto* revoke = std::get_if<AgentRevoked>(&event.body)) {
    auto it = agents_.find(revoke->agent);
    if (it != agents_.end()) it->second.revoked = true;
  }
}

std::string EncodeAgentState(const AgentState& state) {
  nlohmann::json json = {
      {"id", state.id},
      {"role", state.role ? nlohmann::json(RoleName(*state.role)) : nlohmann::json(nullptr)},
      {"org", state.org},
      {"sites", state.sites},
      {"key", Base64Encode(state.key)},
      {"retired_keys", nlohmann::json::array()},
      {"revoked", state.revoked},
      {"last_seq", state.last_seq},
      {"last_payload_hash", ToHex(state.last_payload_hash)}};
  for (const PublicKey& retired : state.retired_keys) {
    json["retired_keys"].push_back(Base64Encode(retired));
  }
  if (state.valid_until) json["valid_until"] = FormatTime(*state.valid_until);
  return json.dump();
}

Result<AgentState> DecodeAgentState(std::string_view bytes) {
  nlohmann::json json = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  auto corrupt = [](std::string_view why) {
    return Status::Corruption("agent state: " + std::string(why));
  };
  if (!json.is_object()) return corrupt("not a JSON object");
  try {
    AgentState state;
    state.id = json.at("id").get<std::string>();
    if (!json.at("role").is_null()) {
      state.role = RoleFromName(json.at("role").get<std::string>());
      if (!state.role) return corrupt("unknown role");
    }
    state.org = json.at("org").get<std::string>();
    state.sites = json.at("sites").get<std::vector<std::string>>();
    Result<PublicKey> key = PublicKeyFromBase64(json.at("key").get<std::string>(), "key");
    if (!key.ok()) return corrupt(key.status().message());
    state.key = *key;
    // Absent in states written before keys were retired.
    if (json.contains("retired_keys")) {
      for (const auto& text : json["retired_keys"]) {
        Result<PublicKey> retired = PublicKeyFromBase64(text.get<std::string>(), "retired_keys");
        if (!retired.ok()) return corrupt(retired.status().message());
        state.retired_keys.push_back(*retired);
      }
    }
    state.revoked = json.at("revoked").get<bool>();
    state.last_seq = json.at("last_seq").get<uint64_t>();
    Result<Hash> last = HashFromHex(json.at("last_payload_hash").get<std::string>(), "hash");
    if (!last.ok()) return corrupt(last.status().message());
    state.last_payload_hash = *last;
    if (json.contains("valid_until")) {
      Result<Timestamp> until = ParseTime(json["valid_until"].get<std::string>(), "valid_until");
      if (!until.ok()) return corrupt(until.status().message());
      state.valid_until = *until;
    }
    return state;
  } catch (const nlohmann::json::exception& e) {
    return corrupt(e.what());
  }
}

}  // namespace chipledger
