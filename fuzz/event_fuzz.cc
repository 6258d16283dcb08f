// Event payloads (ledger/event.h ParseEvent): an accepted payload is JSON, and the same JSON
// written differently (nlohmann's compact dump) is accepted as the same event. And JSON as
// ParseJson reads it (mostly through its fast parser of simple documents) is the document
// nlohmann's own parser reads, number types included.
#include <nlohmann/json.hpp>

#include "fuzz/fuzz_check.h"
#include "ledger/event.h"
#include "ledger/json.h"
#include "tests/testing/same_json.h"

namespace {

using namespace chipledger;

bool SameEvent(const Event& a, const Event& b) {
  return a.type == b.type && a.agent == b.agent && a.seq == b.seq && a.prev == b.prev &&
         a.time == b.time && a.note == b.note && a.location.has_value() == b.location.has_value() &&
         a.body.index() == b.body.index() && a.Site() == b.Site() && a.Serials() == b.Serials() &&
         a.Parties() == b.Parties();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view payload = fuzz::Input(data, size);
  if (Result<nlohmann::json> ours = ParseJson(payload, "payload"); ours.ok()) {
    nlohmann::json theirs = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
    fuzz::Check(!theirs.is_discarded(), "JSON ParseJson accepts, nlohmann's parser accepts");
    fuzz::Check(testing::SameJsonDocument(*ours, theirs),
                "ParseJson reads the document nlohmann's parser reads");
  }
  Result<Event> parsed = ParseEvent(payload);
  if (!parsed.ok()) return 0;
  nlohmann::json json = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  fuzz::Check(!json.is_discarded(), "an accepted payload is JSON");
  Result<Event> again = ParseEvent(json.dump());
  fuzz::Check(again.ok(), "the same JSON written compactly is accepted");
  fuzz::Check(SameEvent(*parsed, *again), "the same JSON written compactly is the same event");
  return 0;
}
