#include "gateway/gateway.h"

#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <ctime>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "compiler/compile.h"
#include "compiler/policy_parser.h"
#include "core/strings.h"
#include "engine/engine.h"
#include "gateway/subprocess.h"
#include "json/json.h"
#include "sigv4/canonical.h"

namespace arbiter::gateway {

namespace {

constexpr std::string_view kInvoke = "execute-api:Invoke";
// Tokens longer than this are refused before any parsing or pattern matching (API Gateway
// caps a request's headers at 10 KiB).
constexpr size_t kMaxTokenBytes = 10240;
// The longest method ARN an authorization-enabled method (or a resource policy) accepts.
constexpr size_t kMaxMethodArnBytes = 1600;
// Bound on cached authorizer results; expired entries go first, then everything.
constexpr size_t kMaxCachedAuthorizations = 1u << 16;

Response Status(int status, std::string message) {
  Response r;
  r.status = status;
  r.message = std::move(message);
  return r;
}
Response Unauthorized() { return Status(401, "Unauthorized"); }
Response Forbidden() { return Status(403, "Forbidden"); }
// An authorizer that failed: 500 with `{"message": null}`.
Response AuthorizerFailure() {
  Response r;
  r.status = 500;
  return r;
}

// "/a/./b/../c" -> "/a/c"; ".." never climbs above the root. Other segments, empty ones
// included, stay as they are.
std::string RemoveDotSegments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 1;
  bool trailing = false;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view seg = path.substr(start, end - start);
    trailing = false;
    if (seg == ".") {
      trailing = true;
    } else if (seg == "..") {
      if (!out.empty()) out.pop_back();
      trailing = true;
    } else {
      out.push_back(seg);
    }
    start = end + 1;
  }
  std::string result;
  for (std::string_view seg : out) StrAppend(&result, "/", seg);
  if (result.empty() || (trailing && result.back() != '/')) result.push_back('/');
  return result;
}

int64_t FloorSeconds(int64_t ms) { return ms >= 0 ? ms / 1000 : (ms - 999) / 1000; }

// "2026-11-22T10:00:00Z". Requests of one second share the text (strftime is slow).
std::string IsoTime(int64_t ms) {
  const time_t secs = static_cast<time_t>(FloorSeconds(ms));
  thread_local time_t last_secs = -1;
  thread_local char last[32];
  if (secs != last_secs) {
    std::tm tm{};
    gmtime_r(&secs, &tm);
    std::strftime(last, sizeof last, "%Y-%m-%dT%H:%M:%SZ", &tm);
    last_secs = secs;
  }
  return last;
}
// "22/Nov/2026:10:00:00 +0000" ($context.requestTime)
std::string ClfTime(int64_t ms) {
  time_t secs = static_cast<time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%d/%b/%Y:%H:%M:%S +0000", &tm);
  return buf;
}

// The request context every policy evaluation of this request sees: the global condition
// keys API Gateway resource policies support, as a view (no map, no allocation beyond the
// two formatted times).
// https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies-aws-condition-keys.html
class PolicyContext {
 public:
  explicit PolicyContext(const HttpRequest& http)
      : current_time_(IsoTime(http.time_ms)), epoch_(StrCat(FloorSeconds(http.time_ms))) {
    Add("aws:currenttime", current_time_);
    Add("aws:epochtime", epoch_);
    Add("aws:securetransport", "true");  // execute-api endpoints are HTTPS only
    if (!http.source_ip.empty()) Add("aws:sourceip", http.source_ip);
    if (const std::string* ua = http.Header("User-Agent")) Add("aws:useragent", *ua);
    if (const std::string* ref = http.Header("Referer")) Add("aws:referer", *ref);
  }
  PolicyContext(const PolicyContext&) = delete;

  // principal (a world principal ARN, or "*"), execute-api:Invoke on `arn`.
  RequestView View(std::string_view principal, std::string_view arn) const {
    RequestView v;
    v.principal = principal;
    v.action = kInvoke;
    v.resource = arn;
    v.context = entries_;
    v.context_size = size_;
    return v;
  }

 private:
  void Add(std::string_view key, std::string_view value) {
    values_[size_] = value;
    entries_[size_] = ContextEntry{key, &values_[size_], 1, false};
    ++size_;
  }
  std::string current_time_, epoch_;
  std::string_view values_[6];
  ContextEntry entries_[6];
  size_t size_ = 0;
};

