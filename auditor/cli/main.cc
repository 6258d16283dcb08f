// chipledger-audit: the batch audit (SPEC §7–§8). Reads the log, verifies it without trusting the
// source, replays admitted entries up to --as-of into the rule engine, writes report.json and
// report.html, prints a summary and exits 0/1/2 (3 when it could not run).
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "auditor/cli/log_source.h"
#include "auditor/cli/options.h"
#include "auditor/cli/progress.h"
#include "auditor/cli/state_file.h"
#include "auditor/report.h"
#include "auditor/verify.h"
#include "ledger/crypto.h"

namespace chipledger::audit {
namespace {

constexpr int kCannotRun = 3;

int CannotRun(const std::string& message) {
  std::cerr << "chipledger-audit: " << message << "\n";
  return kCannotRun;
}

Status WriteReports(const std::string& dir, const Report& report) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return Status::IOError("--out " + dir + ": " + error.message());
  Status json = WriteFileAtomically(dir + "/report.json", ReportToJson(report).dump(2) + "\n");
  if (!json.ok()) return json;
  return WriteFileAtomically(dir + "/report.html", ReportToHtml(report));
}

int Run(const Options& options) {
  InitCrypto();
  Result<NoteVerifier> log_key = ParseVerifierKey(options.log_key);
  if (!log_key.ok()) return CannotRun("--log-key: " + log_key.status().message());
  std::optional<Checkpoint> previous;
  if (options.state) {
    Result<std::optional<Checkpoint>> state = LoadState(*options.state, *log_key);
    if (!state.ok()) return CannotRun(state.status().message());
    previous = *state;
  }
  Result<std::unique_ptr<LogSource>> source =
      options.url ? OpenHttp(*options.url, *options.token) : OpenDataDir(*options.data);
  if (!source.ok()) return CannotRun(source.status().message());
  Result<std::string> note = (*source)->CheckpointNote();
  if (!note.ok()) return CannotRun("checkpoint: " + note.status().message());

  Verifier verifier(*log_key, previous, options.witnesses);
  Engine engine(options.params);
  SiteActivity activity;
  std::optional<Checkpoint> checkpoint = verifier.Begin(*note);
  if (checkpoint) {
    Progress progress(checkpoint->size);
    Status read = (*source)->ReadEntries(checkpoint->size, [&](std::string_view bytes) {
      std::optional<VerifiedEntry> verified = verifier.Add(bytes);
      // Later entries are still verified, but the audit judges the log as it stood at as_of.
      if (verified && verified->entry.integrated_time <= options.as_of) {
        engine.Apply(verified->entry, verified->event);
        activity.Add(verified->event);
      }
      progress.Update(verifier.entries_checked());
    });
    progress.Finish();
    if (!read.ok()) return CannotRun("reading the log: " + read.message());
    verifier.Finish();
  }

  Report report = BuildReport(verifier, checkpoint, engine, activity, options.as_of);
  if (options.url) report.entry_url = *options.url + "/v1/entries/";
  if (Status written = WriteReports(options.out, report); !written.ok()) {
    return CannotRun(written.message());
  }
  if (options.state && report.integrity_ok) {
    if (Status saved = SaveState(*options.state, *note); !saved.ok()) {
      return CannotRun("--state: " + saved.message());
    }
  }
  std::cout << Summary(report) << "report: " << options.out << "/report.json, " << options.out
            << "/report.html\n";
  return ExitCode(report, options.fail_on);
}

}  // namespace
}  // namespace chipledger::audit

int main(int argc, char** argv) {
  using namespace chipledger::audit;
  chipledger::Result<Options> options = ParseOptions(argc, argv);
  if (!options.ok()) {
    std::cerr << "chipledger-audit: " << options.status().message() << "\n";
    return 3;
  }
  if (options->help) {
    std::cout << kUsage;
    return 0;
  }
  return Run(*options);
}
