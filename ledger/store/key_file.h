// The log key file: the Ed25519 seed in hex, mode 0600, in the data directory (dir/log.key).
#ifndef CHIPLEDGER_LEDGER_STORE_KEY_FILE_H_
#define CHIPLEDGER_LEDGER_STORE_KEY_FILE_H_

#include <string>

#include "ledger/crypto.h"
#include "ledger/status.h"

namespace chipledger::store {

inline std::string KeyPath(const std::string& dir) { return dir + "/log.key"; }
// Creates `path` (never overwrites) and fsyncs it.
Status WriteKeyFile(const std::string& path, const KeyPair& key);
Result<KeyPair> ReadKeyFile(const std::string& path);
// Creates `dir` and each missing parent with mode 0700 whatever the umask (the data and backup
// directories hold the log key); a directory that already exists keeps its mode.
Status CreatePrivateDir(const std::string& dir);

}  // namespace chipledger::store

#endif  // CHIPLEDGER_LEDGER_STORE_KEY_FILE_H_
