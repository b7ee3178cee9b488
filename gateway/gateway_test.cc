// End-to-end: gateway files written to a scratch folder, requests decided by Gateway.
// Cognito/JWT and real-client (jose, @smithy/signature-v4) cases are in
// tests/gateway/ (driven through `arbiter authorize`).
#include "gateway/gateway.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "core/strings.h"
#include "core/values.h"
#include "gtest/gtest.h"
#include "sigv4/sigv4.h"

namespace arbiter::gateway {
namespace {

namespace fs = std::filesystem;

constexpr char kAccount[] = "111122223333";
constexpr char kArnPrefix[] = "arn:aws:execute-api:us-east-1:111122223333:a1b2c3d4e5/prod/";

class Scratch {
 public:
  Scratch() {
    dir_ = fs::temp_directory_path() / StrCat("arbiter-gateway-test-", getpid(), "-", next_++);
    fs::create_directories(dir_);
  }
  ~Scratch() { fs::remove_all(dir_); }
  void Write(const std::string& name, const std::string& text) const {
    std::ofstream(dir_ / name) << text;
  }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

 private:
  static inline std::atomic<int> next_{0};
  fs::path dir_;
};

// A gateway over one OpenAPI document; `extra` is spliced into the gateway file.
std::unique_ptr<Gateway> Load(const Scratch& s, const std::string& openapi,
                              const std::string& extra = "", const std::string& world = "") {
  s.Write("api.json", openapi);
  std::string gw = StrCat(R"({"api": {"id": "a1b2c3d4e5", "region": "us-east-1",
      "account": "111122223333", "stage": "prod", "openapi": "api.json"})",
                          world.empty() ? "" : R"(, "world": "world.json")", extra, "}");
  if (!world.empty()) s.Write("world.json", world);
  s.Write("gateway.json", gw);
  std::string errors;
  std::unique_ptr<GatewayConfig> config = LoadGateway(s.Path("gateway.json"), &errors);
  EXPECT_NE(config, nullptr) << errors;
  if (config == nullptr) return nullptr;
  return std::make_unique<Gateway>(std::move(config));
}

HttpRequest Get(const std::string& path, const std::string& time = "2026-11-22T10:00:00Z") {
  HttpRequest r;
  r.method = "GET";
  r.path = path;
  r.source_ip = "203.0.113.7";
  r.time_ms = *ParseDateMillis(time);
  return r;
}

std::string Explain(const Response& r) { return r.ToJson(); }

constexpr char kSchemes[] = R"(
  "components": {"securitySchemes": {
    "sigv4": {"type": "apiKey", "name": "Authorization", "in": "header",
              "x-amazon-apigateway-authtype": "awsSigv4"},
    "api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"},
    "Tok": {"type": "apiKey", "name": "Authorization", "in": "header",
            "x-amazon-apigateway-authtype": "custom",
            "x-amazon-apigateway-authorizer": {"type": "token",
              "identityValidationExpression": "Bearer [a-z0-9]+",
              "authorizerResultTtlInSeconds": 300}},
    "Req": {"type": "apiKey", "name": "Unused", "in": "header",
            "x-amazon-apigateway-authtype": "custom",
            "x-amazon-apigateway-authorizer": {"type": "request",
              "identitySource": "method.request.header.X-User, method.request.querystring.tenant",
              "authorizerResultTtlInSeconds": 0}}}})";

std::string OpenApi(const std::string& paths, const std::string& extra = "") {
  return StrCat(R"({"openapi": "3.0.1", "info": {"title": "t", "version": "1"}, "paths": )", paths,
                ",", kSchemes, extra, "}");
}

constexpr char kAuthorizers[] = R"(, "authorizers": {"Tok": {"command": ["false"]},
                                                     "Req": {"command": ["false"]}})";

TEST(Gateway, UnknownRouteIsMissingAuthenticationToken) {
  Scratch s;
  auto gw = Load(s, OpenApi(R"({"/pets": {"get": {}}})"), kAuthorizers);
  ASSERT_NE(gw, nullptr);
  EXPECT_EQ(gw->Authorize(Get("/pets")).status, 200);
  EXPECT_EQ(gw->Authorize(Get("/pets/")).status, 200);  // a trailing slash routes the same
  Response r = gw->Authorize(Get("/cats"));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.message, "Missing Authentication Token");
  HttpRequest post = Get("/pets");
  post.method = "POST";
  EXPECT_EQ(gw->Authorize(post).message, "Missing Authentication Token");
}

TEST(Gateway, ResourcePolicyWithNoAuthorizationNeedsAnExplicitAllow) {
  Scratch s;
  auto gw = Load(s, OpenApi(R"({"/pets": {"get": {}}, "/admin": {"get": {}}})", R"(,
    "x-amazon-apigateway-policy": {"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
       "Resource": "execute-api:/prod/GET/pets"},
      {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
       "Resource": "execute-api:/*", "Condition": {"IpAddress": {"aws:SourceIp": "198.51.100.0/24"}}}]})"),
                 kAuthorizers);
  ASSERT_NE(gw, nullptr);
  EXPECT_EQ(gw->Authorize(Get("/pets")).status, 200);
  Response implicit = gw->Authorize(Get("/admin"));
  EXPECT_EQ(implicit.status, 403);
  EXPECT_EQ(implicit.message,
            "User: anonymous is not authorized to perform: execute-api:Invoke on resource: "
            "arn:aws:execute-api:us-east-1:********3333:a1b2c3d4e5/prod/GET/admin");
  HttpRequest blocked = Get("/pets");
  blocked.source_ip = "198.51.100.9";
  Response deny = gw->Authorize(blocked);
  EXPECT_EQ(deny.status, 403);
  EXPECT_EQ(deny.message,
            "User: anonymous is not authorized to perform: execute-api:Invoke on resource: "
            "arn:aws:execute-api:us-east-1:********3333:a1b2c3d4e5/prod/GET/pets with an "
            "explicit deny");
}

// A Lambda TOKEN authorizer played by a callback that counts its calls.
struct FakeLambda {
  std::atomic<int> calls{0};
  std::string last_event;
  LambdaResult result;
  AuthorizerFunction Function() {
    return [this](const std::string& event) {
      ++calls;
      last_event = event;
      return result;
    };
  }
};

LambdaResult Policy(const std::string& effect, const std::string& resource,
                    const std::string& extra = "") {
  LambdaResult r;
  r.kind = LambdaResult::Kind::kOk;
  r.payload = StrCat(R"({"principalId": "user-7", "policyDocument": {"Version": "2012-10-17",
    "Statement": [{"Effect": ")",
                     effect, R"(", "Action": "execute-api:Invoke", "Resource": ")", resource,
                     R"("}]}, "context": {"tier": "gold", "n": 3, "ok": true})", extra, "}");
  return r;
}

