#include "ledger/pg/pg_ledger.h"

#include <filesystem>

#include "ledger/store/key_file.h"
#include "ledger/store/sequencer.h"

namespace chipledger::pg {

Result<std::string> CreatePgLedger(const PgLedgerOptions& options, const CreateOptions& create) {
  InitCrypto();
  KeyPair key = GenerateKeyPair();
  Result<std::vector<Candidate>> genesis = store::GenesisEvents(create, key);
  if (!genesis.ok()) return genesis.status();
  std::error_code error;
  if (std::filesystem::exists(options.key_file, error)) {
    return Status::Conflict("ledger_exists", options.key_file + ": a log key is already there");
  }
  Result<std::unique_ptr<PgDriver>> driver = PgDriver::Open(options.store, /*read_only=*/false);
  if (!driver.ok()) return driver.status();
  // Checked before the key is written, so a refused create leaves no key file behind.
  if (Result<store::StoredState> held = (*driver)->Load(); held.ok()) {
    return Status::Conflict("ledger_exists", "postgresql: the database already holds a ledger");
  }
  if (Status written = store::WriteKeyFile(options.key_file, key); !written.ok()) return written;
  return store::CreateOn(std::move(driver).value(), create.origin, key, std::move(genesis).value());
}

Result<std::unique_ptr<Ledger>> OpenPgLedger(const PgLedgerOptions& options,
                                             const OpenOptions& open) {
  InitCrypto();
  std::optional<KeyPair> key;
  if (!open.read_only) {
    Result<KeyPair> read = store::ReadKeyFile(options.key_file);
    if (!read.ok()) return read.status();
    key = std::move(read).value();
  }
  Result<std::unique_ptr<PgDriver>> driver = PgDriver::Open(options.store, open.read_only);
  if (!driver.ok()) return driver.status();
  Result<std::unique_ptr<store::Sequencer>> ledger =
      store::Sequencer::Open(std::move(driver).value(), open, std::move(key),
                             store::SequencerOptions{options.retry_interval, Status::Ok()});
  if (!ledger.ok()) return ledger.status();
  return std::unique_ptr<Ledger>(std::move(ledger).value());
}

}  // namespace chipledger::pg
