// The sequencer's fence (issue 15): only one chipledgerd appends to a log at a time. It holds a
// session-level advisory lock, so the lock dies with its session: a crashed sequencer's process,
// a killed backend or a failover (advisory locks are not replicated) frees it for a standby.
#ifndef CHIPLEDGER_LEDGER_PG_FENCE_H_
#define CHIPLEDGER_LEDGER_PG_FENCE_H_

#include <cstdint>

#include "ledger/pg/connection.h"
#include "ledger/status.h"

namespace chipledger::pg {

// The advisory lock key of the sequencer of one database.
inline constexpr int64_t kSequencerLockKey = 0x636869706c6467;  // "chipldg"

class Fence {
 public:
  // Takes the lock on `connection`'s session without waiting: kConflict ("fenced") when another
  // session holds it.
  static Result<Fence> Acquire(Connection& connection, int64_t key = kSequencerLockKey);
  // Whether this session still holds the lock (false after a reconnect): a sequencer checks it
  // before it commits, and stops appending when it is gone.
  Result<bool> Held() const;
  // Gives the lock back (also given back when the session ends).
  Status Release();

 private:
  Fence(Connection& connection, int64_t key) : connection_(&connection), key_(key) {}
  Connection* connection_;
  int64_t key_;
};

}  // namespace chipledger::pg

#endif  // CHIPLEDGER_LEDGER_PG_FENCE_H_
