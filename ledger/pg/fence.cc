#include "ledger/pg/fence.h"

namespace chipledger::pg {

Result<Fence> Fence::Acquire(Connection& connection, int64_t key) {
  Result<Rows> rows = connection.Exec("SELECT pg_try_advisory_lock($1::bigint)", {Param::Int(key)});
  if (!rows.ok()) return rows.status();
  if (!rows->Bool(0, 0)) {
    return Status::Conflict("fenced", "another session holds the sequencer lock " +
                                          std::to_string(key) +
                                          ": another chipledgerd is sequencing this log");
  }
  return Fence(connection, key);
}

Result<bool> Fence::Held() const {
  // A bigint advisory key is stored as (classid, objid) = (high, low) 32 bits, objsubid 1.
  Result<Rows> rows = connection_->Exec(
      "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND "
      "pid = pg_backend_pid() AND objsubid = 1 AND "
      "classid::bigint = ($1::bigint >> 32) AND objid::bigint = ($1::bigint & 4294967295)",
      {Param::Int(key_)});
  if (!rows.ok()) return rows.status();
  return rows->Int(0, 0) > 0;
}

Status Fence::Release() {
  Result<Rows> rows =
      connection_->Exec("SELECT pg_advisory_unlock($1::bigint)", {Param::Int(key_)});
  if (!rows.ok()) return rows.status();
  if (!rows->Bool(0, 0)) return Status::Conflict("not_fenced", "the sequencer lock was not held");
  return Status::Ok();
}

}  // namespace chipledger::pg
