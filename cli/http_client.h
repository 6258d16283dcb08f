// The one HTTP client of the programs that talk to a ledger or a witness (chipledger-agent,
// chipledger-audit, chipledgerd's witnessing):
// a base URL with an optional path prefix, time bounds, an optional CA file and bearer token, and
// transport failures said in words — connection refused, name not found, TLS to a plain-HTTP
// server, timeout — rather than cpp-httplib's enum names ("Connection", "SSLConnection").
#ifndef CHIPLEDGER_CLI_HTTP_CLIENT_H_
#define CHIPLEDGER_CLI_HTTP_CLIENT_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ledger/status.h"

namespace httplib {
class Client;
}

namespace chipledger::cli {

struct HttpUrl {
  std::string scheme;  // "http" or "https"
  std::string host;
  int port = 0;
  std::string prefix;  // path prefix without a trailing slash, e.g. "/ledger"
};

// "http(s)://HOST[:PORT][/PREFIX]". The error names `field` (e.g. "--ledger") and shows the fix,
// e.g. "localhost:8080" → "write http://localhost:8080".
Result<HttpUrl> ParseHttpUrl(std::string_view url, std::string_view field);

struct HttpOptions {
  std::optional<std::string> ca_file = std::nullopt;  // PEM bundle for https (else the system CAs)
  std::optional<std::string> bearer = std::nullopt;   // Authorization: Bearer
  int connect_timeout_s = 5;
  int read_timeout_s = 30;
  bool keep_alive = false;
};

struct HttpAnswer {
  int status = 0;
  std::string body;
  std::string content_type;  // the Content-Type header, "" when absent
};

class HttpClient {
 public:
  // Refuses a malformed URL (ParseHttpUrl, naming `field`).
  static Result<HttpClient> Open(std::string_view url, std::string_view field,
                                 const HttpOptions& options = {});
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;
  ~HttpClient();

  // Any HTTP answer is a value; a transport failure is Unavailable, its message
  // "METHOD URL: <what failed, in words>".
  Result<HttpAnswer> Get(const std::string& path_and_query);
  Result<HttpAnswer> Post(const std::string& path, const std::string& body,
                          const std::string& content_type);

  const HttpUrl& url() const { return url_; }
  std::string Origin() const;  // scheme://host:port

 private:
  HttpClient(HttpUrl url, HttpOptions options);
  template <typename Sender>
  Result<HttpAnswer> Send(const char* method, const std::string& path, Sender send);

  HttpUrl url_;
  HttpOptions options_;
  std::unique_ptr<httplib::Client> client_;
};

}  // namespace chipledger::cli

#endif  // CHIPLEDGER_CLI_HTTP_CLIENT_H_
