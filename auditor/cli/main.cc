// chipledger-audit: the batch audit (SPEC §7–§8). Reads the log, verifies it without trusting the
// source, replays admitted entries up to --as-of into the rule engine, writes report.json,
// findings.csv and report.html, prints a summary and exits 0/1/2 (3 when it could not run).
// `verify` checks a white list, receipt or checkpoint file offline (auditor/offline_verify.h).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string_view>

#include "auditor/cli/log_source.h"
#include "auditor/cli/options.h"
#include "auditor/cli/progress.h"
#include "auditor/cli/state_file.h"
#include "auditor/offline_verify.h"
#include "auditor/pipeline.h"
#include "auditor/report.h"
#include "auditor/verify.h"
#include "ledger/crypto.h"

namespace chipledger::audit {
namespace {

constexpr int kIntegrityFailure = 2;
constexpr int kCannotRun = 3;

int CannotRun(const std::string& message) {
  std::cerr << "chipledger-audit: " << message << "\n";
  return kCannotRun;
}

int Run(const Options& options);

// Runs again reading the whole log (FILE still gives I6), saying why on stderr.
int RunFull(Options options, const std::string& why) {
  std::cerr << "chipledger-audit: full audit: " << why << "\n";
  options.full = true;
  return Run(options);
}

int Run(const Options& options) {
  InitCrypto();
  Result<NoteVerifier> log_key = ParseVerifierKey(options.log_key);
  if (!log_key.ok()) return CannotRun("--log-key: " + log_key.status().message());
  std::optional<Checkpoint> previous;
  std::optional<Snapshot> snapshot;  // resumes the audit there (incremental)
  if (options.state) {
    Result<LoadedState> state =
        LoadState(*options.state, *log_key, options.params, options.as_of, options.full, std::cerr);
    if (!state.ok()) return CannotRun(state.status().message());
    previous = state->previous;
    snapshot = std::move(state->snapshot);
  }
  Result<std::unique_ptr<LogSource>> source =
      options.url ? OpenHttp(*options.url, *options.token) : OpenDataDir(*options.data);
  if (!source.ok()) return CannotRun(source.status().message());
  Result<std::string> note = (*source)->CheckpointNote();
  if (!note.ok()) return CannotRun("checkpoint: " + note.status().message());

  Verifier verifier(*log_key, previous, options.witnesses);
  Engine engine(options.params);
  engine.SkipViewIndexes();  // the reports read findings, never the API's lists
  SiteActivity activity;
  if (snapshot) {
    if (Status restored = snapshot->RestoreInto(&engine, &activity, &verifier); !restored.ok()) {
      return RunFull(options, "the snapshot does not restore: " + restored.message());
    }
    std::cerr << "chipledger-audit: resuming from the snapshot at tree size "
              << verifier.entries_checked() << "\n";
  }
  Result<EntrySpool> spool = EntrySpool::Create();  // the report's evidence summaries
  if (!spool.ok()) return CannotRun(spool.status().message());
  if (snapshot) {
    if (Status restored = spool->Restore(EntriesPath(*options.state), verifier.entries_checked());
        !restored.ok()) {
      std::cerr << "chipledger-audit: report.html and findings.csv will not summarise entries "
                   "before the snapshot: "
                << restored.message() << "\n";
    }
  }
  std::optional<Checkpoint> checkpoint = verifier.Begin(*note);
  if (checkpoint) {
    Progress progress(checkpoint->size);
    // Verified on options.jobs threads; this sink still sees every entry in index order. It
    // runs on one thread and bounds the throughput, so the spool lines are made in parallel.
    auto sink = [&](std::optional<VerifiedEntry> verified) {
      // Later entries are still verified, but the audit judges the log as it stood at as_of.
      if (verified && verified->entry.integrated_time <= options.as_of) {
        engine.Apply(verified->entry, verified->event);
        activity.Add(verified->event);
        spool->AddLine(verified->note);
      }
      progress.Update(verifier.entries_checked());
    };
    VerifyPipeline pipeline(&verifier, options.jobs, sink, &EntrySpool::Line);
    auto visit = [&](std::string_view bytes) { pipeline.Push(bytes); };
    // A source that contradicts the checkpoint is evidence (exit 2), not an outage (exit 3).
    auto mismatch = [&](uint64_t index, std::string message) {
      pipeline.Drain();  // the errors about the entries it did serve come first
      verifier.SourceMismatch(index, std::move(message));
    };
    Status read =
        (*source)->ReadEntries(verifier.entries_checked(), checkpoint->size, visit, mismatch);
    pipeline.Drain();
    progress.Finish();
    if (!read.ok()) return CannotRun("reading the log: " + read.message());
    verifier.Finish();
  }

  if (snapshot && !verifier.ok()) {
    return RunFull(options,
                   "an integrity check failed after resuming from the snapshot; the "
                   "whole log is read so that the report names every error");
  }
  Report report = BuildReport(verifier, checkpoint, engine, activity, options.as_of);
  if (options.url) report.entry_url = *options.url + "/console/#/entry/";
  if (Status attached = AttachEntries(&*spool, &report); !attached.ok()) {
    return CannotRun(attached.message());
  }
  if (Status written = WriteReportFiles(options.out, report); !written.ok()) {
    return CannotRun(written.message());
  }
  if (options.state && report.integrity_ok) {
    if (Status saved =
            SaveState(*options.state, *note, engine, activity, verifier, &*spool, std::cerr);
        !saved.ok()) {
      return CannotRun("--state: " + saved.message());
    }
  }
  std::cout << Summary(report) << "report: " << options.out << "/report.json, " << options.out
            << "/findings.csv, " << options.out << "/report.html\n";
  return ExitCode(report, options.fail_on);
}

// `verify`: checks a white list, receipt or checkpoint file offline and says what it proved.
int RunVerify(const VerifyOptions& options) {
  InitCrypto();
  std::error_code error;
  std::ifstream in(options.file, std::ios::binary);
  if (!std::filesystem::is_regular_file(options.file, error) || !in) {
    return CannotRun("FILE " + options.file + ": not a readable file");
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  Result<OfflineVerification> result =
      VerifyOffline(bytes.str(), options.log_key, options.witnesses);
  if (!result.ok()) return CannotRun("FILE " + options.file + ": " + result.status().message());
  if (options.json) {
    std::cout << OfflineVerificationToJson(*result).dump(2) << "\n";
  } else {
    std::cout << OfflineVerificationToText(*result);
  }
  return result->verified ? 0 : kIntegrityFailure;
}

int Verify(int argc, char** argv) {
  Result<VerifyOptions> options = ParseVerifyOptions(argc, argv);
  if (!options.ok()) return CannotRun(options.status().message());
  if (options->help) {
    std::cout << kVerifyUsage;
    return 0;
  }
  return RunVerify(*options);
}

}  // namespace
}  // namespace chipledger::audit

int main(int argc, char** argv) {
  using namespace chipledger::audit;
  if (argc > 1 && std::string_view(argv[1]) == "verify") return Verify(argc - 1, argv + 1);
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
