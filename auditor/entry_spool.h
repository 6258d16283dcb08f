// One-line summaries of log entries, for the evidence report.html shows inline: a person reading
// the report sees what each evidence entry said without fetching it (the API needs a token).
//
// Which entries the report will cite is known only once the whole log has been judged, and rules
// cite entries long past (a dispatch, a chip's first attestation), so the summary of every judged
// entry is spooled to an unlinked temporary file as the log streams by; one sequential pass at the
// end picks out the few the report needs. Memory does not grow with entries; the file holds about
// 150 bytes per entry and disappears with the process. chipledger-audit --state keeps a copy
// beside its snapshot (FILE.entries), for the next, incremental audit.
#ifndef CHIPLEDGER_AUDITOR_ENTRY_SPOOL_H_
#define CHIPLEDGER_AUDITOR_ENTRY_SPOOL_H_

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ledger/entry.h"
#include "ledger/event.h"
#include "ledger/status.h"
#include "ledger/time.h"

namespace chipledger::audit {

struct EntrySummary {
  uint64_t index = 0;
  Timestamp integrated_time;  // when the log integrated it
  Timestamp time;             // when the agent says it happened
  std::string type, agent;
  std::string site;  // the site it acts at, empty when none
  std::string said;  // its key fields, e.g. "shipment SHP-1; chips SN-1, SN-2 (2)", bounded
};

EntrySummary SummariseEntry(const LogEntry& entry, const Event& event);

// What a pass over the spool found: summaries and integrated times by entry index.
struct SpooledEntries {
  std::map<uint64_t, EntrySummary> summaries;
  std::vector<std::pair<uint64_t, Timestamp>> times;  // ascending index
};

class EntrySpool {
 public:
  // An unlinked file in the temporary directory ($TMPDIR, else /tmp).
  static Result<EntrySpool> Create();

  // Spools the entry's summary. Entries come in ascending index order. A write error (a full
  // disk) is kept and returned by Find, so the read loop need not handle it.
  void Add(const LogEntry& entry, const Event& event) { AddLine(Line(entry, event)); }
  // Add in two steps: the spool line of an entry (pure, thread-safe: made where the entries are
  // verified in parallel, VerifyPipeline::Annotate), then appending it, in index order.
  static std::string Line(const LogEntry& entry, const Event& event);
  void AddLine(std::string_view line);

  // Fills a fresh spool from one saved beside an audit snapshot (Save), which must hold the
  // entries 0 … entries−1 in order, so that an incremental audit summarises the evidence it does
  // not read again. On error (none saved, damaged, or of another size) the spool stays empty.
  Status Restore(const std::string& path, uint64_t entries);
  // Writes what is spooled so far to `out`, for Restore.
  Status Save(std::ostream& out);

  // One pass over the spool: the summaries of `summaries` and the integrated times of `times`
  // (each ascending; indices never spooled are left out).
  Result<SpooledEntries> Find(const std::vector<uint64_t>& summaries,
                              const std::vector<uint64_t>& times);

 private:
  struct Closer {
    void operator()(std::FILE* file) const { std::fclose(file); }
  };
  EntrySpool(std::unique_ptr<std::FILE, Closer> file, std::string path)
      : file_(std::move(file)), path_(std::move(path)) {}

  std::unique_ptr<std::FILE, Closer> file_;
  std::string path_;  // for error messages; already unlinked
  bool failed_ = false;
};

}  // namespace chipledger::audit

#endif  // CHIPLEDGER_AUDITOR_ENTRY_SPOOL_H_
