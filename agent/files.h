// Durable file writes for the agent's home: a crash leaves the old or the new file, never a torn
// one (temp file, fsync, rename, fsync of the directory).
#ifndef CHIPLEDGER_AGENT_FILES_H_
#define CHIPLEDGER_AGENT_FILES_H_

#include <filesystem>
#include <string>
#include <string_view>

#include "ledger/status.h"

namespace chipledger::agent {

Result<std::string> ReadFile(const std::filesystem::path& path);
// Replaces `path` atomically with `content`; `mode` applies to a new file.
Status WriteFileDurably(const std::filesystem::path& path, std::string_view content,
                        int mode = 0644);
// Removes `path` (absent is fine) and syncs its directory.
Status RemoveDurably(const std::filesystem::path& path);
Status CreateDirectory(const std::filesystem::path& path);

}  // namespace chipledger::agent

#endif  // CHIPLEDGER_AGENT_FILES_H_
