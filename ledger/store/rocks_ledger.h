// The Ledger on RocksDB: the sequencer (sequencer.h) over the RocksDB driver (rocks_driver.h).
#ifndef CHIPLEDGER_LEDGER_STORE_ROCKS_LEDGER_H_
#define CHIPLEDGER_LEDGER_STORE_ROCKS_LEDGER_H_

#include <memory>
#include <string>

#include "ledger/ledger.h"
#include "ledger/store/db_options.h"

namespace chipledger::store {

// Ledger::Open with the store's own options; tests inject faults through them.
Result<std::unique_ptr<Ledger>> OpenLedger(const std::string& dir, const OpenOptions& options,
                                           const StoreOptions& store);

}  // namespace chipledger::store

#endif  // CHIPLEDGER_LEDGER_STORE_ROCKS_LEDGER_H_
