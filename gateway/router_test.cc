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
  // No resource that matches serves the method (/pets/dog and /pets/{petId} have GET only).
  EXPECT_EQ(router_.Match("DELETE", "/pets").route, -1);
  EXPECT_EQ(router_.Match("POST", "/pets/dog").route, -1);
}

// Resources are matched together with the method: one that lacks it yields to a less
// specific one that serves it (measured on live REST APIs: ministackorg/ministack#1423,
// floci-io/floci#3399).
TEST(RouterFallback, AResourceWithoutTheMethodYieldsToOneWithIt) {
  Router r;
  ASSERT_TRUE(r.Add("/{proxy+}", "ANY", 0).ok());
  ASSERT_TRUE(r.Add("/jobs/{operation}", "GET", 1).ok());
  ASSERT_TRUE(r.Add("/cors_only", "OPTIONS", 2).ok());
  ASSERT_TRUE(r.Add("/users/{userId}", "GET", 3).ok());
  ASSERT_TRUE(r.Add("/users/me", "PATCH", 4).ok());
  ASSERT_TRUE(r.Add("/things/real", "GET", 5).ok());
  ASSERT_TRUE(r.Add("/things/{rest+}", "ANY", 6).ok());
  EXPECT_EQ(r.Match("GET", "/jobs/reboot").route, 1);
  RouteMatch m = r.Match("POST", "/jobs/reboot");  // verb mismatch: the greedy root serves
  EXPECT_EQ(m.route, 0);
  EXPECT_EQ(m.resource, "/{proxy+}");
  ASSERT_EQ(m.path_parameters.size(), 1u);
  EXPECT_EQ(m.path_parameters[0].second, "jobs/reboot");
  EXPECT_EQ(r.Match("OPTIONS", "/cors_only").route, 2);
  EXPECT_EQ(r.Match("GET", "/cors_only").route, 0);  // an OPTIONS-only (CORS) resource
  m = r.Match("GET", "/users/me");                   // the literal has PATCH only
  EXPECT_EQ(m.route, 3);
  ASSERT_EQ(m.path_parameters.size(), 1u);
  EXPECT_EQ(m.path_parameters[0].second, "me");
  EXPECT_EQ(r.Match("PATCH", "/users/me").route, 4);
  EXPECT_EQ(r.Match("POST", "/things/real").route, 6);
  EXPECT_EQ(r.Match("GET", "/things/real").route, 5);
  Router no_greedy;
  ASSERT_TRUE(no_greedy.Add("/users/{userId}", "GET", 0).ok());
  ASSERT_TRUE(no_greedy.Add("/users/me", "PATCH", 1).ok());
  EXPECT_EQ(no_greedy.Match("POST", "/users/me").route, -1);  // nothing serves POST
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
