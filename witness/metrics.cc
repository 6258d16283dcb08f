#include "witness/metrics.h"

namespace chipledger::witness {
namespace {

// A Prometheus label value: backslash, double quote and newline escaped.
std::string Label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out.push_back('\\');
    out += c == '\n' ? std::string("\\n") : std::string(1, c);
  }
  return out;
}

void Header(std::string* out, const char* name, const char* type, const char* help) {
  *out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

}  // namespace

void Metrics::Record(int status, const std::string& reason) {
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[status];
  if (!reason.empty()) ++refusals_[reason];
}

std::string Metrics::Render(const std::vector<LogSize>& sizes) const {
  std::string out;
  Header(&out, "chipledger_witness_requests_total", "counter",
         "HTTP requests answered, by status.");
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [status, count] : requests_) {
    out += "chipledger_witness_requests_total{status=\"" + std::to_string(status) + "\"} " +
           std::to_string(count) + "\n";
  }
  Header(&out, "chipledger_witness_refusals_total", "counter",
         "Requests refused, by reason (see docs/witness.md).");
  for (const auto& [reason, count] : refusals_) {
    out += "chipledger_witness_refusals_total{reason=\"" + Label(reason) + "\"} " +
           std::to_string(count) + "\n";
  }
  Header(&out, "chipledger_witness_cosigned_size", "gauge",
         "Tree size of the latest checkpoint cosigned, per log (0 before the first).");
  for (const LogSize& log : sizes) {
    out += "chipledger_witness_cosigned_size{origin=\"" + Label(log.origin) + "\"} " +
           std::to_string(log.size) + "\n";
  }
  return out;
}

}  // namespace chipledger::witness
