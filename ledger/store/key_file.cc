#include "ledger/store/key_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

namespace chipledger::store {

Status WriteKeyFile(const std::string& path, const KeyPair& key) {
  std::string text = ToHex(key.secret_key.data(), 32) + "\n";  // the seed half
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError(path + ": cannot create the log key file");
  bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                 ::fsync(fd) == 0;
  ::close(fd);
  return written ? Status::Ok() : Status::IOError(path + ": cannot write the log key");
}

Status CreatePrivateDir(const std::string& dir) {
  std::vector<std::filesystem::path> missing;  // innermost first
  std::error_code error;
  for (std::filesystem::path path = std::filesystem::path(dir).lexically_normal();
       !path.empty() && !std::filesystem::exists(path, error); path = path.parent_path()) {
    missing.push_back(path);
    if (path == path.parent_path()) break;
  }
  for (auto path = missing.rbegin(); path != missing.rend(); ++path) {
    if (::mkdir(path->c_str(), 0700) != 0) {
      if (errno == EEXIST) continue;  // made meanwhile by someone else: not ours to change
      return Status::IOError(path->string() + ": " + std::strerror(errno));
    }
    if (::chmod(path->c_str(), 0700) != 0) {  // the umask may have taken owner bits
      return Status::IOError(path->string() + ": " + std::strerror(errno));
    }
  }
  return Status::Ok();
}

Result<KeyPair> ReadKeyFile(const std::string& path) {
  std::ifstream in(path);
  std::string hex;
  if (!in || !(in >> hex)) return Status::IOError(path + ": cannot read the log key");
  Result<std::string> seed = FromHex(hex, path);
  if (!seed.ok()) return seed.status();
  if (seed->size() != 32) return Status::Corruption(path + ": the seed must be 32 bytes");
  std::array<uint8_t, 32> bytes;
  std::copy(seed->begin(), seed->end(), bytes.begin());
  return KeyPairFromSeed(bytes);
}

}  // namespace chipledger::store
