// The storage a ledger's sequencer (sequencer.h) needs, and nothing more: load the persisted state
// at open, commit one group atomically and durably, read back what was committed, back it up and
// become writable again after a failed commit. The sequencer owns every rule of the log (queueing,
// admission, the tree, checkpoints, receipts); a driver only keeps bytes, so a new backend
// implements this interface and passes tests/ledger/driver_conformance_test.cc.
//
// Drivers are used from many threads at once: one committer calls Commit and Recover, any thread
// reads. A read of a committed group sees all of it (readers are bounded by the published size,
// so they never ask for what a commit is still writing).
#ifndef CHIPLEDGER_LEDGER_STORE_DRIVER_H_
#define CHIPLEDGER_LEDGER_STORE_DRIVER_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ledger/admission.h"
#include "ledger/crypto.h"
#include "ledger/ledger.h"
#include "ledger/merkle.h"
#include "ledger/status.h"
#include "ledger/store/keys.h"

namespace chipledger::store {

// What the sequencer resumes from at open and after a failed commit: the metadata and the agent
// registry of the last durable group. The tree's right edge, the chain head and the latest
// checkpoint are read through Node and CheckpointAt.
struct StoredState {
  std::string origin;
  PublicKey log_public_key{};
  uint64_t size = 0;
  Timestamp clock;  // integrated time of the last entry
  bool genesis_open = false;
  std::vector<AgentState> agents;
};

// One group commit: everything it adds, written all at once or not at all.
struct GroupWrite {
  struct Entry {
    uint64_t index = 0;
    std::string bytes;  // SerializeEntry
    Hash payload_hash{};
    std::set<std::pair<Term, std::string>> terms;              // EventTerms
    std::optional<std::pair<RecordKind, std::string>> record;  // RegisteredRecord
  };
  std::vector<Entry> entries;            // in index order
  std::vector<TreeBuilder::Node> nodes;  // the new complete Merkle nodes
  std::vector<AgentState> agents;        // every agent the group changed, as it now stands
  uint64_t size = 0;                     // the tree size after the group
  Timestamp clock;                       // integrated time of its last entry
  bool genesis_open = false;
  std::string checkpoint;  // the signed note at `size`
};

// A checkpoint note and the tree size it was signed at.
struct StoredCheckpoint {
  uint64_t size = 0;
  std::string note;
};

// ScanEntries' answer for an entry the store should hold and does not.
inline Status EntryMissing(uint64_t index) {
  return Status::NotFound("not_found", "entry " + std::to_string(index) + ": not in the store");
}

class Driver {
 public:
  virtual ~Driver() = default;

  // Writes a new ledger's metadata and `checkpoint`, the signed note of the empty tree, into the
  // empty store.
  [[nodiscard]] virtual Status Initialize(const std::string& origin,
                                          const PublicKey& log_public_key,
                                          const std::string& checkpoint) = 0;
  [[nodiscard]] virtual Result<StoredState> Load() const = 0;
  // Durably writes the whole group, or nothing of it. A failure is kInsufficientStorage (full
  // disk) or kUnavailable; the driver may then refuse every commit until Recover succeeds.
  [[nodiscard]] virtual Status Commit(const GroupWrite& group) = 0;
  // After a failed commit: Ok once commits may be tried again (reopening the store if needed).
  [[nodiscard]] virtual Status Recover() = 0;

  // Reads of committed data; absent data is kNotFound unless the result is optional.
  [[nodiscard]] virtual Result<std::string> Entry(uint64_t index) const = 0;
  [[nodiscard]] virtual Result<Hash> Node(int level, uint64_t index) const = 0;
  [[nodiscard]] virtual Result<std::optional<uint64_t>> PayloadIndex(const Hash& hash) const = 0;
  [[nodiscard]] virtual Result<std::string> CheckpointAt(uint64_t size) const = 0;
  // The first checkpoint signed at a size above `index`: the one of the entry's own group.
  [[nodiscard]] virtual Result<StoredCheckpoint> CheckpointCovering(uint64_t index) const = 0;
  [[nodiscard]] virtual Result<std::optional<uint64_t>> Record(RecordKind kind,
                                                               std::string_view id) const = 0;
  [[nodiscard]] virtual Result<std::optional<AgentState>> Agent(std::string_view id) const = 0;

  // Calls `visit` with entries begin .. end-1 in index order, read as one range rather than a
  // lookup each (an audit or a catch-up reads the whole log so). An entry of the range the store
  // does not hold is kNotFound naming its index, after its predecessors were visited; `visit`'s
  // first error stops the scan and is returned.
  using EntryVisit = std::function<Status(uint64_t index, std::string_view bytes)>;
  [[nodiscard]] virtual Status ScanEntries(uint64_t begin, uint64_t end,
                                           const EntryVisit& visit) const = 0;

  // Calls `visit` with the indices of the entries indexed under (term, value): from `from` up,
  // or (backward) from `from` down. Stops when `visit` answers false or fails (its error is
  // returned). Indices beyond the published size may be visited; the caller skips them.
  using Visit = std::function<Result<bool>(uint64_t index)>;
  [[nodiscard]] virtual Status ScanTerm(Term term, std::string_view value, uint64_t from,
                                        bool backward, const Visit& visit) const = 0;

  // Writes a consistent copy of the store (whole groups only) under `dir`, which exists and is
  // empty; the ledger adds its log key.
  [[nodiscard]] virtual Status Backup(const std::string& dir) const = 0;
};

}  // namespace chipledger::store

#endif  // CHIPLEDGER_LEDGER_STORE_DRIVER_H_
