#include "cli/http_server.h"

#include <netdb.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include "cli/serve.h"

namespace chipledger::cli {
namespace {

// cpp-httplib serves a connection on one task for its whole life (keep-alive included) and its
// ThreadPool has a fixed size, so a client holding that many slow or idle connections locks every
// other client out. This pool starts a thread for a connection when no thread is idle, up to
// `max_threads`; beyond that, connections wait in order. Idle threads are kept for reuse, so
// steady load starts none; one idle for kIdleEnd ends, so a past burst does not keep them all.
class ConnectionPool final : public httplib::TaskQueue {
 public:
  static constexpr std::chrono::seconds kIdleEnd{60};

  explicit ConnectionPool(size_t max_threads) : max_threads_(max_threads) {}
  ~ConnectionPool() override { shutdown(); }
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  void enqueue(std::function<void()> fn) override {
    std::vector<std::thread> ended;
    {
      std::lock_guard<std::mutex> lock(mu_);
      jobs_.push_back(std::move(fn));
      ended.swap(ended_);
      // Each idle thread takes one job; a job beyond them needs a new thread.
      if (jobs_.size() > idle_ && threads_.size() < max_threads_) {
        Start();
      } else {
        cv_.notify_one();
      }
    }
    for (std::thread& thread : ended) thread.join();  // they have left Work(): a short wait
  }

  // Serves every queued connection, then joins every thread.
  void shutdown() override {
    std::vector<std::thread> all;
    {
      std::lock_guard<std::mutex> lock(mu_);
      shutdown_ = true;
      cv_.notify_all();
      all.swap(ended_);
      for (std::thread& thread : threads_) all.push_back(std::move(thread));
      threads_.clear();
    }
    for (std::thread& thread : all) thread.join();
  }

 private:
  // With mu_ held. When no thread can start (the system's limit), the job waits for a running
  // one rather than failing the accept loop.
  void Start() {
    try {
      threads_.emplace_back([this] { Work(); });
    } catch (const std::system_error&) {
    }
  }

  void Work() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      if (!jobs_.empty()) {
        std::function<void()> job = std::move(jobs_.front());
        jobs_.pop_front();
        lock.unlock();
        job();
        job = nullptr;  // the connection's state goes before the lock is taken again
        lock.lock();
        continue;
      }
      if (shutdown_) return;  // shutdown() joins this thread
      ++idle_;
      bool woken = cv_.wait_for(lock, kIdleEnd, [this] { return !jobs_.empty() || shutdown_; });
      --idle_;
      if (!woken) return End();
    }
  }

  // With mu_ held: hands this thread's handle to whoever joins next. After shutdown() took every
  // handle, there is none left here to move.
  void End() {
    for (auto it = threads_.begin(); it != threads_.end(); ++it) {
      if (it->get_id() == std::this_thread::get_id()) {
        ended_.push_back(std::move(*it));
        threads_.erase(it);
        return;
      }
    }
  }

  const size_t max_threads_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::list<std::thread> threads_;  // running Work()
  std::vector<std::thread> ended_;  // left Work() after kIdleEnd; joined by the next enqueue
  size_t idle_ = 0;                 // threads waiting for a job
  bool shutdown_ = false;
};

// Why binding `host`:`port` fails, found by trying it again: cpp-httplib 0.11 reports only that
// it failed, and closes the socket (so errno may no longer be bind's) before it returns.
std::string BindFailureReason(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  std::string service = std::to_string(port);
  if (int error = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); error != 0) {
    return "\"" + host + "\" is not an address or a name this machine can resolve (" +
           ::gai_strerror(error) + "); use an address of this machine such as 127.0.0.1";
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, ::freeaddrinfo);
  int fd = ::socket(found->ai_family, found->ai_socktype | SOCK_CLOEXEC, found->ai_protocol);
  if (fd < 0) return std::string("cannot create a socket: ") + std::strerror(errno);
  int yes = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  int error = ::bind(fd, found->ai_addr, found->ai_addrlen) == 0 ? 0 : errno;
  ::close(fd);
  switch (error) {
    case EADDRINUSE:
      return "the address is in use: another process listens on port " + service +
             " (`ss -ltnp 'sport = :" + service + "'` names it); stop it or choose another port";
    case EACCES:
      return "permission denied: ports below 1024 need root or CAP_NET_BIND_SERVICE; choose a "
             "port above 1023";
    case EADDRNOTAVAIL:
      return "\"" + host +
             "\" is not an address of this machine; use one of its addresses, 127.0.0.1, or "
             "0.0.0.0 for all";
    case 0:
      return "the address was busy and is free now; start again";
    default:
      return std::strerror(error);
  }
}

}  // namespace

