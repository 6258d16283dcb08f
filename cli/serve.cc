#include "cli/serve.h"

#include <pthread.h>

#include <charconv>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace chipledger::cli {

std::string HostPort::Url(bool tls) const {
  std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return std::string(tls ? "https" : "http") + "://" + shown + ":" + std::to_string(port);
}

Result<HostPort> ParseListen(std::string_view text) {
  auto bad = [&] {
    return Status::InvalidArgument("bad_listen",
                                   "listen: \"" + std::string(text) + "\" is not HOST:PORT");
  };
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return bad();
  std::string_view host = text.substr(0, colon);
  std::string_view port_text = text.substr(colon + 1);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return bad();
    host = host.substr(1, host.size() - 2);
  }
  HostPort out{std::string(host), 0};
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), out.port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port_text.empty() ||
      out.port < 0 || out.port > 65535) {
    return bad();
  }
  return out;
}

sigset_t BlockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  return signals;
}

Status RunUntilSignalled(const sigset_t& signals, const std::function<Status()>& run,
                         const std::function<void()>& stop) {
  std::mutex mu;
  std::condition_variable cv;
  bool finished = false;
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    // A signal that lands between "listening" and the server's accept loop would make one stop()
    // too early to count: repeat it until `run` has returned.
    std::unique_lock<std::mutex> lock(mu);
    while (!finished) {
      lock.unlock();
      stop();
      lock.lock();
      cv.wait_for(lock, std::chrono::milliseconds(50), [&] { return finished; });
    }
  });
  Status served = run();
  {
    std::lock_guard<std::mutex> lock(mu);
    finished = true;
  }
  cv.notify_all();
  if (!served.ok()) pthread_kill(waiter.native_handle(), SIGTERM);  // wakes a waiter in sigwait
  waiter.join();
  return served;
}

}  // namespace chipledger::cli
