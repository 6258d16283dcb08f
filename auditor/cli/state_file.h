// The --state files. FILE: the signed checkpoint note of the last run whose integrity checks
// passed (I6); storing the note itself, not just size and root, means a tampered file is detected.
// FILE.snapshot: the audit's state at that checkpoint (auditor/snapshot.h), from which the next
// run resumes and reads only the entries after it (docs/audit.md, "Incremental audits").
// FILE.entries: the entry spool of those entries, so that report.html summarises evidence from
// before the snapshot as a full audit does.
#ifndef CHIPLEDGER_AUDITOR_CLI_STATE_FILE_H_
#define CHIPLEDGER_AUDITOR_CLI_STATE_FILE_H_

#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "auditor/entry_spool.h"
#include "auditor/snapshot.h"
#include "ledger/checkpoint.h"
#include "ledger/status.h"

namespace chipledger::audit {

struct LoadedState {
  std::optional<Checkpoint> previous;  // nullopt when FILE does not exist yet
  std::optional<Snapshot> snapshot;    // nullopt: a full audit
};

// Reads FILE (an error when it is not a note signed by the log key) and, unless `full`, the
// snapshot beside it. A snapshot that cannot be used (damaged, another version or log key, not at
// FILE's checkpoint, other --param values, or judged past `as_of`) means a full audit: the reason
// is written to `warnings` as one line; it is never an error.
Result<LoadedState> LoadState(const std::string& path, const NoteVerifier& log_key,
                              const Params& params, Timestamp as_of, bool full,
                              std::ostream& warnings);

// Replaces FILE.entries (the entry spool, for report.html's evidence) and FILE.snapshot (when the
// engine judged every entry; else removes both, saying why on `warnings`), then FILE, each
// atomically. Call only after a run whose integrity checks pass.
Status SaveState(const std::string& path, std::string_view checkpoint_note, const Engine& engine,
                 const SiteActivity& activity, const Verifier& verifier, EntrySpool* spool,
                 std::ostream& warnings);

// FILE.entries: the summaries of the entries the snapshot covers (EntrySpool::Restore).
std::string EntriesPath(const std::string& path);

}  // namespace chipledger::audit

#endif  // CHIPLEDGER_AUDITOR_CLI_STATE_FILE_H_
