// Opening the RocksDB ledger and its read paths. Reads go to RocksDB (safe from any thread) and
// are bounded by the published size, so they never wait for a group commit.
#include "ledger/store/rocks_ledger.h"

#include <pthread.h>

#include <filesystem>

#include "ledger/store/db_options.h"
#include "ledger/store/event_terms.h"
#include "ledger/store/keys.h"
#include "ledger/store/storage_status.h"

namespace chipledger::store {

namespace {

Status FromRocks(const rocksdb::Status& status, std::string_view what) {
  return Status::IOError(std::string(what) + ": " + status.ToString());
}

Status NotFound(std::string what) { return Status::NotFound("not_found", std::move(what)); }

Result<uint64_t> DecodeIndexValue(const std::string& value, std::string_view what) {
  std::optional<uint64_t> index = DecodeU64(value);
  if (!index || value.size() != 8) return Status::Corruption(std::string(what) + ": bad value");
  return *index;
}

}  // namespace

RocksLedger::RocksLedger(std::shared_ptr<rocksdb::DB> db, std::string dir,
                         const OpenOptions& options, const StoreOptions& store, std::string origin,
                         const PublicKey& log_public_key, std::optional<KeyPair> log_key)
    : db_(std::move(db)),
      dir_(std::move(dir)),
      options_(options),
      store_(store),
      origin_(origin),
      verifier_{std::move(origin), log_public_key},
      log_key_(std::move(log_key)),
      registry_(log_public_key) {}

RocksLedger::~RocksLedger() {
  if (!committer_.joinable()) return;
  {
    std::lock_guard lock(queue_mu_);
    stopping_ = true;
  }
  queued_.notify_one();
  committer_.join();
}

Result<std::unique_ptr<RocksLedger>> RocksLedger::OpenDb(const std::string& dir,
                                                         const OpenOptions& options,
                                                         std::optional<KeyPair> log_key,
                                                         const StoreOptions& store) {
  std::string path = dir + "/db";
  std::error_code error;
  if (!std::filesystem::is_directory(path, error)) {
    return Status::NotFound("no_ledger", dir + ": holds no ledger (no db directory)");
  }
  std::shared_ptr<rocksdb::DB> db;
  // Opening for writing writes a new MANIFEST and WAL (and flushes the old WAL); reading needs
  // none of that.
  Status full = options.read_only
                    ? Status::Ok()
                    : EnsureRoomToOpen(store.env ? store.env : rocksdb::Env::Default(), dir);
  rocksdb::Status status;
  if (full.ok()) {
    status = OpenDatabase(path, options.read_only, store, &db);
    if (IsDiskFull(status)) full = WriteFailure(status, dir, "opening " + path + " for writing");
  }
  if (!full.ok()) {
    if (!options.serve_reads_when_full) return full;
    status = OpenDatabase(path, /*read_only=*/true, store, &db);
  }
  if (!status.ok()) return FromRocks(status, "opening " + path);

  std::string origin, key_bytes;
  rocksdb::ReadOptions read;
  if (!db->Get(read, MetaKey(kMetaOrigin), &origin).ok() ||
      !db->Get(read, MetaKey(kMetaLogPublicKey), &key_bytes).ok() || key_bytes.size() != 32) {
    return Status::Corruption(path + ": missing origin or log public key");
  }
  PublicKey public_key;
  std::copy(key_bytes.begin(), key_bytes.end(), public_key.begin());
  if (log_key && log_key->public_key != public_key) {
    return Status::Corruption(dir + "/log.key: does not match the ledger's log public key");
  }
  std::unique_ptr<RocksLedger> ledger(new RocksLedger(
      std::move(db), dir, options, store, std::move(origin), public_key, std::move(log_key)));
  if (Status loaded = ledger->Load(); !loaded.ok()) return loaded;
  if (!full.ok()) {
    ledger->reopen_ = true;
    ledger->Fail(full);
  }
  if (!options.read_only) {
    RocksLedger* committer = ledger.get();
    ledger->committer_ = std::thread([committer] {
      pthread_setname_np(pthread_self(), "ledger-commit");  // shows in top -H and perf
      committer->RunCommitter();
    });
  }
  return ledger;
}

// Restores the in-memory state from its persisted form, without replaying the log: at Open, and
// after a failed write, whose group RocksDB does not hold, to forget what memory had admitted.
Status RocksLedger::Load() {
  Result<std::string> size = Get(MetaKey(kMetaSize));
  Result<std::string> clock = Get(MetaKey(kMetaClock));
  Result<std::string> genesis = Get(MetaKey(kMetaGenesisOpen));
  if (!size.ok() || !clock.ok() || !genesis.ok() || !DecodeU64(*size) || !DecodeU64(*clock)) {
    return Status::Corruption("ledger metadata: missing size, clock or genesis flag");
  }
  uint64_t tree_size = *DecodeU64(*size);
  last_time_ = Timestamp{static_cast<int64_t>(*DecodeU64(*clock))};
  registry_ = AgentRegistry(verifier_.key);
  registry_.set_genesis_open(*genesis == "1");
  {
    std::unique_lock lock(known_keys_mu_);
    known_keys_.clear();
  }

  std::shared_ptr<rocksdb::DB> db = Db();
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(std::string(1, kAgentPrefix)); it->Valid() && it->key()[0] == kAgentPrefix;
       it->Next()) {
    Result<AgentState> agent = DecodeAgentState(it->value().ToStringView());
    if (!agent.ok()) return agent.status();
    registry_.Restore(std::move(agent).value());
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading agents");
  for (const auto& [id, agent] : registry_.agents()) RememberKey(agent.key);

  Result<TreeBuilder> tree = TreeBuilder::Resume(tree_size, Nodes());
  if (!tree.ok()) return tree.status();
  tree_ = std::move(tree).value();
  if (tree_size > 0) {
    Result<Hash> leaf = ReadNode(0, tree_size - 1);
    if (!leaf.ok()) return leaf.status();
    last_leaf_ = *leaf;
  }
  Result<std::string> note = Get(CheckpointKey(tree_size));
  if (!note.ok()) return Status::Corruption("no checkpoint for the stored size");
  std::lock_guard lock(published_mu_);
  checkpoint_note_ = std::move(note).value();
  size_.store(tree_size, std::memory_order_release);
  return Status::Ok();
}

Result<std::string> RocksLedger::Get(const std::string& key) const {
  std::string value;
  rocksdb::Status status = Db()->Get(rocksdb::ReadOptions(), key, &value);
  if (status.IsNotFound()) return NotFound("key not found");
  if (!status.ok()) return FromRocks(status, "reading the ledger");
  return value;
}

Result<Hash> RocksLedger::ReadNode(int level, uint64_t index) const {
  if (std::optional<Hash> recent = recent_nodes_.Find(level, index)) return *recent;
  Result<std::string> value = Get(NodeKey(level, index));
  if (!value.ok() || value->size() != 32) {
    return Status::Corruption("merkle node (" + std::to_string(level) + ", " +
                              std::to_string(index) + ") is missing");
  }
  Hash hash;
  std::copy(value->begin(), value->end(), hash.begin());
  return hash;
}

NodeReader RocksLedger::Nodes() const {
  return [this](int level, uint64_t index) { return ReadNode(level, index); };
}

Result<bool> RocksLedger::PayloadIndex(const Hash& payload_hash, uint64_t* index) const {
  Result<std::string> value = Get(PayloadKey(payload_hash));
  if (!value.ok()) {
    if (value.status().kind() == StatusKind::kNotFound) return false;
    return value.status();
  }
  Result<uint64_t> decoded = DecodeIndexValue(*value, "payload index");
  if (!decoded.ok()) return decoded.status();
  *index = *decoded;
  return true;
}

// The receipt handed out when entry `index` was committed: proved against the checkpoint of its
// group, the first one signed at a size beyond it.
Result<Receipt> RocksLedger::ReceiptFor(uint64_t index, const Hash& payload_hash) const {
  std::shared_ptr<rocksdb::DB> db = Db();
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  it->Seek(CheckpointKey(index + 1));
  if (!it->Valid() || it->key()[0] != kCheckpointPrefix) {
    return Status::Corruption("no checkpoint covers entry " + std::to_string(index));
  }
  uint64_t tree_size = *DecodeU64(it->key().ToStringView());
  std::string note = it->value().ToString();
  Result<std::string> bytes = Get(EntryKey(index));
  if (!bytes.ok()) return bytes.status();
  Result<LogEntry> entry = ParseEntry(*bytes);
  if (!entry.ok()) return Status::Corruption("entry " + std::to_string(index) + ": unreadable");
  Result<std::vector<Hash>> proof = ::chipledger::InclusionProof(index, tree_size, Nodes());
  if (!proof.ok()) return proof.status();
  return Receipt{index,
                 LeafHash(*bytes),
                 payload_hash,
                 FormatTime(entry->integrated_time),
                 std::move(note),
                 tree_size,
                 std::move(proof).value()};
}

std::string RocksLedger::CheckpointNote() const {
  std::lock_guard lock(published_mu_);
  return checkpoint_note_;
}

Result<std::string> RocksLedger::CheckpointNoteAt(uint64_t tree_size) const {
  if (tree_size > size()) return NotFound("tree_size: beyond the current tree");
  Result<std::string> note = Get(CheckpointKey(tree_size));
  if (!note.ok() && note.status().kind() == StatusKind::kNotFound) {
    return NotFound("tree_size: no checkpoint was signed at " + std::to_string(tree_size));
  }
  return note;
}

Result<std::string> RocksLedger::EntryBytes(uint64_t index) const {
  if (index >= size()) return NotFound("index: " + std::to_string(index) + " is not in the log");
  return Get(EntryKey(index));
}

Result<Hash> RocksLedger::LeafHashAt(uint64_t index) const {
  if (index >= size()) return NotFound("index: " + std::to_string(index) + " is not in the log");
  return ReadNode(0, index);
}

Result<std::vector<Hash>> RocksLedger::InclusionProof(uint64_t index, uint64_t tree_size) const {
  if (tree_size > size()) return NotFound("tree_size: beyond the current tree");
  if (index >= tree_size) {
    return Status::InvalidArgument("bad_index", "index: must be below tree_size");
  }
  return ::chipledger::InclusionProof(index, tree_size, Nodes());
}

Result<std::vector<Hash>> RocksLedger::ConsistencyProof(uint64_t old_size,
                                                        uint64_t new_size) const {
  if (new_size > size()) return NotFound("new: beyond the current tree");
  if (old_size == 0 || old_size > new_size) {
    return Status::InvalidArgument("bad_size", "old: must be between 1 and new");
  }
  return ::chipledger::ConsistencyProof(old_size, new_size, Nodes());
}

Result<std::string> RocksLedger::Tile(const TileId& tile) const {
  uint32_t available = TileWidthAt(tile.entries ? 0 : tile.level, tile.index, size());
  if (tile.width == 0 || tile.width > available) {
    return NotFound("tile/" + TilePath(tile) + ": not in the current tree");
  }
  if (!tile.entries) return HashTile(tile, Nodes());
  std::vector<std::string> entries;
  for (uint64_t i = 0; i < tile.width; ++i) {
    Result<std::string> entry = Get(EntryKey(tile.index * kTileWidth + i));
    if (!entry.ok()) return entry.status();
    entries.push_back(std::move(entry).value());
  }
  return EncodeEntryBundle(entries);
}

Result<bool> RocksLedger::Matches(const EventQuery& query, uint64_t index) const {
  Result<std::string> bytes = Get(EntryKey(index));
  if (!bytes.ok()) return bytes.status();
  Result<LogEntry> entry = ParseEntry(*bytes);
  if (!entry.ok()) return Status::Corruption("entry " + std::to_string(index) + ": unreadable");
  if (query.since && entry->integrated_time < *query.since) return false;
  if (query.until && entry->integrated_time > *query.until) return false;
  Result<Event> event = ParseEvent(entry->envelope.payload);
  if (!event.ok()) return Status::Corruption("entry " + std::to_string(index) + ": bad payload");
  auto terms = EventTerms(*event);
  auto named = [&](Term term, const std::optional<std::string>& value) {
    return !value || terms.count({term, *value}) > 0;
  };
  std::optional<std::string> type;
  if (query.type) type = std::string(EventTypeName(*query.type));
  return named(Term::kType, type) && named(Term::kSite, query.site) &&
         named(Term::kSerial, query.serial) && named(Term::kParty, query.party) &&
         named(Term::kAgent, query.agent);
}

namespace {

// The most selective index a query names, or none (walk the log itself), and whether any other
// filter is left to check per entry: a query on one index alone reads no entry.
struct Walk {
  std::optional<std::pair<Term, std::string>> term;
  bool residual = false;
};

Walk ChooseWalk(const EventQuery& query) {
  std::optional<std::string> type;
  if (query.type) type = std::string(EventTypeName(*query.type));
  std::pair<Term, const std::optional<std::string>*> filters[] = {{Term::kSerial, &query.serial},
                                                                  {Term::kSite, &query.site},
                                                                  {Term::kParty, &query.party},
                                                                  {Term::kAgent, &query.agent},
                                                                  {Term::kType, &type}};
  Walk walk;
  walk.residual = query.since || query.until;
  for (const auto& [term, value] : filters) {
    if (!*value) continue;
    if (walk.term) {
      walk.residual = true;
    } else {
      walk.term = {term, **value};
    }
  }
  if (!walk.term) walk.residual = true;
  return walk;
}

}  // namespace

Result<EventPage> RocksLedger::QueryEvents(const EventQuery& query) const {
  uint64_t end = size();
  Walk walk = ChooseWalk(query);
  EventPage page;
  // Takes `index` if it matches; false when the page is full (`next` resumes after `index`).
  auto consider = [&](uint64_t index) -> Result<bool> {
    if (walk.residual) {
      Result<bool> match = Matches(query, index);
      if (!match.ok()) return match.status();
      if (!*match) return true;
    }
    page.indices.push_back(index);
    if (page.indices.size() < query.limit) return true;
    uint64_t next = query.newest_first ? index : index + 1;
    if (next > 0) page.next_cursor = next;
    return false;
  };
  if (query.limit == 0) return page;
  // Newest first: indices below `bound`.
  uint64_t bound = query.cursor == 0 ? end : std::min(query.cursor, end);
  if (!walk.term) {
    uint64_t count = query.newest_first ? bound : end - std::min(query.cursor, end);
    for (uint64_t k = 0; k < count; ++k) {
      Result<bool> more = consider(query.newest_first ? bound - 1 - k : query.cursor + k);
      if (!more.ok()) return more.status();
      if (!*more) break;
    }
    return page;
  }
  const auto& [term, value] = *walk.term;
  std::string prefix = TermPrefix(term, value);
  std::shared_ptr<rocksdb::DB> db = Db();
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  if (query.newest_first) {
    if (bound == 0) return page;
    for (it->SeekForPrev(TermKey(term, value, bound - 1));
         it->Valid() && it->key().starts_with(prefix); it->Prev()) {
      uint64_t index = *DecodeU64(it->key().ToStringView());
      if (index >= end) continue;  // written, not yet published
      Result<bool> more = consider(index);
      if (!more.ok()) return more.status();
      if (!*more) break;
    }
  } else {
    for (it->Seek(TermKey(term, value, query.cursor)); it->Valid() && it->key().starts_with(prefix);
         it->Next()) {
      uint64_t index = *DecodeU64(it->key().ToStringView());
      if (index >= end) break;
      Result<bool> more = consider(index);
      if (!more.ok()) return more.status();
      if (!*more) break;
    }
  }
  if (!it->status().ok()) return FromRocks(it->status(), "querying events");
  return page;
}

std::optional<uint64_t> RocksLedger::LatestRecord(RecordKind kind, std::string_view id) const {
  Result<std::string> value = Get(RecordKey(kind, id));
  if (!value.ok()) return std::nullopt;
  Result<uint64_t> index = DecodeIndexValue(*value, "record index");
  if (!index.ok() || *index >= size()) return std::nullopt;
  return *index;
}

std::optional<AgentState> RocksLedger::Agent(std::string_view id) const {
  Result<std::string> value = Get(AgentKey(id));
  if (!value.ok()) return std::nullopt;
  Result<AgentState> agent = DecodeAgentState(*value);
  if (!agent.ok()) return std::nullopt;
  return std::move(agent).value();
}

void RocksLedger::SetAppendListener(AppendListener listener) {
  std::lock_guard lock(published_mu_);
  listener_ = std::move(listener);
}

Ledger::Stats RocksLedger::stats() const {
  std::lock_guard lock(published_mu_);
  return stats_;
}

}  // namespace chipledger::store
