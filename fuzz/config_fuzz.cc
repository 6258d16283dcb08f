// chipledgerd's configuration file (api/config.h LoadConfig), without the server: an accepted
// config has a listen address that parses and a witness policy that holds.
#include <unistd.h>

#include <fstream>

#include "api/config.h"
#include "fuzz/fuzz_check.h"
#include "ledger/cosignature.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace chipledger;
  // LoadConfig reads a path; one file per process, so parallel jobs do not share it.
  static const std::string path = "/tmp/chipledger-config-fuzz-" + std::to_string(getpid());
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  Result<api::ServerConfig> config = api::LoadConfig(path);
  if (!config.ok()) return 0;
  fuzz::Check(api::ParseListen(config->listen).ok(), "an accepted config's listen parses");
  fuzz::Check(api::CheckWitnesses(*config).ok(), "an accepted config's witness policy holds");
  for (const api::WitnessConfig& witness : config->witnesses) {
    fuzz::Check(ParseWitnessKey(witness.vkey).ok(), "an accepted witness vkey parses");
  }
  fuzz::Check(config->limits.max_page_size >= 1 && config->limits.max_header_bytes >= 1024,
              "accepted limits are within their bounds");
  return 0;
}
