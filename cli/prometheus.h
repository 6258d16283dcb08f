// The Prometheus text exposition format (0.0.4) as chipledgerd and chipledger-witness write their
// /metrics: one place for the header lines, numbers and label escaping.
#ifndef CHIPLEDGER_CLI_PROMETHEUS_H_
#define CHIPLEDGER_CLI_PROMETHEUS_H_

#include <string>
#include <string_view>

namespace chipledger::cli {

// "# HELP <name> <help>\n# TYPE <name> <type>\n".
void MetricHeader(std::string* out, std::string_view name, std::string_view type,
                  std::string_view help);
// Up to 9 significant digits, no trailing zeros.
std::string MetricNumber(double value);
// A label value with backslash, double quote and newline escaped.
std::string MetricLabel(std::string_view value);

}  // namespace chipledger::cli

#endif  // CHIPLEDGER_CLI_PROMETHEUS_H_