// "User: WHO is not authorized to perform: execute-api:Invoke on resource: ARN[ with an
// explicit deny]" (https://repost.aws/knowledge-center/api-gateway-403-error-lambda-authorizer)
Response PolicyDenial(std::string_view who, const GatewayConfig& c, const std::string& arn,
                      Decision decision) {
  return Status(403, StrCat("User: ", who, " is not authorized to perform: ", kInvoke,
                            " on resource: ", MaskAccount(arn, c.account),
                            decision == Decision::kExplicitDeny ? " with an explicit deny" : ""));
}

std::string_view StripBearer(std::string_view token) {
  if (token.size() > 7 && EqualsIgnoreCase(token.substr(0, 7), "Bearer ")) token.remove_prefix(7);
  return StripAsciiWhitespace(token);
}

// Verify reports an expired token as "expired at N" (jwt/jwt.cc).
bool TokenExpired(const absl::Status& status) {
  return StrContains(std::string_view(status.message().data(), status.message().size()),
                     "expired at ");
}

bool HasAnyScope(const jwt::VerifiedToken& token, const std::vector<std::string>& wanted) {
  std::vector<std::string> have;
  auto split = [&](std::string_view s) {
    while (!s.empty()) {
      size_t sp = s.find(' ');
      if (sp != 0) have.emplace_back(s.substr(0, sp));
      if (sp == std::string_view::npos) break;
      s.remove_prefix(sp + 1);
    }
  };
  for (std::string_view claim : {"scope", "scp"}) {
    const json::Value* v = token.Claim(claim);
    if (v == nullptr) continue;
    if (v->is_string()) split(v->text);
    if (v->is_array()) {
      for (const json::Value& e : v->elements) {
        if (e.is_string()) have.push_back(e.text);
      }
    }
  }
  for (const std::string& w : wanted) {
    for (const std::string& h : have) {
      if (w == h) return true;
    }
  }
  return false;
}

// A Lambda authorizer's answer, parsed and compiled once, then evaluated against every
// method ARN it is reused for (cached results answer for other methods too: the documented
// gotcha, https://repost.aws/knowledge-center/api-gateway-lambda-authorization-errors).
struct Authorization {
  std::string principal_id;
  std::string context_json = "{}";
  std::optional<std::string> usage_identifier_key;
  World world;  // the returned policy as the identity policy of one principal
  CompiledWorld compiled;
  std::string principal_arn;
};

// Parses the function's response. Anything API Gateway would refuse is an error (500).
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html
std::shared_ptr<const Authorization> ParseAuthorization(const std::string& payload,
                                                        const GatewayConfig& c) {
  json::Value v;
  json::Error err;
  json::Limits limits;
  limits.max_bytes = 1u << 20;
  if (!json::Parse(payload, &v, &err, limits) || !v.is_object()) return nullptr;
  if (!json::DuplicateMembers(v).empty()) return nullptr;
  auto a = std::make_shared<Authorization>();
  const json::Value* pid = v.Find("principalId");
  const json::Value* doc = v.Find("policyDocument");
  if (pid == nullptr || !pid->is_string() || doc == nullptr || !doc->is_object()) return nullptr;
  a->principal_id = pid->text;
  if (const json::Value* ctx = v.Find("context");
      ctx != nullptr && ctx->type != json::Type::kNull) {
    if (!ctx->is_object()) return nullptr;
    // "You cannot set a JSON object or array as a valid value of any key in the context
    // map." and "The returned values are all stringified": {"n": 1, "b": true} is passed on
    // as {"n": "1", "b": "true"} (the page's example). A number keeps the text the function
    // wrote.
    std::string out = "{";
    for (const json::Member& m : ctx->members) {
      std::string_view text;
      switch (m.value.type) {
        case json::Type::kString:
        case json::Type::kNumber:
          text = m.value.text;
          break;
        case json::Type::kBool:
          text = m.value.boolean ? "true" : "false";
          break;
        default:
          return nullptr;  // object, array, null
      }
      if (out.size() > 1) out.push_back(',');
      json::AppendQuoted(&out, m.key);
      out.push_back(':');
      json::AppendQuoted(&out, text);
    }
    out.push_back('}');
    a->context_json = std::move(out);
  }
  if (const json::Value* k = v.Find("usageIdentifierKey");
      k != nullptr && k->type != json::Type::kNull) {
    if (!k->is_string()) return nullptr;
    a->usage_identifier_key = k->text;
  }
  std::vector<Finding> findings;
  std::optional<Policy> policy =
      ParsePolicy(*doc, PolicyKind::kIdentity, "/policyDocument", &findings);
  if (!policy) return nullptr;
  a->principal_arn = StrCat("arn:aws:iam::", c.account, ":user/lambda-authorizer-principal");
  a->world.policies.emplace("policyDocument", std::move(*policy));
  PrincipalEntry p = DerivePrincipal(a->principal_arn);
  p.identity_policies.push_back("policyDocument");
  a->world.principal_by_arn[p.arn] = 0;
  a->world.principals.push_back(std::move(p));
  a->compiled = Compile(a->world);
  return a;
}

