// Throttling and quotas, as API Gateway usage plans and stages apply them.
//
// Throttling is a token bucket per limit: `burst_limit` tokens, refilled at `rate_limit`
// per second, full at the start; a request takes one token or is throttled (429).
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
// Implemented as GCRA (the generic cell rate algorithm), which is that token bucket
// expressed as one "theoretical arrival time", so one atomic compare-and-swap decides.
//
// Quotas count requests per API key per calendar period (DAY, WEEK from Sunday, MONTH from
// the 1st; UTC). `offset` is "the number of requests subtracted from the given limit in the
// initial time period" (API reference, QuotaSettings): the first period a counter sees.
// https://docs.aws.amazon.com/apigateway/latest/api/API_QuotaSettings.html
//
// Thread-safety: TryAcquire/TryConsume are lock-free (one CAS loop on one atomic word) and
// may be called from any number of threads. Request times need not be monotonic: a request
// that arrives "earlier" than the last one refills nothing and still pays its token.
#ifndef ARBITER_GATEWAY_USAGE_H_
#define ARBITER_GATEWAY_USAGE_H_

#include <atomic>
#include <cstdint>
#include <optional>

namespace arbiter::gateway {

struct ThrottleSettings {
  double rate_limit = 0;    // tokens per second, >= 0
  int64_t burst_limit = 0;  // bucket size, >= 0; 0 throttles every request
};

class TokenBucket {
 public:
  explicit TokenBucket(ThrottleSettings settings);

  // Takes one token at `now_ms` if one is there. Lock-free.
  bool TryAcquire(int64_t now_ms);
  const ThrottleSettings& settings() const { return settings_; }

 private:
  ThrottleSettings settings_;
  // 1 / rate in microseconds (at least 1: rates above 1,000,000 per second count as that),
  // the time one token takes to refill; 0 when rate is 0.
  int64_t interval_us_;
  int64_t window_us_;  // burst * interval: how far the arrival time may run ahead
  std::atomic<int64_t> tat_us_{INT64_MIN};   // theoretical arrival time; MIN = full bucket
  std::atomic<int64_t> taken_{0};            // tokens taken, when rate is 0 (no refill)
  std::atomic<int64_t> last_ms_{INT64_MIN};  // the latest request time seen
};

enum class QuotaPeriod { kDay, kWeek, kMonth };

struct QuotaSettings {
  int64_t limit = 0;
  QuotaPeriod period = QuotaPeriod::kDay;
  int64_t offset = 0;  // taken off the limit in the initial period
};

// The number of the calendar period (UTC) that holds `now_ms`: days since the epoch, weeks
// that start on Sunday, or months.
int64_t QuotaPeriodIndex(QuotaPeriod period, int64_t now_ms);

class QuotaCounter {
 public:
  explicit QuotaCounter(QuotaSettings settings) : settings_(settings) {}

  // Counts one request in the period of `now_ms` unless the limit is reached. Lock-free.
  bool TryConsume(int64_t now_ms);
  // Requests left in the period of `now_ms`.
  int64_t Remaining(int64_t now_ms) const;
  const QuotaSettings& settings() const { return settings_; }

 private:
  QuotaSettings settings_;
  // ((period index + 1) << 32) | used, 0 before the first request; periods only move
  // forward.
  std::atomic<uint64_t> state_{0};
};

}  // namespace arbiter::gateway

#endif  // ARBITER_GATEWAY_USAGE_H_