TEST(Gateway, TokenAuthorizerOutcomesAndCaching) {
  Scratch s;
  auto gw = Load(s, OpenApi(R"({"/pets": {"get": {"security": [{"Tok": []}]}},
                                "/pets/{id}": {"get": {"security": [{"Tok": []}]}}})"),
                 kAuthorizers);
  ASSERT_NE(gw, nullptr);
  FakeLambda lambda;
  ASSERT_TRUE(gw->RegisterAuthorizer("Tok", lambda.Function()));
  lambda.result = Policy("Allow", StrCat(kArnPrefix, "GET/pets"));

  HttpRequest r = Get("/pets");
  EXPECT_EQ(gw->Authorize(r).status, 401);  // no token: the function is not called
  r.headers = {{"Authorization", "Bearer NOT-LOWER"}};
  EXPECT_EQ(gw->Authorize(r).status, 401);  // fails identityValidationExpression
  EXPECT_EQ(lambda.calls, 0);

  r.headers = {{"authorization", "Bearer abc123"}};
  Response ok = gw->Authorize(r);
  EXPECT_EQ(ok.status, 200) << Explain(ok);
  EXPECT_EQ(ok.principal, "user-7");
  // "The returned values are all stringified" (api-gateway-lambda-authorizer-output.html).
  EXPECT_EQ(ok.context_json, R"({"tier":"gold","n":"3","ok":"true"})");
  EXPECT_NE(lambda.last_event.find(R"("type":"TOKEN","authorizationToken":"Bearer abc123")"),
            std::string::npos);
  EXPECT_NE(lambda.last_event.find(StrCat(kArnPrefix, "GET/pets")), std::string::npos);
  EXPECT_EQ(lambda.calls, 1);

  // The cached policy answers for another method too: GET /pets/7 is not in it (403)
  // without calling the function again -- the documented gotcha.
  HttpRequest other = Get("/pets/7");
  other.headers = r.headers;
  Response denied = gw->Authorize(other);
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.message, "User is not authorized to access this resource");
  EXPECT_EQ(lambda.calls, 1);

  // After the TTL the function is called again.
  HttpRequest later = Get("/pets", "2026-11-22T10:05:00Z");
  later.headers = r.headers;
  lambda.result = Policy("Deny", StrCat(kArnPrefix, "*"));
  Response deny = gw->Authorize(later);
  EXPECT_EQ(deny.status, 403);
  EXPECT_EQ(deny.message, "User is not authorized to access this resource with an explicit deny");
  EXPECT_EQ(lambda.calls, 2);
}

TEST(Gateway, AuthorizerFailuresFailClosed) {
  Scratch s;
  auto gw = Load(s, OpenApi(R"({"/pets": {"get": {"security": [{"Tok": []}]}}})"), kAuthorizers);
  ASSERT_NE(gw, nullptr);
  FakeLambda lambda;
  ASSERT_TRUE(gw->RegisterAuthorizer("Tok", lambda.Function()));
  HttpRequest r = Get("/pets");
  int n = 0;
  auto with_token = [&] {
    r.headers = {{"Authorization", StrCat("Bearer t", ++n)}};  // a new token: no cache hit
    return gw->Authorize(r);
  };
  lambda.result = {LambdaResult::Kind::kError, "Unauthorized"};
  EXPECT_EQ(with_token().status, 401);
  lambda.result = {LambdaResult::Kind::kError, "boom"};
  Response failed = with_token();
  EXPECT_EQ(failed.status, 500);
  EXPECT_FALSE(failed.message.has_value());
  EXPECT_EQ(failed.ToJson(), R"({"status": 500, "message": null})");
  lambda.result = {LambdaResult::Kind::kFailure, ""};
  EXPECT_EQ(with_token().status, 500);
  for (const char* bad : {
           "not json",
           "[]",
           R"({"policyDocument": {"Version": "2012-10-17", "Statement": []}})",
           R"({"principalId": "p"})",
           R"({"principalId": "p", "policyDocument": {"Statement": [{"Effect": "Maybe"}]}})",
           R"({"principalId": "p", "policyDocument": {"Version": "2012-10-17", "Statement": []},
               "context": {"nested": {"a": 1}}})",
       }) {
    lambda.result = {LambdaResult::Kind::kOk, bad};
    EXPECT_EQ(with_token().status, 500) << bad;
  }
  // An empty statement list allows nothing.
  lambda.result = {LambdaResult::Kind::kOk,
                   R"({"principalId": "p", "policyDocument": {"Version": "2012-10-17",
                       "Statement": []}})"};
  EXPECT_EQ(with_token().status, 403);
}

TEST(Gateway, CommandAuthorizerRunsInTheGatewayFolder) {
  Scratch s;
  s.Write("auth.sh", R"(#!/bin/sh
event=$(cat)
case "$event" in
  *'"authorizationToken":"Bearer good"'*)
    echo '{"principalId": "cmd-user", "policyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*"}]}}' ;;
  *'"authorizationToken":"Bearer slow"'*) sleep 5 ;;
  *) echo '{"errorMessage": "Unauthorized", "errorType": "Error"}'; exit 1 ;;
esac
)");
  auto gw = Load(s, OpenApi(R"({"/pets": {"get": {"security": [{"Tok": []}]}}})"),
                 R"(, "authorizers": {"Tok": {"command": ["sh", "auth.sh"], "timeout_ms": 1000},
                                      "Req": {"command": ["false"]}})");
  ASSERT_NE(gw, nullptr);
  HttpRequest r = Get("/pets");
  r.headers = {{"Authorization", "Bearer good"}};
  Response ok = gw->Authorize(r);
  EXPECT_EQ(ok.status, 200) << Explain(ok);
  EXPECT_EQ(ok.principal, "cmd-user");
  r.headers = {{"Authorization", "Bearer bad"}};
  EXPECT_EQ(gw->Authorize(r).status, 401);
  r.headers = {{"Authorization", "Bearer slow"}};
  EXPECT_EQ(gw->Authorize(r).status, 500);  // timed out
}

