// A deployed API stage, loaded from a gateway file (SPEC section 6) and the OpenAPI 3 (or
// Swagger 2) document it names, with API Gateway's `x-amazon-apigateway-*` extensions as
// API Gateway imports and exports them.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions.html
//
// Loading fails closed: any error in any file (gateway, OpenAPI, world, JWKS, policy) is a
// finding `FILE:LINE:COL: error: MESSAGE [CODE] (POINTER)` and no configuration.
// Thread-safety: immutable once loaded; share it freely.
#ifndef ARBITER_GATEWAY_CONFIG_H_
#define ARBITER_GATEWAY_CONFIG_H_

#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "compiler/compiled_world.h"
#include "compiler/world.h"
#include "gateway/router.h"
#include "gateway/usage.h"
#include "jwt/jwt.h"
#include "sigv4/sigv4.h"

namespace arbiter::gateway {

// How a method authorizes callers (API Gateway's `authorizationType`).
enum class AuthKind {
  kNone,     // NONE: only the resource policy, if any
  kIam,      // AWS_IAM: SigV4, then the caller's IAM policies and the resource policy
  kToken,    // CUSTOM, Lambda TOKEN authorizer
  kRequest,  // CUSTOM, Lambda REQUEST authorizer
  kCognito,  // COGNITO_USER_POOLS
  kJwt,      // JWT authorizer (HTTP APIs)
};

// Where a Lambda REQUEST authorizer (or a TOKEN, Cognito or JWT authorizer's token) takes
// identity from.
struct IdentitySource {
  enum class Kind { kHeader, kQuery, kStageVariable, kContext };
  Kind kind = Kind::kHeader;
  std::string name;
};

struct AuthorizerConfig {
  std::string name;  // the security scheme's name
  AuthKind kind = AuthKind::kNone;
  std::vector<IdentitySource> identity_sources;
  // `identityValidationExpression`, a whole-string match: TOKEN authorizers match the
  // token; Cognito authorizers the ID token's `aud`.
  std::optional<std::regex> validation;
  int64_t ttl_seconds = 300;  // authorizerResultTtlInSeconds; 0 = no caching
  // CUSTOM: the command that plays the Lambda function (gateway file `authorizers`), run in
  // `GatewayConfig::folder`; its deadline.
  std::vector<std::string> command;
  int timeout_ms = 10'000;
  // CUSTOM: the Lambda function (`authorizerUri` ... `functions/arn:aws:lambda:REGION:ACCOUNT:
  // function:NAME/invocations`) is in another account than the API. With a resource policy
  // this makes the decision Table B (both must allow) instead of Table A; see README.md.
  // Without `authorizerUri` the function is taken to be the API's own.
  bool cross_account = false;
  // COGNITO_USER_POOLS: the issuers of the `providerARNs` user pools.
  std::vector<std::string> issuers;
  // JWT: jwtConfiguration.
  std::string jwt_issuer;
  std::vector<std::string> jwt_audiences;
};

struct Operation {
  std::string resource;  // path template, "/pets/{petId}"
  std::string method;    // "GET", ..., or "ANY"
  AuthKind auth = AuthKind::kNone;
  int authorizer = -1;              // index into GatewayConfig::authorizers for CUSTOM/COGNITO/JWT
  std::vector<std::string> scopes;  // authorization scopes (Cognito, JWT)
  bool api_key_required = false;
};

struct ApiKey {
  std::string id, value;
  bool enabled = true;
  int plan = -1;  // the usage plan of this stage that holds the key, or -1
};

struct UsagePlan {
  std::string id;
  std::optional<ThrottleSettings> throttle;
  std::optional<QuotaSettings> quota;
  // Per-method limits within the plan, keyed "RESOURCE/METHOD" ("/pets/{petId}/GET").
  std::map<std::string, ThrottleSettings, std::less<>> method_throttle;
};

enum class ApiKeySource { kHeader, kAuthorizer };

struct GatewayConfig {
  std::string api_id, region, account, stage;
  std::string folder;  // the gateway file's folder: relative paths and commands start here
  std::map<std::string, std::string, std::less<>> stage_variables;
  std::optional<ThrottleSettings> stage_throttle;  // the stage's default method throttling
  std::map<std::string, ThrottleSettings, std::less<>> stage_method_throttle;
  // Account-level throttling in the Region: 10,000 requests per second, burst 5,000,
  // unless the gateway file raises it (`api.account_throttle`, as a quota increase would).
  // https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
  ThrottleSettings account_throttle{10000, 5000};

  Router router;  // route ids index `operations`
  std::vector<Operation> operations;
  std::vector<AuthorizerConfig> authorizers;
  ApiKeySource api_key_source = ApiKeySource::kHeader;

  // The world with the API's resource policy (`x-amazon-apigateway-policy`) attached to
  // "arn:aws:execute-api:REGION:ACCOUNT:API-ID" when there is one, and compiled.
  World world;
  std::shared_ptr<const CompiledWorld> compiled;
  bool has_resource_policy = false;

  std::map<std::string, jwt::Jwks, std::less<>> jwks;  // issuer -> keys
  std::vector<sigv4::Credential> credentials;
  std::vector<ApiKey> api_keys;
  std::vector<UsagePlan> usage_plans;

  // "arn:aws:execute-api:REGION:ACCOUNT:API-ID"
  std::string ApiArn() const;
  // The method ARN API Gateway evaluates policies against:
  // "arn:aws:execute-api:REGION:ACCOUNT:API-ID/STAGE/METHOD/PATH" (PATH without its
  // leading '/').
  std::string MethodArn(std::string_view method, std::string_view path) const;
};

// The name the resource policy carries in `GatewayConfig::world`.
inline constexpr std::string_view kResourcePolicyName = "x-amazon-apigateway-policy";

// Loads the gateway file at `path`. On failure returns nullptr and appends formatted
// findings (one per line) to `errors`.
std::unique_ptr<GatewayConfig> LoadGateway(const std::string& path, std::string* errors);

}  // namespace arbiter::gateway

#endif  // ARBITER_GATEWAY_CONFIG_H_
