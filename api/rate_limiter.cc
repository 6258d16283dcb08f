#include "api/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace chipledger::api {
namespace {
constexpr size_t kMaxTrackedClients = 10000;
}

bool RateLimiter::Allow(const std::string& client, Clock::time_point now, int* retry_after_s) {
  if (rate_ <= 0) return true;
  std::lock_guard<std::mutex> lock(mu_);
  if (buckets_.size() >= kMaxTrackedClients) ForgetFullBuckets(now);
  auto [it, inserted] = buckets_.try_emplace(client, Bucket{burst_, now});
  Bucket& bucket = it->second;
  double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
  bucket.tokens = std::min(burst_, bucket.tokens + std::max(0.0, elapsed) * rate_);
  bucket.updated = now;
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return true;
  }
  *retry_after_s = std::max(1, static_cast<int>(std::ceil((1 - bucket.tokens) / rate_)));
  return false;
}

void RateLimiter::ForgetFullBuckets(Clock::time_point now) {
  std::erase_if(buckets_, [&](const auto& item) {
    double elapsed = std::chrono::duration<double>(now - item.second.updated).count();
    return item.second.tokens + elapsed * rate_ >= burst_;
  });
}

}  // namespace chipledger::api
