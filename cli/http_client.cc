#include "cli/http_client.h"

#include <httplib.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "ledger/checkpoint.h"

namespace chipledger::cli {
namespace {

Status BadUrl(std::string_view field, const std::string& why) {
  return Status::InvalidArgument("bad_url", std::string(field) + ": " + why);
}

std::string HostPort(const HttpUrl& url) {
  bool v6 = url.host.find(':') != std::string::npos;
  return (v6 ? "[" + url.host + "]" : url.host) + ":" + std::to_string(url.port);
}

// The errno of one plain TCP connect to `url`'s first address (0: it connected), or the resolver's
// failure in words; this says what cpp-httplib's single "Connection" error was.
std::string WhyNoConnection(const HttpUrl& url, int timeout_s) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  int resolved = getaddrinfo(url.host.c_str(), std::to_string(url.port).c_str(), &hints, &found);
  if (resolved != 0) {
    return "name not found: the host name '" + url.host + "' does not resolve (" +
           gai_strerror(resolved) + "); check its spelling in the URL, and the network's DNS";
  }
  int fd = socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  timeval bound{timeout_s, 0};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &bound, sizeof bound);
  int error = fd >= 0 && connect(fd, found->ai_addr, found->ai_addrlen) == 0 ? 0 : errno;
  if (fd >= 0) close(fd);
  freeaddrinfo(found);
  switch (error) {
    case 0:
      return "could not connect to " + HostPort(url) + " (it accepts connections now: try again)";
    case ECONNREFUSED:
      return "connection refused: nothing listens on " + HostPort(url) +
             " (is the server running, and is the port right?)";
    case EINPROGRESS:
    case ETIMEDOUT:
      return "timeout: no TCP connection to " + HostPort(url) + " within " +
             std::to_string(timeout_s) + " s (is the host up? a firewall may drop the packets)";
    case ENETUNREACH:
    case EHOSTUNREACH:
      return "no route to " + HostPort(url) + " (" + std::strerror(error) +
             "): is this machine online?";
    default:
      return "cannot connect to " + HostPort(url) + ": " + std::strerror(error);
  }
}

std::string Describe(httplib::Error error, const HttpUrl& url, const HttpOptions& options,
                     double elapsed_s) {
  std::string at = HostPort(url);
  switch (error) {
    case httplib::Error::Connection:
      return WhyNoConnection(url, options.connect_timeout_s);
    case httplib::Error::ConnectionTimeout:
      return "timeout: no TCP connection to " + at + " within " +
             std::to_string(options.connect_timeout_s) +
             " s (is the host up? a firewall may drop the packets)";
    case httplib::Error::Read:
      // A read timeout and a closed connection are the same error to cpp-httplib.
      if (elapsed_s + 0.5 >= options.read_timeout_s) {
        return "timeout: " + at + " accepted the connection but sent no answer within " +
               std::to_string(options.read_timeout_s) + " s";
      }
      return at + " closed the connection without an answer" +
             (url.scheme == "http" ? " (if it serves TLS, write https:// in the URL)" : "");
    case httplib::Error::Write:
      return "the connection to " + at + " broke while the request was sent";
    case httplib::Error::SSLConnection:
      return "TLS handshake with " + at +
             " failed: is it a plain-HTTP server? (then write http:// in the URL)";
    case httplib::Error::SSLLoadingCerts:
      return "cannot load the CA file " + options.ca_file.value_or("(system CAs)") +
             " (is it a PEM bundle?)";
    case httplib::Error::SSLServerVerification:
      return "the TLS certificate of " + at + " does not verify against " +
             (options.ca_file ? "the CA file " + *options.ca_file : "the system's CAs") +
             " (give its CA with the ca-file setting)";
    default:
      return "request to " + at + " failed (" + httplib::to_string(error) + ")";
  }
}

}  // namespace

