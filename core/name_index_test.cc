#include "core/name_index.h"

#include <string>

#include "gtest/gtest.h"

namespace arbiter {
namespace {

TEST(NameIndexTest, IdsAreDenseAndStable) {
  NameIndex index;
  EXPECT_EQ(index.Add("s3:getobject"), 0u);
  EXPECT_EQ(index.Add("s3:putobject"), 1u);
  EXPECT_EQ(index.Add("s3:getobject"), 0u);
  EXPECT_EQ(index.Add(""), 2u);
  EXPECT_EQ(index.size(), 3u);
  EXPECT_EQ(index.Name(1), "s3:putobject");
  EXPECT_EQ(index.Name(2), "");
  EXPECT_EQ(index.Find("s3:putobject"), 1u);
  EXPECT_EQ(index.Find(""), 2u);
  EXPECT_EQ(index.Find("s3:GetObject"), NameIndex::kNotFound);  // exact bytes
  EXPECT_EQ(index.Find("s3:getobjec"), NameIndex::kNotFound);
}

TEST(NameIndexTest, ManyNamesSurviveGrowthAndMove) {
  NameIndex index;
  for (int i = 0; i < 20000; ++i) ASSERT_EQ(index.Add("svc:action" + std::to_string(i)), i);
  index.Shrink();
  NameIndex moved = std::move(index);
  for (int i = 0; i < 20000; ++i) {
    const std::string name = "svc:action" + std::to_string(i);
    ASSERT_EQ(moved.Find(name), static_cast<uint32_t>(i));
    ASSERT_EQ(moved.Name(i), name);
  }
  EXPECT_EQ(moved.Find("svc:action20000"), NameIndex::kNotFound);
  EXPECT_GT(moved.MemoryBytes(), 20000u * 14);
}

}  // namespace
}  // namespace arbiter
