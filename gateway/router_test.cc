#include "gateway/router.h"

#include "gtest/gtest.h"

namespace arbiter::gateway {
namespace {

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(router_.Add("/", "GET", 0).ok());
    ASSERT_TRUE(router_.Add("/pets", "GET", 1).ok());
    ASSERT_TRUE(router_.Add("/pets", "POST", 2).ok());
    ASSERT_TRUE(router_.Add("/pets/{petId}", "GET", 3).ok());
    ASSERT_TRUE(router_.Add("/pets/dog", "GET", 4).ok());
    ASSERT_TRUE(router_.Add("/pets/{petId}/toys", "ANY", 5).ok());
    ASSERT_TRUE(router_.Add("/files/{proxy+}", "ANY", 6).ok());
    ASSERT_TRUE(router_.Add("/files/{proxy+}", "DELETE", 7).ok());
  }
  Router router_;
};

TEST_F(RouterTest, LiteralBeatsParameterBeatsGreedy) {
  EXPECT_EQ(router_.Match("GET", "/pets/dog").route, 4);
  RouteMatch m = router_.Match("GET", "/pets/cat");
  EXPECT_EQ(m.route, 3);
  EXPECT_EQ(m.resource, "/pets/{petId}");
  ASSERT_EQ(m.path_parameters.size(), 1u);
  EXPECT_EQ(m.path_parameters[0].first, "petId");
  EXPECT_EQ(m.path_parameters[0].second, "cat");
}

TEST_F(RouterTest, ParametersAreDecoded) {
  RouteMatch m = router_.Match("GET", "/pets/caf%C3%A9");
  ASSERT_EQ(m.path_parameters.size(), 1u);
  EXPECT_EQ(m.path_parameters[0].second, "caf\xC3\xA9");
  m = router_.Match("GET", "/pets/100%");  // a malformed escape stays as written
  ASSERT_EQ(m.path_parameters.size(), 1u);
  EXPECT_EQ(m.path_parameters[0].second, "100%");
}

TEST_F(RouterTest, RootAndExactMethods) {
  EXPECT_EQ(router_.Match("GET", "/").route, 0);
  EXPECT_EQ(router_.Match("POST", "/").route, -1);
  EXPECT_EQ(router_.Match("GET", "/pets").route, 1);
  EXPECT_EQ(router_.Match("POST", "/pets").route, 2);
  // The resource matched but has neither the method nor ANY: no fallback elsewhere.
  EXPECT_EQ(router_.Match("DELETE", "/pets").route, -1);
  EXPECT_EQ(router_.Match("POST", "/pets/dog").route, -1);
}

TEST_F(RouterTest, AnyMethodAndExactMethodOnOneResource) {
  EXPECT_EQ(router_.Match("PATCH", "/pets/7/toys").route, 5);
  EXPECT_EQ(router_.Match("DELETE", "/files/a/b").route, 7);
  EXPECT_EQ(router_.Match("GET", "/files/a/b").route, 6);
}

TEST_F(RouterTest, GreedyTakesOneOrMoreSegments) {
  RouteMatch m = router_.Match("GET", "/files/a/b/c.txt");
  EXPECT_EQ(m.route, 6);
  ASSERT_EQ(m.path_parameters.size(), 1u);
  EXPECT_EQ(m.path_parameters[0].second, "a/b/c.txt");
  EXPECT_EQ(router_.Match("GET", "/files").route, -1);  // zero segments: no match
}

TEST_F(RouterTest, UnknownPathsAndCase) {
  EXPECT_EQ(router_.Match("GET", "/nothing").route, -1);
  EXPECT_EQ(router_.Match("GET", "/Pets").route, -1);        // paths are case-sensitive
  EXPECT_EQ(router_.Match("get", "/pets").route, -1);        // so are methods
  EXPECT_EQ(router_.Match("GET", "/pets//toys").route, -1);  // an empty {petId}
}

TEST(RouterErrors, MalformedTemplates) {
  Router r;
  EXPECT_FALSE(r.Add("pets", "GET", 0).ok());
  EXPECT_FALSE(r.Add("/a/{proxy+}/b", "GET", 0).ok());
  EXPECT_FALSE(r.Add("/a/{x", "GET", 0).ok());
  EXPECT_FALSE(r.Add("/a//b", "GET", 0).ok());
  ASSERT_TRUE(r.Add("/a/{x}", "GET", 0).ok());
  EXPECT_FALSE(r.Add("/a/{y}", "POST", 1).ok());  // one variable child per resource
  EXPECT_FALSE(r.Add("/a/{x}", "GET", 2).ok());   // a method given twice
}

}  // namespace
}  // namespace arbiter::gateway
