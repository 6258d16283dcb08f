// C2SP tlog-cosignature (https://c2sp.org/tlog-cosignature): cosignature/v1 with Ed25519
// (signature type 0x04) by a witness, and the quorum a reader requires (SPEC §10).
#ifndef CHIPLEDGER_LEDGER_COSIGNATURE_H_
#define CHIPLEDGER_LEDGER_COSIGNATURE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/checkpoint.h"
#include "ledger/crypto.h"
#include "ledger/status.h"

namespace chipledger {

inline constexpr uint8_t kCosignatureType = 0x04;

// A witness's cosigning key: its name and Ed25519 public key.
struct WitnessKey {
  std::string name;
  PublicKey key{};
  // SHA-256(name || "\n" || 0x04 || key)[:4], big-endian.
  uint32_t KeyId() const;
};

// "<name>+<key id hex>+<base64(0x04 || key)>".
std::string FormatWitnessKey(const WitnessKey& witness);
Result<WitnessKey> ParseWitnessKey(std::string_view text);

// The signed message: "cosignature/v1\ntime <timestamp>\n" followed by the checkpoint's note text
// (its body with the final newline, no signature lines).
std::string CosignedMessage(std::string_view note_text, uint64_t timestamp);
// One cosignature line, "— <name> base64(key id || uint64 timestamp || signature)\n".
std::string Cosign(std::string_view note_text, const std::string& name, const KeyPair& key,
                   uint64_t timestamp);

struct Cosignature {
  std::string witness;  // the witness's key name
  uint64_t timestamp = 0;
  std::string line;  // the signature line as it appeared, with its newline
};
// The valid cosignatures in `note` from `witnesses` (at most one per witness). Lines of other
// keys are ignored; a line whose name and key id are a named witness's but whose cosignature does
// not verify makes the note malformed (signed-note), an Unauthenticated error.
Result<std::vector<Cosignature>> VerifyCosignatures(std::string_view note,
                                                    const std::vector<WitnessKey>& witnesses);

// Which witnesses a reader requires: at least `quorum` of `witnesses` must have cosigned.
struct WitnessPolicy {
  std::vector<WitnessKey> witnesses;
  size_t quorum = 0;
  bool empty() const { return witnesses.empty(); }
};
// From witness verifier keys and an optional quorum (default: all of them). Refuses duplicate
// names, a quorum of 0 or above the number of witnesses, and a quorum without witnesses.
Result<WitnessPolicy> MakeWitnessPolicy(const std::vector<std::string>& vkeys,
                                        std::optional<size_t> quorum);
// Ok when `note` carries valid cosignatures from at least the quorum; else an Unauthenticated
// "witness_quorum" status naming the witnesses whose cosignature is missing.
Status CheckWitnessQuorum(std::string_view note, const WitnessPolicy& policy);

}  // namespace chipledger

#endif  // CHIPLEDGER_LEDGER_COSIGNATURE_H_
