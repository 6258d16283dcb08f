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
#include "auditor/snapshot.h"
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

  // Persistence (api/audit_snapshot.h), apart from the queries.
  // Entries applied so far (queued ones not counted).
  uint64_t applied_size();
  // The engine's state after every entry fed so far, encoded by audit::SaveEngineSnapshot with
  // the checkpoint note of that size, which it returns in *size. NotFound while the entries fed
  // end at no checkpoint (during the start's catch-up, which feeds entries one by one).
  Result<std::string> EncodeSnapshot(uint64_t* size);
  // Restores `snapshot` into the engine before any OnEntries; all or nothing.
  Status Restore(const audit::Snapshot& snapshot);
  uint64_t restored_size() const override { return restored_size_; }

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
  uint64_t restored_size_ = 0;  // set by Restore before the server starts
};

}  // namespace chipledger::api

#endif  // CHIPLEDGER_API_ENGINE_AUDIT_H_