void AppendMap(std::string* out, const std::vector<std::pair<std::string, std::string>>& pairs,
               bool multi) {
  if (pairs.empty()) {
    out->append("null");
    return;
  }
  // Single-value maps keep the last value of a repeated name, as API Gateway does.
  std::vector<std::pair<std::string_view, std::vector<std::string_view>>> grouped;
  for (const auto& pair : pairs) {
    const std::string& name = pair.first;  // (clang 14 cannot capture structured bindings)
    auto it = std::find_if(grouped.begin(), grouped.end(),
                           [&](const auto& g) { return g.first == name; });
    if (it == grouped.end()) {
      grouped.push_back({name, {pair.second}});
    } else {
      it->second.push_back(pair.second);
    }
  }
  out->push_back('{');
  bool first = true;
  for (const auto& [k, vs] : grouped) {
    if (!first) out->push_back(',');
    first = false;
    json::AppendQuoted(out, k);
    out->push_back(':');
    if (multi) {
      out->push_back('[');
      for (size_t i = 0; i < vs.size(); ++i) {
        if (i > 0) out->push_back(',');
        json::AppendQuoted(out, vs[i]);
      }
      out->push_back(']');
    } else {
      json::AppendQuoted(out, vs.back());
    }
  }
  out->push_back('}');
}

std::string Hex64(uint64_t x) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, x);
  return buf;
}

}  // namespace

std::string MaskAccount(std::string_view arn, std::string_view account) {
  std::string out(arn);
  if (account.size() != 12) return out;
  std::string masked = StrCat("********", account.substr(8));
  std::string needle = StrCat(":", account, ":");
  if (size_t at = out.find(needle); at != std::string::npos) {
    out.replace(at + 1, account.size(), masked);
  }
  return out;
}

std::string Response::ToJson() const {
  std::string out = StrCat("{\"status\": ", status);
  if (status == 200) {
    out.append(", \"principal\": ");
    if (principal.empty()) {
      out.append("null");
    } else {
      json::AppendQuoted(&out, principal);
    }
    StrAppend(&out, ", \"context\": ", context_json.empty() ? "{}" : context_json);
  } else {
    out.append(", \"message\": ");
    if (message) {
      json::AppendQuoted(&out, *message);
    } else {
      out.append("null");
    }
  }
  out.push_back('}');
  return out;
}

LambdaResult RunAuthorizerCommand(const AuthorizerConfig& authorizer, const std::string& folder,
                                  const std::string& event_json) {
  LambdaResult out;
  absl::StatusOr<CommandResult> run =
      RunCommand(authorizer.command, folder, event_json, authorizer.timeout_ms);
  if (!run.ok() || run->timed_out || run->output_too_large) return out;  // kFailure
  if (run->exit_status != 0) {
    // "exit status non-zero with {"errorMessage": "...", "errorType": "..."}" (SPEC 6).
    json::Value v;
    json::Error err;
    if (json::Parse(run->out, &v, &err) && v.is_object()) {
      if (const json::Value* m = v.Find("errorMessage"); m != nullptr && m->is_string()) {
        out.kind = LambdaResult::Kind::kError;
        out.payload = m->text;
      }
    }
    return out;
  }
  out.kind = LambdaResult::Kind::kOk;
  out.payload = std::move(run->out);
  return out;
}

struct Gateway::State {
  struct Cached {
    int64_t expires_ms = 0;
    std::shared_ptr<const Authorization> authorization;
  };
  absl::Mutex cache_mu;
  absl::flat_hash_map<std::string, Cached> cache ABSL_GUARDED_BY(cache_mu);

  std::vector<std::unique_ptr<jwt::VerifiedTokenCache>> tokens;  // per authorizer
  sigv4::CredentialStore credentials;
  sigv4::SigningKeyCache signing_keys;
  std::vector<AuthorizerFunction> functions;  // per authorizer; empty = run the command

  // Usage: per API key, its plan's bucket and quota and per-method buckets; per stage
  // method, the stage's buckets; the account's bucket.
  struct KeyUsage {
    std::unique_ptr<TokenBucket> plan_bucket;
    std::unique_ptr<QuotaCounter> quota;
    std::map<std::string, std::unique_ptr<TokenBucket>, std::less<>> method_buckets;
  };
  std::vector<KeyUsage> keys;
  std::map<std::string, std::unique_ptr<TokenBucket>, std::less<>> stage_method_buckets;
  std::unique_ptr<TokenBucket> account_bucket;
  std::atomic<uint64_t> request_counter{0};
};

