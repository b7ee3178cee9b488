#include "compiler/compiled_world.h"

#include <random>
#include <set>

#include "gtest/gtest.h"

namespace arbiter {
namespace {

ActionPlan PlanOf(const std::set<uint32_t>& actions) {
  ActionPlan plan;
  for (uint32_t a : actions) plan.AddAction(a);
  plan.RankActions();
  return plan;
}

TEST(ActionPlanTest, FindRanksEveryActionAndRejectsOthers) {
  std::mt19937 rng(7);
  for (int round = 0; round < 50; ++round) {
    std::set<uint32_t> actions;
    const uint32_t lo = rng() % 1000, span = 1 + rng() % 3000;
    const int n = 1 + static_cast<int>(rng() % 200);
    for (int i = 0; i < n; ++i) actions.insert(lo + rng() % span);
    const ActionPlan plan = PlanOf(actions);
    uint32_t rank = 0;
    for (uint32_t a = 0; a < lo + span + 300; ++a) {
      if (actions.count(a)) {
        ASSERT_EQ(plan.Find(a), rank++) << a;
      } else {
        ASSERT_EQ(plan.Find(a), ActionPlan::kAbsent) << a;
      }
    }
  }
  EXPECT_EQ(ActionPlan{}.Find(0), ActionPlan::kAbsent);
  EXPECT_EQ(PlanOf({UINT32_MAX - 1}).Find(UINT32_MAX - 1), 0u);
  EXPECT_EQ(PlanOf({UINT32_MAX - 1}).Find(UINT32_MAX), ActionPlan::kAbsent);
}

}  // namespace
}  // namespace arbiter