std::optional<BodyRefusal> RefuseBodyUnread(const httplib::Request& req, size_t max_body_bytes) {
  if (req.has_header("Transfer-Encoding")) {
    return BodyRefusal{411, "length_required",
                       "Transfer-Encoding: chunked bodies are not accepted; send the body with a "
                       "Content-Length of at most " +
                           std::to_string(max_body_bytes) + " bytes"};
  }
  std::string length = req.get_header_value("Content-Length");
  // Compared as text so that no length overflows: without leading zeros, more digits is larger.
  length.erase(0, std::min(length.find_first_not_of('0'), length.size()));
  std::string max = std::to_string(max_body_bytes);
  if (length.size() > max.size() || (length.size() == max.size() && length > max)) {
    return BodyRefusal{413, "too_large",
                       "Content-Length: " + length + " exceeds the limit of " + max +
                           " bytes; the body was not read"};
  }
  return std::nullopt;
}

void SendAndClose(const httplib::Request& req, httplib::Response& res, int status, std::string body,
                  const char* content_type) {
  res.status = status;
  if (req.get_header_value("Connection") != "close") res.set_header("Connection", "close");
  size_t length = body.size();
  res.set_content_provider(
      length, content_type,
      [body = std::move(body)](size_t offset, size_t size, httplib::DataSink& sink) {
        sink.write(body.data() + offset, size);
        return false;  // written: now end the connection
      });
}

double RoundedMilliseconds(double seconds) { return std::round(seconds * 1e6) / 1e3; }

HttpServer::HttpServer(std::unique_ptr<httplib::Server> http, const HttpLimits& limits)
    : http_(std::move(http)) {
  size_t max_connections = static_cast<size_t>(limits.max_connections);
  http_->new_task_queue = [max_connections] { return new ConnectionPool(max_connections); };
  http_->set_tcp_nodelay(true);
  // SO_REUSEADDR for quick restarts, but not cpp-httplib's default SO_REUSEPORT, which would let
  // a second server bound to the same port silently take a share of the connections.
  http_->set_socket_options([this](int sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    listen_fd_ = sock;
  });
  http_->set_payload_max_length(limits.max_body_bytes);
  http_->set_read_timeout(limits.read_timeout_s);
  http_->set_write_timeout(limits.write_timeout_s);
  http_->set_keep_alive_timeout(limits.keep_alive_timeout_s);
  http_->set_keep_alive_max_count(static_cast<size_t>(limits.keep_alive_max_requests));
}

Result<int> HttpServer::Bind(const std::string& listen, std::string_view setting) {
  Result<HostPort> parsed = ParseListen(listen);
  if (!parsed.ok()) return parsed.status();
  int port = parsed->port;
  if (port == 0) {
    port = http_->bind_to_any_port(parsed->host);
  } else if (!http_->bind_to_port(parsed->host, port)) {
    port = -1;
  }
  if (port < 0) {
    return Status::Unavailable(std::string(setting) + ": cannot bind " + listen + ": " +
                               BindFailureReason(parsed->host, parsed->port));
  }
  // Debian's cpp-httplib listens with a backlog of 5: a burst of agents connecting at once then
  // overflows the accept queue and waits a second for a SYN retransmit. Listening again on the
  // bound socket only widens the queue.
  if (::listen(listen_fd_, SOMAXCONN) != 0) {
    return Status::IOError(std::string("listen: ") + std::strerror(errno));
  }
  return port;
}

Status HttpServer::Run() {
  if (stop_requested_) return Status::Ok();
  if (!http_->listen_after_bind()) return Status::IOError("the listening socket failed");
  return Status::Ok();
}

void HttpServer::Stop() {
  stop_requested_ = true;
  if (http_->is_running() && !stop_sent_.exchange(true)) http_->stop();
}

}  // namespace chipledger::cli
