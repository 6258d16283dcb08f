#include "api/client_address.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace chipledger::api {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool SamePrefix(const IpAddress& a, const IpAddress& b, int bits) {
  if (a.v6 != b.v6) return false;
  int whole = bits / 8;
  if (std::memcmp(a.bytes.data(), b.bytes.data(), static_cast<size_t>(whole)) != 0) return false;
  int rest = bits % 8;
  if (rest == 0) return true;
  auto mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a.bytes[static_cast<size_t>(whole)] & mask) ==
         (b.bytes[static_cast<size_t>(whole)] & mask);
}

}  // namespace

std::optional<IpAddress> IpAddress::Parse(std::string_view text) {
  // inet_pton reads a C string: "10.0.0.1\0junk" would pass as 10.0.0.1 (found by fuzzing).
  if (text.empty() || text.size() > 64 || text.find('\0') != std::string_view::npos) {
    return std::nullopt;
  }
  std::string s(text);
  IpAddress address;
  if (inet_pton(AF_INET, s.c_str(), address.bytes.data()) == 1) return address;
  if (inet_pton(AF_INET6, s.c_str(), address.bytes.data()) != 1) return std::nullopt;
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(address.bytes.data(), kMapped, sizeof(kMapped)) == 0) {
    std::memmove(address.bytes.data(), address.bytes.data() + 12, 4);
    std::memset(address.bytes.data() + 4, 0, 12);
    return address;
  }
  address.v6 = true;
  return address;
}

std::string IpAddress::ToString() const {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), text, sizeof(text));
  return text;
}

Result<TrustedProxies> TrustedProxies::Parse(const std::vector<std::string>& entries,
                                             std::string_view what) {
  TrustedProxies proxies;
  for (size_t i = 0; i < entries.size(); ++i) {
    std::string name = std::string(what) + "[" + std::to_string(i) + "]";
    std::string_view entry = entries[i];
    size_t slash = entry.find('/');
    std::optional<IpAddress> base = IpAddress::Parse(entry.substr(0, slash));
    if (!base) {
      return Status::InvalidArgument("bad_config",
                                     name + ": must be an IP address or a network ADDRESS/BITS");
    }
    int max_bits = base->v6 ? 128 : 32;
    int bits = max_bits;
    if (slash != std::string_view::npos) {
      std::string_view digits = entry.substr(slash + 1);
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), bits);
      if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || bits < 0 ||
          bits > max_bits) {
        return Status::InvalidArgument(
            "bad_config", name + ": prefix length must be 0 to " + std::to_string(max_bits));
      }
    }
    proxies.nets_.push_back(Net{*base, bits});
  }
  return proxies;
}

bool TrustedProxies::Contains(const IpAddress& address) const {
  for (const Net& net : nets_) {
    if (SamePrefix(net.base, address, net.prefix_bits)) return true;
  }
  return false;
}

std::string TrustedProxies::ClientOf(const std::string& peer,
                                     const std::vector<std::string>& forwarded_for,
                                     const std::string& real_ip) const {
  std::optional<IpAddress> client = IpAddress::Parse(peer);
  if (!client) return peer;
  if (!Contains(*client)) return client->ToString();
  std::vector<std::string_view> hops;
  for (const std::string& header : forwarded_for) {
    std::string_view rest = header;
    while (true) {
      size_t comma = rest.find(',');
      hops.push_back(Trim(rest.substr(0, comma)));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  if (hops.empty() && !real_ip.empty()) hops.push_back(Trim(real_ip));
  for (auto hop = hops.rbegin(); hop != hops.rend() && Contains(*client); ++hop) {
    std::optional<IpAddress> next = IpAddress::Parse(*hop);
    if (!next) break;
    client = next;
  }
  return client->ToString();
}

}  // namespace chipledger::api
