#include "auditor/cli/state_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace chipledger::audit {

namespace {

Status Errno(const std::string& what) {
  return Status::IOError(what + ": " + std::strerror(errno));
}

Status SyncPath(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags);
  if (fd < 0) return Errno(path);
  int synced = ::fsync(fd);
  ::close(fd);
  return synced == 0 ? Status::Ok() : Errno("fsync " + path);
}

}  // namespace

Status WriteFileAtomically(const std::string& path, std::string_view contents) {
  std::string temp = path + ".tmp";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno(temp);
  size_t written = 0;
  while (written < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status error = Errno("write " + temp);
      ::close(fd);
      return error;
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    Status error = Errno("fsync " + temp);
    ::close(fd);
    return error;
  }
  ::close(fd);
  if (::rename(temp.c_str(), path.c_str()) != 0) return Errno("rename " + temp);
  std::string dir = std::filesystem::path(path).parent_path().string();
  return SyncPath(dir.empty() ? "." : dir, O_RDONLY | O_DIRECTORY);
}

namespace {

std::string SnapshotPath(const std::string& path) { return path + ".snapshot"; }

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

Status SaveState(const std::string& path, std::string_view checkpoint_note, const Engine& engine,
                 const SiteActivity& activity, const Verifier& verifier, std::ostream& warnings) {
  std::string snapshot_path = SnapshotPath(path);
  Result<std::string> snapshot = SaveSnapshot(checkpoint_note, engine, activity, verifier);
  if (snapshot.ok()) {
    if (Status written = WriteFileAtomically(snapshot_path, *snapshot); !written.ok()) {
      return written;
    }
  } else {
    // A snapshot of the old checkpoint would not match FILE any more: the next run is full.
    warnings << "chipledger-audit: no snapshot written, the next audit is full: "
             << snapshot.status().message() << "\n";
    std::error_code error;
    std::filesystem::remove(snapshot_path, error);
    if (error) return Status::IOError("remove " + snapshot_path + ": " + error.message());
  }
  return WriteFileAtomically(path, checkpoint_note);
}

}  // namespace chipledger::audit