Gateway::Gateway(std::unique_ptr<const GatewayConfig> config)
    : config_(std::move(config)), state_(std::make_unique<State>()) {
  const GatewayConfig& c = *config_;
  state_->account_bucket = std::make_unique<TokenBucket>(c.account_throttle);
  state_->functions.resize(c.authorizers.size());
  for (size_t i = 0; i < c.authorizers.size(); ++i) {
    state_->tokens.push_back(std::make_unique<jwt::VerifiedTokenCache>());
  }
  for (const sigv4::Credential& cred : c.credentials) {
    state_->credentials.Add(cred).IgnoreError();  // unique ids: checked when loading
  }
  state_->keys.resize(c.api_keys.size());
  for (size_t i = 0; i < c.api_keys.size(); ++i) {
    const ApiKey& k = c.api_keys[i];
    if (k.plan < 0) continue;
    const UsagePlan& plan = c.usage_plans[static_cast<size_t>(k.plan)];
    State::KeyUsage& u = state_->keys[i];
    if (plan.throttle) u.plan_bucket = std::make_unique<TokenBucket>(*plan.throttle);
    if (plan.quota) u.quota = std::make_unique<QuotaCounter>(*plan.quota);
    for (const auto& [m, t] : plan.method_throttle) {
      u.method_buckets[m] = std::make_unique<TokenBucket>(t);
    }
  }
  // Stage throttling applies per method: every method of the stage gets its own bucket,
  // with its override or the stage default ("Per-API, per-stage throttling limits are
  // applied at the API method level for a stage").
  for (const Operation& op : c.operations) {
    std::vector<std::string> methods = {op.method};
    if (op.method == "ANY") {
      methods = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "ANY"};
    }
    for (const std::string& m : methods) {
      const std::string key = StrCat(op.resource, "/", m);
      auto it = c.stage_method_throttle.find(key);
      if (it == c.stage_method_throttle.end()) {
        it = c.stage_method_throttle.find(StrCat(op.resource, "/", op.method));
      }
      if (it != c.stage_method_throttle.end()) {
        state_->stage_method_buckets[key] = std::make_unique<TokenBucket>(it->second);
      } else if (c.stage_throttle) {
        state_->stage_method_buckets[key] = std::make_unique<TokenBucket>(*c.stage_throttle);
      }
    }
  }
}

Gateway::~Gateway() = default;

bool Gateway::RegisterAuthorizer(std::string_view name, AuthorizerFunction function) {
  for (size_t i = 0; i < config_->authorizers.size(); ++i) {
    const AuthorizerConfig& a = config_->authorizers[i];
    if (a.name == name && (a.kind == AuthKind::kToken || a.kind == AuthKind::kRequest)) {
      state_->functions[i] = std::move(function);
      return true;
    }
  }
  return false;
}

