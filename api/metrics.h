// The service's Prometheus metrics (text exposition format 0.0.4).
#ifndef CHIPLEDGER_API_METRICS_H_
#define CHIPLEDGER_API_METRICS_H_

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "ledger/ledger.h"

namespace chipledger::api {

class Metrics {
 public:
  // One request answered: its route pattern (e.g. "/v1/entries/{index}"), status and duration.
  void RecordRequest(std::string_view route, int status, double seconds);
  // One refused submission or request, by its error code.
  void RecordRefusal(std::string_view code);
  // Everything, with the ledger's gauges and counters.
  std::string Render(const Ledger::Stats& stats, uint64_t tree_size) const;

 private:
  static constexpr std::array<double, 12> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                      0.1,   0.25,   0.5,   1,    2.5,   5};
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> counts{};  // non-cumulative
    uint64_t count = 0;
    double sum = 0;
  };

  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  std::map<std::string, Histogram, std::less<>> durations_;
  std::map<std::string, uint64_t, std::less<>> refusals_;
};

}  // namespace chipledger::api

#endif  // CHIPLEDGER_API_METRICS_H_
