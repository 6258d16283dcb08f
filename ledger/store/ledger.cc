// Ledger::Create and Ledger::Open: the data directory holds the log key (log.key, the Ed25519
// seed in hex, mode 0600) and the RocksDB database (db/), served by the sequencer over the
// RocksDB driver.
#include <filesystem>

#include "ledger/store/key_file.h"
#include "ledger/store/rocks_driver.h"
#include "ledger/store/rocks_ledger.h"
#include "ledger/store/sequencer.h"

namespace chipledger {

Result<std::string> Ledger::Create(const std::string& dir, const CreateOptions& options) {
  InitCrypto();
  KeyPair key = GenerateKeyPair();
  Result<std::vector<Candidate>> genesis = store::GenesisEvents(options, key);
  if (!genesis.ok()) return genesis.status();

  std::error_code error;
  if (std::filesystem::exists(store::KeyPath(dir), error) ||
      std::filesystem::exists(dir + "/db", error)) {
    return Status::Conflict("ledger_exists", dir + ": already holds a ledger");
  }
  if (Status made = store::CreatePrivateDir(dir); !made.ok()) return made;
  if (Status written = store::WriteKeyFile(store::KeyPath(dir), key); !written.ok()) return written;
  Result<std::unique_ptr<store::RocksDriver>> driver = store::RocksDriver::Create(dir);
  if (!driver.ok()) return driver.status();
  return store::CreateOn(std::move(driver).value(), options.origin, key,
                         std::move(genesis).value());
}

Result<std::unique_ptr<Ledger>> Ledger::Open(const std::string& dir, const OpenOptions& options) {
  return store::OpenLedger(dir, options, store::StoreOptions{});
}

namespace store {

Result<std::unique_ptr<Ledger>> OpenLedger(const std::string& dir, const OpenOptions& options,
                                           const StoreOptions& store) {
  InitCrypto();
  std::optional<KeyPair> key;
  if (!options.read_only) {
    Result<KeyPair> read = ReadKeyFile(KeyPath(dir));
    if (!read.ok()) return read.status();
    key = std::move(read).value();
  }
  Status refused;
  Result<std::unique_ptr<RocksDriver>> driver = RocksDriver::Open(dir, options, store, &refused);
  if (!driver.ok()) return driver.status();
  Result<std::unique_ptr<Sequencer>> ledger =
      Sequencer::Open(std::move(driver).value(), options, std::move(key),
                      SequencerOptions{store.retry_interval, std::move(refused)});
  if (!ledger.ok()) return ledger.status();
  return std::unique_ptr<Ledger>(std::move(ledger).value());
}

}  // namespace store
}  // namespace chipledger