Response Gateway::Authorize(const HttpRequest& http) {
  const GatewayConfig& c = *config_;
  State& st = *state_;
  thread_local EvalScratch scratch;

  // 1. The route, on the path with "." and ".." segments resolved (RFC 3986 5.2.4, as
  // the endpoint does before routing); "/pets/" is routed as "/pets"; the method ARN keeps
  // the trailing slash.
  const std::string path = RemoveDotSegments(http.path);
  std::string_view route_path = path;
  if (route_path.size() > 1 && route_path.back() == '/') route_path.remove_suffix(1);
  RouteMatch match = c.router.Match(http.method, route_path);
  if (match.route < 0) {
    // With an Authorization header, API Gateway first reads it as SigV4 and reports what
    // it cannot parse (e.g. "'abc' not a valid key=value pair (missing equal-sign) in
    // Authorization header: 'Bearer abc'.", responses quoted in serverless/serverless#3205).
    if (const std::string* auth = http.Header("Authorization"); auth != nullptr && !auth->empty()) {
      sigv4::HttpRequest sr;
      sr.method = http.method;
      sr.path = StrCat("/", c.stage, path);
      sr.headers = http.headers;
      sigv4::Expect expect;
      expect.region = c.region;
      expect.now_unix_seconds = FloorSeconds(http.time_ms);
      sigv4::Outcome parsed = sigv4::Verify(sr, st.credentials.AsLookup(), expect);
      if (parsed.failure.kind == sigv4::FailureKind::kMalformedAuthorization ||
          parsed.failure.kind == sigv4::FailureKind::kIncompleteSignature) {
        return Status(403, parsed.failure.message);
      }
    }
    return Status(403, "Missing Authentication Token");
  }
  const Operation& op = c.operations[static_cast<size_t>(match.route)];
  const std::string arn = c.MethodArn(http.method, path);
  // "For an authorization-enabled method ARN ... the maximum length is 1600 bytes ... the
  // API client will receive a 414 Request URI too long response"; "This limits URI length
  // when resource policies are used" (limits.html). A NONE method without a resource policy
  // builds no ARN to authorize and is exempt. Checked before any authentication: the ARN is
  // what every authorization step (and the Lambda event) is built on.
  // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html
  if (arn.size() > kMaxMethodArnBytes && (op.auth != AuthKind::kNone || c.has_resource_policy)) {
    return Status(414, "Request-URI Too Long");
  }

  const PolicyContext policy_context(http);
  // The resource policy as it judges a caller that is not an IAM principal.
  auto anonymous_decision = [&]() {
    return Evaluate(*c.compiled, policy_context.View("*", arn), scratch).decision;
  };

  Response ok;
  ok.status = 200;
  ok.context_json = "{}";
  std::optional<std::string> authorizer_key;  // usageIdentifierKey

  switch (op.auth) {
    case AuthKind::kNone: {
      // "An implicit denial or any explicit denial results in denying the caller."
      if (c.has_resource_policy) {
        Decision d = anonymous_decision();
        if (d != Decision::kAllow) return PolicyDenial("anonymous", c, arn, d);
      }
      break;
    }

    case AuthKind::kIam: {
      sigv4::HttpRequest sr;
      sr.method = http.method;
      sr.path = StrCat("/", c.stage, http.path);  // as sent: what the client signed
      sr.query = http.query;
      sr.headers = http.headers;
      sr.body = http.body;
      sigv4::Expect expect;
      expect.region = c.region;
      expect.service = "execute-api";
      expect.now_unix_seconds = FloorSeconds(http.time_ms);
      expect.host = StrCat(c.api_id, ".execute-api.", c.region, ".amazonaws.com");
      sigv4::Outcome verified =
          sigv4::Verify(sr, st.credentials.AsLookup(), expect, &st.signing_keys);
      if (!verified.ok()) return Status(verified.failure.http_status, verified.failure.message);
      // The signature covers the normalized path; it must name this stage and the route
      // decided above ("/prod/../beta/x" signs "/beta/x", another stage).
      if (verified.verified.normalized_path != sigv4::NormalizePath(StrCat("/", c.stage, path))) {
        return Status(403, "Missing Authentication Token");
      }
      const std::string& who = verified.verified.principal_arn;
      // Identity policies and the resource policy together: the engine applies tables A
      // (same account: either allows) and B (cross account: both must allow).
      Decision d = Evaluate(*c.compiled, policy_context.View(who, arn), scratch).decision;
      if (d != Decision::kAllow) return PolicyDenial(who, c, arn, d);
      ok.principal = who;
      break;
    }

    case AuthKind::kCognito:
    case AuthKind::kJwt: {
      const AuthorizerConfig& a = c.authorizers[static_cast<size_t>(op.authorizer)];
      // The token's header, or (JWT only) query parameter; missing or empty: 401.
      const IdentitySource& source = a.identity_sources[0];
      const std::string* sent = source.kind == IdentitySource::Kind::kQuery
                                    ? http.Query(source.name)
                                    : http.Header(source.name);
      if (sent == nullptr || sent->empty() || sent->size() > kMaxTokenBytes) {
        return Unauthorized();
      }
      std::string_view token = StripBearer(*sent);
      if (token.empty()) return Unauthorized();
      const int64_t now = FloorSeconds(http.time_ms);
      // One cache per authorizer: a token verified for one issuer and audience says
      // nothing about another authorizer's.
      jwt::VerifiedTokenCache& cache = *st.tokens[static_cast<size_t>(op.authorizer)];
      std::shared_ptr<const jwt::VerifiedToken> verified = cache.Lookup(token, now);
      bool expired = false;
      if (verified == nullptr) {
        std::vector<std::string> issuers = a.issuers;
        if (a.kind == AuthKind::kJwt) issuers = {a.jwt_issuer};
        for (const std::string& iss : issuers) {
          auto keys = c.jwks.find(iss);
          if (keys == c.jwks.end()) continue;
          jwt::Expectations e;
          e.issuer = iss;
          e.max_token_bytes = kMaxTokenBytes;
          if (a.kind == AuthKind::kJwt) {
            // "aud ... or client_id" (client_id only when there is no aud).
            // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html
            e.audiences = a.jwt_audiences;
            e.audience_may_be_client_id = true;
          }
          absl::StatusOr<jwt::VerifiedToken> v = jwt::Verify(token, keys->second, now, e);
          if (v.ok()) {
            verified = std::make_shared<const jwt::VerifiedToken>(std::move(*v));
            cache.Insert(verified);
            break;
          }
          expired = expired || TokenExpired(v.status());
        }
      }
      if (verified == nullptr) {
        // Cognito tells an expired token apart: 401 "The incoming token has expired".
        if (expired && a.kind == AuthKind::kCognito) {
          return Status(401, "The incoming token has expired");
        }
        return Unauthorized();
      }
      if (a.kind == AuthKind::kJwt) {
        // "Currently, only RSA-based algorithms are supported."
        if (verified->alg() == jwt::Alg::kES256 || verified->alg() == jwt::Alg::kES384) {
          return Unauthorized();
        }
        // A token without any of the route's scopes is refused: 403 (insufficient_scope).
        if (!op.scopes.empty() && !HasAnyScope(*verified, op.scopes)) return Forbidden();
      } else {
        // COGNITO_USER_POOLS: without scopes the token is an identity token; with scopes an
        // access token carrying one of them. Anything else is 401.
        // https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-enable-cognito-user-pool.html
        if (a.validation) {
          const json::Value* aud = verified->Claim("aud");
          if (aud == nullptr || !aud->is_string() || !std::regex_match(aud->text, *a.validation)) {
            return Unauthorized();
          }
        }
        if (op.scopes.empty()) {
          if (verified->token_use() != "id") return Unauthorized();
        } else if (verified->token_use() != "access" || !HasAnyScope(*verified, op.scopes)) {
          return Unauthorized();
        }
      }
      // Then the resource policy on its own: an explicit allow is required.
      if (c.has_resource_policy) {
        Decision d = anonymous_decision();
        if (d != Decision::kAllow) return PolicyDenial("anonymous", c, arn, d);
      }
      ok.principal = verified->sub();
      ok.context_json = std::string(verified->payload_json());  // the claims as sent
      break;
    }

    case AuthKind::kToken:
    case AuthKind::kRequest: {
      const size_t index = static_cast<size_t>(op.authorizer);
      const AuthorizerConfig& a = c.authorizers[index];
      // Phase 1: "Before calling the Lambda authorizer, API Gateway first evaluates the
      // policy and checks for any explicit denials. If found, the caller is denied access
      // immediately." The flowchart puts this before the authorizer step as a whole, so it
      // comes before the identity-source checks too.
      Decision resource = Decision::kImplicitDeny;
      if (c.has_resource_policy) {
        resource = anonymous_decision();
        if (resource == Decision::kExplicitDeny) {
          return PolicyDenial("anonymous", c, arn, resource);
        }
      }
      // Identity sources: each present and non-empty, or 401 without calling the function.
      // A TOKEN authorizer always needs its token header; a REQUEST authorizer's sources are
      // checked only when caching is on: "When caching is enabled, API Gateway calls the
      // authorizer's Lambda function only after successfully verifying that all the
      // specified identity sources are present" and "When caching is disabled ... API
      // Gateway does not perform any validation before invoking the authorizer's Lambda
      // function."
      // https://docs.aws.amazon.com/apigateway/latest/developerguide/configure-api-gateway-lambda-authorization-with-console.html
      const bool caching = a.ttl_seconds > 0;
      std::string cache_key = StrCat(index, "\n");
      std::string token;
      std::string request_id = Hex64(st.request_counter.fetch_add(1) + 1);
      const bool check_sources = a.kind == AuthKind::kToken || caching;
      for (const IdentitySource& s : a.identity_sources) {
        if (!check_sources) break;
        const std::string* value = nullptr;
        std::string computed;
        switch (s.kind) {
          case IdentitySource::Kind::kHeader:
            value = http.Header(s.name);
            break;
          case IdentitySource::Kind::kQuery:
            value = http.Query(s.name);
            break;
          case IdentitySource::Kind::kStageVariable:
            if (auto it = c.stage_variables.find(s.name); it != c.stage_variables.end()) {
              value = &it->second;
            }
            break;
          case IdentitySource::Kind::kContext:
            if (s.name == "identity.sourceIp") computed = http.source_ip;
            if (s.name == "identity.userAgent" && http.Header("User-Agent") != nullptr) {
              computed = *http.Header("User-Agent");
            }
            if (s.name == "resourcePath") computed = op.resource;
            if (s.name == "path") computed = StrCat("/", c.stage, path);
            if (s.name == "stage") computed = c.stage;
            if (s.name == "apiId") computed = c.api_id;
            if (s.name == "accountId") computed = c.account;
            if (s.name == "requestId") computed = request_id;
            if (s.name == "domainName") {
              computed = StrCat(c.api_id, ".execute-api.", c.region, ".amazonaws.com");
            }
            if (s.name == "domainPrefix") computed = c.api_id;
            if (s.name == "identity.apiKey" && http.Header("x-api-key") != nullptr) {
              computed = *http.Header("x-api-key");
            }
            if (s.name == "protocol") computed = "HTTP/1.1";
            if (s.name == "requestTime") computed = ClfTime(http.time_ms);
            if (s.name == "requestTimeEpoch") computed = StrCat(http.time_ms);
            if (s.name == "resourceId") computed = op.resource;
            if (s.name == "httpMethod" || s.name == "method") computed = http.method;
            value = &computed;
            break;
        }
        if (value == nullptr || value->empty() || value->size() > kMaxTokenBytes) {
          return Unauthorized();
        }
        if (a.kind == AuthKind::kToken) token = *value;
        StrAppend(&cache_key, value->size(), ":", *value, "\n");
      }
      // TOKEN: identityValidationExpression must match the whole token.
      if (a.kind == AuthKind::kToken && a.validation && !std::regex_match(token, *a.validation)) {
        return Unauthorized();
      }
      // Results are cached per identity-source values for the TTL; a REQUEST authorizer
      // without identity sources is called every time.
      const bool cacheable = caching && !a.identity_sources.empty();
      std::shared_ptr<const Authorization> auth;
      if (cacheable) {
        absl::MutexLock lock(&st.cache_mu);
        auto it = st.cache.find(cache_key);
        if (it != st.cache.end() && http.time_ms < it->second.expires_ms) {
          auth = it->second.authorization;
        }
      }
      if (auth == nullptr) {
        // The Lambda event, as API Gateway sends it.
        // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-input.html
        std::string event;
        if (a.kind == AuthKind::kToken) {
          event = "{\"type\":\"TOKEN\",\"authorizationToken\":";
          json::AppendQuoted(&event, token);
          event.append(",\"methodArn\":");
          json::AppendQuoted(&event, arn);
          event.push_back('}');
        } else {
          event = "{\"type\":\"REQUEST\",\"methodArn\":";
          json::AppendQuoted(&event, arn);
          event.append(",\"resource\":");
          json::AppendQuoted(&event, op.resource);
          event.append(",\"path\":");
          json::AppendQuoted(&event, path);
          event.append(",\"httpMethod\":");
          json::AppendQuoted(&event, http.method);
          event.append(",\"headers\":");
          AppendMap(&event, http.headers, false);
          event.append(",\"multiValueHeaders\":");
          AppendMap(&event, http.headers, true);
          event.append(",\"queryStringParameters\":");
          AppendMap(&event, http.query, false);
          event.append(",\"multiValueQueryStringParameters\":");
          AppendMap(&event, http.query, true);
          event.append(",\"pathParameters\":");
          AppendMap(&event, match.path_parameters, false);
          event.append(",\"stageVariables\":");
          std::vector<std::pair<std::string, std::string>> vars(c.stage_variables.begin(),
                                                                c.stage_variables.end());
          AppendMap(&event, vars, false);
          event.append(",\"requestContext\":{\"path\":");
          json::AppendQuoted(&event, StrCat("/", c.stage, path));
          event.append(",\"accountId\":");
          json::AppendQuoted(&event, c.account);
          event.append(",\"stage\":");
          json::AppendQuoted(&event, c.stage);
          event.append(",\"requestId\":");
          json::AppendQuoted(&event, request_id);
          event.append(",\"identity\":{\"apiKey\":");
          if (const std::string* k = http.Header("x-api-key")) {
            json::AppendQuoted(&event, *k);
          } else {
            event.append("null");
          }
          event.append(",\"sourceIp\":");
          json::AppendQuoted(&event, http.source_ip);
          event.append(",\"userAgent\":");
          if (const std::string* ua = http.Header("User-Agent")) {
            json::AppendQuoted(&event, *ua);
          } else {
            event.append("null");
          }
          event.append("},\"resourcePath\":");
          json::AppendQuoted(&event, op.resource);
          event.append(",\"httpMethod\":");
          json::AppendQuoted(&event, http.method);
          event.append(",\"apiId\":");
          json::AppendQuoted(&event, c.api_id);
          event.append(",\"requestTime\":");
          json::AppendQuoted(&event, ClfTime(http.time_ms));
          StrAppend(&event, ",\"requestTimeEpoch\":", http.time_ms, "}}");
        }
        LambdaResult result = st.functions[index] ? st.functions[index](event)
                                                  : RunAuthorizerCommand(a, c.folder, event);
        if (result.kind == LambdaResult::Kind::kError) {
          // `Unauthorized` is the one error message API Gateway turns into a 401.
          if (result.payload == "Unauthorized") return Unauthorized();
          return AuthorizerFailure();
        }
        if (result.kind != LambdaResult::Kind::kOk) return AuthorizerFailure();
        auth = ParseAuthorization(result.payload, c);
        if (auth == nullptr) return AuthorizerFailure();
        if (cacheable) {
          absl::MutexLock lock(&st.cache_mu);
          if (st.cache.size() >= kMaxCachedAuthorizations) {
            absl::erase_if(st.cache,
                           [&](const auto& e) { return e.second.expires_ms <= http.time_ms; });
            if (st.cache.size() >= kMaxCachedAuthorizations) st.cache.clear();
          }
          st.cache[cache_key] = State::Cached{http.time_ms + a.ttl_seconds * 1000, auth};
        }
      }
      // Phase 2: the returned policy against this method ARN, with the resource policy.
      // Table A (the function in the API's account): either may allow. Table B (the
      // function in another account, "controlled by ... a Lambda ... authorizer and an API
      // Gateway resource policy, which are in different AWS accounts"): both must.
      // https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-authorization-flow.html
      Decision d =
          Evaluate(auth->compiled, policy_context.View(auth->principal_arn, arn), scratch).decision;
      if (d == Decision::kExplicitDeny) {
        return Status(403, "User is not authorized to access this resource with an explicit deny");
      }
      if (c.has_resource_policy && a.cross_account) {
        if (resource != Decision::kAllow) return PolicyDenial("anonymous", c, arn, resource);
        if (d != Decision::kAllow) {
          return Status(403, "User is not authorized to access this resource");
        }
      } else if (d != Decision::kAllow && resource != Decision::kAllow) {
        if (c.has_resource_policy) return PolicyDenial("anonymous", c, arn, resource);
        return Status(403, "User is not authorized to access this resource");
      }
      ok.principal = auth->principal_id;
      ok.context_json = auth->context_json;
      authorizer_key = auth->usage_identifier_key;
      break;
    }
  }

  // 2. API keys, then throttling (per key and method, per key, per stage method or stage,
  // per account), then the quota. Methods that do not require a key bypass the usage plan.
  // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
  const ApiKey* key = nullptr;
  size_t key_index = 0;
  if (op.api_key_required) {
    std::optional<std::string> value;
    if (c.api_key_source == ApiKeySource::kHeader) {
      if (const std::string* h = http.Header("x-api-key")) value = *h;
    } else {
      value = authorizer_key;
    }
    if (!value) return Forbidden();
    for (size_t i = 0; i < c.api_keys.size(); ++i) {
      if (c.api_keys[i].value == *value) {
        key = &c.api_keys[i];
        key_index = i;
      }
    }
    if (key == nullptr || !key->enabled || key->plan < 0) return Forbidden();
  }
  const int64_t now_ms = http.time_ms;
  const std::string method_key = StrCat(op.resource, "/", http.method);
  const std::string any_key = StrCat(op.resource, "/", op.method);
  auto find_bucket = [&](auto& buckets) -> TokenBucket* {
    auto it = buckets.find(method_key);
    if (it == buckets.end()) it = buckets.find(any_key);
    return it == buckets.end() ? nullptr : it->second.get();
  };
  if (key != nullptr) {
    State::KeyUsage& u = st.keys[key_index];
    if (TokenBucket* b = find_bucket(u.method_buckets); b != nullptr && !b->TryAcquire(now_ms)) {
      return Status(429, "Too Many Requests");
    }
    if (u.plan_bucket && !u.plan_bucket->TryAcquire(now_ms)) {
      return Status(429, "Too Many Requests");
    }
  }
  if (TokenBucket* stage = find_bucket(st.stage_method_buckets);
      stage != nullptr && !stage->TryAcquire(now_ms)) {
    return Status(429, "Too Many Requests");
  }
  if (!st.account_bucket->TryAcquire(now_ms)) return Status(429, "Too Many Requests");
  if (key != nullptr) {
    State::KeyUsage& u = st.keys[key_index];
    if (u.quota && !u.quota->TryConsume(now_ms)) return Status(429, "Limit Exceeded");
  }
  return ok;
}

}  // namespace arbiter::gateway
