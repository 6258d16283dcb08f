// The loopback Patroni cluster of deploy/ha/cluster.sh for the cluster-labelled tests: two
// PostgreSQL 15 nodes with a synchronous standby, stopped and removed however the test ends.
#ifndef CHIPLEDGER_TESTS_PG_HA_CLUSTER_H_
#define CHIPLEDGER_TESTS_PG_HA_CLUSTER_H_

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "tests/pg/pg_test_util.h"

namespace chipledger::pg::testing {

inline const std::string kClusterScript =
    std::string(CHIPLEDGER_SOURCE_DIR) + "/deploy/ha/cluster.sh";

// What `command` printed, without its trailing newlines.
inline std::string Output(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  char buffer[256];
  while (pipe && fgets(buffer, sizeof buffer, pipe)) out += buffer;
  if (pipe) pclose(pipe);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

class Cluster {
 public:
  // Ports below Linux's ephemeral range (32768 up): there, any outgoing connection of a test
  // running beside this one could hold a port the cluster is about to bind (it happened: a
  // Patroni REST port was taken, and the start waited for a node that had died).
  Cluster() : dir_(ScratchDir("chipledger-ha")), base_(20000 + (getpid() % 500) * 25) {}
  ~Cluster() {
    (void)std::system((kClusterScript + " stop " + dir_ + " >/dev/null 2>&1").c_str());
    std::filesystem::remove_all(dir_);
  }
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  bool Start() {
    return std::system((kClusterScript + " start " + dir_ + " --nodes 2 --base-port " +
                        std::to_string(base_) + " >" + dir_ + "/start.log 2>&1")
                           .c_str()) == 0;
  }
  // Both nodes; libpq connects to whichever accepts writes.
  std::string Conninfo() const {
    return "host=127.0.0.1,127.0.0.1 port=" + std::to_string(base_ + 11) + "," +
           std::to_string(base_ + 12) +
           " user=postgres dbname=postgres connect_timeout=2 target_session_attrs=read-write";
  }
  std::string PrimaryPid() const { return Output(kClusterScript + " primary-pid " + dir_); }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  int base_;
};

}  // namespace chipledger::pg::testing

#endif  // CHIPLEDGER_TESTS_PG_HA_CLUSTER_H_
