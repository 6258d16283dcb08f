// Where chipledger-audit reads the log from: a ledger data directory (read-only) or a server's
// C2SP tiles. Either way the source is untrusted: it only hands over the checkpoint note and the
// entries' bytes, and the verifier checks everything.
#ifndef CHIPLEDGER_AUDITOR_CLI_LOG_SOURCE_H_
#define CHIPLEDGER_AUDITOR_CLI_LOG_SOURCE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "ledger/status.h"

namespace chipledger::audit {

class LogSource {
 public:
  using EntryVisitor = std::function<void(std::string_view entry_bytes)>;
  // What the source served cannot be the checkpoint's entries from entry `index` on: an entry
  // bundle that does not decode or holds the wrong number of entries, or an entry the checkpoint
  // covers that the source says does not exist. Evidence against the log, never an outage.
  using MismatchVisitor = std::function<void(uint64_t index, std::string message)>;

  virtual ~LogSource() = default;
  // The latest signed checkpoint note.
  virtual Result<std::string> CheckpointNote() = 0;
  // Visits entries begin .. size-1 in order, streaming (begin > 0: an audit resumed from a
  // snapshot of the first `begin`; begin <= size). On a mismatch it first visits what it could
  // read of the bundle concerned (at most its width, so that the verifier names the entries at
  // fault), then calls `mismatch` once and stops, returning Ok. An error Status means the source
  // could not be read (unreachable, refused, I/O error, HTTP 5xx after retries): it proves
  // nothing about the log.
  virtual Status ReadEntries(uint64_t begin, uint64_t size, const EntryVisitor& visit,
                             const MismatchVisitor& mismatch) = 0;
};

Result<std::unique_ptr<LogSource>> OpenDataDir(const std::string& dir);
// `url` without a trailing slash; the token is sent as `Authorization: Bearer`.
Result<std::unique_ptr<LogSource>> OpenHttp(const std::string& url, const std::string& token);

}  // namespace chipledger::audit

#endif  // CHIPLEDGER_AUDITOR_CLI_LOG_SOURCE_H_
