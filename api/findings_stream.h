// GET /v1/findings/stream (issue 14, SPEC §6): the live audit's findings as Server-Sent Events,
// as they open, resolve or change, so a console shows a critical finding within a second of the
// entry that causes it. Resumable from an entry index (docs/api.md "Findings stream").
#ifndef CHIPLEDGER_API_FINDINGS_STREAM_H_
#define CHIPLEDGER_API_FINDINGS_STREAM_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "api/live_audit.h"
#include "api/router.h"
#include "api/service.h"
#include "ledger/ledger.h"

namespace chipledger::api {

// One poller per server, shared by every open stream: while anyone listens, it watches the tree
// size (every 100 ms) and, when the log grew (or every few seconds, for rules that fire on the
// clock, like an overdue receipt), diffs the live audit's findings against the last ones it saw.
// Streams send the changes from a shared, bounded queue, so a thousand listeners cost one query.
class FindingsStream {
 public:
  // `ledger` and `audit` must outlive it.
  FindingsStream(const Ledger* ledger, LiveAudit* audit);
  ~FindingsStream();
  FindingsStream(const FindingsStream&) = delete;
  FindingsStream& operator=(const FindingsStream&) = delete;

  void Serve(Call& call);

 private:
  struct Change {
    uint64_t seq;
    std::string message;  // a whole SSE message
  };
  struct Subscription;

  void PollLoop();
  // Queries the audit and queues what changed since the last refresh; the first one only sets
  // the baseline. Serialised by refresh_mu_.
  void Refresh();
  // The messages a stream resuming at entry `from` needs: findings whose evidence reaches `from`.
  std::string Replay(uint64_t from);
  // Messages queued from `*cursor` on (advancing it); "" after `timeout` with none; nullopt when
  // the stream fell further behind than the queue keeps (it must reconnect and resume).
  std::optional<std::string> Next(uint64_t* cursor, std::chrono::milliseconds timeout);

  const Ledger* ledger_;
  LiveAudit* audit_;
  std::mutex refresh_mu_;  // taken before mu_
  std::mutex mu_;
  std::condition_variable changed_;
  std::map<std::string, nlohmann::json> findings_;  // by id, as of seen_size_
  bool primed_ = false;
  uint64_t seen_size_ = 0;
  std::chrono::steady_clock::time_point refreshed_at_;
  std::deque<Change> changes_;
  uint64_t next_seq_ = 0;
  int listeners_ = 0;
  bool stopping_ = false;
  std::thread poller_;
};

// Registers GET /v1/findings/stream (readers); the returned object serves it and must live as
// long as the router.
std::unique_ptr<FindingsStream> AddFindingsStream(Service* service, Router* router);

}  // namespace chipledger::api

#endif  // CHIPLEDGER_API_FINDINGS_STREAM_H_
