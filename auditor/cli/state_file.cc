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

Result<std::optional<Checkpoint>> LoadState(const std::string& path, const NoteVerifier& log_key) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return std::optional<Checkpoint>();
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) return Status::IOError("--state " + path + ": cannot read");
  Result<Checkpoint> checkpoint = VerifyCheckpoint(text.str(), log_key);
  if (!checkpoint.ok()) {
    return Status::InvalidArgument("bad_state", "--state " + path +
                                                    ": not a checkpoint signed by the log key: " +
                                                    checkpoint.status().message());
  }
  return std::optional<Checkpoint>(*checkpoint);
}

Status SaveState(const std::string& path, std::string_view checkpoint_note) {
  return WriteFileAtomically(path, checkpoint_note);
}

}  // namespace chipledger::audit
