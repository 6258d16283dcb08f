#include "ledger/store/storage_status.h"

namespace chipledger::store {

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
                             "); nothing was written: retry later");
}

}  // namespace chipledger::store
