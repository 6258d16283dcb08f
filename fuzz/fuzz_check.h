// What the harnesses share: the input as text, a property check that libFuzzer reports as a crash
// (so it keeps the input as a reproducer), and the fixed keys the seeds are signed with.
#ifndef CHIPLEDGER_FUZZ_FUZZ_CHECK_H_
#define CHIPLEDGER_FUZZ_FUZZ_CHECK_H_

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ledger/crypto.h"

namespace chipledger::fuzz {

inline std::string_view Input(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Aborts when a property the harness checks does not hold; `property` says which.
inline void Check(bool holds, const char* property) {
  if (holds) return;
  std::fprintf(stderr, "fuzz: property violated: %s\n", property);
  std::abort();
}

// Deterministic keys, so that make_seeds signs what the harnesses verify: the log's key and the
// witnesses' (0, 1, …).
inline constexpr std::string_view kLogOrigin = "fuzz.example/log";
inline KeyPair FuzzKey(uint8_t which) {
  InitCrypto();
  std::array<uint8_t, 32> seed{};
  seed.fill(which);
  return KeyPairFromSeed(seed);
}
inline KeyPair LogKey() { return FuzzKey(0xff); }
inline std::string WitnessName(int i) { return "witness-" + std::to_string(i) + ".fuzz.example"; }
inline KeyPair WitnessKeyPair(int i) { return FuzzKey(static_cast<uint8_t>(i)); }

}  // namespace chipledger::fuzz

#endif  // CHIPLEDGER_FUZZ_FUZZ_CHECK_H_
