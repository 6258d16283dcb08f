#include "api/bench/lean_client.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <utility>

namespace chipledger::api {

namespace {

Status Errno(const std::string& what) {
  return Status::IOError(what + ": " + std::strerror(errno));
}

// The value of header `name` in an HTTP head, or empty.
std::string HeaderValue(std::string_view head, std::string_view name) {
  size_t pos = 0;
  while ((pos = head.find("\r\n", pos)) != std::string_view::npos) {
    pos += 2;
    std::string_view line = head.substr(pos, head.find("\r\n", pos) - pos);
    size_t colon = line.find(':');
    if (colon == name.size() && strncasecmp(line.data(), name.data(), name.size()) == 0) {
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      return std::string(value);
    }
  }
  return "";
}

}  // namespace

Result<LeanClient> LeanClient::Connect(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 || !found) {
    return Status::IOError(host + ": cannot be resolved");
  }
  int fd = socket(found->ai_family, found->ai_socktype, found->ai_protocol);
  if (fd < 0) {
    freeaddrinfo(found);
    return Errno("socket");
  }
  int connected = connect(fd, found->ai_addr, found->ai_addrlen);
  freeaddrinfo(found);
  if (connected != 0) {
    Status error = Errno("connect " + host + ":" + std::to_string(port));
    close(fd);
    return error;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return LeanClient(fd, host + ":" + std::to_string(port));
}

LeanClient::LeanClient(LeanClient&& other) noexcept
    : fd_(other.fd_), host_(std::move(other.host_)), buffer_(std::move(other.buffer_)) {
  other.fd_ = -1;
}

LeanClient& LeanClient::operator=(LeanClient&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    host_ = std::move(other.host_);
    buffer_ = std::move(other.buffer_);
  }
  return *this;
}

LeanClient::~LeanClient() {
  if (fd_ >= 0) close(fd_);
}

Status LeanClient::SendAll(const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Errno("send");
    sent += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status LeanClient::ReadAtLeast(size_t size) {
  char chunk[16384];
  while (buffer_.size() < size) {
    ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("recv");
    if (n == 0) return Status::IOError("the server closed the connection");
    buffer_.append(chunk, static_cast<size_t>(n));
  }
  return Status::Ok();
}

Result<LeanResponse> LeanClient::Post(const std::string& path, const std::string& body) {
  return Exchange("POST " + path + " HTTP/1.1\r\nHost: " + host_ +
                  "\r\nContent-Type: application/json\r\nContent-Length: " +
                  std::to_string(body.size()) + "\r\n\r\n" + body);
}

Result<LeanResponse> LeanClient::Get(const std::string& path) {
  return Exchange("GET " + path + " HTTP/1.1\r\nHost: " + host_ + "\r\n\r\n");
}

Result<LeanResponse> LeanClient::Exchange(const std::string& request) {
  if (Status s = SendAll(request); !s.ok()) return s;
  size_t head_end;
  while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (Status s = ReadAtLeast(buffer_.size() + 1); !s.ok()) return s;
  }
  std::string_view head(buffer_.data(), head_end);
  LeanResponse response;
  if (head.size() < 12 || head.substr(0, 9) != "HTTP/1.1 ") {
    return Status::IOError("not an HTTP/1.1 response");
  }
  response.status = std::atoi(std::string(head.substr(9, 3)).c_str());
  std::string length = HeaderValue(head, "Content-Length");
  if (length.empty()) return Status::IOError("response without Content-Length");
  size_t body_start = head_end + 4;
  size_t body_size = 0;
  auto [end, error] = std::from_chars(length.data(), length.data() + length.size(), body_size);
  if (error != std::errc() || end != length.data() + length.size()) {
    return Status::IOError("bad Content-Length: " + length);
  }
  if (Status s = ReadAtLeast(body_start + body_size); !s.ok()) return s;
  response.body = buffer_.substr(body_start, body_size);
  buffer_.erase(0, body_start + body_size);
  return response;
}

}  // namespace chipledger::api