// One REQUEST authorizer "Req" with two identity sources and the given TTL, on /pets/{id}.
std::string RequestAuthorizerApi(int ttl) {
  return StrCat(R"({"openapi": "3.0.1", "info": {"title": "t", "version": "1"},
    "paths": {"/pets/{id}": {"get": {"security": [{"Req": []}]}}},
    "components": {"securitySchemes": {
      "Req": {"type": "apiKey", "name": "Unused", "in": "header",
              "x-amazon-apigateway-authtype": "custom",
              "x-amazon-apigateway-authorizer": {"type": "request",
                "identitySource": "method.request.header.X-User, method.request.querystring.tenant",
                "authorizerResultTtlInSeconds": )",
                ttl, "}}}}}");
}

TEST(Gateway, CachedRequestAuthorizerNeedsEveryIdentitySource) {
  Scratch s;
  auto gw =
      Load(s, RequestAuthorizerApi(300), R"(, "authorizers": {"Req": {"command": ["false"]}})");
  ASSERT_NE(gw, nullptr);
  FakeLambda lambda;
  ASSERT_TRUE(gw->RegisterAuthorizer("Req", lambda.Function()));
  lambda.result = Policy("Allow", StrCat(kArnPrefix, "GET/pets/*"));
  HttpRequest r = Get("/pets/7");
  r.headers = {{"X-User", "u1"}};
  EXPECT_EQ(gw->Authorize(r).status, 401);
  r.query = {{"tenant", ""}};
  EXPECT_EQ(gw->Authorize(r).status, 401);  // empty counts as missing
  EXPECT_EQ(lambda.calls, 0);
  r.query = {{"tenant", "acme"}};
  EXPECT_EQ(gw->Authorize(r).status, 200);
  EXPECT_EQ(gw->Authorize(r).status, 200);
  EXPECT_EQ(lambda.calls, 1);  // the second answer came from the cache
}

// "When caching is disabled ... API Gateway does not perform any validation before invoking
// the authorizer's Lambda function" (configure-api-gateway-lambda-authorization-with-console).
TEST(Gateway, UncachedRequestAuthorizerIsCalledWithoutIdentitySources) {
  Scratch s;
  auto gw =
      Load(s, OpenApi(R"({"/pets/{id}": {"get": {"security": [{"Req": []}]}}})"), kAuthorizers);
  ASSERT_NE(gw, nullptr);
  FakeLambda lambda;
  ASSERT_TRUE(gw->RegisterAuthorizer("Req", lambda.Function()));
  lambda.result = Policy("Allow", StrCat(kArnPrefix, "GET/pets/*"));
  HttpRequest r = Get("/pets/7");
  Response none = gw->Authorize(r);  // neither source
  EXPECT_EQ(none.status, 200) << Explain(none);
  EXPECT_EQ(lambda.calls, 1);
  EXPECT_NE(lambda.last_event.find(R"("headers":null)"), std::string::npos) << lambda.last_event;
  r.headers = {{"X-User", "u1"}};
  r.query = {{"tenant", ""}};
  EXPECT_EQ(gw->Authorize(r).status, 200);  // one present, one empty
  EXPECT_EQ(lambda.calls, 2);
  lambda.result = {LambdaResult::Kind::kError, "Unauthorized"};
  EXPECT_EQ(gw->Authorize(r).status, 401);  // the function decides
  EXPECT_EQ(lambda.calls, 3);
  r.query = {{"tenant", "acme"}};
  lambda.result = Policy("Allow", StrCat(kArnPrefix, "GET/pets/*"));
  EXPECT_EQ(gw->Authorize(r).status, 200);
  EXPECT_EQ(gw->Authorize(r).status, 200);
  EXPECT_EQ(lambda.calls, 5);  // TTL 0: no caching
  EXPECT_NE(lambda.last_event.find(R"("pathParameters":{"id":"7"})"), std::string::npos)
      << lambda.last_event;
  EXPECT_NE(lambda.last_event.find(R"("queryStringParameters":{"tenant":"acme"})"),
            std::string::npos);
  EXPECT_NE(lambda.last_event.find(R"("resource":"/pets/{id}")"), std::string::npos);
}

TEST(Gateway, LambdaAuthorizerWithResourcePolicyIsTwoPhases) {
  Scratch s;
  auto gw = Load(s,
                 OpenApi(R"({"/pets": {"get": {"security": [{"Tok": []}]}},
                                "/open": {"get": {"security": [{"Tok": []}]}}})",
                         R"(, "x-amazon-apigateway-policy": {"Version": "2012-10-17",
    "Statement": [
      {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
       "Resource": "execute-api:/*/GET/open"},
      {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
       "Resource": "execute-api:/*", "Condition": {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]})"),
                 kAuthorizers);
  ASSERT_NE(gw, nullptr);
  FakeLambda lambda;
  ASSERT_TRUE(gw->RegisterAuthorizer("Tok", lambda.Function()));
  HttpRequest r = Get("/pets");
  r.headers = {{"Authorization", "Bearer abc"}};
  // Phase 1: the explicit deny refuses before the authorizer runs.
  r.source_ip = "192.0.2.1";
  Response denied = gw->Authorize(r);
  EXPECT_EQ(denied.status, 403);
  EXPECT_NE(denied.message->find("with an explicit deny"), std::string::npos);
  EXPECT_EQ(lambda.calls, 0);
  // Table A: authorizer Allow, resource policy silent -> Allow.
  r.source_ip = "203.0.113.7";
  lambda.result = Policy("Allow", StrCat(kArnPrefix, "GET/pets"));
  EXPECT_EQ(gw->Authorize(r).status, 200);
  // Authorizer silent, resource policy Allow -> Allow.
  HttpRequest open = Get("/open");
  open.headers = {{"Authorization", "Bearer xyz"}};
  lambda.result = Policy("Allow", StrCat(kArnPrefix, "GET/other"));
  EXPECT_EQ(gw->Authorize(open).status, 200);
  // Both silent -> the resource policy's implicit denial.
  HttpRequest none = Get("/pets");
  none.headers = {{"Authorization", "Bearer qqq"}};
  Response implicit = gw->Authorize(none);
  EXPECT_EQ(implicit.status, 403);
  EXPECT_EQ(implicit.message,
            "User: anonymous is not authorized to perform: execute-api:Invoke on resource: "
            "arn:aws:execute-api:us-east-1:********3333:a1b2c3d4e5/prod/GET/pets");
}

constexpr char kKeys[] = R"(,
  "api_keys": [{"id": "k1", "value": "key-one-0123456789abcdef"},
               {"id": "k2", "value": "key-two-0123456789abcdef", "enabled": false},
               {"id": "k3", "value": "key-three-0123456789abcdef"}],
  "usage_plans": [{"id": "gold", "api_keys": ["k1", "k2"],
                   "throttle": {"rate_limit": 1, "burst_limit": 2},
                   "quota": {"limit": 3, "period": "DAY", "offset": 0}}])";

TEST(Gateway, ApiKeysThrottlingAndQuota) {
  Scratch s;
  auto gw = Load(s, OpenApi(R"({"/pets": {"get": {"security": [{"api_key": []}]}},
                                "/free": {"get": {}}})"),
                 StrCat(kAuthorizers, kKeys));
  ASSERT_NE(gw, nullptr);
  auto at = [&](const char* key, const char* time) {
    HttpRequest r = Get("/pets", time);
    if (key != nullptr) r.headers = {{"x-api-key", key}};
    return gw->Authorize(r);
  };
  EXPECT_EQ(at(nullptr, "2026-11-22T10:00:00Z").message, "Forbidden");
  EXPECT_EQ(at("nope", "2026-11-22T10:00:00Z").message, "Forbidden");
  EXPECT_EQ(at("key-two-0123456789abcdef", "2026-11-22T10:00:00Z").message, "Forbidden");
  EXPECT_EQ(at("key-three-0123456789abcdef", "2026-11-22T10:00:00Z").message, "Forbidden");
  const char* k1 = "key-one-0123456789abcdef";
  EXPECT_EQ(at(k1, "2026-11-22T10:00:00Z").status, 200);
  EXPECT_EQ(at(k1, "2026-11-22T10:00:00Z").status, 200);
  Response throttled = at(k1, "2026-11-22T10:00:00Z");
  EXPECT_EQ(throttled.status, 429);
  EXPECT_EQ(throttled.message, "Too Many Requests");
  EXPECT_EQ(at(k1, "2026-11-22T10:00:01Z").status, 200);  // third of the quota
  Response quota = at(k1, "2026-11-22T11:00:00Z");
  EXPECT_EQ(quota.status, 429);
  EXPECT_EQ(quota.message, "Limit Exceeded");
  EXPECT_EQ(at(k1, "2026-11-23T00:00:00Z").status, 200);  // a new day
  // A method without apiKeyRequired bypasses the usage plan.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(gw->Authorize(Get("/free")).status, 200);
}

