// Client addresses (api/client_address.h): trusted proxies from the config, and the peer,
// X-Forwarded-For and X-Real-IP of a request, one per line of the input. An accepted address is
// the address its canonical text names, and the client found is always an address.
#include <sstream>

#include "api/client_address.h"
#include "fuzz/fuzz_check.h"

namespace {

using chipledger::api::IpAddress;

std::vector<std::string> Split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  std::istringstream in{std::string(text)};
  for (std::string part; std::getline(in, part, separator);) parts.push_back(part);
  return parts;
}

void CheckAddress(std::string_view text) {
  std::optional<IpAddress> address = IpAddress::Parse(text);
  if (!address) return;
  chipledger::fuzz::Check(text.find('\0') == std::string_view::npos,
                          "an address with a NUL byte in it is refused");
  std::optional<IpAddress> again = IpAddress::Parse(address->ToString());
  chipledger::fuzz::Check(again && again->v6 == address->v6 && again->bytes == address->bytes,
                          "an address's canonical text is the same address");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace chipledger;
  std::vector<std::string> lines = Split(fuzz::Input(data, size), '\n');
  lines.resize(4);  // proxies, peer, X-Forwarded-For, X-Real-IP
  for (const std::string& line : lines) {
    for (const std::string& part : Split(line, ',')) CheckAddress(part);
  }
  Result<api::TrustedProxies> proxies = api::TrustedProxies::Parse(Split(lines[0], ','), "proxies");
  if (!proxies.ok()) return 0;
  std::string client = proxies->ClientOf(lines[1], {lines[2]}, lines[3]);
  fuzz::Check(client == lines[1] || IpAddress::Parse(client).has_value(),
              "the client is the peer as given or an address");
  return 0;
}
