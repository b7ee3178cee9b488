// Any bytes as an `arbiter authorize` request line, decided by a fixed gateway: routes with
// every authorization type, a resource policy, API keys and a usage plan. Aborts when:
//  - an AWS_IAM route answers 200 (no input can carry a valid signature for the fixture's
//    secret without knowing it);
//  - a Lambda route answers 200 although its authorizer only ever denies;
//  - a Cognito or JWT route answers 200 (their issuers' key sets are empty);
//  - a status is not one API Gateway uses here (200, 401, 403, 414 for a method ARN over
//    1,600 bytes, 429, 500; 400 and 413 for requests no HTTP front end passes on, such as
//    two Authorization headers).
// Crashes, leaks and undefined behaviour are caught by ASan/UBSan.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "gateway/gateway.h"

namespace {

using namespace arbiter;

gateway::Gateway* MakeGateway() {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("arbiter-gateway-fuzz-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "api.json") << R"({"openapi": "3.0.1", "info": {"title": "f", "version": "1"},
    "x-amazon-apigateway-api-key-source": "HEADER",
    "x-amazon-apigateway-policy": {"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"},
      {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*/*/deny/*"}]},
    "paths": {
      "/open": {"get": {}},
      "/iam/{proxy+}": {"x-amazon-apigateway-any-method": {"security": [{"sigv4": []}]}},
      "/tok/{id}": {"get": {"security": [{"Tok": [], "api_key": []}]}},
      "/req": {"post": {"security": [{"Req": []}]}},
      "/cog": {"get": {"security": [{"Cog": ["s/read"]}]}},
      "/jwt": {"get": {"security": [{"Jwt": []}]}},
      "/keyed": {"get": {"security": [{"api_key": []}]}}},
    "components": {"securitySchemes": {
      "sigv4": {"type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "awsSigv4"},
      "api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"},
      "Tok": {"type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "custom",
              "x-amazon-apigateway-authorizer": {"type": "token", "identityValidationExpression": "Bearer .+"}},
      "Req": {"type": "apiKey", "name": "Unused", "in": "header", "x-amazon-apigateway-authtype": "custom",
              "x-amazon-apigateway-authorizer": {"type": "request",
                "identitySource": "method.request.header.X-A, method.request.querystring.q, context.identity.sourceIp"}},
      "Cog": {"type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "cognito_user_pools",
              "x-amazon-apigateway-authorizer": {"type": "cognito_user_pools",
                "providerARNs": ["arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_F"]}},
      "Jwt": {"type": "oauth2", "x-amazon-apigateway-authorizer": {"type": "jwt",
              "jwtConfiguration": {"issuer": "https://issuer.example", "audience": ["a"]}}}}}})";
  std::ofstream(dir / "empty-jwks.json") << R"({"keys": []})";
  std::ofstream(dir / "gateway.json") << R"({"api": {"id": "a1b2c3d4e5", "region": "us-east-1",
      "account": "111122223333", "stage": "prod", "openapi": "api.json",
      "throttle": {"rate_limit": 100, "burst_limit": 50}},
    "jwks": {"https://cognito-idp.us-east-1.amazonaws.com/us-east-1_F": "empty-jwks.json",
             "https://issuer.example": "empty-jwks.json"},
    "credentials": [{"access_key_id": "AKIDEXAMPLE", "secret_access_key": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                     "principal": "arn:aws:iam::111122223333:user/alice"}],
    "api_keys": [{"id": "k", "value": "fuzz-key-0123456789abcdef"}],
    "usage_plans": [{"id": "p", "api_keys": ["k"], "throttle": {"rate_limit": 10, "burst_limit": 5},
                     "quota": {"limit": 1000, "period": "DAY"}}],
    "authorizers": {"Tok": {"command": ["false"]}, "Req": {"command": ["false"]}}})";
  std::string errors;
  auto config = gateway::LoadGateway((dir / "gateway.json").string(), &errors);
  fs::remove_all(dir);
  if (config == nullptr) {
    std::fputs(errors.c_str(), stderr);
    std::abort();
  }
  auto* gw = new gateway::Gateway(std::move(config));
  // Authorizers that only ever deny (or fail), chosen by the event's content.
  auto deny = [](const std::string& event) {
    gateway::LambdaResult r;
    if (event.size() % 3 == 0) {
      r.kind = gateway::LambdaResult::Kind::kError;
      r.payload = "Unauthorized";
    } else {
      r.kind = gateway::LambdaResult::Kind::kOk;
      r.payload = R"({"principalId": "p", "usageIdentifierKey": "fuzz-key-0123456789abcdef",
        "policyDocument": {"Version": "2012-10-17", "Statement": [
          {"Effect": "Deny", "Action": "execute-api:Invoke", "Resource": "*"}]}})";
    }
    return r;
  };
  gw->RegisterAuthorizer("Tok", deny);
  gw->RegisterAuthorizer("Req", deny);
  return gw;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static gateway::Gateway* gw = MakeGateway();
  std::string_view line(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<gateway::HttpRequest> request = gateway::ParseHttpRequest(line, 1795000000000);
  if (!request.ok()) return 0;
  gateway::Response r = gw->Authorize(*request);
  const std::string_view path = request->path;
  switch (r.status) {
    case 200:
      if (path.starts_with("/iam/") || path.starts_with("/tok/") || path.starts_with("/req") ||
          path.starts_with("/cog") || path.starts_with("/jwt")) {
        // A route with no way in answered 200, unless the router sent the path elsewhere.
        std::abort();
      }
      break;
    case 400:
    case 401:
    case 403:
    case 413:
    case 414:  // a method ARN over 1,600 bytes
    case 429:
    case 500:
      break;
    default:
      std::abort();
  }
  (void)r.ToJson();
  return 0;
}
