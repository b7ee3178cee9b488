// The decision cache never changes a decision; it keys on exactly the relevant context;
// snapshots are never stale; failed updates lose nothing. The stress test at the end is
// the TSan target (scripts/test.sh runs this binary under ThreadSanitizer).
#include "engine/decider.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "compiler/compile.h"
#include "core/strings.h"
#include "engine/testing/bundled_worlds.h"
#include "engine/testing/request_generator.h"

namespace arbiter {
namespace {

Request Parse(const std::string& line) {
  Request r;
  std::string problem;
  EXPECT_TRUE(ParseRequest(line, &r, &problem)) << problem;
  return r;
}

World Load(const std::string& text) {
  std::vector<Finding> findings;
  std::optional<World> w = LoadWorld(text, &findings);
  EXPECT_TRUE(w.has_value());
  return w ? std::move(*w) : World();
}

size_t RequestsPerWorld() {
#ifdef ARBITER_SANITIZED
  return 3000;
#else
  return 30000;
#endif
}

// Cache on vs off over every bundled world: its own requests and generated ones, each
// repeated and near-repeated (an added irrelevant key, a changed value), with a small
// cache so that eviction runs too.
TEST(DeciderTest, CacheNeverChangesADecision) {
  const std::vector<NamedWorld> worlds = BundledWorlds();
  ASSERT_GT(worlds.size(), 10u);
  uint64_t hits = 0;
  for (const NamedWorld& nw : worlds) {
    CacheOptions small;
    small.capacity = 512;
    small.shards = 4;
    Decider cached(DeciderOptions{true, small});
    RequestGenerator gen(nw.world, 7);
    CompileOptions options;
    options.extra_actions = gen.actions();
    cached.Publish(nw.world, options);
    const CompiledWorld plain = Compile(nw.world, options);
    EvalScratch scratch, scratch2;
    std::vector<Request> requests = nw.requests;
    const size_t n = nw.requests.size() + RequestsPerWorld() / worlds.size();
    while (requests.size() < n) requests.push_back(gen.Next());
    int failures = 0;
    for (size_t i = 0; i < requests.size() && failures < 5; ++i) {
      Request r = requests[i];
      for (int variant = 0; variant < 4; ++variant) {
        if (variant == 2) r.context["x:noise"] = ContextValue{{StrCat(i)}, false};
        if (variant == 3 && !r.context.empty()) {
          r.context.begin()->second.values.push_back("changed");
        }
        const Decision want = Evaluate(plain, r, scratch2).decision;
        const Decision got = cached.Decide(r, scratch);
        if (got != want) {
          ++failures;
          ADD_FAILURE() << nw.name << " request " << i << " variant " << variant << ": cached "
                        << DecisionName(got) << ", engine " << DecisionName(want);
        }
      }
    }
    hits += cached.cache_stats().hits;
  }
  EXPECT_GT(hits, 0u);
}

constexpr char kConditionWorld[] = R"({
  "policies": {"P": {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
     "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
    {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*",
     "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2026-12-01T00:00:00Z"}}},
    {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/${aws:username}/*"}]}},
  "principals": [{"arn": "arn:aws:iam::111122223333:user/alice", "identity_policies": ["P"]}]})";

TEST(DeciderTest, IrrelevantKeysHitRelevantKeysMiss) {
  Decider d;
  d.Publish(Load(kConditionWorld));
  EvalScratch s;
  const std::string base = R"({"principal": "arn:aws:iam::111122223333:user/alice",
      "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k", "context": {)";
  EXPECT_EQ(d.Decide(Parse(base + R"("aws:SourceIp": "10.1.2.3"}})"), s), Decision::kAllow);
  EXPECT_EQ(d.cache_stats().misses, 1u);
  // An irrelevant key (nothing reads aws:UserAgent for s3:GetObject): a hit.
  EXPECT_EQ(d.Decide(Parse(base + R"("aws:SourceIp": "10.1.2.3", "aws:UserAgent": "x"}})"), s),
            Decision::kAllow);
  EXPECT_EQ(d.cache_stats().hits, 1u);
  // A relevant key with another value: a miss, and the other decision.
  EXPECT_EQ(d.Decide(Parse(base + R"("aws:SourceIp": "192.0.2.1"}})"), s), Decision::kImplicitDeny);
  EXPECT_EQ(d.cache_stats().misses, 2u);
  // Time is a relevant key like any other: a later time is another key and decision.
  EXPECT_EQ(d.Decide(Parse(base + R"("aws:SourceIp": "10.1.2.3",
                                      "aws:CurrentTime": "2026-12-02T00:00:00Z"}})"),
                     s),
            Decision::kExplicitDeny);
  EXPECT_EQ(d.cache_stats().hits, 1u);
  // aws:SourceIp is irrelevant to s3:PutObject, whose resource reads aws:username.
  const std::string put = R"({"principal": "arn:aws:iam::111122223333:user/alice",
      "action": "s3:PutObject", "resource": "arn:aws:s3:::b/alice/k", "context": {)";
  EXPECT_EQ(d.Decide(Parse(put + R"("aws:SourceIp": "10.1.2.3"}})"), s), Decision::kAllow);
  EXPECT_EQ(d.Decide(Parse(put + R"("aws:SourceIp": "192.0.2.1"}})"), s), Decision::kAllow);
  EXPECT_EQ(d.cache_stats().hits, 2u);
  EXPECT_EQ(d.Decide(Parse(put + R"("aws:username": "bob"}})"), s), Decision::kImplicitDeny);
  EXPECT_EQ(d.cache_stats().hits, 2u);
}

// The principal and action are resolved once per spelling and memoized; every spelling of
// an action maps to its one id, so they share cache entries. Principals and actions the world
// does not know are keyed by their text and never share an entry with known ones.
TEST(DeciderTest, ActionSpellingsShareAnEntryUnknownNamesAreKeyedByText) {
  Decider d;
  d.Publish(Load(kConditionWorld));
  EvalScratch s;
  auto request = [](std::string_view principal, std::string_view action) {
    return Parse(
        StrCat(R"({"principal": ")", principal, R"(", "action": ")", action,
               R"(", "resource": "arn:aws:s3:::b/k", "context": {"aws:SourceIp": "10.0.0.1"}})"));
  };
  const std::string alice = "arn:aws:iam::111122223333:user/alice";
  EXPECT_EQ(d.Decide(request(alice, "s3:GetObject"), s), Decision::kAllow);
  EXPECT_EQ(d.Decide(request(alice, "S3:GETOBJECT"), s), Decision::kAllow);
  EXPECT_EQ(d.cache_stats().hits, 1u);
  EXPECT_EQ(d.Decide(request(alice, "s3:getObject"), s), Decision::kAllow);  // memoized now
  EXPECT_EQ(d.Decide(request(alice, "S3:GETOBJECT"), s), Decision::kAllow);
  EXPECT_EQ(d.cache_stats().hits, 3u);
  // An action the world does not intern, in two spellings: one entry, keyed by its text.
  EXPECT_EQ(d.Decide(request(alice, "s3:GetObjectAcl"), s), Decision::kImplicitDeny);
  EXPECT_EQ(d.Decide(request(alice, "s3:getobjectacl"), s), Decision::kImplicitDeny);
  EXPECT_EQ(d.cache_stats().hits, 4u);
  EXPECT_EQ(d.cache_stats().misses, 2u);
  // A principal the world does not list: its own entry, never alice's Allow.
  const std::string mallory = "arn:aws:iam::111122223333:user/mallory";
  EXPECT_EQ(d.Decide(request(mallory, "s3:GetObject"), s), Decision::kImplicitDeny);
  EXPECT_EQ(d.Decide(request(mallory, "s3:GetObject"), s), Decision::kImplicitDeny);
  EXPECT_EQ(d.cache_stats().misses, 3u);
  EXPECT_EQ(d.cache_stats().hits, 5u);
  // Principals differ in case only: ARNs are case-sensitive, so another principal.
  EXPECT_EQ(d.Decide(request("arn:aws:iam::111122223333:user/Alice", "s3:GetObject"), s),
            Decision::kImplicitDeny);
  EXPECT_EQ(d.cache_stats().misses, 4u);
}

// A principal the world does not list has no identity policies: the keys that matter to it
// are those of the resource policies, RCPs and SCPs, not those of listed principals'
// identity policies.
TEST(DeciderTest, UnlistedPrincipalsKeyOnResourceAndOrganizationPolicies) {
  Decider d;
  d.Publish(Load(R"({
    "policies": {
      "Identity": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
         "Condition": {"StringEquals": {"aws:UserAgent": "x"}}}]},
      "Bucket": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::b/*",
         "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]},
      "Scp": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*",
         "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-3"}}}]}},
    "principals": [{"arn": "arn:aws:iam::444455556666:user/alice",
                    "identity_policies": ["Identity"]}],
    "resources": [{"arn": "arn:aws:s3:::b", "account": "444455556666", "policy": "Bucket"}],
    "organization": {"id": "o-a1b2c3d4e5",
                     "accounts": {"444455556666": {"scps": [["Scp"]]}}}})"));
  EvalScratch s;
  auto request = [](std::string_view context) {
    return Parse(
        StrCat(R"({"principal": "arn:aws:iam::444455556666:user/mallory",)",
               R"( "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k", "context": {)",
               context, "}}"));
  };
  EXPECT_EQ(d.Decide(request(R"("aws:SourceIp": "10.0.0.1")"), s), Decision::kAllow);
  // aws:UserAgent is read only by alice's identity policy: irrelevant to mallory, a hit.
  EXPECT_EQ(d.Decide(request(R"("aws:SourceIp": "10.0.0.1", "aws:UserAgent": "y")"), s),
            Decision::kAllow);
  EXPECT_EQ(d.cache_stats().hits, 1u);
  // The bucket policy reads aws:SourceIp: relevant.
  EXPECT_EQ(d.Decide(request(R"("aws:SourceIp": "192.0.2.1")"), s), Decision::kImplicitDeny);
  EXPECT_EQ(d.cache_stats().misses, 2u);
  // The SCP of mallory's account reads aws:RequestedRegion: relevant.
  EXPECT_EQ(
      d.Decide(request(R"("aws:SourceIp": "10.0.0.1", "aws:RequestedRegion": "eu-west-3")"), s),
      Decision::kExplicitDeny);
  EXPECT_EQ(d.cache_stats().misses, 3u);
  EXPECT_EQ(d.cache_stats().hits, 1u);
}

TEST(DeciderTest, AnUpdateChangesDecisionsAtOnceAndAFailedOneKeepsTheOld) {
  Decider d;
  const std::string allow = R"({"policies": {"P": {"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}},
      "principals": [{"arn": "arn:aws:iam::111122223333:user/alice", "identity_policies": ["P"]}]})";
  const std::string deny = R"({"policies": {"P": {"Version": "2012-10-17", "Statement": [
      {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}},
      "principals": [{"arn": "arn:aws:iam::111122223333:user/alice", "identity_policies": ["P"]}]})";
  std::vector<Finding> findings;
  ASSERT_TRUE(d.Update(allow, &findings));
  const uint64_t g1 = d.generation();
  EvalScratch s;
  const Request r = Parse(R"({"principal": "arn:aws:iam::111122223333:user/alice",
                             "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"})");
  EXPECT_EQ(d.Decide(r, s), Decision::kAllow);
  EXPECT_EQ(d.Decide(r, s), Decision::kAllow);  // cached
  // A broken world is rejected with its findings; the old snapshot keeps serving.
  findings.clear();
  EXPECT_FALSE(d.Update(R"({"policies": {"P": {"Statement": [{"Effect": "Maybe"}]}}})", &findings));
  EXPECT_FALSE(findings.empty());
  EXPECT_EQ(d.generation(), g1);
  EXPECT_EQ(d.Decide(r, s), Decision::kAllow);
  // A good update: the cached Allow of the old generation is never served again.
  ASSERT_TRUE(d.Update(deny, &findings));
  EXPECT_GT(d.generation(), g1);
  EXPECT_EQ(d.Decide(r, s), Decision::kExplicitDeny);
}

TEST(DeciderTest, CacheKeysLongerThanASlotAreDecidedUncached) {
  Decider d;
  d.Publish(Load(kConditionWorld));
  EvalScratch s;
  const Request r =
      Parse(StrCat(R"({"principal": "arn:aws:iam::111122223333:user/alice",
      "action": "s3:GetObject", "resource": "arn:aws:s3:::b/)",
                   std::string(300, 'k'), R"(", "context": {"aws:SourceIp": "10.0.0.1"}})"));
  EXPECT_EQ(d.Decide(r, s), Decision::kAllow);
  EXPECT_EQ(d.cache_stats().uncacheable, 1u);
}

TEST(DecisionCacheTest, CollidingHashesNeverShareADecision) {
  DecisionCache cache;
  CacheKey a, b;
  a.AddField("request-a");
  b.AddField("request-b");
  a.Finish();
  b.Finish();
  // Force both keys onto one hash: only the full key tells them apart.
  cache.Insert(a, 42, 1, 0, Decision::kAllow);
  Decision out;
  EXPECT_TRUE(cache.Lookup(a, 42, 1, 0, &out));
  EXPECT_EQ(out, Decision::kAllow);
  EXPECT_FALSE(cache.Lookup(b, 42, 1, 0, &out));
  EXPECT_FALSE(cache.Lookup(a, 42, 2, 0, &out));  // another generation
  cache.Insert(b, 42, 1, 0, Decision::kExplicitDeny);
  EXPECT_TRUE(cache.Lookup(b, 42, 1, 0, &out));
  EXPECT_EQ(out, Decision::kExplicitDeny);
  EXPECT_TRUE(cache.Lookup(a, 42, 1, 0, &out));
  EXPECT_EQ(out, Decision::kAllow);
}

TEST(DecisionCacheTest, TtlAndClockEviction) {
  CacheOptions o;
  o.capacity = 4;  // one bucket
  o.shards = 1;
  o.ttl_ms = 1000;
  DecisionCache cache(o);
  std::vector<CacheKey> keys(6);
  for (size_t i = 0; i < keys.size(); ++i) {
    keys[i].AddField(StrCat("k", i));
    keys[i].Finish();
  }
  Decision out;
  cache.Insert(keys[0], 7, 1, 0, Decision::kAllow);
  EXPECT_TRUE(cache.Lookup(keys[0], 7, 1, 999, &out));
  EXPECT_FALSE(cache.Lookup(keys[0], 7, 1, 1000, &out));  // expired
  for (size_t i = 1; i < 6; ++i) cache.Insert(keys[i], 7, 1, 2000, Decision::kAllow);
  // Four ways: five fresh inserts evicted exactly one fresh entry; stats say so.
  int present = 0;
  for (size_t i = 1; i < 6; ++i) present += cache.Lookup(keys[i], 7, 1, 2000, &out) ? 1 : 0;
  EXPECT_EQ(present, 4);
  EXPECT_EQ(cache.stats().evictions, 1u);
}

// Readers decide continuously while an updater flips the world between an allowing and a
// denying version. Every decision must come from a snapshot at least as new as the one
// published before the request began, and must be that snapshot's decision (a cached
// decision of an older snapshot would break it).
TEST(DeciderStress, NoStaleSnapshotOrCachedDecision) {
  auto world = [](bool allow) {
    return Load(StrCat(R"({"policies": {")", allow ? "allow" : "deny",
                       R"(": {"Version": "2012-10-17", "Statement": [{"Effect": ")",
                       allow ? "Allow" : "Deny", R"(", "Action": "s3:*", "Resource": "*"}]}},
        "principals": [{"arn": "arn:aws:iam::111122223333:user/alice", "identity_policies": [")",
                       allow ? "allow" : "deny", R"("]}]})"));
  };
  const World allow = world(true), deny = world(false);
  Decider d;
  std::atomic<uint64_t> published{d.Publish(allow)};
  std::atomic<bool> stop{false};
  std::atomic<int> violations{0};
  std::atomic<uint64_t> decisions{0};
  const int kReaders = 3;
  std::vector<std::thread> readers;
  for (int t = 0; t < kReaders; ++t) {
    readers.emplace_back([&, t] {
      EvalScratch s;
      Request r;
      r.principal = "arn:aws:iam::111122223333:user/alice";
      r.action = "s3:GetObject";
      uint64_t i = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        r.resource = StrCat("arn:aws:s3:::b/", t, "/", i++ % 64);
        const uint64_t floor = published.load(std::memory_order_seq_cst);
        auto snap = d.Read();
        const Decision want =
            snap->compiled.policies[0].name == "allow" ? Decision::kAllow : Decision::kExplicitDeny;
        const Decision got = d.DecideIn(*snap, ViewOf(r, s), s);
        if (snap->generation < floor || got != want) violations.fetch_add(1);
        decisions.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  for (int u = 0; u < 200; ++u) {
    const uint64_t g = d.Publish(u % 2 == 0 ? deny : allow);
    published.store(g, std::memory_order_seq_cst);
  }
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(violations.load(), 0);
  EXPECT_GT(decisions.load(), 0u);
  EXPECT_GT(d.cache_stats().hits, 0u);
}

// Beyond kMaxReaderThreads live reader threads, readers count themselves per epoch parity.
// A reader that read the epoch and (preempted) counted itself in only after a Publish had
// advanced it must still be waited for by the next Publish. Regression: the second Publish
// freed the snapshot that reader held (found by an audit with the same forced window).
std::atomic<int> g_window{0};  // 0 idle, 1 a reader is held in the window, 2 released

TEST(PublishedTest, ACounterPathReaderIsWaitedForAfterTheEpochMoves) {
  struct Tracked {
    explicit Tracked(std::atomic<bool>* f) : freed(f) {}
    Tracked(const Tracked&) = delete;
    ~Tracked() { freed->store(true); }
    std::atomic<bool>* freed;
  };
  std::atomic<bool> freed0{false}, freed1{false}, freed2{false};
  Published<Tracked> p(std::make_unique<const Tracked>(&freed0));
  // Claim every announcement slot with threads that stay alive.
  std::atomic<int> holding{0};
  std::atomic<bool> release_holders{false};
  std::vector<std::thread> holders;
  for (int i = 0; i < kMaxReaderThreads; ++i) {
    holders.emplace_back([&] {
      { auto r = p.Read(); }
      holding.fetch_add(1);
      while (!release_holders.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    });
  }
  while (holding.load() < kMaxReaderThreads) std::this_thread::yield();

  g_window = 0;
  published_testing::overflow_window.store(+[] {
    int idle = 0;
    if (g_window.compare_exchange_strong(idle, 1)) {
      while (g_window.load() != 2) std::this_thread::yield();
    }
  });
  std::atomic<bool> reader_holds{false}, release_reader{false}, freed_while_held{true};
  std::thread reader([&] {
    auto r = p.Read();  // on the counter path: every slot is taken
    reader_holds = true;
    while (!release_reader.load()) std::this_thread::yield();
    freed_while_held = freed1.load();
  });
  while (g_window.load() != 1) std::this_thread::yield();
  // The reader has read the epoch but is not counted yet: this Publish does not wait.
  p.Publish(std::make_unique<const Tracked>(&freed1));
  g_window = 2;
  while (!reader_holds.load()) std::this_thread::yield();
  std::atomic<bool> second_done{false};
  std::thread writer([&] {
    p.Publish(std::make_unique<const Tracked>(&freed2));
    second_done = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(second_done.load()) << "the second Publish did not wait for the reader";
  EXPECT_FALSE(freed1.load());
  release_reader = true;
  reader.join();
  writer.join();
  EXPECT_FALSE(freed_while_held.load());
  EXPECT_TRUE(freed0.load());
  EXPECT_TRUE(freed1.load());
  published_testing::overflow_window.store(nullptr);
  release_holders = true;
  for (std::thread& t : holders) t.join();
}

// Concurrent updates compile in parallel but are numbered as they publish, so
// generation() never goes backwards. Regression: a slow update numbered before a fast one
// published after it (an audit saw 30 decreases in a few seconds).
TEST(DeciderTest, GenerationNeverGoesBackwardsUnderConcurrentUpdates) {
  std::string big = R"({"policies": {)";
  for (int i = 0; i < 300; ++i) {
    big += StrCat(i ? "," : "", "\"P", i, R"(": {"Version": "2012-10-17", "Statement": [)");
    for (int k = 0; k < 10; ++k) {
      big += StrCat(k ? "," : "",
                    R"({"Effect": "Allow", "Action": ["s3:Get*", "ec2:Describe*", "iam:List)", k,
                    R"("], "Resource": "arn:aws:s3:::b)", i, "/", k, R"(/*"})");
    }
    big += "]}";
  }
  big += "}}";
  const std::string small = R"({"policies": {"P": {"Version": "2012-10-17", "Statement": []}}})";
  Decider d;
  std::atomic<bool> stop{false};
  std::atomic<int> decreases{0};
  std::thread watcher([&] {
    uint64_t last = 0;
    while (!stop.load()) {
      const uint64_t g = d.generation();
      if (g < last) decreases.fetch_add(1);
      last = g;
    }
  });
  auto updates = [&](const std::string& world) {
    for (int i = 0; i < 15; ++i) {
      std::vector<Finding> findings;
      EXPECT_TRUE(d.Update(world, &findings));
    }
  };
  std::thread slow(updates, std::cref(big));
  std::thread fast(updates, std::cref(small));
  slow.join();
  fast.join();
  stop = true;
  watcher.join();
  EXPECT_EQ(decreases.load(), 0);
}

}  // namespace
}  // namespace arbiter
