// What the PostgreSQL tests share: free loopback ports, commands run as the postgres user
// (PostgreSQL refuses to run as root), a scratch directory that user owns, and a PostgreSQL 15
// server of the test's own (pg_connection_test, and the driver conformance suite's backend).
#ifndef CHIPLEDGER_TESTS_PG_PG_TEST_UTIL_H_
#define CHIPLEDGER_TESTS_PG_PG_TEST_UTIL_H_

#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

#include "ledger/pg/connection.h"

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

// A PostgreSQL 15 server in a scratch directory (initdb and pg_ctl as the postgres user) on a
// free loopback port, trusting local connections, without fsync (tests need no durability);
// stopped and removed when destroyed.
class TestServer {
 public:
  // Whether the PostgreSQL 15 binaries are installed (setup.sh installs them).
  static bool Installed() {
    std::error_code error;
    return std::filesystem::exists(kBinDir + "initdb", error);
  }
  // One server for the whole test process, started on first use.
  static TestServer& Shared() {
    static TestServer server;
    return server;
  }

  TestServer() : dir_(ScratchDir("chipledger-pg")), port_(FreePort()) {
    const std::string data = dir_ + "/data";
    started_ = RunAsPostgres(kBinDir + "initdb -D " + data + " -A trust -U postgres --no-sync >" +
                             dir_ + "/initdb.log 2>&1") == 0 &&
               RunAsPostgres(kBinDir + "pg_ctl -D " + data + " -l " + dir_ +
                             "/server.log -w -o \"-p " + std::to_string(port_) + " -k " + dir_ +
                             " -c listen_addresses=127.0.0.1 -c fsync=off\" start >/dev/null") == 0;
  }
  ~TestServer() {
    RunAsPostgres(kBinDir + "pg_ctl -D " + dir_ + "/data -m immediate stop >/dev/null 2>&1");
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  bool started() const { return started_; }
  const std::string& dir() const { return dir_; }
  int port() const { return port_; }
  std::string Conninfo(const std::string& database) const {
    return "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres dbname=" + database;
  }
  // A new empty database (test_1, test_2, …), so that each test starts from nothing; its name.
  Result<std::string> NewDatabase() {
    auto admin = Connection::Open(Conninfo("postgres"), std::chrono::milliseconds(5000));
    if (!admin.ok()) return admin.status();
    std::string name = "test_" + std::to_string(++databases_);
    Result<Rows> created = (*admin)->Exec("CREATE DATABASE " + name);
    if (!created.ok()) return created.status();
    return name;
  }

 private:
  std::string dir_;
  int port_;
  bool started_ = false;
  int databases_ = 0;
};

}  // namespace chipledger::pg::testing

#endif  // CHIPLEDGER_TESTS_PG_PG_TEST_UTIL_H_
