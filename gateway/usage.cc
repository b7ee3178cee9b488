#include "gateway/usage.h"

#include <cmath>
#include <limits>

namespace arbiter::gateway {

TokenBucket::TokenBucket(ThrottleSettings settings) : settings_(settings) {
  if (settings_.rate_limit > 0) {
    // Microseconds: request times up to year 9999 (any ISO date) stay far from overflow.
    double interval = 1e6 / settings_.rate_limit;
    interval_us_ = interval < 1 ? 1 : static_cast<int64_t>(std::llround(interval));
    // Bounded so that the window stays far from overflow for any sane burst.
    double window = static_cast<double>(interval_us_) * static_cast<double>(settings_.burst_limit);
    window_us_ = window > 1e17 ? static_cast<int64_t>(1e17) : static_cast<int64_t>(window);
  } else {
    interval_us_ = 0;
    window_us_ = 0;
  }
}

bool TokenBucket::TryAcquire(int64_t now_ms) {
  if (settings_.burst_limit <= 0) return false;
  if (interval_us_ == 0) {  // no refill: the bucket holds `burst` tokens, once
    int64_t taken = taken_.load(std::memory_order_relaxed);
    do {
      if (taken >= settings_.burst_limit) return false;
    } while (!taken_.compare_exchange_weak(taken, taken + 1, std::memory_order_relaxed));
    return true;
  }
  // Time as the bucket sees it never runs backwards: a request stamped earlier than one
  // already seen is judged at the latest time seen (no refill, no debt).
  int64_t last = last_ms_.load(std::memory_order_relaxed);
  while (now_ms > last &&
         !last_ms_.compare_exchange_weak(last, now_ms, std::memory_order_relaxed)) {
  }
  if (last > now_ms) now_ms = last;
  const int64_t now = now_ms * 1'000;
  int64_t tat = tat_us_.load(std::memory_order_relaxed);
  for (;;) {
    // A full bucket means tat <= now. The request fits when the new arrival time runs at
    // most `burst` intervals ahead of now, i.e. at least one token is left.
    const int64_t base = tat > now ? tat : now;
    const int64_t next = base + interval_us_;
    if (next - now > window_us_) return false;
    if (tat_us_.compare_exchange_weak(tat, next, std::memory_order_relaxed)) return true;
  }
}

namespace {

constexpr int64_t kMsPerDay = 86'400'000;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Days since 1970-01-01 -> civil date (Howard Hinnant's algorithm).
void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yy + (*m <= 2);
}

}  // namespace

int64_t QuotaPeriodIndex(QuotaPeriod period, int64_t now_ms) {
  const int64_t days = FloorDiv(now_ms, kMsPerDay);
  switch (period) {
    case QuotaPeriod::kDay:
      return days;
    case QuotaPeriod::kWeek:
      return FloorDiv(days + 4, 7);  // 1970-01-01 was a Thursday; weeks start on Sunday
    case QuotaPeriod::kMonth: {
      int64_t y;
      unsigned m, d;
      CivilFromDays(days, &y, &m, &d);
      return y * 12 + (m - 1);
    }
  }
  return days;
}

bool QuotaCounter::TryConsume(int64_t now_ms) {
  // Period numbers after 1970 are positive and far below 2^32 - 1.
  const uint64_t period = static_cast<uint32_t>(QuotaPeriodIndex(settings_.period, now_ms)) + 1;
  uint64_t state = state_.load(std::memory_order_relaxed);
  for (;;) {
    uint64_t at = state >> 32;
    uint64_t used = state & 0xffffffffu;
    if (at == 0) {  // the initial period: the offset is already used
      at = period;
      used = settings_.offset > 0 ? static_cast<uint64_t>(settings_.offset) : 0;
    } else if (period > at) {  // a new period starts from zero; an older one counts as current
      at = period;
      used = 0;
    }
    if (static_cast<int64_t>(used) >= settings_.limit) return false;
    const uint64_t next = (at << 32) | (used + 1);
    if (state_.compare_exchange_weak(state, next, std::memory_order_relaxed)) return true;
  }
}

int64_t QuotaCounter::Remaining(int64_t now_ms) const {
  const uint64_t period = static_cast<uint32_t>(QuotaPeriodIndex(settings_.period, now_ms)) + 1;
  const uint64_t state = state_.load(std::memory_order_relaxed);
  int64_t used = static_cast<int64_t>(state & 0xffffffffu);
  if ((state >> 32) == 0)
    used = settings_.offset;
  else if ((state >> 32) < period)
    used = 0;
  return settings_.limit > used ? settings_.limit - used : 0;
}

}  // namespace arbiter::gateway
