#include "cli/serve.h"

#include <pthread.h>

#include <charconv>
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
  std::thread waiter([&stop, signals] {
    int sig = 0;
    sigwait(&signals, &sig);
    stop();
  });
  Status served = run();
  if (!served.ok()) pthread_kill(waiter.native_handle(), SIGTERM);  // wakes the waiter
  waiter.join();
  return served;
}

}  // namespace chipledger::cli
