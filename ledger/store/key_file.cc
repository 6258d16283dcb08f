#include "ledger/store/key_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>

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
