#include "ledger/store/memory_driver.h"

#include <vector>

namespace chipledger::store {

namespace {

Status KeyNotFound() { return Status::NotFound("not_found", "key not found"); }

}  // namespace

void MemoryStore::FailNextCommit(Status why, bool sync) {
  std::unique_lock lock(mu_);
  next_failure_ = std::move(why);
  next_failure_breaks_ = sync;
}

void MemoryStore::FailCommitsAfter(uint64_t commits, Status why) {
  std::unique_lock lock(mu_);
  commits_left_ = commits;
  gone_ = std::move(why);
}

void MemoryStore::Heal() {
  std::unique_lock lock(mu_);
  next_failure_.reset();
  commits_left_.reset();
  gone_ = Status::Ok();
}

void MemoryStore::LoseEntry(uint64_t index) {
  std::unique_lock lock(mu_);
  data_.entries.erase(index);
}

uint64_t MemoryStore::commits() const {
  std::shared_lock lock(mu_);
  return commits_;
}

void MemoryStore::SetLogKey(const KeyPair& key) {
  std::unique_lock lock(mu_);
  log_key_ = key;
}

std::optional<KeyPair> MemoryStore::log_key() const {
  std::shared_lock lock(mu_);
  return log_key_;
}

Status MemoryStore::Admit() {
  if (!broken_.ok()) return broken_;
  if (next_failure_) {
    Status why = std::move(*next_failure_);
    next_failure_.reset();
    if (next_failure_breaks_) broken_ = why;
    return why;
  }
  if (commits_left_ && *commits_left_ == 0) return gone_;
  if (commits_left_) --*commits_left_;
  return Status::Ok();
}

Status MemoryDriver::Initialize(const std::string& origin, const PublicKey& log_public_key,
                                const std::string& checkpoint) {
  std::unique_lock lock(store_->mu_);
  MemoryStore::Data& data = store_->data_;
  if (!data.checkpoints.empty()) return Status::Conflict("ledger_exists", "memory: holds a ledger");
  data.origin = origin;
  data.log_public_key = log_public_key;
  data.checkpoints.emplace(0, checkpoint);
  return Status::Ok();
}

Result<StoredState> MemoryDriver::Load() const {
  std::shared_lock lock(store_->mu_);
  const MemoryStore::Data& data = store_->data_;
  if (data.checkpoints.empty()) return Status::NotFound("no_ledger", "memory: holds no ledger");
  StoredState state{data.origin, data.log_public_key, data.size, data.clock, data.genesis_open, {}};
  for (const auto& [id, agent] : data.agents) state.agents.push_back(agent);
  return state;
}

Status MemoryDriver::Commit(const GroupWrite& group) {
  std::unique_lock lock(store_->mu_);
  if (Status admitted = store_->Admit(); !admitted.ok()) return admitted;
  MemoryStore::Data& data = store_->data_;
  for (const GroupWrite::Entry& entry : group.entries) {
    data.entries[entry.index] = entry.bytes;
    data.payloads[entry.payload_hash] = entry.index;
    for (const auto& term : entry.terms) data.postings[term].insert(entry.index);
    if (entry.record) data.records[*entry.record] = entry.index;
  }
  for (const TreeBuilder::Node& node : group.nodes) {
    data.nodes[{node.level, node.index}] = node.hash;
  }
  for (const AgentState& agent : group.agents) data.agents[agent.id] = agent;
  data.checkpoints[group.size] = group.checkpoint;
  data.size = group.size;
  data.clock = group.clock;
  data.genesis_open = group.genesis_open;
  ++store_->commits_;
  return Status::Ok();
}

Status MemoryDriver::Recover() {
  std::unique_lock lock(store_->mu_);
  if (store_->commits_left_ && *store_->commits_left_ == 0) return store_->gone_;
  store_->broken_ = Status::Ok();
  return Status::Ok();
}

Result<std::string> MemoryDriver::Entry(uint64_t index) const {
  std::shared_lock lock(store_->mu_);
  auto it = store_->data_.entries.find(index);
  if (it == store_->data_.entries.end()) return KeyNotFound();
  return it->second;
}

// Entry by entry, so that `visit` runs without the store's lock.
Status MemoryDriver::ScanEntries(uint64_t begin, uint64_t end, const EntryVisit& visit) const {
  for (uint64_t index = begin; index < end; ++index) {
    Result<std::string> entry = Entry(index);
    if (!entry.ok()) {
      return entry.status().kind() == StatusKind::kNotFound ? EntryMissing(index) : entry.status();
    }
    if (Status visited = visit(index, *entry); !visited.ok()) return visited;
  }
  return Status::Ok();
}

Result<Hash> MemoryDriver::Node(int level, uint64_t index) const {
  std::shared_lock lock(store_->mu_);
  auto it = store_->data_.nodes.find({level, index});
  if (it == store_->data_.nodes.end()) {
    return Status::Corruption("merkle node (" + std::to_string(level) + ", " +
                              std::to_string(index) + ") is missing");
  }
  return it->second;
}

Result<std::optional<uint64_t>> MemoryDriver::PayloadIndex(const Hash& hash) const {
  std::shared_lock lock(store_->mu_);
  auto it = store_->data_.payloads.find(hash);
  if (it == store_->data_.payloads.end()) return std::optional<uint64_t>();
  return std::optional<uint64_t>(it->second);
}

Result<std::string> MemoryDriver::CheckpointAt(uint64_t size) const {
  std::shared_lock lock(store_->mu_);
  auto it = store_->data_.checkpoints.find(size);
  if (it == store_->data_.checkpoints.end()) return KeyNotFound();
  return it->second;
}

Result<StoredCheckpoint> MemoryDriver::CheckpointCovering(uint64_t index) const {
  std::shared_lock lock(store_->mu_);
  auto it = store_->data_.checkpoints.upper_bound(index);
  if (it == store_->data_.checkpoints.end()) {
    return Status::Corruption("no checkpoint covers entry " + std::to_string(index));
  }
  return StoredCheckpoint{it->first, it->second};
}

Result<std::optional<uint64_t>> MemoryDriver::Record(RecordKind kind, std::string_view id) const {
  std::shared_lock lock(store_->mu_);
  auto it = store_->data_.records.find(std::pair{kind, std::string(id)});
  if (it == store_->data_.records.end()) return std::optional<uint64_t>();
  return std::optional<uint64_t>(it->second);
}

Result<std::optional<AgentState>> MemoryDriver::Agent(std::string_view id) const {
  std::shared_lock lock(store_->mu_);
  auto it = store_->data_.agents.find(id);
  if (it == store_->data_.agents.end()) return std::optional<AgentState>();
  return std::optional<AgentState>(it->second);
}

Status MemoryDriver::ScanTerm(Term term, std::string_view value, uint64_t from, bool backward,
                              const Visit& visit) const {
  // A copy of the postings, so that `visit` may read the driver without holding its lock.
  std::vector<uint64_t> indices;
  {
    std::shared_lock lock(store_->mu_);
    auto it = store_->data_.postings.find(std::pair{term, std::string(value)});
    if (it == store_->data_.postings.end()) return Status::Ok();
    const std::set<uint64_t>& postings = it->second;
    if (backward) {
      indices.assign(std::make_reverse_iterator(postings.upper_bound(from)), postings.rend());
    } else {
      indices.assign(postings.lower_bound(from), postings.end());
    }
  }
  for (uint64_t index : indices) {
    Result<bool> more = visit(index);
    if (!more.ok()) return more.status();
    if (!*more) break;
  }
  return Status::Ok();
}

Status MemoryDriver::Backup(const std::string& dir) const {
  return Status::Unavailable("backup to " + dir + ": the memory driver keeps no files");
}

}  // namespace chipledger::store
