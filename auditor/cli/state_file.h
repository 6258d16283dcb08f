// The --state file: the signed checkpoint note of the last run whose integrity checks passed.
// Storing the note itself, not just size and root, means a tampered state file is detected.
#ifndef CHIPLEDGER_AUDITOR_CLI_STATE_FILE_H_
#define CHIPLEDGER_AUDITOR_CLI_STATE_FILE_H_

#include <optional>
#include <string>
#include <string_view>

#include "ledger/checkpoint.h"
#include "ledger/status.h"

namespace chipledger::audit {

// The stored checkpoint, verified under `log_key`; nullopt when the file does not exist yet.
Result<std::optional<Checkpoint>> LoadState(const std::string& path, const NoteVerifier& log_key);
// Replaces the file atomically (write, fsync, rename, fsync the directory).
Status SaveState(const std::string& path, std::string_view checkpoint_note);
// The same atomic replacement, for the reports.
Status WriteFileAtomically(const std::string& path, std::string_view contents);

}  // namespace chipledger::audit

#endif  // CHIPLEDGER_AUDITOR_CLI_STATE_FILE_H_
