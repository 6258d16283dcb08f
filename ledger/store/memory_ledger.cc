// Ledger::Create and Ledger::Open for a ledger kept in a MemoryStore (tests only).
#include "ledger/store/memory_driver.h"
#include "ledger/store/sequencer.h"

namespace chipledger::store {

Result<std::string> CreateMemoryLedger(const std::shared_ptr<MemoryStore>& store,
                                       const CreateOptions& options) {
  InitCrypto();
  KeyPair key = GenerateKeyPair();
  Result<std::vector<Candidate>> genesis = GenesisEvents(options, key);
  if (!genesis.ok()) return genesis.status();
  store->SetLogKey(key);
  return CreateOn(std::make_shared<MemoryDriver>(store), options.origin, key,
                  std::move(genesis).value());
}

Result<std::unique_ptr<Ledger>> OpenMemoryLedger(const std::shared_ptr<MemoryStore>& store,
                                                 const OpenOptions& options,
                                                 std::chrono::milliseconds retry_interval) {
  InitCrypto();
  std::optional<KeyPair> key;
  if (!options.read_only) key = store->log_key();
  if (!options.read_only && !key) return Status::NotFound("no_ledger", "memory: holds no ledger");
  Result<std::unique_ptr<Sequencer>> ledger =
      Sequencer::Open(std::make_shared<MemoryDriver>(store), options, std::move(key),
                      SequencerOptions{retry_interval, Status::Ok()});
  if (!ledger.ok()) return ledger.status();
  return std::unique_ptr<Ledger>(std::move(ledger).value());
}

}  // namespace chipledger::store
