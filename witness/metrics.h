// The witness's Prometheus metrics: requests by status, refusals by reason, and each log's
// cosigned size.
#ifndef CHIPLEDGER_WITNESS_METRICS_H_
#define CHIPLEDGER_WITNESS_METRICS_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "witness/witness.h"

namespace chipledger::witness {

class Metrics {
 public:
  // `reason` is empty for an accepted request.
  void Record(int status, const std::string& reason);
  // Prometheus text exposition format 0.0.4.
  std::string Render(const std::vector<LogSize>& sizes) const;

 private:
  mutable std::mutex mu_;
  std::map<int, uint64_t> requests_;
  std::map<std::string, uint64_t> refusals_;
};

}  // namespace chipledger::witness

#endif  // CHIPLEDGER_WITNESS_METRICS_H_
