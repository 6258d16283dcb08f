// A Driver that keeps the ledger in memory, for tests: the conformance suite runs it beside
// RocksDB, and its faults reach the failure paths a real disk rarely takes (as LevelDB's tests
// substitute a faulty Env). The data lives in a MemoryStore the test keeps, so a ledger can be
// closed and opened again on the same store, like a data directory.
#ifndef CHIPLEDGER_LEDGER_STORE_MEMORY_DRIVER_H_
#define CHIPLEDGER_LEDGER_STORE_MEMORY_DRIVER_H_

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <utility>

#include "ledger/store/driver.h"

namespace chipledger::store {

// What a memory ledger holds, and the faults it is told to have. Thread-safe.
class MemoryStore {
 public:
  // The next commit fails with `why` and stores nothing. With `sync`, it fails as an fsync that
  // lost the write would: the driver then refuses every commit until it is recovered.
  void FailNextCommit(Status why, bool sync = false);
  // After `commits` more successful commits, every commit and every recovery fails with `why`
  // (a disk that is gone) until Heal.
  void FailCommitsAfter(uint64_t commits, Status why);
  void Heal();
  // Deletes stored entry `index`, as a damaged disk would: reads of it are kNotFound.
  void LoseEntry(uint64_t index);
  // Group commits stored so far.
  uint64_t commits() const;
  // The log key, kept beside the data as log.key is in a data directory.
  void SetLogKey(const KeyPair& key);
  std::optional<KeyPair> log_key() const;

 private:
  friend class MemoryDriver;
  struct Data {
    std::string origin;
    PublicKey log_public_key{};
    uint64_t size = 0;
    Timestamp clock;
    bool genesis_open = true;
    std::map<uint64_t, std::string> entries;
    std::map<std::pair<int, uint64_t>, Hash> nodes;
    std::map<Hash, uint64_t> payloads;
    std::map<std::string, AgentState, std::less<>> agents;
    std::map<std::pair<RecordKind, std::string>, uint64_t, std::less<>> records;
    std::map<std::pair<Term, std::string>, std::set<uint64_t>, std::less<>> postings;
    std::map<uint64_t, std::string> checkpoints;
  };
  // Whether the next commit may be stored; otherwise why not (committer only).
  Status Admit();

  mutable std::shared_mutex mu_;
  Data data_;
  std::optional<KeyPair> log_key_;
  uint64_t commits_ = 0;
  std::optional<Status> next_failure_;
  bool next_failure_breaks_ = false;
  std::optional<uint64_t> commits_left_;  // FailCommitsAfter's countdown
  Status gone_;                           // FailCommitsAfter's failure, once the count is out
  Status broken_;                         // a failed fsync: commits fail until recovered
};

class MemoryDriver final : public Driver {
 public:
  explicit MemoryDriver(std::shared_ptr<MemoryStore> store) : store_(std::move(store)) {}

  Status Initialize(const std::string& origin, const PublicKey& log_public_key,
                    const std::string& checkpoint) override;
  Result<StoredState> Load() const override;
  Status Commit(const GroupWrite& group) override;
  Status Recover() override;
  Result<std::string> Entry(uint64_t index) const override;
  Result<Hash> Node(int level, uint64_t index) const override;
  Result<std::optional<uint64_t>> PayloadIndex(const Hash& hash) const override;
  Result<std::string> CheckpointAt(uint64_t size) const override;
  Result<StoredCheckpoint> CheckpointCovering(uint64_t index) const override;
  Result<std::optional<uint64_t>> Record(RecordKind kind, std::string_view id) const override;
  Result<std::optional<AgentState>> Agent(std::string_view id) const override;
  Status ScanEntries(uint64_t begin, uint64_t end, const EntryVisit& visit) const override;
  // Copies the postings from `from` on before visiting them: linear per page, fine for tests,
  // not a model for a real backend.
  Status ScanTerm(Term term, std::string_view value, uint64_t from, bool backward,
                  const Visit& visit) const override;
  Status Backup(const std::string& dir) const override;

 private:
  const std::shared_ptr<MemoryStore> store_;
};

// A new ledger in the empty `store`, as Ledger::Create makes one in a directory; returns the
// note verifier key.
Result<std::string> CreateMemoryLedger(const std::shared_ptr<MemoryStore>& store,
                                       const CreateOptions& options);
// Ledger::Open for the ledger in `store`; a failed commit is retried after `retry_interval`.
Result<std::unique_ptr<Ledger>> OpenMemoryLedger(const std::shared_ptr<MemoryStore>& store,
                                                 const OpenOptions& options,
                                                 std::chrono::milliseconds retry_interval);

}  // namespace chipledger::store

#endif  // CHIPLEDGER_LEDGER_STORE_MEMORY_DRIVER_H_
