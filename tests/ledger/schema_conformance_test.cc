// The C++ parser and the normative JSON Schemas (schemas/) must agree, case by case, on the shared
// corpus (tests/ledger/corpus/), and both must match each case's label. The schema side runs in
// /usr/bin/python3 with python3-jsonschema (tests/ledger/schema_check.py); if that is missing the
// test fails rather than skips, since the schemas would then go unchecked.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "ledger/event.h"
#include "tests/testing/test_agent.h"

namespace chipledger {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kSourceDir = CHIPLEDGER_SOURCE_DIR;
const fs::path kCorpusDir = kSourceDir / "tests/ledger/corpus";

struct Verdict {
  bool valid = false;
  std::string error;
};
using Verdicts = std::map<std::string, Verdict>;  // "<file>/<case name>" -> verdict

json ReadJson(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

std::vector<fs::path> CorpusFiles() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(kCorpusDir)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string CaseBytes(const json& c) {
  return c.contains("payload_text") ? c["payload_text"].get<std::string>() : c["payload"].dump();
}

Verdict CppVerdict(const std::string& schema, const std::string& bytes) {
  Status status =
      schema == "envelope.json" ? ParseEnvelope(bytes).status() : ParseEvent(bytes).status();
  return {status.ok(), status.ToString()};
}

// Runs schema_check.py over `files`; fails the test (and returns nothing) if it cannot.
Verdicts SchemaVerdicts(const std::vector<fs::path>& files) {
  testing::TempDir dir;
  const std::string stderr_path = dir.path() + "/stderr";
  std::string command = "/usr/bin/python3 '" +
                        (kSourceDir / "tests/ledger/schema_check.py").string() + "' '" +
                        (kSourceDir / "schemas").string() + "'";
  for (const auto& file : files) command += " '" + file.string() + "'";
  command += " 2>'" + stderr_path + "'";
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    ADD_FAILURE() << "cannot run " << command;
    return {};
  }
  char buffer[65536];
  for (size_t n; (n = fread(buffer, 1, sizeof(buffer), pipe)) > 0;) output.append(buffer, n);
  int status = pclose(pipe);
  std::ifstream err_in(stderr_path);
  std::string errors((std::istreambuf_iterator<char>(err_in)), std::istreambuf_iterator<char>());
  if (status != 0) {
    ADD_FAILURE() << "schema_check.py failed (exit status " << status << "): " << errors;
    return {};
  }
  const json parsed = json::parse(output);
  Verdicts verdicts;
  for (const auto& result : parsed["results"]) {
    verdicts[result["file"].get<std::string>() + "/" + result["name"].get<std::string>()] = {
        result["valid"].get<bool>(), result["error"].get<std::string>()};
  }
  return verdicts;
}

std::string Describe(bool valid) { return valid ? "valid" : "invalid"; }

TEST(SchemaConformanceTest, EveryEventTypeHasASchemaAndCorpusCasesBothWays) {
  EXPECT_TRUE(fs::exists(kSourceDir / "schemas/common.json"));
  EXPECT_TRUE(fs::exists(kSourceDir / "schemas/envelope.json"));
  for (EventType type : AllEventTypes()) {
    const std::string name = std::string(EventTypeName(type)) + ".json";
    ASSERT_TRUE(fs::exists(kSourceDir / "schemas" / name)) << name;
    ASSERT_TRUE(fs::exists(kCorpusDir / name)) << name;
    json corpus = ReadJson(kCorpusDir / name);
    EXPECT_EQ(corpus["schema"], name);
    size_t valid = 0, invalid = 0;
    for (const auto& c : corpus["cases"]) (c["valid"].get<bool>() ? valid : invalid)++;
    EXPECT_GE(valid, 2u) << name;
    EXPECT_GE(invalid, 20u) << name;
  }
}

TEST(SchemaConformanceTest, ParserAndSchemasAgreeWithEveryCorpusCase) {
  const auto files = CorpusFiles();
  Verdicts schema = SchemaVerdicts(files);
  ASSERT_FALSE(schema.empty());
  size_t cases = 0;
  std::vector<std::string> disagreements;
  for (const auto& file : files) {
    json corpus = ReadJson(file);
    for (const auto& c : corpus["cases"]) {
      ++cases;
      const std::string key = file.filename().string() + "/" + c["name"].get<std::string>();
      const bool label = c["valid"].get<bool>();
      Verdict cpp = CppVerdict(corpus["schema"], CaseBytes(c));
      auto it = schema.find(key);
      if (it == schema.end()) {
        disagreements.push_back(key + ": no schema verdict");
      } else if (cpp.valid != label || it->second.valid != label) {
        disagreements.push_back(key + ": labelled " + Describe(label) + "; parser says " +
                                Describe(cpp.valid) + " (" + cpp.error + "); schema says " +
                                Describe(it->second.valid) + " (" + it->second.error + ")");
      }
    }
  }
  EXPECT_EQ(schema.size(), cases);
  EXPECT_GT(cases, 1000u);
  EXPECT_EQ(disagreements.size(), 0u) << "the first 30 follow";
  for (size_t i = 0; i < disagreements.size() && i < 30; ++i) ADD_FAILURE() << disagreements[i];
}

// Every two-letter code and a sweep of calendar edges, judged by both sides.
TEST(SchemaConformanceTest, ParserAndSchemasAgreeOnEveryCountryCodeAndCalendarEdge) {
  testing::TestAgent agent("agent-1");
  json cases = json::array();
  for (char a = 'A'; a <= 'Z'; ++a) {
    for (char b = 'A'; b <= 'Z'; ++b) {
      json party = {
          {"id", "p"}, {"name", "P"}, {"country", std::string{a, b}}, {"kind", "exporter"}};
      cases.push_back({{"name", std::string{a, b}},
                       {"payload", agent.Payload("party.registered", {{"party", party}})}});
    }
  }
  for (int year : {1969, 1970, 1972, 1999, 2000, 2023, 2024, 2100, 2104, 2200, 2260, 2261, 2262}) {
    for (int month = 0; month <= 13; ++month) {
      for (int day : {0, 1, 28, 29, 30, 31, 32}) {
        char time[40];
        std::snprintf(time, sizeof(time), "%04d-%02d-%02dT23:59:59.5Z", year, month, day);
        json payload = agent.Payload("finding.resolved", {{"finding", "f"}, {"resolution", "r"}});
        payload["time"] = time;
        cases.push_back({{"name", time}, {"payload", payload}});
      }
    }
  }
  testing::TempDir dir;
  const fs::path file = fs::path(dir.path()) / "generated.json";
  std::ofstream(file) << json{{"schema", "event.json"}, {"cases", cases}}.dump();
  Verdicts schema = SchemaVerdicts({file});
  ASSERT_EQ(schema.size(), cases.size());
  size_t countries = 0;
  for (const auto& c : cases) {
    Verdict cpp = CppVerdict("event.json", CaseBytes(c));
    const Verdict& py = schema["generated.json/" + c["name"].get<std::string>()];
    countries += cpp.valid && c["name"].get<std::string>().size() == 2;
    EXPECT_EQ(cpp.valid, py.valid)
        << c["name"] << ": parser " << cpp.error << "; schema " << py.error;
  }
  EXPECT_EQ(countries, 249u);  // ISO 3166-1 alpha-2 codes officially assigned
}

}  // namespace
}  // namespace chipledger
