// Witness cosignatures on a note (ledger/cosignature.h VerifyCosignatures, CheckWitnessQuorum),
// against the fuzz witnesses' keys: each verified cosignature is a line of the note by a distinct
// named witness, and the quorum holds exactly when enough of them verify.
#include <set>

#include "fuzz/fuzz_check.h"
#include "ledger/cosignature.h"

namespace {

using namespace chipledger;

const WitnessPolicy& Policy() {
  static const WitnessPolicy policy = [] {
    std::vector<std::string> vkeys;
    for (int i = 0; i < 2; ++i) {
      vkeys.push_back(FormatWitnessKey({fuzz::WitnessName(i), fuzz::WitnessKeyPair(i).public_key}));
    }
    return *MakeWitnessPolicy(vkeys, std::nullopt);
  }();
  return policy;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view note = fuzz::Input(data, size);
  Result<std::vector<Cosignature>> cosignatures = VerifyCosignatures(note, Policy().witnesses);
  Status quorum = CheckWitnessQuorum(note, Policy());
  if (!cosignatures.ok()) {
    fuzz::Check(!quorum.ok(), "no quorum on a note whose cosignatures are malformed");
    return 0;
  }
  std::set<std::string> witnesses;
  for (const Cosignature& c : *cosignatures) {
    fuzz::Check(witnesses.insert(c.witness).second, "at most one cosignature per witness");
    fuzz::Check(note.find(c.line) != std::string_view::npos, "a cosignature is a line of the note");
  }
  fuzz::Check(quorum.ok() == (cosignatures->size() >= Policy().quorum),
              "the quorum holds exactly when enough cosignatures verify");
  return 0;
}
