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
    uint64_t next = begin;
    Status read = ledger_->ReadEntries(begin, size, [&](uint64_t index, std::string_view bytes) {
      visit(bytes);
      next = index + 1;
      return Status::Ok();
    });
    StatusKind kind = read.kind();
    if (kind == StatusKind::kNotFound || kind == StatusKind::kCorruption) {
      // The checkpoint covers an entry the directory does not hold (whole): evidence.
      mismatch(next, read.ToString());
      return Status::Ok();
    }
    if (!read.ok())
      return Status::IOError("entry " + std::to_string(next) + ": " + read.ToString());
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
