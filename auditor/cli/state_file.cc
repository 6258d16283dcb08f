#include "auditor/cli/state_file.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "auditor/report.h"

namespace chipledger::audit {

namespace {

std::string SnapshotPath(const std::string& path) { return path + ".snapshot"; }

Status WriteContents(const std::string& path, std::string_view contents) {
  return WriteFileAtomically(path, [&](std::ostream& out) { out << contents; });
}

// Removes a file that would no longer match FILE.
Status Remove(const std::string& path) {
  std::error_code error;
  std::filesystem::remove(path, error);
  return error ? Status::IOError("remove " + path + ": " + error.message()) : Status::Ok();
}

// The file's bytes; nullopt when it does not exist.
Result<std::optional<std::string>> ReadIfExists(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return std::optional<std::string>();
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) return Status::IOError("--state " + path + ": cannot read");
  return std::optional<std::string>(text.str());
}

// Why the snapshot cannot be used for this run, or nullopt when it can.
std::optional<std::string> Unusable(const Snapshot& snapshot, const Checkpoint& previous,
                                    const Params& params, Timestamp as_of) {
  if (snapshot.checkpoint().size != previous.size || snapshot.checkpoint().root != previous.root) {
    return "it is at tree size " + std::to_string(snapshot.checkpoint().size) +
           ", the state file at " + std::to_string(previous.size);
  }
  if (snapshot.params() != params) {
    return "it was made with --param " + snapshot.params().ToString() + "; this run uses " +
           params.ToString();
  }
  if (snapshot.last_judged() && as_of < *snapshot.last_judged()) {
    return "--as-of " + FormatTime(as_of) + " is before its last judged entry (" +
           FormatTime(*snapshot.last_judged()) + ")";
  }
  return std::nullopt;
}

}  // namespace

Result<LoadedState> LoadState(const std::string& path, const NoteVerifier& log_key,
                              const Params& params, Timestamp as_of, bool full,
                              std::ostream& warnings) {
  LoadedState state;
  Result<std::optional<std::string>> note = ReadIfExists(path);
  if (!note.ok()) return note.status();
  if (!*note) return state;
  Result<Checkpoint> checkpoint = VerifyCheckpoint(**note, log_key);
  if (!checkpoint.ok()) {
    return Status::InvalidArgument("bad_state", "--state " + path +
                                                    ": not a checkpoint signed by the log key: " +
                                                    checkpoint.status().message());
  }
  state.previous = *checkpoint;
  if (full) return state;
  std::string snapshot_path = SnapshotPath(path);
  auto full_audit = [&](const std::string& why) {
    warnings << "chipledger-audit: full audit: the snapshot " << snapshot_path
             << " is not used: " << why << "\n";
    return state;
  };
  Result<std::optional<std::string>> bytes = ReadIfExists(snapshot_path);
  if (!bytes.ok()) return full_audit(bytes.status().message());
  if (!*bytes) return full_audit("there is none yet");
  Result<Snapshot> snapshot = Snapshot::Parse(std::move(**bytes), log_key);
  if (!snapshot.ok()) return full_audit(snapshot.status().message());
  if (std::optional<std::string> why = Unusable(*snapshot, *checkpoint, params, as_of)) {
    return full_audit(*why);
  }
  state.snapshot = *std::move(snapshot);
  return state;
}

std::string EntriesPath(const std::string& path) { return path + ".entries"; }

Status SaveState(const std::string& path, std::string_view checkpoint_note, const Engine& engine,
                 const SiteActivity& activity, const Verifier& verifier, EntrySpool* spool,
                 std::ostream& warnings) {
  std::string snapshot_path = SnapshotPath(path), entries_path = EntriesPath(path);
  Result<std::string> snapshot = SaveSnapshot(checkpoint_note, engine, activity, verifier);
  if (snapshot.ok()) {
    // The entries first: a snapshot is never newer than the spool beside it.
    Status copied = Status::Ok();
    Status written =
        WriteFileAtomically(entries_path, [&](std::ostream& out) { copied = spool->Save(out); });
    if (!copied.ok()) return copied;
    if (!written.ok()) return written;
    if (written = WriteContents(snapshot_path, *snapshot); !written.ok()) return written;
  } else {
    // A snapshot of the old checkpoint would not match FILE any more: the next run is full.
    warnings << "chipledger-audit: no snapshot written, the next audit is full: "
             << snapshot.status().message() << "\n";
    for (const std::string& stale : {snapshot_path, entries_path}) {
      if (Status removed = Remove(stale); !removed.ok()) return removed;
    }
  }
  return WriteContents(path, checkpoint_note);
}

}  // namespace chipledger::audit