TEST(Gateway, StageThrottlingIsPerMethod) {
  // Regression: one bucket served the whole stage, so GET's burst throttled POST.
  Scratch s;
  s.Write("api.json", OpenApi(R"({"/pets": {"get": {}, "post": {}}})"));
  s.Write("gateway.json", StrCat(R"({"api": {"id": "a1b2c3d4e5", "region": "us-east-1",
      "account": "111122223333", "stage": "prod", "openapi": "api.json",
      "throttle": {"rate_limit": 1, "burst_limit": 2},
      "method_throttle": {"/pets/POST": {"rate_limit": 1, "burst_limit": 1}}})",
                                 kAuthorizers, "}"));
  std::string errors;
  auto config = LoadGateway(s.Path("gateway.json"), &errors);
  ASSERT_NE(config, nullptr) << errors;
  Gateway gw(std::move(config));
  HttpRequest get = Get("/pets"), post = Get("/pets");
  post.method = "POST";
  EXPECT_EQ(gw.Authorize(get).status, 200);
  EXPECT_EQ(gw.Authorize(get).status, 200);
  EXPECT_EQ(gw.Authorize(get).status, 429);
  EXPECT_EQ(gw.Authorize(post).status, 200);  // its own bucket, with its override
  EXPECT_EQ(gw.Authorize(post).status, 429);
}

constexpr char kWorld[] = R"({
  "policies": {
    "invoke-pets": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
      "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:*:*:a1b2c3d4e5/*/GET/pets"}]},
    "deny-admin": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny",
      "Action": "execute-api:*", "Resource": "*"}]}
  },
  "principals": [
    {"arn": "arn:aws:iam::111122223333:user/alice", "identity_policies": ["invoke-pets"]},
    {"arn": "arn:aws:iam::111122223333:user/mallory", "identity_policies": ["invoke-pets", "deny-admin"]},
    {"arn": "arn:aws:iam::444455556666:user/bob", "identity_policies": ["invoke-pets"]}
  ]})";

constexpr char kCredentials[] = R"(, "credentials": [
  {"access_key_id": "AKIAALICE", "secret_access_key": "alice-secret",
   "principal": "arn:aws:iam::111122223333:user/alice"},
  {"access_key_id": "AKIAMALLORY", "secret_access_key": "mallory-secret",
   "principal": "arn:aws:iam::111122223333:user/mallory"},
  {"access_key_id": "AKIABOB", "secret_access_key": "bob-secret",
   "principal": "arn:aws:iam::444455556666:user/bob"},
  {"access_key_id": "ASIATEMP", "secret_access_key": "temp-secret", "session_token": "tok-1",
   "principal": "arn:aws:iam::111122223333:user/alice"}])";

HttpRequest Signed(const std::string& path, const std::string& key_id, const std::string& secret,
                   const std::string& session_token = "") {
  HttpRequest r = Get(path);
  sigv4::HttpRequest sr;
  sr.method = r.method;
  sr.path = StrCat("/prod", path);
  sr.headers = {{"Host", "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"}};
  sigv4::Credential cred{key_id, secret, session_token, ""};
  sigv4::SignOptions o;
  o.region = "us-east-1";
  o.unix_seconds = r.time_ms / 1000;
  EXPECT_TRUE(sigv4::Sign(&sr, cred, o).ok());
  r.headers = sr.headers;
  r.query = sr.query;
  return r;
}

TEST(Gateway, IamAuthorizationSameAndCrossAccount) {
  Scratch s;
  std::string paths = R"({"/pets": {"get": {"security": [{"sigv4": []}]}},
                          "/admin": {"get": {"security": [{"sigv4": []}]}}})";
  auto gw = Load(s, OpenApi(paths), StrCat(kAuthorizers, kCredentials), kWorld);
  ASSERT_NE(gw, nullptr);
  EXPECT_EQ(gw->Authorize(Get("/pets")).message, "Missing Authentication Token");
  Response alice = gw->Authorize(Signed("/pets", "AKIAALICE", "alice-secret"));
  EXPECT_EQ(alice.status, 200) << Explain(alice);
  EXPECT_EQ(alice.principal, "arn:aws:iam::111122223333:user/alice");
  Response wrong = gw->Authorize(Signed("/pets", "AKIAALICE", "not-the-secret"));
  EXPECT_EQ(wrong.status, 403);
  EXPECT_TRUE(StartsWith(*wrong.message, "The request signature we calculated does not match"));
  EXPECT_EQ(gw->Authorize(Signed("/pets", "AKIAUNKNOWN", "x")).message,
            "The security token included in the request is invalid.");
  Response admin = gw->Authorize(Signed("/admin", "AKIAALICE", "alice-secret"));
  EXPECT_EQ(admin.status, 403);
  EXPECT_EQ(admin.message,
            "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: "
            "execute-api:Invoke on resource: "
            "arn:aws:execute-api:us-east-1:********3333:a1b2c3d4e5/prod/GET/admin");
  Response mallory = gw->Authorize(Signed("/pets", "AKIAMALLORY", "mallory-secret"));
  EXPECT_EQ(mallory.status, 403);
  EXPECT_TRUE(EndsWith(*mallory.message, "with an explicit deny"));
  // Cross account without a resource policy: the identity policy alone is not enough.
  EXPECT_EQ(gw->Authorize(Signed("/pets", "AKIABOB", "bob-secret")).status, 403);
  // Temporary credentials must present their session token.
  EXPECT_EQ(gw->Authorize(Signed("/pets", "ASIATEMP", "temp-secret")).status, 403);
  EXPECT_EQ(gw->Authorize(Signed("/pets", "ASIATEMP", "temp-secret", "tok-1")).status, 200);
}