Result<HttpUrl> ParseHttpUrl(std::string_view url, std::string_view field) {
  if (url.empty()) return BadUrl(field, "empty; give a URL such as https://ledger.example:8443");
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return BadUrl(field, "'" + std::string(url) + "' has no scheme: write http://" +
                             std::string(url) + " (or https:// for a TLS server)");
  }
  HttpUrl out{std::string(url.substr(0, scheme_end)), "", 0, ""};
  if (out.scheme != "http" && out.scheme != "https") {
    return BadUrl(field, "scheme '" + out.scheme + "' is not supported: use http:// or https://");
  }
  std::string_view rest = url.substr(scheme_end + 3);
  if (rest.find_first_of("?#@") != std::string_view::npos) {
    return BadUrl(
        field, "'" + std::string(url) + "' must not carry a query, a fragment or user:password@");
  }
  size_t path = rest.find('/');
  std::string_view authority = rest.substr(0, path);
  out.prefix = path == std::string_view::npos ? "" : std::string(rest.substr(path));
  while (!out.prefix.empty() && out.prefix.back() == '/') out.prefix.pop_back();
  size_t port_colon = authority.rfind(':');
  if (authority.starts_with('[')) {  // [IPv6]:port
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return BadUrl(field, "unclosed '[' in the host");
    out.host = std::string(authority.substr(1, close - 1));
    port_colon = close + 1 < authority.size() ? close + 1 : std::string_view::npos;
  } else {
    out.host = std::string(authority.substr(0, port_colon));
  }
  if (out.host.empty()) return BadUrl(field, "no host in '" + std::string(url) + "'");
  out.port = out.scheme == "https" ? 443 : 80;
  if (port_colon != std::string_view::npos) {
    std::string_view digits = authority.substr(port_colon + 1);
    uint64_t port = 0;
    if (!ParseCanonicalDecimal(digits, &port) || port == 0 || port > 65535) {
      return BadUrl(field, "port '" + std::string(digits) + "' must be a number from 1 to 65535");
    }
    out.port = static_cast<int>(port);
  }
  return out;
}

HttpClient::HttpClient(HttpUrl url, HttpOptions options)
    : url_(std::move(url)), options_(std::move(options)) {
  client_ = std::make_unique<httplib::Client>(Origin());
  client_->set_connection_timeout(options_.connect_timeout_s);
  client_->set_read_timeout(options_.read_timeout_s);
  client_->set_write_timeout(options_.read_timeout_s);
  client_->set_keep_alive(options_.keep_alive);
  if (options_.ca_file) client_->set_ca_cert_path(options_.ca_file->c_str());
  client_->enable_server_certificate_verification(true);
  if (options_.bearer) client_->set_bearer_token_auth(options_.bearer->c_str());
}

HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;
HttpClient::~HttpClient() = default;

Result<HttpClient> HttpClient::Open(std::string_view url, std::string_view field,
                                    const HttpOptions& options) {
  Result<HttpUrl> parsed = ParseHttpUrl(url, field);
  if (!parsed.ok()) return parsed.status();
  return HttpClient(*std::move(parsed), options);
}

std::string HttpClient::Origin() const { return url_.scheme + "://" + HostPort(url_); }

template <typename Sender>
Result<HttpAnswer> HttpClient::Send(const char* method, const std::string& path, Sender send) {
  auto start = std::chrono::steady_clock::now();
  httplib::Result result = send(url_.prefix + path);
  if (result) {
    return HttpAnswer{result->status, result->body, result->get_header_value("Content-Type")};
  }
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return Status::Unavailable(std::string(method) + " " + Origin() + url_.prefix + path + ": " +
                             Describe(result.error(), url_, options_, elapsed));
}

Result<HttpAnswer> HttpClient::Get(const std::string& path_and_query) {
  return Send("GET", path_and_query, [&](const std::string& path) { return client_->Get(path); });
}

Result<HttpAnswer> HttpClient::Post(const std::string& path, const std::string& body,
                                    const std::string& content_type) {
  return Send("POST", path,
              [&](const std::string& to) { return client_->Post(to, body, content_type); });
}

}  // namespace chipledger::cli
