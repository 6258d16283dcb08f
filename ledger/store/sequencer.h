// The Ledger on any storage Driver. One committer thread takes the queued appends as a group,
// admits them against the in-memory registry and tree edge, commits them through the driver in
// one atomic, durable write, signs one checkpoint and publishes; readers go to the driver and the
// published size only.
//
// A group whose commit fails (a full disk, say) is refused as a whole; the committer then reloads
// its in-memory state from the driver, which holds nothing of the group, and refuses appends until
// a retry (at most one per retry_interval, on the next append) finds the driver writable again
// (sequencer_recovery.cc; rocks_reopen.cc for RocksDB).
#ifndef CHIPLEDGER_LEDGER_STORE_SEQUENCER_H_
#define CHIPLEDGER_LEDGER_STORE_SEQUENCER_H_

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "ledger/ledger.h"
#include "ledger/store/driver.h"
#include "ledger/store/recent_nodes.h"

namespace chipledger::store {

struct SequencerOptions {
  // After a failed commit, appends are refused for this long before the next one retries.
  std::chrono::milliseconds retry_interval{1000};
  // Set when the driver opened unable to write (a full disk): appends are refused with it until
  // a retry recovers the driver.
  Status refused;
};

class Sequencer final : public Ledger {
 public:
  // Loads the ledger `driver` holds; `log_key` is required unless options.read_only.
  static Result<std::unique_ptr<Sequencer>> Open(std::shared_ptr<Driver> driver,
                                                 const OpenOptions& options,
                                                 std::optional<KeyPair> log_key,
                                                 const SequencerOptions& sequencer = {});
  ~Sequencer() override;

  // Admits and commits `candidates` as one group (used for the genesis enrolments).
  std::vector<AppendResult> AppendGroup(std::vector<Candidate> candidates);

  AppendResult Append(std::string_view envelope_json) override;
  const std::string& origin() const override { return origin_; }
  NoteVerifier verifier() const override { return verifier_; }
  uint64_t size() const override { return size_.load(std::memory_order_acquire); }
  std::string CheckpointNote() const override;
  Result<std::string> CheckpointNoteAt(uint64_t tree_size) const override;
  Result<std::string> EntryBytes(uint64_t index) const override;
  Status ReadEntries(uint64_t begin, uint64_t end, const EntryVisitor& visit) const override;
  Result<Hash> LeafHashAt(uint64_t index) const override;
  Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t tree_size) const override;
  Result<std::vector<Hash>> ConsistencyProof(uint64_t old_size, uint64_t new_size) const override;
  Result<std::string> Tile(const TileId& tile) const override;
  Result<EventPage> QueryEvents(const EventQuery& query) const override;
  std::optional<uint64_t> LatestRecord(RecordKind kind, std::string_view id) const override;
  std::optional<AgentState> Agent(std::string_view id) const override;
  void SetAppendListener(AppendListener listener) override;
  Stats stats() const override;
  Status Backup(const std::string& dir) const override;
  Result<std::string> SignStatement(std::string_view payload_type,
                                    std::string payload) const override;

 private:
  // One queued Append, owned by its caller's stack frame.
  struct Writer {
    const Candidate* candidate = nullptr;
    AppendResult result;
    bool done = false;
    std::condition_variable cv;
    // Set by the committer.
    enum class Outcome { kRefused, kAppended, kDuplicate } outcome = Outcome::kRefused;
    uint64_t index = 0;
  };
  // What the committer accumulates for one group.
  struct Group {
    GroupWrite write;
    std::map<Hash, uint64_t> payloads;  // payload hash -> index, for duplicates in the group
    std::set<std::string> touched_agents;
    // New entries, in index order, with their events (owned by the writers' candidates).
    std::vector<AppendedEntry> entries;
  };

  Sequencer(std::shared_ptr<Driver> driver, const OpenOptions& options,
            const SequencerOptions& sequencer, const StoredState& state,
            std::optional<KeyPair> log_key);
  // (Re)loads the committer's state and the published checkpoint from the driver, as Open does.
  Status Load();

  AppendResult Enqueue(const Candidate& candidate);
  // Queues `writers` (as one group if they fit) and waits until the committer has answered them.
  void QueueAndWait(const std::vector<Writer*>& writers);
  // The committer thread: commits whatever is queued, group after group, until stopped.
  void RunCommitter();
  // Committer only.
  void CommitGroup(const std::vector<Writer*>& writers);
  // Whether appends may be written now; after a failure, retries Recover (rate-limited).
  bool Writable();
  // Asks the driver to become writable again and reloads.
  Status Recover();
  // Refuses appends with `why` until Recover succeeds; memory goes back to what is stored.
  void Fail(Status why);
  void PublishStorage(const Status& storage);
  void Admit(Writer* writer, Group* group);
  void Stage(const Candidate& candidate, LogEntry entry, std::string entry_bytes, Group* group);
  Status WriteGroup(Group* group);
  // After the group is durable, in the writer's own thread: the inclusion proof, or for a
  // duplicate the stored entry's receipt.
  void FinishReceipt(Writer* writer) const;
  // Checks the signatures whose keys the log has enrolled, before queueing (see KnownKey).
  void Preverify(Candidate* candidate) const;
  std::optional<PublicKey> KnownKey(std::string_view key_id) const;
  void RememberKey(const PublicKey& key);
  Timestamp AdmissionClock();
  void CountRefusals(uint64_t refusals);

  Result<Hash> ReadNode(int level, uint64_t index) const;
  NodeReader Nodes() const;
  Result<Receipt> ReceiptFor(uint64_t index, const Hash& payload_hash) const;
  Result<bool> Matches(const EventQuery& query, uint64_t index) const;

  const std::shared_ptr<Driver> driver_;
  const OpenOptions options_;
  const std::chrono::milliseconds retry_interval_;
  const std::string origin_;
  const NoteVerifier verifier_;
  const std::optional<KeyPair> log_key_;

  std::mutex queue_mu_;
  std::condition_variable queued_;  // writers_ became non-empty, or stopping_
  std::deque<Writer*> writers_;
  bool stopping_ = false;
  std::thread committer_;  // none when read-only

  // Committer-only state: the registry, the tree's right edge and the chain head.
  AgentRegistry registry_;
  TreeBuilder tree_;
  Hash last_leaf_{};
  Timestamp last_time_;
  Status failed_;  // why appends are refused until Recover succeeds
  std::chrono::steady_clock::time_point last_retry_;

  // Every key ever enrolled, by key id, so appenders can verify signatures in their own threads.
  // Only a hint: admission still checks that the key is the signer's current one.
  mutable std::shared_mutex known_keys_mu_;
  std::map<std::string, PublicKey, std::less<>> known_keys_;
  RecentNodes recent_nodes_;  // filled after each durable group commit

  // Published state.
  std::atomic<uint64_t> size_{0};
  mutable std::mutex published_mu_;
  std::string checkpoint_note_;
  AppendListener listener_;
  Stats stats_;
};

// The genesis enrolments of a new ledger: one agent.enrolled per authority, signed by `log`.
Result<std::vector<Candidate>> GenesisEvents(const CreateOptions& options, const KeyPair& log_key);
// Makes a new ledger in the empty store of `driver`: its metadata, the empty tree's checkpoint
// and the `genesis` group. Returns the note verifier key.
Result<std::string> CreateOn(std::shared_ptr<Driver> driver, const std::string& origin,
                             const KeyPair& log_key, std::vector<Candidate> genesis);

}  // namespace chipledger::store

#endif  // CHIPLEDGER_LEDGER_STORE_SEQUENCER_H_