TEST(Gateway, IamCrossAccountNeedsBothSides) {
  Scratch s;
  std::string paths = R"({"/pets": {"get": {"security": [{"sigv4": []}]}}})";
  auto gw = Load(s, OpenApi(paths, R"(, "x-amazon-apigateway-policy": {"Version": "2012-10-17",
      "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
                     "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}]})"),
                 StrCat(kAuthorizers, kCredentials), kWorld);
  ASSERT_NE(gw, nullptr);
  Response bob = gw->Authorize(Signed("/pets", "AKIABOB", "bob-secret"));
  EXPECT_EQ(bob.status, 200) << Explain(bob);
  // Same account: the identity policy alone allows (table A, "Allow / Neither").
  EXPECT_EQ(gw->Authorize(Signed("/pets", "AKIAALICE", "alice-secret")).status, 200);
}

TEST(GatewayConfig, ErrorsNameFileLineAndPointer) {
  Scratch s;
  s.Write("api.json", OpenApi(R"({"/pets": {"get": {"security": [{"Nope": []}]}}})"));
  s.Write("gateway.json", R"({"api": {"id": "a1b2c3d4e5", "region": "us-east-1",
      "account": "111122223333", "stage": "prod", "openapi": "api.json"}})");
  std::string errors;
  EXPECT_EQ(LoadGateway(s.Path("gateway.json"), &errors), nullptr);
  EXPECT_NE(errors.find("api.json:1:"), std::string::npos) << errors;
  EXPECT_NE(errors.find("no security scheme is named \"Nope\""), std::string::npos) << errors;
  EXPECT_NE(errors.find("(/paths/~1pets/get/security/0/Nope)"), std::string::npos) << errors;
  // Custom authorizers need a command in the gateway file.
  EXPECT_NE(errors.find("gives no command for authorizer \"Tok\""), std::string::npos) << errors;

  s.Write("gateway.json", R"({"api": {"id": "a1b2c3d4e5", "region": "us-east-1",
      "account": "1111", "stage": "prod", "openapi": "missing.json"}})");
  errors.clear();
  EXPECT_EQ(LoadGateway(s.Path("gateway.json"), &errors), nullptr);
  EXPECT_NE(errors.find("12-digit"), std::string::npos) << errors;
  EXPECT_NE(errors.find("cannot read"), std::string::npos) << errors;
}

// Two equal keys anywhere in the API or gateway file are refused with their pointer: the
// first one used to win, where most JSON readers keep the last (an unsigned request got past
// "security": [], "security": [{"sigv4": []}]).
TEST(GatewayConfig, DuplicateKeysAnywhereAreRefused) {
  Scratch s;
  s.Write("api.json",
          OpenApi(R"({"/pets": {"get": {"security": [], "security": [{"Tok": []}]}}})"));
  s.Write("gateway.json", StrCat(R"({"api": {"id": "a1b2c3d4e5", "region": "us-east-1",
      "account": "111122223333", "stage": "prod", "openapi": "api.json"})",
                                 kAuthorizers, "}"));
  std::string errors;
  EXPECT_EQ(LoadGateway(s.Path("gateway.json"), &errors), nullptr);
  EXPECT_NE(errors.find("\"security\" is given twice"), std::string::npos) << errors;
  EXPECT_NE(errors.find("(/paths/~1pets/get/security)"), std::string::npos) << errors;

  s.Write("api.json", OpenApi(R"({"/pets": {"get": {}}})"));
  s.Write("gateway.json", StrCat(R"({"api": {"id": "a1b2c3d4e5", "region": "us-east-1",
      "account": "111122223333", "stage": "prod", "openapi": "api.json", "openapi": "x.json"})",
                                 kAuthorizers, "}"));
  errors.clear();
  EXPECT_EQ(LoadGateway(s.Path("gateway.json"), &errors), nullptr);
  EXPECT_NE(errors.find("(/api/openapi)"), std::string::npos) << errors;
}

// A JWKS file with a bad key names that key's line, column and pointer.
TEST(GatewayConfig, JwksErrorsPointAtTheKey) {
  Scratch s;
  s.Write("jwks.json",
          "{\n  \"keys\": [\n    {\"kty\": \"RSA\", \"kid\": 5, \"n\": \"x\", \"e\": \"AQAB\"}\n  "
          "]\n}\n");
  s.Write("api.json", OpenApi(R"({"/pets": {"get": {}}})"));
  s.Write("gateway.json", StrCat(R"({"api": {"id": "a1b2c3d4e5", "region": "us-east-1",
      "account": "111122223333", "stage": "prod", "openapi": "api.json"},
    "jwks": {"https://issuer.example/pool": "jwks.json"})",
                                 kAuthorizers, "}"));
  std::string errors;
  EXPECT_EQ(LoadGateway(s.Path("gateway.json"), &errors), nullptr);
  EXPECT_NE(errors.find("jwks.json:3:5: error:"), std::string::npos) << errors;
  EXPECT_NE(errors.find("(/keys/0)"), std::string::npos) << errors;
}

TEST(GatewayConfig, ResourcePolicyErrorsAreReported) {
  Scratch s;
  s.Write("api.json", OpenApi(R"({"/pets": {"get": {}}})", R"(,
    "x-amazon-apigateway-policy": {"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
       "Resource": "execute-api:/*", "Condition": {"NoSuchOperator": {"aws:SourceIp": "x"}}}]})"));
  s.Write("gateway.json", StrCat(R"({"api": {"id": "a1b2c3d4e5", "region": "us-east-1",
      "account": "111122223333", "stage": "prod", "openapi": "api.json"})",
                                 kAuthorizers, "}"));
  std::string errors;
  EXPECT_EQ(LoadGateway(s.Path("gateway.json"), &errors), nullptr);
  EXPECT_NE(errors.find("/x-amazon-apigateway-policy/Statement/0/Condition/NoSuchOperator"),
            std::string::npos)
      << errors;
}

