// What the log key does beyond checkpoints: backups (which carry it) and signed statements.
// Backups: the driver's consistent copy (whole groups only) plus the log key.
#include <filesystem>

#include "ledger/store/key_file.h"
#include "ledger/store/sequencer.h"

namespace chipledger::store {

Status Sequencer::Backup(const std::string& dir) const {
  if (!log_key_) {
    return Status::PermissionDenied("read_only",
                                    "backup: needs the ledger opened with its log key");
  }
  std::error_code error;
  if (std::filesystem::exists(dir, error)) {
    return Status::Conflict("backup_exists", dir + ": already exists; choose a new directory");
  }
  if (Status made = CreatePrivateDir(dir); !made.ok()) return made;

  if (Status copied = driver_->Backup(dir); !copied.ok()) return copied;
  return WriteKeyFile(KeyPath(dir), *log_key_);
}

Result<std::string> Sequencer::SignStatement(std::string_view payload_type,
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
