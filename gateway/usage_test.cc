#include "gateway/usage.h"

#include <thread>
#include <vector>

#include "core/values.h"
#include "gtest/gtest.h"

namespace arbiter::gateway {
namespace {

int64_t Ms(const char* iso) { return *ParseDateMillis(iso); }

TEST(TokenBucket, StartsFullThenRefillsAtRate) {
  TokenBucket b(ThrottleSettings{2, 3});  // 2 per second, bucket of 3
  const int64_t t = Ms("2026-11-22T10:00:00Z");
  EXPECT_TRUE(b.TryAcquire(t));
  EXPECT_TRUE(b.TryAcquire(t));
  EXPECT_TRUE(b.TryAcquire(t));
  EXPECT_FALSE(b.TryAcquire(t));        // burst spent
  EXPECT_FALSE(b.TryAcquire(t + 499));  // half a token is not a token
  EXPECT_TRUE(b.TryAcquire(t + 500));
  EXPECT_FALSE(b.TryAcquire(t + 500));
  // A long pause refills to the burst, never beyond.
  const int64_t later = t + 60'000;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(b.TryAcquire(later)) << i;
  EXPECT_FALSE(b.TryAcquire(later));
}

TEST(TokenBucket, ZeroBurstOrZeroRate) {
  TokenBucket none(ThrottleSettings{100, 0});
  EXPECT_FALSE(none.TryAcquire(0));
  TokenBucket once(ThrottleSettings{0, 2});  // never refills
  EXPECT_TRUE(once.TryAcquire(0));
  EXPECT_TRUE(once.TryAcquire(1'000'000));
  EXPECT_FALSE(once.TryAcquire(100'000'000));
}

TEST(TokenBucket, EarlierRequestTimesRefillNothing) {
  TokenBucket b(ThrottleSettings{1, 1});
  const int64_t t = Ms("2026-11-22T10:00:10Z");
  EXPECT_TRUE(b.TryAcquire(t));
  EXPECT_FALSE(b.TryAcquire(t - 5000));
  EXPECT_TRUE(b.TryAcquire(t + 1000));
}

TEST(TokenBucket, AnEarlierTimeAfterALaterOneIsJudgedAtTheLaterTime) {
  // Regression: a request stamped a day before the last one was throttled, as if it owed
  // a day of tokens.
  TokenBucket b(ThrottleSettings{1, 2});
  const int64_t t = Ms("2026-11-22T10:00:00Z");
  EXPECT_TRUE(b.TryAcquire(t + 86'400'000));
  EXPECT_TRUE(b.TryAcquire(t));  // the second token of the burst
  EXPECT_FALSE(b.TryAcquire(t));
}

TEST(TokenBucket, ConcurrentCallersNeverExceedTheBurst) {
  TokenBucket b(ThrottleSettings{1, 1000});
  std::atomic<int> granted{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 1000; ++j) granted += b.TryAcquire(5000) ? 1 : 0;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(granted.load(), 1000);
}

TEST(TokenBucket, FarFutureTimesDoNotOverflow) {
  // Regression (gateway_fuzzer, UBSan): a request dated 4052 overflowed nanoseconds.
  TokenBucket b(ThrottleSettings{10, 2});
  const int64_t t = Ms("4052-11-22T10:00:00Z");
  EXPECT_TRUE(b.TryAcquire(t));
  EXPECT_TRUE(b.TryAcquire(t));
  EXPECT_FALSE(b.TryAcquire(t));
  EXPECT_TRUE(b.TryAcquire(Ms("9999-12-31T23:59:59Z")));
}

TEST(Quota, CalendarPeriodsInUtc) {
  EXPECT_EQ(QuotaPeriodIndex(QuotaPeriod::kDay, Ms("2026-11-22T23:59:59Z")),
            QuotaPeriodIndex(QuotaPeriod::kDay, Ms("2026-11-22T00:00:00Z")));
  EXPECT_NE(QuotaPeriodIndex(QuotaPeriod::kDay, Ms("2026-11-22T23:59:59Z")),
            QuotaPeriodIndex(QuotaPeriod::kDay, Ms("2026-11-23T00:00:00Z")));
  // 2026-11-22 is a Sunday: a new week starts; Saturday the 21st is in the week before.
  EXPECT_EQ(QuotaPeriodIndex(QuotaPeriod::kWeek, Ms("2026-11-22T00:00:00Z")),
            QuotaPeriodIndex(QuotaPeriod::kWeek, Ms("2026-11-28T23:59:59Z")));
  EXPECT_EQ(QuotaPeriodIndex(QuotaPeriod::kWeek, Ms("2026-11-21T23:59:59Z")) + 1,
            QuotaPeriodIndex(QuotaPeriod::kWeek, Ms("2026-11-22T00:00:00Z")));
  EXPECT_EQ(QuotaPeriodIndex(QuotaPeriod::kMonth, Ms("2026-11-01T00:00:00Z")),
            QuotaPeriodIndex(QuotaPeriod::kMonth, Ms("2026-11-30T23:59:59Z")));
  EXPECT_EQ(QuotaPeriodIndex(QuotaPeriod::kMonth, Ms("2026-12-31T23:59:59Z")) + 1,
            QuotaPeriodIndex(QuotaPeriod::kMonth, Ms("2027-01-01T00:00:00Z")));
}

TEST(Quota, LimitPerPeriodAndOffsetInTheInitialPeriod) {
  QuotaCounter q(QuotaSettings{3, QuotaPeriod::kDay, 1});
  const int64_t d1 = Ms("2026-11-22T10:00:00Z"), d2 = Ms("2026-11-23T00:00:00Z");
  EXPECT_EQ(q.Remaining(d1), 2);
  EXPECT_TRUE(q.TryConsume(d1));
  EXPECT_TRUE(q.TryConsume(d1));
  EXPECT_FALSE(q.TryConsume(d1));  // 3 minus the offset of 1
  EXPECT_EQ(q.Remaining(d2), 3);
  EXPECT_TRUE(q.TryConsume(d2));
  EXPECT_TRUE(q.TryConsume(d2));
  EXPECT_TRUE(q.TryConsume(d2));
  EXPECT_FALSE(q.TryConsume(d2));
  EXPECT_FALSE(q.TryConsume(d1));  // an older period counts against the current one
}

TEST(Quota, ConcurrentCallersNeverExceedTheLimit) {
  QuotaCounter q(QuotaSettings{500, QuotaPeriod::kMonth, 0});
  std::atomic<int> granted{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 500; ++j) granted += q.TryConsume(Ms("2026-11-22T10:00:00Z")) ? 1 : 0;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(granted.load(), 500);
}

}  // namespace
}  // namespace arbiter::gateway
