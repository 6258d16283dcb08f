// The RocksDB driver's read side and backups. Reads are safe from any thread and never wait for a
// group commit.
#include <rocksdb/utilities/checkpoint.h>

#include "ledger/store/keys.h"
#include "ledger/store/rocks_driver.h"
#include "ledger/tiles.h"

namespace chipledger::store {

Result<std::string> RocksDriver::Get(const std::string& key) const {
  std::string value;
  rocksdb::Status status = Db()->Get(rocksdb::ReadOptions(), key, &value);
  if (status.IsNotFound()) return Status::NotFound("not_found", "key not found");
  if (!status.ok()) return Status::IOError("reading the ledger: " + status.ToString());
  return value;
}

Result<std::optional<uint64_t>> RocksDriver::GetIndex(const std::string& key,
                                                      std::string_view what) const {
  Result<std::string> value = Get(key);
  if (!value.ok()) {
    if (value.status().kind() == StatusKind::kNotFound) return std::optional<uint64_t>();
    return value.status();
  }
  std::optional<uint64_t> index = DecodeU64(*value);
  if (!index || value->size() != 8) return Status::Corruption(std::string(what) + ": bad value");
  return index;
}

Result<std::string> RocksDriver::Entry(uint64_t index) const { return Get(EntryKey(index)); }

// One iterator over the entry keys (big-endian indices, so in index order) instead of a point
// read each: a Get seeks the index, the bloom filter and the block cache again for every entry.
Status RocksDriver::ScanEntries(uint64_t begin, uint64_t end, const EntryVisit& visit) const {
  if (begin >= end) return Status::Ok();
  const std::string upper = EntryKey(end);
  rocksdb::Slice upper_bound(upper);
  rocksdb::ReadOptions options;
  options.iterate_upper_bound = &upper_bound;
  options.readahead_size = 2 << 20;
  // A long scan (an audit, a catch-up) reads each block once: caching them would only grow the
  // block cache and evict what the readers of single entries and tiles use. Up to a full tile's
  // entries (what an entry bundle reads) are cached.
  options.fill_cache = end - begin <= kTileWidth;
  std::shared_ptr<rocksdb::DB> db = Db();
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(options));
  uint64_t index = begin;
  for (it->Seek(EntryKey(begin)); it->Valid() && index < end; it->Next(), ++index) {
    if (it->key() != rocksdb::Slice(EntryKey(index))) break;
    if (Status visited = visit(index, it->value().ToStringView()); !visited.ok()) return visited;
  }
  if (!it->status().ok()) return Status::IOError("reading the ledger: " + it->status().ToString());
  if (index < end) return EntryMissing(index);
  return Status::Ok();
}

Result<Hash> RocksDriver::Node(int level, uint64_t index) const {
  Result<std::string> value = Get(NodeKey(level, index));
  if (!value.ok() || value->size() != 32) {
    return Status::Corruption("merkle node (" + std::to_string(level) + ", " +
                              std::to_string(index) + ") is missing");
  }
  Hash hash;
  std::copy(value->begin(), value->end(), hash.begin());
  return hash;
}

Result<std::optional<uint64_t>> RocksDriver::PayloadIndex(const Hash& hash) const {
  return GetIndex(PayloadKey(hash), "payload index");
}

Result<std::string> RocksDriver::CheckpointAt(uint64_t size) const {
  return Get(CheckpointKey(size));
}

Result<StoredCheckpoint> RocksDriver::CheckpointCovering(uint64_t index) const {
  std::shared_ptr<rocksdb::DB> db = Db();
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  it->Seek(CheckpointKey(index + 1));
  if (!it->Valid() || it->key()[0] != kCheckpointPrefix) {
    return Status::Corruption("no checkpoint covers entry " + std::to_string(index));
  }
  return StoredCheckpoint{*DecodeU64(it->key().ToStringView()), it->value().ToString()};
}

Result<std::optional<uint64_t>> RocksDriver::Record(RecordKind kind, std::string_view id) const {
  return GetIndex(RecordKey(kind, id), "record index");
}

Result<std::optional<AgentState>> RocksDriver::Agent(std::string_view id) const {
  Result<std::string> value = Get(AgentKey(id));
  if (!value.ok()) {
    if (value.status().kind() == StatusKind::kNotFound) return std::optional<AgentState>();
    return value.status();
  }
  Result<AgentState> agent = DecodeAgentState(*value);
  if (!agent.ok()) return agent.status();
  return std::optional<AgentState>(std::move(agent).value());
}

Status RocksDriver::ScanTerm(Term term, std::string_view value, uint64_t from, bool backward,
                             const Visit& visit) const {
  std::string prefix = TermPrefix(term, value);
  std::shared_ptr<rocksdb::DB> db = Db();
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  if (backward) {
    it->SeekForPrev(TermKey(term, value, from));
  } else {
    it->Seek(TermKey(term, value, from));
  }
  for (; it->Valid() && it->key().starts_with(prefix); backward ? it->Prev() : it->Next()) {
    Result<bool> more = visit(*DecodeU64(it->key().ToStringView()));
    if (!more.ok()) return more.status();
    if (!*more) break;
  }
  if (!it->status().ok()) return Status::IOError("querying events: " + it->status().ToString());
  return Status::Ok();
}

Status RocksDriver::Backup(const std::string& dir) const {
  rocksdb::Checkpoint* raw = nullptr;
  std::shared_ptr<rocksdb::DB> db = Db();
  rocksdb::Status status = rocksdb::Checkpoint::Create(db.get(), &raw);
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  if (status.ok()) status = checkpoint->CreateCheckpoint(dir + "/db");
  if (!status.ok()) return Status::IOError("backup to " + dir + ": " + status.ToString());
  return Status::Ok();
}

}  // namespace chipledger::store
