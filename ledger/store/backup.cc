// What the log key does beyond checkpoints: backups (which carry it) and signed statements.
// Backups: a RocksDB checkpoint (hard links where the file system allows, so it is cheap) plus
// the log key. Each group commit is one WriteBatch, so the checkpoint holds whole groups only.
#include <rocksdb/utilities/checkpoint.h>

#include <filesystem>

#include "ledger/store/key_file.h"
#include "ledger/store/rocks_ledger.h"

namespace chipledger::store {

Status RocksLedger::Backup(const std::string& dir) const {
  if (!log_key_) {
    return Status::PermissionDenied("read_only",
                                    "backup: needs the ledger opened with its log key");
  }
  std::error_code error;
  if (std::filesystem::exists(dir, error)) {
    return Status::Conflict("backup_exists", dir + ": already exists; choose a new directory");
  }
  if (Status made = CreatePrivateDir(dir); !made.ok()) return made;

  rocksdb::Checkpoint* raw = nullptr;
  std::shared_ptr<rocksdb::DB> db = Db();
  rocksdb::Status status = rocksdb::Checkpoint::Create(db.get(), &raw);
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  if (status.ok()) status = checkpoint->CreateCheckpoint(dir + "/db");
  if (!status.ok()) return Status::IOError("backup to " + dir + ": " + status.ToString());
  return WriteKeyFile(KeyPath(dir), *log_key_);
}

Result<std::string> RocksLedger::SignStatement(std::string_view payload_type,
                                               std::string payload) const {
  if (!log_key_) {
    return Status::PermissionDenied("read_only",
                                    "signing: needs the ledger opened with its log key");
  }
  Envelope envelope{std::string(payload_type), std::move(payload), {}};
  SignEnvelope(&envelope, *log_key_);
  return SerializeEnvelope(envelope);
}

}  // namespace chipledger::store
