// Checkpoint bodies (ledger/checkpoint.h ParseCheckpointBody): the format has one text per
// checkpoint, so an accepted body is exactly CheckpointBody of what it parsed to.
#include "fuzz/fuzz_check.h"
#include "ledger/checkpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace chipledger;
  std::string_view body = fuzz::Input(data, size);
  Result<Checkpoint> parsed = ParseCheckpointBody(body);
  if (!parsed.ok()) return 0;
  fuzz::Check(CheckpointBody(*parsed) == body, "an accepted body is the canonical body");
  return 0;
}
