// The tlog-witness wire (ledger/witness_protocol.h): add-checkpoint bodies and text/x.tlog.size
// bodies are strict, so an accepted body is exactly the formatting of what it parsed to.
#include "fuzz/fuzz_check.h"
#include "ledger/witness_protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace chipledger;
  std::string_view body = fuzz::Input(data, size);
  if (Result<AddCheckpointRequest> request = ParseAddCheckpoint(body); request.ok()) {
    fuzz::Check(request->proof.size() <= kMaxWitnessProofLines, "at most 63 proof lines");
    fuzz::Check(FormatAddCheckpoint(*request) == body, "an add-checkpoint body formats to itself");
  }
  if (Result<uint64_t> tree_size = ParseTlogSize(body); tree_size.ok()) {
    fuzz::Check(FormatTlogSize(*tree_size) == body, "a tlog size body formats to itself");
  }
  return 0;
}