// Regressions from a review against the import documentation: shapes API Gateway accepts.
TEST(GatewayConfig, AcceptsWhatApiGatewayImports) {
  Scratch s;
  s.Write("jwks.json", R"({"keys": []})");
  s.Write("api.json", R"({"openapi": "3.0.1", "info": {"title": "t", "version": "1"},
    "x-amazon-apigateway-policy": "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"execute-api:Invoke\", \"Resource\": \"execute-api:/*\"}]}",
    "paths": {"/pets/": {"get": {"security": [{"Tok": []}]}},
              "/jwt": {"get": {"security": [{"Oidc": []}]}},
              "/open": {"get": {}}},
    "components": {"securitySchemes": {
      "Tok": {"$ref": "#/components/securitySchemes/TokReal"},
      "TokReal": {"type": "apiKey", "name": "Authorization", "in": "header",
                  "x-amazon-apigateway-authtype": "custom",
                  "x-amazon-apigateway-authorizer": {"type": "token",
                    "authorizerResultTtlInSeconds": "60"}},
      "Oidc": {"type": "openIdConnect",
               "openIdConnectUrl": "https://issuer.example/pool/.well-known/openid-configuration",
               "x-amazon-apigateway-authorizer": {"type": "jwt",
                 "jwtConfiguration": {"audience": ["a"]}}},
      "Unused": {"type": "oauth2", "flows": {}}}}})");
  s.Write("gateway.json", R"({"api": {"id": "a1b2c3d4e5", "region": "us-east-1",
      "account": "111122223333", "stage": "prod", "openapi": "api.json"},
    "jwks": {"https://issuer.example/pool": "jwks.json"},
    "authorizers": {"Tok": {"command": ["false"]}, "TokReal": {"command": ["false"]}}})");
  std::string errors;
  auto config = LoadGateway(s.Path("gateway.json"), &errors);
  ASSERT_NE(config, nullptr) << errors;
  EXPECT_TRUE(config->has_resource_policy);
  ASSERT_EQ(config->authorizers.size(), 3u);  // Tok (the reference), TokReal, Oidc
  for (const AuthorizerConfig& a : config->authorizers) {
    if (a.name == "Tok" || a.name == "TokReal") {
      EXPECT_EQ(a.ttl_seconds, 60) << a.name;
    }
    if (a.name == "Oidc") {
      EXPECT_EQ(a.jwt_issuer, "https://issuer.example/pool");
    }
  }
  Gateway gw(std::move(config));
  EXPECT_EQ(gw.Authorize(Get("/open")).status, 200);  // the string policy allows
  EXPECT_EQ(gw.Authorize(Get("/pets")).status, 401);  // "/pets/" is the resource /pets
  // A method that uses a scheme API Gateway cannot enforce is an error.
  s.Write("api.json", R"({"openapi": "3.0.1", "info": {"title": "t", "version": "1"},
    "paths": {"/x": {"get": {"security": [{"Unused": []}]}}},
    "components": {"securitySchemes": {"Unused": {"type": "oauth2", "flows": {}}}}})");
  errors.clear();
  EXPECT_EQ(LoadGateway(s.Path("gateway.json"), &errors), nullptr);
  EXPECT_NE(errors.find("security scheme \"Unused\""), std::string::npos) << errors;
}

// "For the REQUEST authorizer, this [identitySource] is required when authorization caching
// is enabled" (API Gateway API reference, Authorizer): caching is on unless the TTL is 0, and
// 300 s when none is given.
TEST(GatewayConfig, CachedRequestAuthorizerWithoutIdentitySourceIsRefused) {
  auto api = [](std::string_view ttl) {
    return StrCat(R"({"openapi": "3.0.1", "info": {"title": "t", "version": "1"},
      "paths": {"/pets": {"get": {"security": [{"Req": []}]}}},
      "components": {"securitySchemes": {
        "Req": {"type": "apiKey", "name": "Unused", "in": "header",
                "x-amazon-apigateway-authtype": "custom",
                "x-amazon-apigateway-authorizer": {"type": "request")",
                  ttl, "}}}}}");
  };
  Scratch s;
  s.Write("gateway.json", R"({"api": {"id": "a1b2c3d4e5", "region": "us-east-1",
      "account": "111122223333", "stage": "prod", "openapi": "api.json"},
    "authorizers": {"Req": {"command": ["false"]}}})");
  for (std::string_view ttl : {R"(, "authorizerResultTtlInSeconds": 300)", ""}) {
    s.Write("api.json", api(ttl));
    std::string errors;
    EXPECT_EQ(LoadGateway(s.Path("gateway.json"), &errors), nullptr) << ttl;
    EXPECT_NE(errors.find("needs an identitySource"), std::string::npos) << errors;
  }
  s.Write("api.json", api(R"(, "authorizerResultTtlInSeconds": 0)"));
  std::string errors;
  EXPECT_NE(LoadGateway(s.Path("gateway.json"), &errors), nullptr) << errors;
}

TEST(Gateway, ResourcePolicyDenyComesBeforeTheLambdaIdentitySource) {
  // "Before calling the Lambda authorizer, API Gateway first evaluates the policy and
  // checks for any explicit denials": a denied caller gets the deny, even without a token.
  Scratch s;
  auto gw = Load(s,
                 OpenApi(R"({"/pets": {"get": {"security": [{"Tok": []}]}}})",
                         R"(, "x-amazon-apigateway-policy": {"Version": "2012-10-17",
    "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
                   "Resource": "execute-api:/*", "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}]})"),
                 kAuthorizers);
  ASSERT_NE(gw, nullptr);
  HttpRequest r = Get("/pets");
  r.source_ip = "192.0.2.9";
  Response denied = gw->Authorize(r);
  EXPECT_EQ(denied.status, 403);
  EXPECT_TRUE(EndsWith(*denied.message, "with an explicit deny"));
  r.source_ip = "203.0.113.7";
  EXPECT_EQ(gw->Authorize(r).status, 401);  // no token
}

// "For an authorization-enabled method ARN ... the maximum length is 1600 bytes ... the API
// client will receive a 414 Request URI too long response" (api-gateway-lambda-authorizer-
// output.html); "This limits URI length when resource policies are used" (limits.html).
TEST(Gateway, MethodArnLongerThan1600BytesIs414) {
  // "arn:...:a1b2c3d4e5/prod/GET/pets/" + id
  const size_t fixed = std::string_view(kArnPrefix).size() + std::string_view("GET/pets/").size();
  const std::string at_limit(1600 - fixed, 'x');
  const std::string over(1601 - fixed, 'x');
  Scratch s;
  auto gw = Load(s, OpenApi(R"({"/pets/{id}": {"get": {"security": [{"Tok": []}]}},
                              "/open/{id}": {"get": {}},
                              "/iam/{id}": {"get": {"security": [{"sigv4": []}]}}})"),
                 kAuthorizers);
  ASSERT_NE(gw, nullptr);
  FakeLambda lambda;
  ASSERT_TRUE(gw->RegisterAuthorizer("Tok", lambda.Function()));
  lambda.result = Policy("Allow", StrCat(kArnPrefix, "*"));
  HttpRequest r = Get(StrCat("/pets/", at_limit));
  r.headers = {{"Authorization", "Bearer abc"}};
  ASSERT_EQ(gw->config().MethodArn("GET", r.path).size(), 1600u);
  Response ok = gw->Authorize(r);
  EXPECT_EQ(ok.status, 200) << Explain(ok);  // exactly 1600 bytes is allowed
  EXPECT_EQ(lambda.calls, 1);
  r.path = StrCat("/pets/", over);
  Response long_arn = gw->Authorize(r);
  EXPECT_EQ(long_arn.status, 414);
  EXPECT_EQ(long_arn.message, "Request-URI Too Long");
  EXPECT_EQ(long_arn.ToJson(), R"({"status": 414, "message": "Request-URI Too Long"})");
  EXPECT_EQ(lambda.calls, 1);  // refused before the authorizer
  // AWS_IAM: refused before the signature is looked at.
  // ("/iam/" is one byte shorter than "/pets/".)
  EXPECT_EQ(gw->Authorize(Get(StrCat("/iam/", over, "x"))).status, 414);
  EXPECT_EQ(gw->Authorize(Get(StrCat("/iam/", at_limit, "x"))).message,
            "Missing Authentication Token");
  // NONE without a resource policy: nothing is authorized, so no limit.
  EXPECT_EQ(gw->Authorize(Get(StrCat("/open/", over, over))).status, 200);

  // NONE with a resource policy: the policy is evaluated against the ARN, so the limit holds.
  Scratch s2;
  auto with_policy = Load(s2, OpenApi(R"({"/open/{id}": {"get": {}}})", R"(,
    "x-amazon-apigateway-policy": {"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
       "Resource": "execute-api:/*"}]})"),
                          kAuthorizers);
  ASSERT_NE(with_policy, nullptr);
  EXPECT_EQ(with_policy->Authorize(Get(StrCat("/open/", at_limit))).status, 200);
  EXPECT_EQ(with_policy->Authorize(Get(StrCat("/open/", over))).status, 414);
}

