#include "ledger/durable_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace chipledger {
namespace {

Status Errno(std::string_view what, const std::filesystem::path& path) {
  return Status::IOError(std::string(what) + " " + path.string() + ": " + std::strerror(errno));
}

Status SyncDirectory(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return Errno("open directory", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::Ok() : Errno("fsync directory", dir);
}

std::filesystem::path Parent(const std::filesystem::path& path) {
  return path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
}

}  // namespace

Result<std::string> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("not_found", "cannot read " + path.string());
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return Errno("read", path);
  return out.str();
}

Status WriteFileDurably(const std::filesystem::path& path, std::string_view content, int mode) {
  std::filesystem::path temp = path;
  temp += ".tmp";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Errno("create", temp);
  size_t written = 0;
  while (written < content.size()) {
    ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status error = Errno("write", temp);
      ::close(fd);
      return error;
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    Status error = Errno("fsync", temp);
    ::close(fd);
    return error;
  }
  if (::close(fd) != 0) return Errno("close", temp);
  if (::rename(temp.c_str(), path.c_str()) != 0) return Errno("rename", temp);
  return SyncDirectory(Parent(path));
}

Status RemoveDurably(const std::filesystem::path& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return Errno("remove", path);
  return SyncDirectory(Parent(path));
}

Status CreateDirectory(const std::filesystem::path& path) {
  std::error_code error;
  std::filesystem::create_directories(path, error);
  if (error) return Status::IOError("create directory " + path.string() + ": " + error.message());
  return SyncDirectory(Parent(path.lexically_normal()));
}

}  // namespace chipledger
