// C2SP verifier keys (ledger/checkpoint.h ParseVerifierKey, ledger/cosignature.h
// ParseWitnessKey): a key has one text form, so an accepted key formats back to its input.
#include "fuzz/fuzz_check.h"
#include "ledger/checkpoint.h"
#include "ledger/cosignature.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace chipledger;
  std::string_view text = fuzz::Input(data, size);
  if (Result<NoteVerifier> note_key = ParseVerifierKey(text); note_key.ok()) {
    fuzz::Check(FormatVerifierKey(*note_key) == text, "a note verifier key formats to itself");
  }
  if (Result<WitnessKey> witness_key = ParseWitnessKey(text); witness_key.ok()) {
    fuzz::Check(FormatWitnessKey(*witness_key) == text, "a witness key formats to itself");
  }
  return 0;
}
