// The readable account of a payload that compose prints before signing (and --dry-run with the
// exact bytes): a wrong file or column shows up here, while it can still be fixed.
#include <nlohmann/json.hpp>

#include "agent/agent.h"

namespace chipledger::agent {
namespace {

using nlohmann::json;

// Filled in by the agent and shown on their own lines, or not worth a reader's attention.
constexpr const char* kHidden[] = {"v", "type", "agent", "seq", "prev"};

std::string Scalar(const json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

// "HX-0001" or "serial=HX-0001 attested_id=A1 host=node0": every attribute, so that a column
// read into the wrong field is visible.
std::string Item(const json& item) {
  if (!item.is_object()) return Scalar(item);
  std::string out;
  for (const auto& [key, value] : item.items()) {
    out += (out.empty() ? "" : " ") + key + "=" + Scalar(value);
  }
  return out;
}

void AddList(const std::string& key, const json& list, size_t max_items,
             std::vector<std::string>* lines) {
  lines->push_back(key + ": " + std::to_string(list.size()));
  for (size_t i = 0; i < list.size() && i < max_items; ++i) {
    lines->push_back("  " + Item(list[i]));
  }
  if (list.size() > max_items) {
    lines->push_back("  … and " + std::to_string(list.size() - max_items) + " more");
  }
}

}  // namespace

std::vector<std::string> Summarize(std::string_view payload, size_t max_items) {
  json event = json::parse(payload, nullptr, false);
  if (!event.is_object()) return {"(not a JSON object)"};
  std::vector<std::string> lines = {"type: " + Scalar(event.value("type", json())),
                                    "agent: " + Scalar(event.value("agent", json())),
                                    "seq: " + Scalar(event.value("seq", json()))};
  for (const auto& [key, value] : event.items()) {
    if (std::find(std::begin(kHidden), std::end(kHidden), key) != std::end(kHidden)) continue;
    if (value.is_array()) {
      AddList(key, value, max_items, &lines);
    } else if (value.is_object()) {
      lines.push_back(key + ": " + Item(value));
    } else {
      lines.push_back(key + ": " + Scalar(value));
    }
  }
  return lines;
}

}  // namespace chipledger::agent
