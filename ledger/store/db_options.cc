#include "ledger/store/db_options.h"

#include <rocksdb/filter_policy.h>
#include <rocksdb/listener.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>

#include <memory>

#include "ledger/store/keys.h"

namespace chipledger::store {

namespace {

// The part of a key that stays fixed while the ledger appends keys in increasing order after it
// (keys.h): the prefix byte for entries and checkpoints, prefix and level for nodes, everything
// before the index for postings. Payload hashes, agents, records and metadata arrive in no order.
class AppendOrderPrefix final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "chipledger.AppendOrderPrefix"; }

  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), PrefixLength(key));
  }
  bool InDomain(const rocksdb::Slice& key) const override { return PrefixLength(key) > 0; }

 private:
  static size_t PrefixLength(const rocksdb::Slice& key) {
    if (key.empty()) return 0;
    switch (key[0]) {
      case kEntryPrefix:
      case kCheckpointPrefix:
        return 1;
      case kNodePrefix:
        return key.size() >= 2 ? 2 : 0;
      case kTermPrefix:
        return key.size() > 8 ? key.size() - 8 : 0;
      default:
        return 0;
    }
  }
};

// After a write error the ledger recovers by reopening the database (rocks_reopen.cc). RocksDB's own
// recovery from a full disk (DB::Resume once its SstFileManager sees space) would write the
// failed write's buffered WAL bytes out after all, and so is turned off.
class ManualRecovery final : public rocksdb::EventListener {
 public:
  const char* Name() const override { return "chipledger.ManualRecovery"; }
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status,
                            bool* auto_recovery) override {
    *auto_recovery = false;
  }
};

}  // namespace

rocksdb::Options LedgerDbOptions(const StoreOptions& store) {
  rocksdb::Options options;
  if (store.env) options.env = store.env;
  options.listeners.push_back(std::make_shared<ManualRecovery>());
  options.allow_concurrent_memtable_write = false;  // hints are ignored for concurrent writes
  options.memtable_insert_with_hint_prefix_extractor = std::make_shared<AppendOrderPrefix>();
  options.memtable_whole_key_filtering = true;
  options.memtable_prefix_bloom_size_ratio = 0.02;
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return options;
}

rocksdb::Status OpenDatabase(const std::string& path, bool read_only, const StoreOptions& store,
                             std::shared_ptr<rocksdb::DB>* db) {
  rocksdb::Options options = LedgerDbOptions(store);
  rocksdb::DB* raw = nullptr;
  rocksdb::Status status = read_only ? rocksdb::DB::OpenForReadOnly(options, path, &raw)
                                     : rocksdb::DB::Open(options, path, &raw);
  if (status.ok()) db->reset(raw);
  return status;
}

}  // namespace chipledger::store