// A TOKEN authorizer needs its token header whatever the TTL: caching off lifts only a
// REQUEST authorizer's identity-source check.
TEST(Gateway, UncachedTokenAuthorizerStillNeedsItsToken) {
  Scratch s;
  auto gw = Load(s, R"({"openapi": "3.0.1", "info": {"title": "t", "version": "1"},
    "paths": {"/pets": {"get": {"security": [{"Tok0": []}]}}},
    "components": {"securitySchemes": {
      "Tok0": {"type": "apiKey", "name": "Authorization", "in": "header",
               "x-amazon-apigateway-authtype": "custom",
               "x-amazon-apigateway-authorizer": {"type": "token",
                 "authorizerResultTtlInSeconds": 0}}}}})",
                 R"(, "authorizers": {"Tok0": {"command": ["false"]}})");
  ASSERT_NE(gw, nullptr);
  FakeLambda lambda;
  ASSERT_TRUE(gw->RegisterAuthorizer("Tok0", lambda.Function()));
  lambda.result = Policy("Allow", StrCat(kArnPrefix, "*"));
  HttpRequest r = Get("/pets");
  EXPECT_EQ(gw->Authorize(r).status, 401);
  r.headers = {{"Authorization", ""}};
  EXPECT_EQ(gw->Authorize(r).status, 401);
  EXPECT_EQ(lambda.calls, 0);
  r.headers = {{"Authorization", "t"}};
  EXPECT_EQ(gw->Authorize(r).status, 200);
  EXPECT_EQ(lambda.calls, 1);
}

// "For JWT, a single entry ... Currently only header-based and query parameter-based
// selections are supported" (API Gateway v2 reference, Authorizer.identitySource). The
// signed-token cases are in tests/gateway/jwt_http.
TEST(GatewayConfig, JwtAuthorizerReadsAHeaderOrAQueryParameter) {
  auto api = [](const std::string& source) {
    return StrCat(R"({"openapi": "3.0.1", "info": {"title": "t", "version": "1"},
      "paths": {"/me": {"get": {"security": [{"Jwt": []}]}}},
      "components": {"securitySchemes": {"Jwt": {"type": "oauth2", "flows": {},
        "x-amazon-apigateway-authorizer": {"type": "jwt", "identitySource": ")",
                  source, R"(",
          "jwtConfiguration": {"issuer": "https://issuer.example/pool", "audience": ["a"]}}}}}})");
  };
  Scratch s;
  s.Write("jwks.json", R"({"keys": []})");
  const std::string jwks = R"(, "jwks": {"https://issuer.example/pool": "jwks.json"})";
  auto gw = Load(s, api("$request.querystring.access_token"), jwks);
  ASSERT_NE(gw, nullptr);
  ASSERT_EQ(gw->config().authorizers.size(), 1u);
  EXPECT_EQ(gw->config().authorizers[0].identity_sources[0].kind, IdentitySource::Kind::kQuery);
  HttpRequest r = Get("/me");
  r.headers = {{"Authorization", "Bearer a.b.c"}};  // not the identity source
  EXPECT_EQ(gw->Authorize(r).message, "Unauthorized");
  r.query = {{"access_token", ""}};
  EXPECT_EQ(gw->Authorize(r).status, 401);
  r.query = {{"access_token", "not-a-jwt"}};
  EXPECT_EQ(gw->Authorize(r).status, 401);

  for (const char* bad : {"$context.identity.sourceIp", "$stageVariables.v", "$request.body.t"}) {
    s.Write("api.json", api(bad));
    std::string errors;
    EXPECT_EQ(LoadGateway(s.Path("gateway.json"), &errors), nullptr) << bad;
    EXPECT_NE(errors.find("a JWT authorizer reads one header or query parameter"),
              std::string::npos)
        << errors;
  }
}

// Table B of apigateway-authorization-flow.html: "access ... controlled by an IAM policy (or a
// Lambda or Amazon Cognito user pools authorizer) and an API Gateway resource policy, which
// are in different AWS accounts" needs both to allow. The Lambda authorizer's account is its
// function's (authorizerUri).
std::string CrossAccountApi(bool with_policy) {
  auto scheme = [](const char* account) {
    return StrCat(R"({"type": "apiKey", "name": "Authorization", "in": "header",
      "x-amazon-apigateway-authtype": "custom",
      "x-amazon-apigateway-authorizer": {"type": "token", "authorizerResultTtlInSeconds": 0,
        "authorizerUri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:)",
                  account, R"(:function:auth/invocations"}})");
  };
  return StrCat(R"({"openapi": "3.0.1", "info": {"title": "t", "version": "1"},
    "paths": {"/same": {"get": {"security": [{"Same": []}]}},
              "/cross": {"get": {"security": [{"Cross": []}]}},
              "/granted": {"get": {"security": [{"Cross": []}]}}},)",
                with_policy ? R"("x-amazon-apigateway-policy": {"Version": "2012-10-17",
      "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
                     "Resource": "execute-api:/prod/GET/granted"}]},)"
                            : "",
                R"("components": {"securitySchemes": {"Same": )", scheme("111122223333"),
                R"(, "Cross": )", scheme("444455556666"), "}}}");
}

