// The audit's reports (SPEC §8): report.json and findings.csv for machines and spreadsheets (every
// finding, written as a stream: memory does not hold a second copy of them), a self-contained
// report.html for people (inline CSS and SVG only: it opens offline and fetches nothing; bounded
// in size whatever the number of findings), the summary printed on stdout, and the exit code.
#ifndef CHIPLEDGER_AUDITOR_REPORT_H_
#define CHIPLEDGER_AUDITOR_REPORT_H_

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "auditor/engine.h"
#include "auditor/entry_spool.h"
#include "auditor/verify.h"
#include "ledger/checkpoint.h"
#include "ledger/entry.h"
#include "ledger/event.h"
#include "ledger/time.h"

namespace chipledger::audit {

// Timeline lanes of a site's chart, in drawing order.
enum class Lane { kDispatched, kReceived, kInstalled, kInspected, kHeartbeat, kMoved, kRequested };
inline constexpr size_t kLaneCount = 7;
std::string_view LaneName(Lane lane);

// Per-site activity by day and lane, collected as the log streams by (memory grows with sites and
// days, not events). Days are those of each event's own `time`.
class SiteActivity {
 public:
  struct Site {
    std::string name, party;
    std::map<int64_t, std::array<uint64_t, kLaneCount>> days;  // day since the epoch -> counts
  };

  void Add(const Event& event);
  const std::map<std::string, Site>& sites() const { return sites_; }

 private:
  friend struct SnapshotCodec;  // auditor/snapshot.cc saves and restores it

  void Count(const std::string& site, Lane lane, Timestamp time);

  std::map<std::string, Site> sites_;
};

// report.html lists at most this many findings in full, and of each the first kEvidenceShown
// evidence entries with their summaries; report.json and findings.csv have everything.
inline constexpr size_t kFindingsInFull = 500;
inline constexpr size_t kEvidenceShown = 5;

// Visits one finding; returns false to stop (Engine::ForEachFinding).
using FindingVisitor = std::function<bool(const Finding&)>;

// Findings counted: open per severity (critical, high, medium) and resolved.
struct Tally {
  std::array<uint64_t, 3> open{};
  uint64_t resolved = 0;

  void Add(const Finding& finding);
  uint64_t total() const { return open[0] + open[1] + open[2] + resolved; }
  uint64_t open_of(Severity severity) const;
};

struct FindingCounts {
  Tally all;
  std::map<std::string, Tally> by_rule, by_site;  // "" for findings naming no site
  std::map<Severity, uint64_t> by_severity;       // open or resolved
};

struct Report {
  Timestamp as_of;
  std::optional<Checkpoint> checkpoint;  // absent when I1 failed
  bool integrity_ok = false;
  uint64_t entries_checked = 0;
  uint64_t entries_judged = 0;         // of those, integrated by as_of (the rest are not judged)
  std::vector<IntegrityError> errors;  // bounded; error_count counts them all
  uint64_t error_count = 0;
  std::vector<SkippedCheck> not_run;  // checks not run on this log (I6 without --state, I8 …)
  // The witnesses named (--witness) and the quorum required of them (I8); of those, the valid
  // cosignatures the checkpoint carries.
  std::vector<std::string> witnesses;
  size_t witness_quorum = 0;
  std::vector<Cosignature> cosignatures;
  // Every finding in report.json's order, visited in place: BuildReport's visit the engine's
  // (as of as_of; the engine must outlive the report), so findings are never all copied. Set it
  // with SetFindings to fill `counts` and `in_full` too.
  std::function<void(const FindingVisitor&)> for_each_finding = [](const FindingVisitor&) {};
  FindingCounts counts;
  // The findings report.html shows in full: most severe first, open before resolved, then newest
  // (latest evidence entry first); at most kFindingsInFull.
  std::vector<Finding> in_full;
  std::vector<WhitelistEntry> whitelist;
  std::vector<SiteBalance> balance;
  nlohmann::json stats = nlohmann::json::object();
  std::map<std::string, SiteActivity::Site> activity;
  // From the entry spool (AttachEntries): summaries of the entries report.html shows, and the
  // integrated time of each finding's first evidence entry (findings.csv's first_seen).
  SpooledEntries entries;
  // When set (e.g. "https://l/v1/entries/"), report.html says that the full entry N is at
  // With --url: "<url>/console/#/entry/", the regulator console's entry page, which asks for a
  // reader token once per session and verifies the entry in the browser; evidence links there.
  std::string entry_url;
};

// Gathers the verifier's result and the engine's view as of `as_of`.
Report BuildReport(const Verifier& verifier, const std::optional<Checkpoint>& checkpoint,
                   const Engine& engine, const SiteActivity& activity, Timestamp as_of);

// Sets the report's findings: `for_each_finding`, and from one pass over them `counts` and
// `in_full`.
void SetFindings(Report* report, std::function<void(const FindingVisitor&)> for_each_finding);
// The same, from a list (reports built by hand, as in tests).
void SetFindings(Report* report, std::vector<Finding> findings);
// Fills report->entries from the spool: the evidence of `in_full`, the material balance's
// inspections, and each finding's first evidence entry.
Status AttachEntries(EntrySpool* spool, Report* report);
// The integrated time of the finding's first evidence entry, when the spool had it.
std::optional<Timestamp> FirstSeen(const Report& report, const Finding& finding);

// {as_of, log: {origin, tree_size, root, witnesses, witness_quorum}, integrity: {ok,
//  entries_checked, errors, not_run}, findings, whitelist, stats}.
nlohmann::json ReportToJson(const Report& report);
// The same bytes as ReportToJson(report).dump(2) + "\n", one finding at a time.
void WriteReportJson(const Report& report, std::ostream& out);
// One row per finding under a header row (RFC 4180, CRLF); see docs/audit.md for the columns.
void WriteFindingsCsv(const Report& report, std::ostream& out);
std::string ReportToHtml(const Report& report);
// Replaces `path` atomically: streams `write` into path + ".tmp", fsyncs it, renames it into
// place and fsyncs the directory, so a reader never sees half a file.
Status WriteFileAtomically(const std::string& path,
                           const std::function<void(std::ostream&)>& write);
// DIR/report.json, DIR/findings.csv and DIR/report.html, each replaced atomically (written under
// a temporary name, fsync'd, renamed, the directory fsync'd); DIR is created if needed.
Status WriteReportFiles(const std::string& dir, const Report& report);

// Open findings per severity name ("critical", "high", "medium"), all three present.
std::map<std::string, uint64_t> OpenFindingCounts(const Report& report);
// SPEC §8: 2 integrity failure; 1 an open finding at or above `fail_on`; else 0.
int ExitCode(const Report& report, Severity fail_on);
// Lines for stdout: integrity, entries judged as of as_of and after it, witnesses, open findings by
// severity, white list statuses.
std::string Summary(const Report& report);

}  // namespace chipledger::audit

#endif  // CHIPLEDGER_AUDITOR_REPORT_H_
