#include "ledger/store/storage_status.h"

#include <vector>

namespace chipledger::store {

namespace {

// Room kept beyond the write and the memtables: a new MANIFEST, OPTIONS file and WAL at reopen.
constexpr uint64_t kSpaceMargin = 4 << 20;

}  // namespace

bool IsDiskFull(const rocksdb::Status& status) {
  return status.IsNoSpace() || (status.code() == rocksdb::Status::kIOError &&
                                status.subcode() == rocksdb::Status::kSpaceLimit);
}

Status WriteFailure(const rocksdb::Status& status, const std::string& dir, std::string_view what) {
  std::string cause = std::string(what) + ": " + status.ToString();
  if (IsDiskFull(status)) {
    return Status::InsufficientStorage("the disk holding the data directory " + dir + " is full (" +
                                       cause +
                                       "); nothing was written: retry later, once the operator "
                                       "has freed space there");
  }
  return Status::Unavailable("the ledger could not write to " + dir + " (" + cause +
                             "); the event was not acknowledged: retry later");
}

Status EnsureRoom(rocksdb::DB* db, const std::string& dir, uint64_t bytes) {
  uint64_t free = 0;
  // Where free space cannot be known, the write itself finds out.
  if (!db->GetEnv()->GetFreeSpace(dir + "/db", &free).ok()) return Status::Ok();
  uint64_t memtables = 0;
  if (!db->GetIntProperty(rocksdb::DB::Properties::kCurSizeAllMemTables, &memtables)) {
    memtables = 0;
  }
  uint64_t needed = 2 * bytes + memtables + kSpaceMargin;  // the WAL, then the flush
  if (free >= needed) return Status::Ok();
  return WriteFailure(rocksdb::Status::NoSpace(std::to_string(free) + " bytes free, " +
                                               std::to_string(needed) + " needed"),
                      dir, "checking free space before a group commit");
}

Status EnsureRoomToOpen(rocksdb::Env* env, const std::string& dir) {
  std::string path = dir + "/db";
  uint64_t free = 0;
  std::vector<std::string> files;
  if (!env->GetFreeSpace(path, &free).ok() || !env->GetChildren(path, &files).ok()) {
    return Status::Ok();
  }
  uint64_t needed = kSpaceMargin;
  for (const std::string& file : files) {
    uint64_t size = 0;
    if (file.ends_with(".log") && env->GetFileSize(path + "/" + file, &size).ok()) needed += size;
  }
  if (free >= needed) return Status::Ok();
  return WriteFailure(rocksdb::Status::NoSpace(std::to_string(free) + " bytes free, " +
                                               std::to_string(needed) + " needed"),
                      dir, "checking free space before opening " + path + " for writing");
}

}  // namespace chipledger::store
