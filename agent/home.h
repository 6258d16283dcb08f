// The agent home's file names (layout in agent/agent.h), shared by the files of the Agent class.
#ifndef CHIPLEDGER_AGENT_HOME_H_
#define CHIPLEDGER_AGENT_HOME_H_

#include <cstdio>
#include <filesystem>
#include <string>

namespace chipledger::agent {

inline std::filesystem::path OutboxDir(const std::filesystem::path& home) {
  return home / "outbox";
}
inline std::filesystem::path ReceiptsDir(const std::filesystem::path& home) {
  return home / "receipts";
}

// Zero-padded so that the directory's name order is the seq order.
inline std::string SeqFileName(uint64_t seq) {
  char name[32];
  std::snprintf(name, sizeof name, "%020llu.json", static_cast<unsigned long long>(seq));
  return name;
}

// Beside the queued event: the ledger's refusal of it (never listed as an event: another name).
inline std::filesystem::path RefusalPath(const std::filesystem::path& home, uint64_t seq) {
  std::string name = SeqFileName(seq);
  return OutboxDir(home) / (name.substr(0, 20) + ".refused.json");
}

}  // namespace chipledger::agent

#endif  // CHIPLEDGER_AGENT_HOME_H_
