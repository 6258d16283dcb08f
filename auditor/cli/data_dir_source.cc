// Reads a ledger data directory read-only, so the audit is safe while chipledgerd serves it.
#include "auditor/cli/log_source.h"
#include "ledger/ledger.h"

namespace chipledger::audit {

namespace {

class DataDirSource : public LogSource {
 public:
  explicit DataDirSource(std::unique_ptr<Ledger> ledger) : ledger_(std::move(ledger)) {}

  Result<std::string> CheckpointNote() override { return ledger_->CheckpointNote(); }

  Status ReadEntries(uint64_t begin, uint64_t size, const EntryVisitor& visit,
                     const MismatchVisitor& mismatch) override {
    for (uint64_t index = begin; index < size; ++index) {
      Result<std::string> entry = ledger_->EntryBytes(index);
      StatusKind kind = entry.status().kind();
      if (kind == StatusKind::kNotFound || kind == StatusKind::kCorruption) {
        // The checkpoint covers an entry the directory does not hold (whole): evidence.
        mismatch(index, "entry " + std::to_string(index) + ": " + entry.status().ToString());
        return Status::Ok();
      }
      if (!entry.ok()) {
        return Status::IOError("entry " + std::to_string(index) + ": " + entry.status().ToString());
      }
      visit(*entry);
    }
    return Status::Ok();
  }

 private:
  std::unique_ptr<Ledger> ledger_;
};

}  // namespace

Result<std::unique_ptr<LogSource>> OpenDataDir(const std::string& dir) {
  OpenOptions options;
  options.read_only = true;
  Result<std::unique_ptr<Ledger>> ledger = Ledger::Open(dir, options);
  if (!ledger.ok()) {
    return Status::IOError("--data " + dir + ": " + ledger.status().ToString());
  }
  return std::unique_ptr<LogSource>(new DataDirSource(std::move(ledger).value()));
}

}  // namespace chipledger::audit
