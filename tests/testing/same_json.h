// One JSON document equal to another, number types included: nlohmann's == says 1u equals 1 and
// 1 equals 1.0, but a parser that reads "1" as a double reads a different document. Shared by
// the parser tests and the fuzz harness that compare our parser with nlohmann's.
#ifndef CHIPLEDGER_TESTS_TESTING_SAME_JSON_H_
#define CHIPLEDGER_TESTS_TESTING_SAME_JSON_H_

#include <nlohmann/json.hpp>

namespace chipledger::testing {

inline bool SameJsonDocument(const nlohmann::json& a, const nlohmann::json& b) {
  if (a.type() != b.type() || a != b) return false;
  if (!a.is_structured()) return true;
  for (auto x = a.begin(), y = b.begin(); x != a.end(); ++x, ++y) {
    if (!SameJsonDocument(*x, *y)) return false;
  }
  return true;
}

}  // namespace chipledger::testing

#endif  // CHIPLEDGER_TESTS_TESTING_SAME_JSON_H_
