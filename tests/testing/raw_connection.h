// One raw TCP connection to a server on 127.0.0.1, for what httplib::Client would not send:
// duplicate framing headers, pipelined requests, a POST with no Content-Length, requests sent a
// byte at a time or never finished.
#ifndef CHIPLEDGER_TESTS_TESTING_RAW_CONNECTION_H_
#define CHIPLEDGER_TESTS_TESTING_RAW_CONNECTION_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace chipledger::testing {

class RawConnection {
 public:
  using milliseconds = std::chrono::milliseconds;
  using SteadyClock = std::chrono::steady_clock;

  explicit RawConnection(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }

  bool Send(const std::string& bytes) {
    return connected_ && ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
                             static_cast<ssize_t>(bytes.size());
  }

  // Sends what the socket buffer takes now, without waiting; returns the bytes sent (0 once the
  // server has closed the connection).
  size_t SendSome(const std::string& bytes) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    return n > 0 ? static_cast<size_t>(n) : 0;
  }

  // Whether the server has closed the connection (or reset it), without waiting; discards what
  // the server sent before.
  bool ClosedByServer() {
    char buf[4096];
    for (;;) {
      ssize_t n = ::recv(fd_, buf, sizeof(buf), MSG_DONTWAIT);
      if (n > 0) continue;
      return n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
    }
  }

  // Reads until the server closes the connection or `wait` passes; *closed says which.
  std::string ReadUntilClosed(milliseconds wait, bool* closed) {
    std::string out;
    *closed = false;
    SteadyClock::time_point deadline = SteadyClock::now() + wait;
    while (SteadyClock::now() < deadline) {
      auto left = std::chrono::duration_cast<milliseconds>(deadline - SteadyClock::now());
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count()) + 1) <= 0) break;
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) {
        *closed = true;
        break;
      }
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }

  // Reads one response framed by its Content-Length (enough for chipledgerd's answers).
  std::string ReadResponse(milliseconds wait) {
    std::string out;
    SteadyClock::time_point deadline = SteadyClock::now() + wait;
    while (SteadyClock::now() < deadline) {
      size_t end = out.find("\r\n\r\n");
      if (end != std::string::npos) {
        size_t at = out.find("Content-Length: ");
        size_t length = at < end ? std::stoul(out.substr(at + 16)) : 0;
        if (out.size() >= end + 4 + length) return out;
      }
      auto left = std::chrono::duration_cast<milliseconds>(deadline - SteadyClock::now());
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count()) + 1) <= 0) break;
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }

 private:
  int fd_;
  bool connected_ = false;
};

// The status of an HTTP/1.1 response, 0 if `response` is not one.
inline int StatusOf(const std::string& response) {
  return response.rfind("HTTP/1.1 ", 0) == 0 ? std::stoi(response.substr(9, 3)) : 0;
}

// The JSON body of a response (discarded if not JSON).
inline nlohmann::json BodyOf(const std::string& response) {
  size_t end = response.find("\r\n\r\n");
  if (end == std::string::npos) return nlohmann::json();
  return nlohmann::json::parse(response.substr(end + 4), nullptr, /*allow_exceptions=*/false);
}

// `count` connections that each send `start` (the beginning of a request) and then one more
// byte of it every `interval`, as a slow-loris attack does, until destroyed: each stays just busy
// enough for a per-read timeout never to end it.
class SlowClients {
 public:
  SlowClients(int port, int count, const std::string& start, std::chrono::milliseconds interval)
      : interval_(interval) {
    for (int i = 0; i < count; ++i) {
      connections_.push_back(std::make_unique<RawConnection>(port));
      connections_.back()->Send(start);
    }
    trickler_ = std::thread([this] { Trickle(); });
  }
  ~SlowClients() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    trickler_.join();
  }
  SlowClients(const SlowClients&) = delete;
  SlowClients& operator=(const SlowClients&) = delete;

  // How many the server has not closed.
  int Open() {
    std::lock_guard<std::mutex> lock(mu_);
    int open = 0;
    for (auto& connection : connections_) open += connection->ClosedByServer() ? 0 : 1;
    return open;
  }

 private:
  void Trickle() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!cv_.wait_for(lock, interval_, [this] { return stop_; })) {
      for (auto& connection : connections_) connection->SendSome("a");
    }
  }

  const std::chrono::milliseconds interval_;
  std::vector<std::unique_ptr<RawConnection>> connections_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread trickler_;
};

}  // namespace chipledger::testing

#endif  // CHIPLEDGER_TESTS_TESTING_RAW_CONNECTION_H_
