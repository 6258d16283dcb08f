// Signed notes (ledger/checkpoint.h ParseSignedNote, VerifyCheckpoint): an accepted note is its
// text, a blank line and its signature lines written back exactly; verifying against the fuzz log
// key never accepts a note whose body is not a checkpoint of that origin.
#include "fuzz/fuzz_check.h"
#include "ledger/checkpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace chipledger;
  static const NoteVerifier kLog{std::string(fuzz::kLogOrigin), fuzz::LogKey().public_key};
  std::string_view note = fuzz::Input(data, size);
  Result<SignedNote> parsed = ParseSignedNote(note);
  if (parsed.ok()) {
    std::string rebuilt(parsed->text);
    rebuilt += "\n";
    for (const NoteSignature& s : parsed->signatures) {
      rebuilt += NoteSignatureLine(s.name, s.key_hash, s.signature);
    }
    fuzz::Check(rebuilt == note, "an accepted note is its parts written back");
  }
  Result<Checkpoint> verified = VerifyCheckpoint(note, kLog);
  if (!verified.ok()) return 0;
  fuzz::Check(parsed.ok(), "a verified note is a well-formed note");
  fuzz::Check(verified->origin == kLog.name, "a verified checkpoint has the key's origin");
  fuzz::Check(CheckpointBody(*verified) == parsed->text, "a verified note's text is its body");
  return 0;
}
