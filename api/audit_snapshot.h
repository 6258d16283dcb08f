// Restarts in seconds (issue 13; docs/operations.md, "Restarts"): chipledgerd keeps its live
// audit's state in DATA/audit.snapshot (auditor/snapshot.h's format, the engine's state only) so
// that a restart replays only the entries after it instead of the whole log.
//
// Saved at a signed checkpoint — after `every_entries` new entries or `every_s` seconds with any,
// whichever comes first, and at a clean stop — by a thread of its own: the ledger's writer
// thread never waits for it, readers only while the state is encoded in memory (not while it is
// written). The write is atomic (ledger/durable_file.h), so a crash leaves the old snapshot or
// the new one. At start the snapshot is used when it verifies under the log key and its
// checkpoint's root is the ledger's root at that size; anything else (damaged, another log,
// other rule parameters, a ledger restored to before it) is one warning line on stderr and a full
// replay, which gives the same state.
#ifndef CHIPLEDGER_API_AUDIT_SNAPSHOT_H_
#define CHIPLEDGER_API_AUDIT_SNAPSHOT_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "api/config.h"
#include "api/engine_audit.h"
#include "ledger/ledger.h"

namespace chipledger::api {

class AuditSnapshots {
 public:
  // `ledger` and `audit` must outlive this; `path` is DATA/audit.snapshot.
  AuditSnapshots(const Ledger* ledger, EngineAudit* audit, std::string path,
                 AuditSnapshotConfig config);
  ~AuditSnapshots();  // Stop()
  AuditSnapshots(const AuditSnapshots&) = delete;
  AuditSnapshots& operator=(const AuditSnapshots&) = delete;

  // Restores the snapshot into the audit before the server feeds it any entry; returns the tree
  // size it covers, 0 when there is none or it cannot be used (a warning says why).
  uint64_t Restore();
  // Starts saving periodically.
  void Start();
  // Stops the thread and saves the state as it then stands: call after the server stopped, so
  // that every entry is fed. Idempotent.
  void Stop();

 private:
  void Run();
  // Saves the audit's state if it moved past the last snapshot; false when it could not (why
  // goes to stderr).
  bool Save();

  const Ledger* ledger_;
  EngineAudit* audit_;
  std::string path_;
  AuditSnapshotConfig config_;
  uint64_t saved_size_ = 0;  // tree size of the newest snapshot (used by the thread only)
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace chipledger::api

#endif  // CHIPLEDGER_API_AUDIT_SNAPSHOT_H_
