// Durable file writes (the agent home, the witness state, witnessed checkpoints): a crash leaves
// the old or the new file, never a torn one (temp file, fsync, rename, fsync of the directory).
#ifndef CHIPLEDGER_LEDGER_DURABLE_FILE_H_
#define CHIPLEDGER_LEDGER_DURABLE_FILE_H_

#include <filesystem>
#include <string>
#include <string_view>

#include "ledger/status.h"

namespace chipledger {

Result<std::string> ReadFile(const std::filesystem::path& path);
// Replaces `path` atomically with `content`; `mode` applies to a new file.
Status WriteFileDurably(const std::filesystem::path& path, std::string_view content,
                        int mode = 0644);
// Removes `path` (absent is fine) and syncs its directory.
Status RemoveDurably(const std::filesystem::path& path);
Status CreateDirectory(const std::filesystem::path& path);

}  // namespace chipledger

#endif  // CHIPLEDGER_LEDGER_DURABLE_FILE_H_
