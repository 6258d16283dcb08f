// Entry bundles (ledger/tiles.h DecodeEntryBundle): the encoding is canonical, so an accepted
// bundle re-encodes to exactly its bytes; each entry in it goes through ParseEntry, as the
// auditor reads them.
#include "fuzz/fuzz_check.h"
#include "ledger/entry.h"
#include "ledger/tiles.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace chipledger;
  std::string_view bundle = fuzz::Input(data, size);
  Result<std::vector<std::string>> entries = DecodeEntryBundle(bundle);
  if (!entries.ok()) return 0;
  fuzz::Check(EncodeEntryBundle(*entries) == bundle, "an accepted bundle re-encodes to itself");
  for (const std::string& entry : *entries) (void)ParseEntry(entry);
  return 0;
}
