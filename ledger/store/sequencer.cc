// Opening a Sequencer and its read paths. Reads go to the driver (safe from any thread) and are
// bounded by the published size, so they never wait for a group commit.
#include "ledger/store/sequencer.h"

#include <pthread.h>

#include <algorithm>

namespace chipledger::store {

namespace {

Status NotFound(std::string what) { return Status::NotFound("not_found", std::move(what)); }

}  // namespace

Sequencer::Sequencer(std::shared_ptr<Driver> driver, const OpenOptions& options,
                     const SequencerOptions& sequencer, const StoredState& state,
                     std::optional<KeyPair> log_key)
    : driver_(std::move(driver)),
      options_(options),
      retry_interval_(sequencer.retry_interval),
      origin_(state.origin),
      verifier_{state.origin, state.log_public_key},
      log_key_(std::move(log_key)),
      registry_(state.log_public_key) {}

Sequencer::~Sequencer() {
  if (!committer_.joinable()) return;
  {
    std::lock_guard lock(queue_mu_);
    stopping_ = true;
  }
  queued_.notify_one();
  committer_.join();
}

Result<std::unique_ptr<Sequencer>> Sequencer::Open(std::shared_ptr<Driver> driver,
                                                   const OpenOptions& options,
                                                   std::optional<KeyPair> log_key,
                                                   const SequencerOptions& sequencer) {
  Result<StoredState> state = driver->Load();
  if (!state.ok()) return state.status();
  if (log_key && log_key->public_key != state->log_public_key) {
    return Status::Corruption("the log key does not match the ledger's log public key");
  }
  std::unique_ptr<Sequencer> ledger(
      new Sequencer(std::move(driver), options, sequencer, *state, std::move(log_key)));
  if (Status loaded = ledger->Load(); !loaded.ok()) return loaded;
  if (!sequencer.refused.ok()) ledger->Fail(sequencer.refused);
  if (!options.read_only) {
    Sequencer* committer = ledger.get();
    ledger->committer_ = std::thread([committer] {
      pthread_setname_np(pthread_self(), "ledger-commit");  // shows in top -H and perf
      committer->RunCommitter();
    });
  }
  return ledger;
}

// Restores the in-memory state from its persisted form, without replaying the log: at Open, and
// after a failed commit, whose group the driver does not hold, to forget what memory had admitted.
Status Sequencer::Load() {
  Result<StoredState> state = driver_->Load();
  if (!state.ok()) return state.status();
  uint64_t tree_size = state->size;
  last_time_ = state->clock;
  registry_ = AgentRegistry(verifier_.key);
  registry_.set_genesis_open(state->genesis_open);
  {
    std::unique_lock lock(known_keys_mu_);
    known_keys_.clear();
  }
  for (AgentState& agent : state->agents) registry_.Restore(std::move(agent));
  for (const auto& [id, agent] : registry_.agents()) RememberKey(agent.key);

  Result<TreeBuilder> tree = TreeBuilder::Resume(tree_size, Nodes());
  if (!tree.ok()) return tree.status();
  tree_ = std::move(tree).value();
  if (tree_size > 0) {
    Result<Hash> leaf = ReadNode(0, tree_size - 1);
    if (!leaf.ok()) return leaf.status();
    last_leaf_ = *leaf;
  }
  Result<std::string> note = driver_->CheckpointAt(tree_size);
  if (!note.ok()) return Status::Corruption("no checkpoint for the stored size");
  std::lock_guard lock(published_mu_);
  checkpoint_note_ = std::move(note).value();
  size_.store(tree_size, std::memory_order_release);
  return Status::Ok();
}

Result<Hash> Sequencer::ReadNode(int level, uint64_t index) const {
  if (std::optional<Hash> recent = recent_nodes_.Find(level, index)) return *recent;
  return driver_->Node(level, index);
}

NodeReader Sequencer::Nodes() const {
  return [this](int level, uint64_t index) { return ReadNode(level, index); };
}

// The receipt handed out when entry `index` was committed: proved against the checkpoint of its
// group, the first one signed at a size beyond it.
Result<Receipt> Sequencer::ReceiptFor(uint64_t index, const Hash& payload_hash) const {
  Result<StoredCheckpoint> checkpoint = driver_->CheckpointCovering(index);
  if (!checkpoint.ok()) return checkpoint.status();
  Result<std::string> bytes = driver_->Entry(index);
  if (!bytes.ok()) return bytes.status();
  Result<LogEntry> entry = ParseEntry(*bytes);
  if (!entry.ok()) return Status::Corruption("entry " + std::to_string(index) + ": unreadable");
  Result<std::vector<Hash>> proof = ::chipledger::InclusionProof(index, checkpoint->size, Nodes());
  if (!proof.ok()) return proof.status();
  return Receipt{index,
                 LeafHash(*bytes),
                 payload_hash,
                 FormatTime(entry->integrated_time),
                 std::move(checkpoint->note),
                 checkpoint->size,
                 std::move(proof).value()};
}

std::string Sequencer::CheckpointNote() const {
  std::lock_guard lock(published_mu_);
  return checkpoint_note_;
}

Result<std::string> Sequencer::CheckpointNoteAt(uint64_t tree_size) const {
  if (tree_size > size()) return NotFound("tree_size: beyond the current tree");
  Result<std::string> note = driver_->CheckpointAt(tree_size);
  if (!note.ok() && note.status().kind() == StatusKind::kNotFound) {
    return NotFound("tree_size: no checkpoint was signed at " + std::to_string(tree_size));
  }
  return note;
}

Result<std::string> Sequencer::EntryBytes(uint64_t index) const {
  if (index >= size()) return NotFound("index: " + std::to_string(index) + " is not in the log");
  return driver_->Entry(index);
}

Status Sequencer::ReadEntries(uint64_t begin, uint64_t end, const EntryVisitor& visit) const {
  const uint64_t published = size();  // the driver may hold more: a commit being written
  Status read = driver_->ScanEntries(begin, std::min(end, published), visit);
  if (read.ok() && end > published) {
    return NotFound("entry " + std::to_string(std::max(begin, published)) + ": not in the log");
  }
  return read;
}

Result<Hash> Sequencer::LeafHashAt(uint64_t index) const {
  if (index >= size()) return NotFound("index: " + std::to_string(index) + " is not in the log");
  return ReadNode(0, index);
}

Result<std::vector<Hash>> Sequencer::InclusionProof(uint64_t index, uint64_t tree_size) const {
  if (tree_size > size()) return NotFound("tree_size: beyond the current tree");
  if (index >= tree_size) {
    return Status::InvalidArgument("bad_index", "index: must be below tree_size");
  }
  return ::chipledger::InclusionProof(index, tree_size, Nodes());
}

Result<std::vector<Hash>> Sequencer::ConsistencyProof(uint64_t old_size, uint64_t new_size) const {
  if (new_size > size()) return NotFound("new: beyond the current tree");
  if (old_size == 0 || old_size > new_size) {
    return Status::InvalidArgument("bad_size", "old: must be between 1 and new");
  }
  return ::chipledger::ConsistencyProof(old_size, new_size, Nodes());
}

Result<std::string> Sequencer::Tile(const TileId& tile) const {
  uint32_t available = TileWidthAt(tile.entries ? 0 : tile.level, tile.index, size());
  if (tile.width == 0 || tile.width > available) {
    return NotFound("tile/" + TilePath(tile) + ": not in the current tree");
  }
  if (!tile.entries) return HashTile(tile, Nodes());
  std::vector<std::string> entries;
  const uint64_t first = tile.index * kTileWidth;
  Status read =
      driver_->ScanEntries(first, first + tile.width, [&entries](uint64_t, std::string_view bytes) {
        entries.emplace_back(bytes);
        return Status::Ok();
      });
  if (!read.ok()) return read;
  return EncodeEntryBundle(entries);
}

std::optional<uint64_t> Sequencer::LatestRecord(RecordKind kind, std::string_view id) const {
  Result<std::optional<uint64_t>> index = driver_->Record(kind, id);
  if (!index.ok() || !*index || **index >= size()) return std::nullopt;
  return **index;
}

std::optional<AgentState> Sequencer::Agent(std::string_view id) const {
  Result<std::optional<AgentState>> agent = driver_->Agent(id);
  if (!agent.ok()) return std::nullopt;
  return std::move(agent).value();
}

void Sequencer::SetAppendListener(AppendListener listener) {
  std::lock_guard lock(published_mu_);
  listener_ = std::move(listener);
}

Ledger::Stats Sequencer::stats() const {
  std::lock_guard lock(published_mu_);
  return stats_;
}

}  // namespace chipledger::store
