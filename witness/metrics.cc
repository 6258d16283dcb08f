#include "witness/metrics.h"

#include "cli/prometheus.h"

namespace chipledger::witness {

using cli::MetricHeader;
using cli::MetricLabel;

void Metrics::Record(int status, const std::string& reason) {
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[status];
  if (!reason.empty()) ++refusals_[reason];
}

std::string Metrics::Render(const std::vector<LogSize>& sizes) const {
  std::string out;
  MetricHeader(&out, "chipledger_witness_requests_total", "counter",
               "HTTP requests answered, by status.");
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [status, count] : requests_) {
    out += "chipledger_witness_requests_total{status=\"" + std::to_string(status) + "\"} " +
           std::to_string(count) + "\n";
  }
  MetricHeader(&out, "chipledger_witness_refusals_total", "counter",
               "Requests refused, by reason (see docs/witness.md).");
  for (const auto& [reason, count] : refusals_) {
    out += "chipledger_witness_refusals_total{reason=\"" + MetricLabel(reason) + "\"} " +
           std::to_string(count) + "\n";
  }
  MetricHeader(&out, "chipledger_witness_cosigned_size", "gauge",
               "Tree size of the latest checkpoint cosigned, per log (0 before the first).");
  for (const LogSize& log : sizes) {
    out += "chipledger_witness_cosigned_size{origin=\"" + MetricLabel(log.origin) + "\"} " +
           std::to_string(log.size) + "\n";
  }
  return out;
}

}  // namespace chipledger::witness
