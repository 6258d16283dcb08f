// The Ledger on RocksDB. One committer thread takes the queued appends as a group, admits them
// against the in-memory registry and tree edge, writes them in one synced WriteBatch, signs one
// checkpoint and publishes; readers go to RocksDB and the published size only.
//
// A group whose write fails (a full disk, say) is refused as a whole; the committer then reloads
// its in-memory state from RocksDB, which holds nothing of the group, and refuses appends until
// a retry (at most one per StoreOptions::retry_interval, on the next append) reopens RocksDB for
// writing (recovery.cc). A full disk at Open likewise opens read-only and reopens later.
#ifndef CHIPLEDGER_LEDGER_STORE_ROCKS_LEDGER_H_
#define CHIPLEDGER_LEDGER_STORE_ROCKS_LEDGER_H_

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <atomic>
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
#include "ledger/store/db_options.h"
#include "ledger/store/recent_nodes.h"

namespace chipledger::store {

// Metadata names (keys.h MetaKey).
inline constexpr std::string_view kMetaOrigin = "origin";
inline constexpr std::string_view kMetaLogPublicKey = "log_public_key";
inline constexpr std::string_view kMetaSize = "size";
inline constexpr std::string_view kMetaClock = "clock";  // integrated time of the last entry, ns
inline constexpr std::string_view kMetaGenesisOpen = "genesis_open";

class RocksLedger final : public Ledger {
 public:
  // Opens the database under `dir`; `log_key` is required unless options.read_only.
  static Result<std::unique_ptr<RocksLedger>> OpenDb(const std::string& dir,
                                                     const OpenOptions& options,
                                                     std::optional<KeyPair> log_key,
                                                     const StoreOptions& store = {});
  ~RocksLedger() override;

  // Admits and commits `candidates` as one group (used for the genesis enrolments).
  std::vector<AppendResult> AppendGroup(std::vector<Candidate> candidates);

  AppendResult Append(std::string_view envelope_json) override;
  const std::string& origin() const override { return origin_; }
  NoteVerifier verifier() const override { return verifier_; }
  uint64_t size() const override { return size_.load(std::memory_order_acquire); }
  std::string CheckpointNote() const override;
  Result<std::string> CheckpointNoteAt(uint64_t tree_size) const override;
  Result<std::string> EntryBytes(uint64_t index) const override;
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
    rocksdb::WriteBatch batch;
    std::map<Hash, uint64_t> payloads;  // payload hash -> index, for duplicates in the group
    std::set<std::string> touched_agents;
    // New entries, in index order, with their events (owned by the writers' candidates).
    std::vector<AppendedEntry> entries;
    std::vector<TreeBuilder::Node> nodes;  // new Merkle nodes, in append order
    std::string checkpoint;                // the signed note of the group's new size
  };

  RocksLedger(std::shared_ptr<rocksdb::DB> db, std::string dir, const OpenOptions& options,
              const StoreOptions& store, std::string origin, const PublicKey& log_public_key,
              std::optional<KeyPair> log_key);
  // The database: the committer may swap it (reopening for writing), so each use holds it.
  std::shared_ptr<rocksdb::DB> Db() const { return db_.load(std::memory_order_acquire); }
  // (Re)loads the committer's state and the published checkpoint from RocksDB, as Open does.
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
  // Reopens RocksDB for writing (serving reads from a read-only instance meanwhile) and reloads.
  Status Recover();
  // Refuses appends with `why` until Recover succeeds; memory goes back to what is on disk.
  void Fail(Status why);
  void PublishStorage(const Status& storage);
  void Admit(Writer* writer, Group* group);
  void Stage(const Candidate& candidate, LogEntry entry, const std::string& entry_bytes,
             Group* group);
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
  Result<std::string> Get(const std::string& key) const;
  Result<bool> PayloadIndex(const Hash& payload_hash, uint64_t* index) const;
  Result<Receipt> ReceiptFor(uint64_t index, const Hash& payload_hash) const;
  Result<bool> Matches(const EventQuery& query, uint64_t index) const;

  std::atomic<std::shared_ptr<rocksdb::DB>> db_;
  const std::string dir_;
  const OpenOptions options_;
  const StoreOptions store_;
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
  Status failed_;        // why appends are refused until Recover succeeds
  bool reopen_ = false;  // db_ is a read-only instance: Recover opens it for writing
  bool broken_ = false;  // a RocksDB write failed: Recover must reopen
  std::shared_ptr<rocksdb::DB> retired_;  // the failed writable instance, until no reader has it
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

// Ledger::Open with the store's own options; tests inject faults through them.
Result<std::unique_ptr<Ledger>> OpenLedger(const std::string& dir, const OpenOptions& options,
                                           const StoreOptions& store);

}  // namespace chipledger::store

#endif  // CHIPLEDGER_LEDGER_STORE_ROCKS_LEDGER_H_
