// What the PostgreSQL tests share: free loopback ports, commands run as the postgres user
// (PostgreSQL refuses to run as root), and a scratch directory that user owns.
#ifndef CHIPLEDGER_TESTS_PG_PG_TEST_UTIL_H_
#define CHIPLEDGER_TESTS_PG_PG_TEST_UTIL_H_

#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace chipledger::pg::testing {

inline const std::string kBinDir = "/usr/lib/postgresql/15/bin/";

// A port nothing listens on now, chosen by the kernel.
inline int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

// Runs `command` with sh, as the postgres user when we are root; its exit status.
inline int RunAsPostgres(const std::string& command) {
  const std::string wrapped =
      geteuid() == 0 ? "runuser -u postgres -- sh -c '" + command + "'" : command;
  return std::system(wrapped.c_str());
}

// A fresh directory under the temporary directory, owned by postgres.
inline std::string ScratchDir(const std::string& name) {
  std::string pattern = (std::filesystem::temp_directory_path() / (name + "-XXXXXX")).string();
  std::string dir = mkdtemp(pattern.data());
  if (const passwd* user = getpwnam("postgres"); user && geteuid() == 0) {
    (void)chown(dir.c_str(), user->pw_uid, user->pw_gid);
  }
  return dir;
}

}  // namespace chipledger::pg::testing

#endif  // CHIPLEDGER_TESTS_PG_PG_TEST_UTIL_H_
