#include "ledger/json.h"

#include "ledger/json_fields_internal.h"

namespace chipledger {

Result<nlohmann::json> ParseJson(std::string_view text, std::string_view what) {
  return internal::ParseStrictJson(text, what, "bad_json");
}

}  // namespace chipledger
