// Decides raw HTTP requests the way Amazon API Gateway (REST APIs; plus the JWT authorizer
// of HTTP APIs) does: route, authenticate (SigV4, Cognito user pools, JWT, Lambda TOKEN and
// REQUEST authorizers), authorize (IAM policies, the authorizer's policy, the API's resource
// policy), then API keys, throttling and quotas. SPEC section 6.
//
// The order of the checks and the outcome of each combination follow
// https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-authorization-flow.html
// (tables A and B), the gateway response types
// https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
// and the Lambda authorizer input/output pages; gateway/README.md lists every rule, its
// source and the choices the documentation leaves open.
//
// Thread-safety: Authorize may be called from many threads at once. Caches (authorizer
// results, verified tokens, SigV4 signing keys) are internally synchronized; throttling and
// quota counters are lock-free. Request times come from the requests themselves.
#ifndef ARBITER_GATEWAY_GATEWAY_H_
#define ARBITER_GATEWAY_GATEWAY_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "gateway/config.h"
#include "gateway/http_request.h"

namespace arbiter::gateway {

// API Gateway's answer to one request.
struct Response {
  int status = 500;
  // The message API Gateway puts in its response body; absent (JSON null) for the 500s an
  // authorizer failure causes, as API Gateway sends `{"message": null}`.
  std::optional<std::string> message;
  std::string principal;     // 200: the caller (IAM ARN, principalId, or the token's sub)
  std::string context_json;  // 200: a JSON object: authorizer context or token claims
  // SPEC section 6 response line, without a newline.
  std::string ToJson() const;
};

// What a Lambda authorizer function returned, as the Lambda runtime reports it.
struct LambdaResult {
  enum class Kind {
    kOk,       // `payload` is the function's response document
    kError,    // the function failed; `payload` is its errorMessage ("Unauthorized" -> 401)
    kFailure,  // it could not be invoked, timed out, or its output was not a response
  };
  Kind kind = Kind::kFailure;
  std::string payload;
};

// An authorizer function: takes the Lambda authorizer event (JSON) and answers. Embedders
// register C++ callbacks; by default the gateway file's command is run (see subprocess.h).
// Must be safe to call from several threads at once.
using AuthorizerFunction = std::function<LambdaResult(const std::string& event_json)>;

// Runs `authorizer.command` in `folder` with the event on stdin, within its deadline.
LambdaResult RunAuthorizerCommand(const AuthorizerConfig& authorizer, const std::string& folder,
                                  const std::string& event_json);

class Gateway {
 public:
  explicit Gateway(std::unique_ptr<const GatewayConfig> config);
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // Replaces the command of authorizer `name` with a C++ function. Call before the first
  // Authorize. Returns false when the API has no Lambda authorizer of that name.
  bool RegisterAuthorizer(std::string_view name, AuthorizerFunction function);

  Response Authorize(const HttpRequest& request);

  const GatewayConfig& config() const { return *config_; }

 private:
  struct State;
  std::unique_ptr<const GatewayConfig> config_;
  std::unique_ptr<State> state_;
};

// "arn:aws:execute-api:us-east-1:111122223333:..." -> "...:********3333:...", as API
// Gateway masks the account in its denial messages.
std::string MaskAccount(std::string_view method_arn, std::string_view account);

}  // namespace arbiter::gateway

#endif  // ARBITER_GATEWAY_GATEWAY_H_