TEST(Gateway, CrossAccountLambdaAuthorizerWithResourcePolicyIsTableB) {
  constexpr char kCommands[] =
      R"(, "authorizers": {"Same": {"command": ["false"]}, "Cross": {"command": ["false"]}})";
  Scratch s;
  auto gw = Load(s, CrossAccountApi(true), kCommands);
  ASSERT_NE(gw, nullptr);
  for (const AuthorizerConfig& a : gw->config().authorizers) {
    EXPECT_EQ(a.cross_account, a.name == "Cross") << a.name;
  }
  FakeLambda same, cross;
  ASSERT_TRUE(gw->RegisterAuthorizer("Same", same.Function()));
  ASSERT_TRUE(gw->RegisterAuthorizer("Cross", cross.Function()));
  auto call = [&](const std::string& path) {
    HttpRequest r = Get(path);
    r.headers = {{"Authorization", "t"}};
    return gw->Authorize(r);
  };
  // Same account, authorizer Allow, resource policy silent: Table A, Allow.
  same.result = Policy("Allow", StrCat(kArnPrefix, "*"));
  EXPECT_EQ(call("/same").status, 200);
  // Cross account, authorizer Allow, resource policy silent: Table B, implicit deny.
  cross.result = Policy("Allow", StrCat(kArnPrefix, "*"));
  Response silent = call("/cross");
  EXPECT_EQ(silent.status, 403);
  EXPECT_EQ(silent.message,
            "User: anonymous is not authorized to perform: execute-api:Invoke on resource: "
            "arn:aws:execute-api:us-east-1:********3333:a1b2c3d4e5/prod/GET/cross");
  // Both allow.
  Response both = call("/granted");
  EXPECT_EQ(both.status, 200) << Explain(both);
  // Authorizer silent, resource policy Allow: Table B, implicit deny (Table A would allow).
  cross.result = Policy("Allow", StrCat(kArnPrefix, "GET/elsewhere"));
  Response no_authorizer_allow = call("/granted");
  EXPECT_EQ(no_authorizer_allow.status, 403);
  EXPECT_EQ(no_authorizer_allow.message, "User is not authorized to access this resource");
  // Authorizer Deny, resource policy Allow: explicit deny.
  cross.result = Policy("Deny", StrCat(kArnPrefix, "*"));
  EXPECT_EQ(call("/granted").message,
            "User is not authorized to access this resource with an explicit deny");

  // Without a resource policy there is nothing to grant from the API's side: the authorizer's
  // policy alone decides, whichever account its function is in.
  Scratch s2;
  auto open = Load(s2, CrossAccountApi(false), kCommands);
  ASSERT_NE(open, nullptr);
  FakeLambda alone;
  ASSERT_TRUE(open->RegisterAuthorizer("Cross", alone.Function()));
  alone.result = Policy("Allow", StrCat(kArnPrefix, "*"));
  HttpRequest r = Get("/cross");
  r.headers = {{"Authorization", "t"}};
  EXPECT_EQ(open->Authorize(r).status, 200);
}

TEST(GatewayConfig, AuthorizerUriMustNameALambdaFunction) {
  Scratch s;
  for (const char* bad : {
           "not-an-arn",
           "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/auth/invocations",
           "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
           "arn:aws:lambda:us-east-1:${stageVariables.account}:function:auth/invocations",
           "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
           "arn:aws:lambda:us-east-1:111122223333:function:auth",
           "arn:aws:apigateway:us-east-1:s3:path/bucket/key",
       }) {
    s.Write("api.json", StrCat(R"({"openapi": "3.0.1", "info": {"title": "t", "version": "1"},
      "paths": {"/p": {"get": {"security": [{"Tok": []}]}}},
      "components": {"securitySchemes": {"Tok": {"type": "apiKey", "name": "Authorization",
        "in": "header", "x-amazon-apigateway-authtype": "custom",
        "x-amazon-apigateway-authorizer": {"type": "token", "authorizerUri": ")",
                               bad, R"("}}}}})"));
    s.Write("gateway.json", R"({"api": {"id": "a1b2c3d4e5", "region": "us-east-1",
        "account": "111122223333", "stage": "prod", "openapi": "api.json"},
        "authorizers": {"Tok": {"command": ["false"]}}})");
    std::string errors;
    EXPECT_EQ(LoadGateway(s.Path("gateway.json"), &errors), nullptr) << bad;
    EXPECT_NE(errors.find("\"authorizerUri\" must be a Lambda function URI"), std::string::npos)
        << errors;
  }
}

TEST(HttpRequestParse, FieldsAndErrors) {
  auto r = ParseHttpRequest(
      R"({"method": "GET", "path": "/pets/7", "headers": {"A": "1", "B": ["2", "3"]},
          "query": {"q": "x"}, "source_ip": "203.0.113.7", "time": "2026-11-22T10:00:00Z"})",
      0);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->headers.size(), 3u);
  EXPECT_EQ(r->HeaderValues("b").size(), 2u);
  EXPECT_EQ(*r->Header("a"), "1");
  EXPECT_EQ(r->time_ms, *ParseDateMillis("2026-11-22T10:00:00Z"));
  EXPECT_TRUE(ParseHttpRequest(R"({"method": "GET", "path": "/", "body": null, "headers": null})",
                               0)
                  .ok());  // null is absent
  auto defaulted = ParseHttpRequest(R"({"method": "GET", "path": "/"})", 42);
  ASSERT_TRUE(defaulted.ok());
  EXPECT_EQ(defaulted->time_ms, 42);
  for (const char* bad : {"", "[]", R"({"path": "/"})", R"({"method": "GET", "path": "x"})",
                          R"({"method": "GET", "path": "/", "time": "yesterday"})",
                          R"({"method": "G T", "path": "/"})",
                          R"({"method": "GET", "path": "/", "headers": {"a": 1}})",
                          R"({"method": "GET", "method": "GET", "path": "/"})"}) {
    EXPECT_FALSE(ParseHttpRequest(bad, 0).ok()) << bad;
  }
  // source_ip is what resource-policy IpAddress conditions read: a malformed one would slip
  // past an IP Deny, so it is refused (absent, it is simply not in the request context).
  for (const char* ip : {"192.0.2.010", "192.0.2.10 ", " 192.0.2.10", "999.0.2.10", "",
                         "192.0.2.0/24", "localhost"}) {
    EXPECT_FALSE(
        ParseHttpRequest(StrCat(R"({"method": "GET", "path": "/", "source_ip": ")", ip, "\"}"), 0)
            .ok())
        << ip;
  }
  for (const char* ip : {"192.0.2.10", "2001:db8::7", "::ffff:192.0.2.10"}) {
    EXPECT_TRUE(
        ParseHttpRequest(StrCat(R"({"method": "GET", "path": "/", "source_ip": ")", ip, "\"}"), 0)
            .ok())
        << ip;
  }
}

}  // namespace
}  // namespace arbiter::gateway
