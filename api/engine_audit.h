// The live audit over the auditor's rule engine (auditor/engine.h): entries arrive from the
// ledger's writer thread and are queued, so the writer never waits for a rule or a reader; a
// feeder thread applies them, and every query first applies whatever is still queued.
#ifndef CHIPLEDGER_API_ENGINE_AUDIT_H_
#define CHIPLEDGER_API_ENGINE_AUDIT_H_

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>

#include "api/live_audit.h"
#include "auditor/engine.h"
#include "ledger/ledger.h"

namespace chipledger::api {

class EngineAudit : public LiveAudit {
 public:
  // `ledger` signs the white list with the log key.
  explicit EngineAudit(const Ledger* ledger);
  ~EngineAudit() override;

  void OnEntries(const std::vector<Ledger::AppendedEntry>& entries) override;
  Result<nlohmann::json> Findings(const FindingFilter& filter) override;
  Result<std::string> Whitelist() override;
  nlohmann::json OpenFindings(std::string_view kind, std::string_view id) override;

 private:
  // Applies every queued entry; the caller holds engine_mu_.
  void DrainLocked();
  void Feed();

  const Ledger* ledger_;
  std::mutex engine_mu_;  // guards engine_ (taken before queue_mu_)
  audit::Engine engine_;
  uint64_t applied_size_ = 0;  // entries applied to engine_ (guarded by engine_mu_)
  std::mutex queue_mu_;
  std::condition_variable queued_;
  std::deque<std::pair<LogEntry, Event>> queue_;
  bool stopping_ = false;
  std::thread feeder_;
};

}  // namespace chipledger::api

#endif  // CHIPLEDGER_API_ENGINE_AUDIT_H_
