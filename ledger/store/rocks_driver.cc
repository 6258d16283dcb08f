// The RocksDB driver's write side: creating and opening the database, loading its state, group
// commits. Reopening after a failed one is rocks_reopen.cc.
#include "ledger/store/rocks_driver.h"

#include <rocksdb/write_batch.h>

#include <filesystem>

#include "ledger/store/keys.h"
#include "ledger/store/storage_status.h"

namespace chipledger::store {

namespace {

Status FromRocks(const rocksdb::Status& status, std::string_view what) {
  return Status::IOError(std::string(what) + ": " + status.ToString());
}

void PutGroup(const GroupWrite& group, rocksdb::WriteBatch* batch) {
  for (const GroupWrite::Entry& entry : group.entries) {
    batch->Put(EntryKey(entry.index), entry.bytes);
    batch->Put(PayloadKey(entry.payload_hash), EncodeU64(entry.index));
    for (const auto& [term, value] : entry.terms) batch->Put(TermKey(term, value, entry.index), "");
    if (entry.record) {
      batch->Put(RecordKey(entry.record->first, entry.record->second), EncodeU64(entry.index));
    }
  }
  for (const TreeBuilder::Node& node : group.nodes) {
    batch->Put(NodeKey(node.level, node.index), AsBytes(node.hash));
  }
  for (const AgentState& agent : group.agents) {
    batch->Put(AgentKey(agent.id), EncodeAgentState(agent));
  }
  batch->Put(CheckpointKey(group.size), group.checkpoint);
  batch->Put(MetaKey(kMetaSize), EncodeU64(group.size));
  batch->Put(MetaKey(kMetaClock), EncodeU64(static_cast<uint64_t>(group.clock.unix_nanos)));
  batch->Put(MetaKey(kMetaGenesisOpen), group.genesis_open ? "1" : "0");
}

}  // namespace

RocksDriver::RocksDriver(std::shared_ptr<rocksdb::DB> db, std::string dir, bool sync,
                         StoreOptions store)
    : db_(std::move(db)), dir_(std::move(dir)), sync_(sync), store_(std::move(store)) {}

Result<std::unique_ptr<RocksDriver>> RocksDriver::Create(const std::string& dir) {
  std::string path = dir + "/db";
  rocksdb::Options options = LedgerDbOptions();
  options.create_if_missing = true;
  options.error_if_exists = true;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status status = rocksdb::DB::Open(options, path, &raw);
  if (!status.ok()) return Status::IOError("creating " + path + ": " + status.ToString());
  return std::unique_ptr<RocksDriver>(
      new RocksDriver(std::shared_ptr<rocksdb::DB>(raw), dir, /*sync=*/true, StoreOptions{}));
}

Status RocksDriver::Initialize(const std::string& origin, const PublicKey& log_public_key,
                               const std::string& checkpoint) {
  rocksdb::WriteBatch batch;
  batch.Put(MetaKey(kMetaOrigin), origin);
  batch.Put(MetaKey(kMetaLogPublicKey), AsBytes(log_public_key));
  batch.Put(MetaKey(kMetaSize), EncodeU64(0));
  batch.Put(MetaKey(kMetaClock), EncodeU64(0));
  batch.Put(MetaKey(kMetaGenesisOpen), "1");
  batch.Put(CheckpointKey(0), checkpoint);
  rocksdb::WriteOptions write;
  write.sync = true;
  rocksdb::Status status = Db()->Write(write, &batch);
  if (!status.ok()) {
    return Status::IOError("initialising " + dir_ + "/db: " + status.ToString());
  }
  return Status::Ok();
}

Result<std::unique_ptr<RocksDriver>> RocksDriver::Open(const std::string& dir,
                                                       const OpenOptions& options,
                                                       const StoreOptions& store, Status* refused) {
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
  std::unique_ptr<RocksDriver> driver(new RocksDriver(std::move(db), dir, options.sync, store));
  driver->reopen_ = !full.ok();
  driver->failure_ = full;
  *refused = std::move(full);
  return driver;
}

Result<StoredState> RocksDriver::Load() const {
  Result<std::string> origin = Get(MetaKey(kMetaOrigin));
  Result<std::string> key = Get(MetaKey(kMetaLogPublicKey));
  if (!origin.ok() || !key.ok() || key->size() != 32) {
    return Status::Corruption(dir_ + "/db: missing origin or log public key");
  }
  Result<std::string> size = Get(MetaKey(kMetaSize));
  Result<std::string> clock = Get(MetaKey(kMetaClock));
  Result<std::string> genesis = Get(MetaKey(kMetaGenesisOpen));
  if (!size.ok() || !clock.ok() || !genesis.ok() || !DecodeU64(*size) || !DecodeU64(*clock)) {
    return Status::Corruption("ledger metadata: missing size, clock or genesis flag");
  }
  StoredState state;
  state.origin = std::move(origin).value();
  std::copy(key->begin(), key->end(), state.log_public_key.begin());
  state.size = *DecodeU64(*size);
  state.clock = Timestamp{static_cast<int64_t>(*DecodeU64(*clock))};
  state.genesis_open = *genesis == "1";

  std::shared_ptr<rocksdb::DB> db = Db();
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(std::string(1, kAgentPrefix)); it->Valid() && it->key()[0] == kAgentPrefix;
       it->Next()) {
    Result<AgentState> agent = DecodeAgentState(it->value().ToStringView());
    if (!agent.ok()) return agent.status();
    state.agents.push_back(std::move(agent).value());
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading agents");
  return state;
}

// Never called on the read-only instance: after a failure the sequencer commits again only once
// Recover has reopened the database for writing.
Status RocksDriver::Commit(const GroupWrite& group) {
  rocksdb::WriteBatch batch;
  PutGroup(group, &batch);
  std::shared_ptr<rocksdb::DB> db = Db();
  if (Status room = EnsureRoom(db.get(), dir_, batch.GetDataSize()); !room.ok()) return room;
  rocksdb::WriteOptions write_options;
  write_options.sync = sync_;
  rocksdb::Status status = db->Write(write_options, &batch);
  if (status.ok()) return Status::Ok();
  broken_ = true;  // RocksDB stopped writing: only a reopen starts it again
  failure_ = WriteFailure(status, dir_, "writing a group commit");
  return failure_;
}

}  // namespace chipledger::store
