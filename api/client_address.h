// Who a request comes from, for the rate limiter, the loopback rule of /metrics and the access
// log: the socket's peer, or, when that peer is a trusted proxy (config `trusted_proxies`), the
// client the proxy names in X-Forwarded-For (or X-Real-IP).
#ifndef CHIPLEDGER_API_CLIENT_ADDRESS_H_
#define CHIPLEDGER_API_CLIENT_ADDRESS_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/status.h"

namespace chipledger::api {

// An IPv4 or IPv6 address; IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are IPv4.
struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // the first 4 for IPv4

  static std::optional<IpAddress> Parse(std::string_view text);
  std::string ToString() const;  // canonical (inet_ntop) form
};

class TrustedProxies {
 public:
  // Each entry an address ("10.0.0.5", "::1") or a network ("172.16.0.0/12", "fd00::/8");
  // the error names `what[i]`.
  static Result<TrustedProxies> Parse(const std::vector<std::string>& entries,
                                      std::string_view what);

  bool empty() const { return nets_.empty(); }
  bool Contains(const IpAddress& address) const;

  // The client's address: `peer` unless it is trusted. From a trusted peer, X-Forwarded-For is
  // read from its right end: each hop added by a trusted proxy is skipped, and the first address
  // not trusted (or the leftmost) is the client. An entry that is not an address stops the walk at
  // the last trusted hop. Without X-Forwarded-For, X-Real-IP names the client.
  // `forwarded_for` holds the values of every X-Forwarded-For header, in order.
  std::string ClientOf(const std::string& peer, const std::vector<std::string>& forwarded_for,
                       const std::string& real_ip) const;

 private:
  struct Net {
    IpAddress base;
    int prefix_bits;
  };
  std::vector<Net> nets_;
};

}  // namespace chipledger::api

#endif  // CHIPLEDGER_API_CLIENT_ADDRESS_H_
