#include "api/metrics.h"

#include <cstdio>

#include "cli/prometheus.h"

namespace chipledger::api {

using cli::MetricHeader;
using cli::MetricNumber;
void Metrics::RecordRequest(std::string_view route, int status, double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{std::string(route), status}];
  auto it = durations_.find(route);
  if (it == durations_.end()) it = durations_.emplace(std::string(route), Histogram{}).first;
  Histogram& h = it->second;
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) {
      ++h.counts[i];
      break;
    }
  }
  ++h.count;
  h.sum += seconds;
}

void Metrics::RecordRefusal(std::string_view code) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = refusals_.find(code);
  if (it == refusals_.end()) it = refusals_.emplace(std::string(code), 0).first;
  ++it->second;
}

std::string Metrics::Render(const Ledger::Stats& stats, uint64_t tree_size) const {
  std::string out;
  std::lock_guard<std::mutex> lock(mu_);
  MetricHeader(&out, "chipledger_http_requests_total", "counter",
               "HTTP requests by route and status.");
  for (const auto& [key, count] : requests_) {
    out += "chipledger_http_requests_total{route=\"" + key.first + "\",status=\"" +
           std::to_string(key.second) + "\"} " + std::to_string(count) + "\n";
  }
  MetricHeader(&out, "chipledger_http_request_duration_seconds", "histogram",
               "Time to answer a request, by route.");
  for (const auto& [route, h] : durations_) {
    uint64_t cumulative = 0;
    std::string labels = "{route=\"" + route + "\"";
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += h.counts[i];
      out += "chipledger_http_request_duration_seconds_bucket" + labels + ",le=\"" +
             MetricNumber(kBuckets[i]) + "\"} " + std::to_string(cumulative) + "\n";
    }
    out += "chipledger_http_request_duration_seconds_bucket" + labels + ",le=\"+Inf\"} " +
           std::to_string(h.count) + "\n";
    out +=
        "chipledger_http_request_duration_seconds_sum" + labels + "} " + MetricNumber(h.sum) + "\n";
    out += "chipledger_http_request_duration_seconds_count" + labels + "} " +
           std::to_string(h.count) + "\n";
  }
  MetricHeader(&out, "chipledger_refusals_total", "counter", "Refused requests by error code.");
  for (const auto& [code, count] : refusals_) {
    out += "chipledger_refusals_total{code=\"" + code + "\"} " + std::to_string(count) + "\n";
  }
  MetricHeader(&out, "chipledger_group_commit_size", "summary", "Events per group commit.");
  out += "chipledger_group_commit_size_sum " + std::to_string(stats.grouped_events) + "\n";
  out += "chipledger_group_commit_size_count " + std::to_string(stats.groups) + "\n";
  MetricHeader(&out, "chipledger_fsync_last_seconds", "gauge",
               "Latency of the latest group commit's WriteBatch and fsync.");
  out += "chipledger_fsync_last_seconds " + MetricNumber(stats.last_fsync_ms / 1000) + "\n";
  MetricHeader(&out, "chipledger_ledger_refusals_total", "counter", "Appends the ledger refused.");
  out += "chipledger_ledger_refusals_total " + std::to_string(stats.refusals) + "\n";
  MetricHeader(&out, "chipledger_storage_writable", "gauge",
               "1 while appends can be written, 0 while they are refused (a full disk: 507).");
  out += "chipledger_storage_writable " + std::string(stats.storage.ok() ? "1" : "0") + "\n";
  MetricHeader(&out, "chipledger_tree_size", "gauge", "Entries in the log.");
  out += "chipledger_tree_size " + std::to_string(tree_size) + "\n";
  return out;
}

}  // namespace chipledger::api
