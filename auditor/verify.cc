// I1–I8 over a streamed log; see verify.h for what each check proves.
#include "auditor/verify.h"

#include <mutex>
#include <utility>
#include <variant>

namespace chipledger::audit {

namespace {

// "shipment.dispatched by \"exp-1\" (seq 4)": names an event for people reading an error.
std::string Describe(const Event& event) {
  return std::string(EventTypeName(event.type)) + " by \"" + event.agent + "\" (seq " +
         std::to_string(event.seq) + ")";
}

}  // namespace

Verifier::Verifier(NoteVerifier log_key, std::optional<Checkpoint> previous,
                   WitnessPolicy witnesses, size_t max_errors)
    : log_key_(std::move(log_key)),
      previous_(std::move(previous)),
      witnesses_(std::move(witnesses)),
      max_errors_(max_errors),
      agents_(log_key_.key) {}

void Verifier::Fail(std::string_view check, std::optional<uint64_t> index, std::string message) {
  ++error_count_;
  if (errors_.size() < max_errors_) {
    errors_.push_back({std::string(check), index, std::move(message)});
  }
}

std::optional<Checkpoint> Verifier::Begin(std::string_view checkpoint_note) {
  Result<Checkpoint> checkpoint = VerifyCheckpoint(checkpoint_note, log_key_);
  if (!checkpoint.ok()) {
    Fail("I1", std::nullopt, "checkpoint: " + checkpoint.status().message());
    return std::nullopt;
  }
  checkpoint_ = *checkpoint;
  CheckWitnesses(checkpoint_note);
  if (previous_) {
    if (previous_->origin != checkpoint_->origin) {
      Fail("I6", std::nullopt,
           "the checkpoint verified before is of origin \"" + previous_->origin +
               "\", the current one of \"" + checkpoint_->origin + "\"");
    } else if (previous_->size > checkpoint_->size) {
      Fail("I6", std::nullopt,
           "rollback: a checkpoint of size " + std::to_string(previous_->size) +
               " was verified before; the current one has size " +
               std::to_string(checkpoint_->size));
    } else if (previous_->size == 0) {
      CheckPrevious();
    }
  }
  return checkpoint_;
}

void Verifier::CheckWitnesses(std::string_view checkpoint_note) {
  if (witnesses_.empty()) return;
  Result<std::vector<Cosignature>> valid =
      VerifyCosignatures(checkpoint_note, witnesses_.witnesses);
  if (!valid.ok()) {
    Fail("I8", std::nullopt, "checkpoint: " + valid.status().message());
    return;
  }
  cosignatures_ = *std::move(valid);
  if (Status quorum = CheckWitnessQuorum(checkpoint_note, witnesses_); !quorum.ok()) {
    Fail("I8", std::nullopt, quorum.message());
  }
}

std::vector<SkippedCheck> Verifier::not_run() const {
  std::vector<SkippedCheck> skipped;
  if (!checkpoint_) {
    for (const char* check : {"I2", "I3", "I4", "I5", "I6", "I7", "I8"}) {
      skipped.push_back({check, "the checkpoint did not verify (I1)"});
    }
    return skipped;
  }
  if (!previous_) skipped.push_back({"I6", "no checkpoint from an earlier audit (--state)"});
  if (witnesses_.empty()) skipped.push_back({"I8", "no witnesses named (--witness)"});
  return skipped;
}

void Verifier::CheckPrevious() {
  Hash root = tree_.Root();
  if (root != previous_->root) {
    Fail("I6", std::nullopt,
         "fork: the checkpoint verified before says the first " + std::to_string(previous_->size) +
             " entries have root " + ToHex(previous_->root) + "; they hash to " + ToHex(root));
  }
}

void SignerKeys::Remember(const PublicKey& key) {
  std::string key_id = KeyId(key);
  {
    std::shared_lock lock(mu_);
    if (keys_.contains(key_id)) return;
  }
  std::unique_lock lock(mu_);
  keys_.emplace(std::move(key_id), key);
}

std::optional<PublicKey> SignerKeys::Find(std::string_view key_id) const {
  std::shared_lock lock(mu_);
  auto it = keys_.find(key_id);
  if (it == keys_.end()) return std::nullopt;
  return it->second;
}

PreparedEntry Verifier::Prepare(std::string_view entry_bytes) {
  PreparedEntry prepared;
  prepared.size = entry_bytes.size();
  prepared.leaf = LeafHash(entry_bytes);
  Result<LogEntry> entry = ParseEntry(entry_bytes);
  if (!entry.ok()) {
    prepared.parsed = entry.status();
    return prepared;
  }
  // The entry's envelope parsed already: checked as the ledger would check it, not parsed again,
  // and moved into the candidate rather than copied (Add hands it back to the entry).
  Result<Candidate> candidate = ParseCandidate(std::move(entry->envelope));
  prepared.entry = std::move(entry).value();
  if (!candidate.ok()) {
    prepared.admissible_form = candidate.status();
    return prepared;
  }
  prepared.candidate = std::move(candidate).value();
  return prepared;
}

// Only when every key id is known: Authorize refuses an unknown signer (401) before it verifies
// any signature, so verifying the others would be wasted work.
void Verifier::VerifyAhead(PreparedEntry* prepared, SignerKeys* keys) {
  if (!prepared->candidate) return;
  Candidate* candidate = &*prepared->candidate;
  if (const auto* enroll = std::get_if<AgentEnrolled>(&candidate->event.body)) {
    keys->Remember(enroll->public_key);
  }
  std::vector<PublicKey> signers;
  for (const EnvelopeSignature& signature : candidate->envelope.signatures) {
    std::optional<PublicKey> key = keys->Find(signature.keyid);
    if (!key) return;
    signers.push_back(*key);
  }
  for (size_t i = 0; i < signers.size(); ++i) PreverifySignature(candidate, i, signers[i]);
}

void Verifier::RememberKeys(SignerKeys* keys) const {
  for (const auto& [id, agent] : agents_.agents()) keys->Remember(agent.key);
}

std::optional<VerifiedEntry> Verifier::Add(PreparedEntry prepared) {
  uint64_t index = tree_.size();
  new_nodes_.clear();  // only the root matters here; the buffer is reused across entries
  tree_.Append(prepared.leaf, &new_nodes_);
  if (previous_ && checkpoint_ && previous_->origin == checkpoint_->origin &&
      tree_.size() == previous_->size) {
    CheckPrevious();
  }
  Hash expected_prev = std::exchange(last_leaf_, prepared.leaf);

  if (prepared.size > kMaxEntryBytes) {
    Fail("I3", index,
         "entry: " + std::to_string(prepared.size) + " bytes, at most " +
             std::to_string(kMaxEntryBytes) + " allowed");
  }
  if (!prepared.entry) {
    Fail("I3", index, "entry does not parse: " + prepared.parsed.message());
    return std::nullopt;
  }
  LogEntry& entry = *prepared.entry;
  if (entry.index != index) {
    Fail("I3", index,
         "entry says index " + std::to_string(entry.index) + " at position " +
             std::to_string(index));
  }
  if (entry.prev != expected_prev) {
    Fail("I3", index,
         "prev is " + ToHex(entry.prev) + ", the previous leaf hash is " + ToHex(expected_prev));
  }
  if (last_integrated_ && entry.integrated_time < *last_integrated_) {
    Fail("I3", index,
         "integrated_time " + FormatTime(entry.integrated_time) +
             " is earlier than the previous entry's " + FormatTime(*last_integrated_));
  }
  last_integrated_ = entry.integrated_time;

  if (!prepared.candidate) {
    Fail("I7", index,
         "the ledger should have refused this envelope: " + prepared.admissible_form.message());
    return std::nullopt;
  }
  CheckAdmission(index, entry, *prepared.candidate);
  entry.envelope = std::move(prepared.candidate->envelope);
  return VerifiedEntry{std::move(entry), std::move(prepared.candidate->event),
                       std::move(prepared.note)};
}

// Replays §4 rows 3–7 against the agents as of this position. Enrolments and revocations take
// effect only from admissible entries, as in the ledger; an agent's chain head always advances,
// so that one break in its chain is reported once rather than at every later event.
void Verifier::CheckAdmission(uint64_t index, const LogEntry& entry, const Candidate& candidate) {
  const Event& event = candidate.event;
  bool admissible = true;
  Status authorized = agents_.Authorize(candidate, index, entry.integrated_time);
  if (!authorized.ok()) {
    bool signature = authorized.kind() == StatusKind::kUnauthenticated;
    Fail(signature ? "I4" : "I7", index,
         Describe(event) + (signature ? ": " : ", refused by §4 admission: ") +
             authorized.message());
    admissible = false;
  }
  const AgentState* agent = agents_.Find(event.agent);
  if (agent != nullptr && agent->last_seq > 0 &&
      candidate.payload_hash == agent->last_payload_hash) {
    Fail("I7", index,
         Describe(event) + ": duplicate of the agent's previous payload " +
             ToHex(candidate.payload_hash));
    return;
  }
  uint64_t expected_seq = 0;
  Hash expected_prev{};
  Status sequence = agents_.CheckSequence(candidate, &expected_seq, &expected_prev);
  if (!sequence.ok()) {
    Fail("I5", index, Describe(event) + ": " + sequence.message());
    admissible = false;
  }
  if (admissible) {
    agents_.Apply(candidate);
  } else if (agent != nullptr) {
    AgentState head = *agent;
    head.last_seq = event.seq;
    head.last_payload_hash = candidate.payload_hash;
    agents_.Restore(std::move(head));
    if (event.agent != kLogAgentId) agents_.set_genesis_open(false);
  }
}

void Verifier::SourceMismatch(uint64_t index, std::string message) {
  Fail("I2", index, "the log served does not match the checkpoint: " + std::move(message));
}

void Verifier::Finish() {
  if (!checkpoint_) return;
  if (tree_.size() != checkpoint_->size) {
    Fail("I2", std::nullopt,
         "the checkpoint has size " + std::to_string(checkpoint_->size) + "; " +
             std::to_string(tree_.size()) + " entries were read");
  } else if (Hash root = tree_.Root(); root != checkpoint_->root) {
    Fail("I2", std::nullopt,
         "the checkpoint's root is " + ToHex(checkpoint_->root) + "; the entries hash to " +
             ToHex(root));
  }
}

nlohmann::json IntegrityErrorToJson(const IntegrityError& error) {
  return {{"check", error.check},
          {"index", error.index ? nlohmann::json(*error.index) : nlohmann::json(nullptr)},
          {"message", error.message}};
}

}  // namespace chipledger::audit
