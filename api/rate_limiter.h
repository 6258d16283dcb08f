// Per-client token buckets: a client may make `rate` requests a second on average and `burst`
// at once. Clients are keyed by address; idle full buckets are forgotten.
#ifndef CHIPLEDGER_API_RATE_LIMITER_H_
#define CHIPLEDGER_API_RATE_LIMITER_H_

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace chipledger::api {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // rate 0 allows everything.
  RateLimiter(double rate, double burst) : rate_(rate), burst_(burst) {}
  // Takes one token from the client's bucket; false when it is empty. Sets *retry_after_s to the
  // whole seconds until a token is available.
  bool Allow(const std::string& client, Clock::time_point now, int* retry_after_s);

 private:
  struct Bucket {
    double tokens;
    Clock::time_point updated;
  };
  void ForgetFullBuckets(Clock::time_point now);

  const double rate_, burst_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace chipledger::api

#endif  // CHIPLEDGER_API_RATE_LIMITER_H_
