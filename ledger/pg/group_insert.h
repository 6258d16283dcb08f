// A group commit as SQL (pg_driver.cc): the rows each table gains, and writing them all at once.
// A group is one statement when it fits (data-modifying WITH clauses): one round trip to the
// primary instead of one per table, which is most of a commit's time on a busy machine.
#ifndef CHIPLEDGER_LEDGER_PG_GROUP_INSERT_H_
#define CHIPLEDGER_LEDGER_PG_GROUP_INSERT_H_

#include <string>
#include <string_view>
#include <vector>

#include "ledger/pg/connection.h"
#include "ledger/store/driver.h"

namespace chipledger::pg {

// One INSERT of many rows.
struct Insert {
  std::string_view head;                // "INSERT INTO t (a, b)"
  std::vector<std::string_view> casts;  // each column's type: its parameters are cast to it
  std::vector<Param> params;            // row after row
  std::string_view tail;                // an ON CONFLICT clause, or empty
};

// What `group` adds, table by table (tables it adds nothing to left out); the metadata last.
std::vector<Insert> GroupInserts(const store::GroupWrite& group);
// The metadata and empty-tree checkpoint of a new ledger.
std::vector<Insert> InitialInserts(const std::string& origin, const PublicKey& log_public_key,
                                   const std::string& checkpoint);

// Runs `insert` in statements of at most a few hundred rows (inside the caller's transaction).
Status InsertRows(Connection& connection, const Insert& insert);
// Writes all of `inserts` or nothing: one statement when their parameters fit in one, else a
// transaction of InsertRows.
Status WriteAtomically(Connection& connection, const std::vector<Insert>& inserts);

}  // namespace chipledger::pg

#endif  // CHIPLEDGER_LEDGER_PG_GROUP_INSERT_H_
