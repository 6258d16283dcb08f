// Small text helpers shared by the field commands' parsers (fields.cc, records.cc).
#ifndef CHIPLEDGER_AGENT_TEXT_H_
#define CHIPLEDGER_AGENT_TEXT_H_

#include <string>
#include <string_view>
#include <vector>

namespace chipledger::agent {

inline std::vector<std::string> Split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t end = text.find(separator, start);
    parts.emplace_back(text.substr(start, end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

// Without surrounding spaces, tabs and carriage returns (files written on Windows).
inline std::string Trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t\r");
  if (begin == std::string_view::npos) return "";
  size_t end = text.find_last_not_of(" \t\r");
  return std::string(text.substr(begin, end - begin + 1));
}

}  // namespace chipledger::agent

#endif  // CHIPLEDGER_AGENT_TEXT_H_
