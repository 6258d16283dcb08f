// Admission (SPEC §4): what the ledger accepts, as a pure function of the agent registry at a
// position in the log. The ledger store runs it before appending; the auditor replays it (I7) to
// prove the ledger was not bypassed. It never judges facts, only authenticity and authority.
#ifndef CHIPLEDGER_LEDGER_ADMISSION_H_
#define CHIPLEDGER_LEDGER_ADMISSION_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/crypto.h"
#include "ledger/event.h"
#include "ledger/status.h"
#include "ledger/time.h"

namespace chipledger {

inline constexpr int64_t kMaxFutureSeconds = 300;
// Signatures in one envelope: the submitter's and at most seven co-signers'. More is refused (400)
// before any is verified, so that an envelope cannot buy a verification per signature.
inline constexpr size_t kMaxSignatures = 8;

// An envelope that passed the §4 parse checks (rows 1–2).
struct Candidate {
  Envelope envelope;
  Event event;
  Hash payload_hash{};
  // verified_keys[i], when set, is a key signatures[i] verified under (see PreverifySignature).
  // Lets an appender check signatures in its own thread; Authorize, which runs serially, then
  // only compares the signer's current key with it.
  std::vector<std::optional<PublicKey>> verified_keys;
};

// Rows 1–2: JSON DSSE envelope, payloadType, base64, at most kMaxSignatures signatures by distinct
// keys (so no agent co-signs its own event or signs twice), payload object, schema (400); size
// (413).
Result<Candidate> ParseCandidate(std::string_view envelope_json);
// The same checks for an envelope parsed already (as a log entry's is), sized as
// SerializeEnvelope would write it: an auditor reading a log need not serialize and parse each
// envelope a second time.
Result<Candidate> ParseCandidate(Envelope envelope);

// Verifies signatures[i] under `key` and, if it holds, records that in candidate->verified_keys.
// A failure records nothing: Authorize then verifies again and reports the refusal in §4 order.
void PreverifySignature(Candidate* candidate, size_t i, const PublicKey& key);

struct AgentState {
  std::string id;
  std::optional<Role> role;  // none for the built-in `log` agent
  std::string org;
  std::vector<std::string> sites;  // empty = any
  std::optional<Timestamp> valid_until;
  PublicKey key{};
  // Keys the agent held before `key` (rotated away, or replaced after a revocation): never
  // enrolled again, for any agent.
  std::vector<PublicKey> retired_keys;
  bool revoked = false;
  uint64_t last_seq = 0;
  Hash last_payload_hash{};  // zeros before the first event
};

// The agents as of a position in the log, and the rules that depend on them.
class AgentRegistry {
 public:
  // The built-in `log` agent holds the log key and may sign only `agent.enrolled` events that
  // form the genesis prefix of the log (every entry before them is also by `log`).
  explicit AgentRegistry(const PublicKey& log_key);

  // Rows 3–5 for an event that would become entry `index`, integrated at `now`:
  // 401 unknown signer (every key id is resolved before any signature is verified), then a
  // signature that does not verify; 403 revoked, expired, role or site, or an enrolment of a
  // retired key (a revoked agent's, or one rotated away); 400 time too far ahead.
  Status Authorize(const Candidate& candidate, uint64_t index, Timestamp now) const;
  // Row 7: Conflict ("seq_conflict") unless seq/prev continue the agent's chain; the expected
  // values are returned through the out-parameters.
  Status CheckSequence(const Candidate& candidate, uint64_t* expected_seq,
                       Hash* expected_prev) const;
  // Records an admitted event: the agent's head advances; enrolment, rotation and revocation
  // take effect from the next entry on. A rotation retires the replaced key.
  void Apply(const Candidate& candidate);

  const AgentState* Find(std::string_view agent) const;
  const std::map<std::string, AgentState, std::less<>>& agents() const { return agents_; }
  // Restores a persisted state (used by the store at open instead of replaying the log).
  void Restore(AgentState state);
  bool genesis_open() const { return genesis_open_; }
  void set_genesis_open(bool open) { genesis_open_ = open; }

 private:
  const AgentState* FindByKeyId(std::string_view key_id) const;
  // Why `key` may not be enrolled for `agent` (403), or Ok.
  Status CheckEnrolledKey(const std::string& agent, const PublicKey& key) const;

  std::map<std::string, AgentState, std::less<>> agents_;
  std::map<std::string, std::string, std::less<>> agent_by_key_id_;    // current keys only
  std::map<std::string, std::string, std::less<>> retired_by_key_id_;  // retired key -> holder
  bool genesis_open_ = true;  // no entry by another agent yet
};

// Persisted form of an AgentState (JSON), for the store.
std::string EncodeAgentState(const AgentState& state);
Result<AgentState> DecodeAgentState(std::string_view bytes);

}  // namespace chipledger

#endif  // CHIPLEDGER_LEDGER_ADMISSION_H_
