#include "gateway/config.h"

#include <filesystem>

#include "compiler/compile.h"
#include "compiler/finding.h"
#include "compiler/policy_parser.h"
#include "core/file.h"
#include "core/strings.h"
#include "core/values.h"
#include "json/json.h"

namespace arbiter::gateway {

std::string GatewayConfig::ApiArn() const {
  return StrCat("arn:aws:execute-api:", region, ":", account, ":", api_id);
}

std::string GatewayConfig::MethodArn(std::string_view method, std::string_view path) const {
  if (StartsWith(path, "/")) path.remove_prefix(1);
  return StrCat(ApiArn(), "/", stage, "/", method, "/", path);
}

namespace {

// Caps on the files a gateway names.
constexpr size_t kMaxConfigBytes = 16u << 20;

// One loaded JSON file, and the findings against it.
struct Source {
  std::string path;
  std::string text;
  json::Value root;
};

class Loader {
 public:
  explicit Loader(std::string* errors) : errors_(errors) {}

  // Reads and parses `path` (relative to the gateway folder unless absolute).
  bool Read(const std::string& path, Source* out, const Source* from, const json::Value* at,
            std::string_view pointer) {
    std::filesystem::path p(path);
    if (p.is_relative() && !folder_.empty()) p = std::filesystem::path(folder_) / p;
    out->path = p.string();
    if (!ReadFile(out->path, &out->text)) {
      if (from != nullptr) {
        Error(*from, at, pointer, StrCat("cannot read \"", out->path, "\""), "file");
      } else {
        StrAppend(errors_, out->path, ": error: cannot read the file [file]\n");
      }
      return false;
    }
    json::Error err;
    json::Limits limits;
    limits.max_bytes = kMaxConfigBytes;
    if (!json::Parse(out->text, &out->root, &err, limits)) {
      Finding f = JsonErrorFinding(err);
      StrAppend(errors_, FormatFinding(out->path, out->text, f), "\n");
      return false;
    }
    // Anywhere in the file: JSON readers disagree on which of two equal keys wins (the
    // first here, the last in most), so a duplicate is refused rather than guessed.
    std::string where;
    if (const json::Member* dup = json::FirstDuplicate(out->root, &where)) {
      Finding f;
      f.offset = dup->key_offset;
      f.code = "duplicate-key";
      f.message = StrCat("\"", dup->key, "\" is given twice");
      f.pointer = json::PointerAppend(where, dup->key);
      StrAppend(errors_, FormatFinding(out->path, out->text, f), "\n");
      return false;
    }
    return true;
  }

  void Error(const Source& src, const json::Value* at, std::string_view pointer,
             std::string_view message, std::string_view code = "gateway") {
    Finding f;
    f.offset = at != nullptr ? at->offset : 0;
    f.code = std::string(code);
    f.message = std::string(message);
    f.pointer = std::string(pointer);
    StrAppend(errors_, FormatFinding(src.path, src.text, f), "\n");
    failed_ = true;
  }

  void Findings(const Source& src, const std::vector<Finding>& findings) {
    std::vector<Finding> errors;
    for (const Finding& f : findings) {
      if (f.severity == Severity::kError) errors.push_back(f);
    }
    if (errors.empty()) return;
    StrAppend(errors_, FormatFindings(src.path, src.text, std::move(errors)));
    if (!errors_->empty() && errors_->back() != '\n') errors_->push_back('\n');
    failed_ = true;
  }

  // Typed member access with findings. Each returns false (and reports) on a type error;
  // a missing optional member leaves the output alone and returns true.
  bool String(const Source& src, const json::Value& obj, std::string_view pointer,
              std::string_view key, std::string* out, bool required) {
    const json::Value* v = obj.Find(key);
    std::string p = json::PointerAppend(pointer, key);
    if (v == nullptr) {
      if (required) Error(src, &obj, pointer, StrCat("\"", key, "\" is required"));
      return !required;
    }
    if (!v->is_string()) {
      Error(src, v, p, StrCat("\"", key, "\" must be a string"));
      return false;
    }
    *out = v->text;
    return true;
  }
  bool Number(const Source& src, const json::Value& obj, std::string_view pointer,
              std::string_view key, double* out, double min, double max) {
    const json::Value* v = obj.Find(key);
    if (v == nullptr) return true;
    std::string p = json::PointerAppend(pointer, key);
    std::optional<double> d;
    if (v->type == json::Type::kNumber) d = ParseNumber(v->text);
    if (!d || *d < min || *d > max) {
      Error(src, v, p, StrCat("\"", key, "\" must be a number from ", min, " to ", max));
      return false;
    }
    *out = *d;
    return true;
  }
  bool Object(const Source& src, const json::Value* v, std::string_view pointer,
              std::string_view what) {
    if (v != nullptr && v->is_object()) return true;
    Error(src, v, pointer, StrCat(what, " must be an object"));
    return false;
  }

  bool failed() const { return failed_; }
  void set_folder(std::string folder) { folder_ = std::move(folder); }

 private:
  std::string* errors_;
  std::string folder_;
  bool failed_ = false;
};

// Every check runs (each reports its own finding), then all must have passed.
bool AllOf(std::initializer_list<bool> checks) {
  for (bool c : checks) {
    if (!c) return false;
  }
  return true;
}

std::optional<ThrottleSettings> ReadThrottle(Loader& l, const Source& src, const json::Value& v,
                                             std::string_view pointer) {
  if (!l.Object(src, &v, pointer, "a throttle")) return std::nullopt;
  ThrottleSettings t;
  double burst = 0;
  if (!l.Number(src, v, pointer, "rate_limit", &t.rate_limit, 0, 1e9) ||
      !l.Number(src, v, pointer, "burst_limit", &burst, 0, 1e9)) {
    return std::nullopt;
  }
  if (v.Find("rate_limit") == nullptr || v.Find("burst_limit") == nullptr) {
    l.Error(src, &v, pointer, "a throttle needs \"rate_limit\" and \"burst_limit\"");
    return std::nullopt;
  }
  t.burst_limit = static_cast<int64_t>(burst);
  return t;
}

std::optional<QuotaSettings> ReadQuota(Loader& l, const Source& src, const json::Value& v,
                                       std::string_view pointer) {
  if (!l.Object(src, &v, pointer, "a quota")) return std::nullopt;
  QuotaSettings q;
  double limit = -1, offset = 0;
  std::string period;
  if (!l.Number(src, v, pointer, "limit", &limit, 0, 4e9) ||
      !l.Number(src, v, pointer, "offset", &offset, 0, 4e9) ||
      !l.String(src, v, pointer, "period", &period, true)) {
    return std::nullopt;
  }
  if (limit < 0) {
    l.Error(src, &v, pointer, "a quota needs \"limit\"");
    return std::nullopt;
  }
  q.limit = static_cast<int64_t>(limit);
  q.offset = static_cast<int64_t>(offset);
  if (period == "DAY") {
    q.period = QuotaPeriod::kDay;
  } else if (period == "WEEK") {
    q.period = QuotaPeriod::kWeek;
  } else if (period == "MONTH") {
    q.period = QuotaPeriod::kMonth;
  } else {
    l.Error(src, v.Find("period"), json::PointerAppend(pointer, "period"),
            "\"period\" must be DAY, WEEK or MONTH");
    return std::nullopt;
  }
  return q;
}

// "method.request.header.Authorization", "method.request.querystring.q",
// "stageVariables.v", "context.x" (REST); "$request.header.X", "$request.querystring.q",
// "$stageVariables.v", "$context.x" (HTTP APIs).
std::optional<IdentitySource> ParseIdentitySource(std::string_view s) {
  s = StripAsciiWhitespace(s);
  IdentitySource out;
  if (ConsumePrefix(&s, "method.request.header.") || ConsumePrefix(&s, "$request.header.")) {
    out.kind = IdentitySource::Kind::kHeader;
  } else if (ConsumePrefix(&s, "method.request.querystring.") ||
             ConsumePrefix(&s, "$request.querystring.")) {
    out.kind = IdentitySource::Kind::kQuery;
  } else if (ConsumePrefix(&s, "stageVariables.") || ConsumePrefix(&s, "$stageVariables.")) {
    out.kind = IdentitySource::Kind::kStageVariable;
  } else if (ConsumePrefix(&s, "context.") || ConsumePrefix(&s, "$context.")) {
    out.kind = IdentitySource::Kind::kContext;
  } else {
    return std::nullopt;
  }
  if (s.empty()) return std::nullopt;
  out.name = std::string(s);
  return out;
}

// The account of the Lambda function an authorizerUri invokes:
// "arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/arn:aws:lambda:REGION:ACCOUNT:
// function:NAME[:QUALIFIER]/invocations" -> ACCOUNT. Nothing unless the function ARN is a
// Lambda function ARN with a 12-digit account.
std::optional<std::string_view> LambdaFunctionAccount(std::string_view uri) {
  std::optional<ArnParts> outer = SplitArn(uri);
  if (!outer || outer->service != "apigateway") return std::nullopt;
  std::string_view path = outer->resource;
  if (!ConsumePrefix(&path, "path/")) return std::nullopt;
  const size_t functions = path.find("/functions/");
  if (functions == std::string_view::npos) return std::nullopt;
  std::string_view function = path.substr(functions + std::string_view("/functions/").size());
  if (!ConsumeSuffix(&function, "/invocations")) return std::nullopt;
  std::optional<ArnParts> arn = SplitArn(function);
  if (!arn || arn->service != "lambda" || !IsAccountId(arn->account) ||
      !StartsWith(arn->resource, "function:") || arn->resource.size() <= 9) {
    return std::nullopt;
  }
  return arn->account;
}

// Rewrites API Gateway's `execute-api:/STAGE/METHOD/PATH` shorthand in a resource policy's
// Resource and NotResource to full ARNs of this API, as API Gateway does on import.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies-create-attach.html
void ExpandShorthand(json::Value* policy, const std::string& api_arn) {
  auto fix = [&](json::Value& v) {
    if (v.is_string() && StartsWith(v.text, "execute-api:/")) {
      v.text = StrCat(api_arn, v.text.substr(std::string_view("execute-api:").size()));
    }
  };
  json::Value* statements = nullptr;
  for (json::Member& m : policy->members) {
    if (m.key == "Statement") statements = &m.value;
  }
  if (statements == nullptr) return;
  auto each = [&](json::Value& stmt) {
    for (json::Member& m : stmt.members) {
      if (m.key != "Resource" && m.key != "NotResource") continue;
      if (m.value.is_array()) {
        for (json::Value& e : m.value.elements) fix(e);
      } else {
        fix(m.value);
      }
    }
  };
  if (statements->is_array()) {
    for (json::Value& s : statements->elements) each(s);
  } else if (statements->is_object()) {
    each(*statements);
  }
}

}  // namespace

std::unique_ptr<GatewayConfig> LoadGateway(const std::string& path, std::string* errors) {
  auto cfg = std::make_unique<GatewayConfig>();
  Loader l(errors);
  Source gw;
  if (!l.Read(path, &gw, nullptr, nullptr, "")) return nullptr;
  cfg->folder = std::filesystem::path(gw.path).parent_path().string();
  if (cfg->folder.empty()) cfg->folder = ".";
  l.set_folder(cfg->folder);
  if (!l.Object(gw, &gw.root, "", "the gateway file")) return nullptr;

  // --- api ---
  const json::Value* api = gw.root.Find("api");
  if (!l.Object(gw, api != nullptr ? api : &gw.root, api != nullptr ? "/api" : "",
                api != nullptr ? "\"api\"" : "\"api\" is required; it")) {
    return nullptr;
  }
  bool ok = AllOf({l.String(gw, *api, "/api", "id", &cfg->api_id, true),
                   l.String(gw, *api, "/api", "region", &cfg->region, true),
                   l.String(gw, *api, "/api", "account", &cfg->account, true),
                   l.String(gw, *api, "/api", "stage", &cfg->stage, true)});
  if (!ok) return nullptr;
  if (!IsAccountId(cfg->account)) {
    l.Error(gw, api->Find("account"), "/api/account", "\"account\" must be a 12-digit account id");
  }
  if (const json::Value* sv = api->Find("stage_variables")) {
    if (l.Object(gw, sv, "/api/stage_variables", "\"stage_variables\"")) {
      for (const json::Member& m : sv->members) {
        if (!m.value.is_string()) {
          l.Error(gw, &m.value, json::PointerAppend("/api/stage_variables", m.key),
                  "a stage variable must be a string");
        } else {
          cfg->stage_variables[m.key] = m.value.text;
        }
      }
    }
  }
  if (const json::Value* t = api->Find("throttle")) {
    cfg->stage_throttle = ReadThrottle(l, gw, *t, "/api/throttle");
  }
  if (const json::Value* t = api->Find("account_throttle")) {
    if (auto a = ReadThrottle(l, gw, *t, "/api/account_throttle")) cfg->account_throttle = *a;
  }
  if (const json::Value* mt = api->Find("method_throttle")) {
    if (l.Object(gw, mt, "/api/method_throttle", "\"method_throttle\"")) {
      for (const json::Member& m : mt->members) {
        std::string p = json::PointerAppend("/api/method_throttle", m.key);
        if (auto t = ReadThrottle(l, gw, m.value, p)) cfg->stage_method_throttle[m.key] = *t;
      }
    }
  }

  // --- world (identity policies for AWS_IAM routes) ---
  if (const json::Value* w = gw.root.Find("world")) {
    if (!w->is_string()) {
      l.Error(gw, w, "/world", "\"world\" must be a path");
    } else {
      Source ws;
      if (l.Read(w->text, &ws, &gw, w, "/world")) {
        std::vector<Finding> findings;
        std::optional<World> world = LoadWorld(ws.text, &findings);
        l.Findings(ws, findings);
        if (world) cfg->world = std::move(*world);
      } else {
        return nullptr;
      }
    }
  }

  // --- OpenAPI ---
  Source oa;
  const json::Value* openapi = api->Find("openapi");
  if (openapi == nullptr || !openapi->is_string()) {
    l.Error(gw, openapi != nullptr ? openapi : api, "/api/openapi",
            "\"openapi\" must name the OpenAPI document");
    return nullptr;
  }
  if (!l.Read(openapi->text, &oa, &gw, openapi, "/api/openapi")) return nullptr;
  if (!l.Object(oa, &oa.root, "", "an OpenAPI document")) return nullptr;

  // Security schemes: OpenAPI 3 components.securitySchemes, or Swagger 2 securityDefinitions.
  const json::Value* schemes = nullptr;
  std::string schemes_pointer;
  if (const json::Value* c = oa.root.Find("components"); c != nullptr && c->is_object()) {
    schemes = c->Find("securitySchemes");
    schemes_pointer = "/components/securitySchemes";
  }
  if (schemes == nullptr) {
    schemes = oa.root.Find("securityDefinitions");
    schemes_pointer = "/securityDefinitions";
  }
  // name -> (kind, authorizer index); api keys are their own kind of scheme.
  struct Scheme {
    AuthKind kind = AuthKind::kNone;
    int authorizer = -1;
    bool api_key = false;
    bool unusable = false;  // a scheme API Gateway cannot enforce (e.g. a bare oauth2)
  };
  std::map<std::string, Scheme, std::less<>> scheme_by_name;
  const json::Value* gw_authorizers = gw.root.Find("authorizers");
  if (gw_authorizers != nullptr) l.Object(gw, gw_authorizers, "/authorizers", "\"authorizers\"");
  if (schemes != nullptr && l.Object(oa, schemes, schemes_pointer, "the security schemes")) {
    for (const json::Member& m : schemes->members) {
      std::string p = json::PointerAppend(schemes_pointer, m.key);
      if (!l.Object(oa, &m.value, p, "a security scheme")) continue;
      const json::Value* target = &m.value;
      // A local reference to another scheme of the same document.
      if (const json::Value* ref = m.value.Find("$ref"); ref != nullptr && ref->is_string()) {
        std::string_view name = ref->text;
        const json::Value* found = nullptr;
        if (ConsumePrefix(&name, StrCat("#", schemes_pointer, "/"))) found = schemes->Find(name);
        if (found == nullptr || !found->is_object() || found->Find("$ref") != nullptr) {
          l.Error(oa, ref, json::PointerAppend(p, "$ref"),
                  "must name another security scheme of this document");
          continue;
        }
        target = found;
      }
      const json::Value& s = *target;
      std::string authtype, type, in, name;
      l.String(oa, s, p, "x-amazon-apigateway-authtype", &authtype, false);
      l.String(oa, s, p, "type", &type, false);
      l.String(oa, s, p, "in", &in, false);
      l.String(oa, s, p, "name", &name, false);
      const json::Value* az = s.Find("x-amazon-apigateway-authorizer");
      Scheme scheme;
      if (az == nullptr && EqualsIgnoreCase(authtype, "awsSigv4")) {
        scheme.kind = AuthKind::kIam;
      } else if (az == nullptr && authtype.empty() && type == "apiKey") {
        // The API key scheme: `{"type": "apiKey", "name": "x-api-key", "in": "header"}`.
        scheme.api_key = true;
      } else if (az != nullptr) {
        std::string ap = json::PointerAppend(p, "x-amazon-apigateway-authorizer");
        if (!l.Object(oa, az, ap, "\"x-amazon-apigateway-authorizer\"")) continue;
        std::string aztype;
        if (!l.String(oa, *az, ap, "type", &aztype, true)) continue;
        AuthorizerConfig a;
        a.name = m.key;
        // identityValidationExpression: a whole-string regular expression (the token of a
        // TOKEN authorizer, the ID token's `aud` for Cognito).
        auto read_validation = [&](AuthorizerConfig* out) {
          std::string expr;
          l.String(oa, *az, ap, "identityValidationExpression", &expr, false);
          if (expr.empty()) return;
          try {
            out->validation.emplace(expr, std::regex::ECMAScript);
          } catch (const std::regex_error& e) {
            l.Error(oa, az->Find("identityValidationExpression"),
                    json::PointerAppend(ap, "identityValidationExpression"),
                    StrCat("not a valid regular expression: ", e.what()));
          }
        };
        aztype = AsciiStrToLower(aztype);
        std::string source;
        l.String(oa, *az, ap, "identitySource", &source, false);
        // The extension's table types the TTL as a string; exports write a number. Both.
        if (const json::Value* ttl = az->Find("authorizerResultTtlInSeconds")) {
          std::optional<double> n;
          if (ttl->type == json::Type::kNumber || ttl->is_string()) n = ParseNumber(ttl->text);
          if (!n || *n < 0 || *n > 3600 || *n != static_cast<double>(static_cast<int64_t>(*n))) {
            l.Error(oa, ttl, json::PointerAppend(ap, "authorizerResultTtlInSeconds"),
                    "\"authorizerResultTtlInSeconds\" must be a whole number from 0 to 3600");
            continue;
          }
          a.ttl_seconds = static_cast<int64_t>(*n);
        }
        if (aztype == "token" || aztype == "request") {
          a.kind = aztype == "token" ? AuthKind::kToken : AuthKind::kRequest;
          if (a.kind == AuthKind::kToken && source.empty() && in == "header" && !name.empty()) {
            source = StrCat("method.request.header.", name);
          }
          if (a.kind == AuthKind::kToken && source.empty())
            source = "method.request.header.Authorization";
          std::string_view rest = source;
          while (!rest.empty()) {
            size_t comma = rest.find(',');
            std::string_view one = rest.substr(0, comma);
            rest = comma == std::string_view::npos ? "" : rest.substr(comma + 1);
            std::optional<IdentitySource> is = ParseIdentitySource(one);
            if (!is || (a.kind == AuthKind::kToken && is->kind != IdentitySource::Kind::kHeader)) {
              l.Error(oa, az->Find("identitySource"), json::PointerAppend(ap, "identitySource"),
                      StrCat("\"", StripAsciiWhitespace(one),
                             "\" is not an identity source this authorizer can take"));
              continue;
            }
            a.identity_sources.push_back(*is);
          }
          if (a.kind == AuthKind::kToken && a.identity_sources.size() != 1) {
            l.Error(oa, az, ap, "a TOKEN authorizer takes exactly one header");
          }
          // "For the REQUEST authorizer, this is required when authorization caching is
          // enabled" (API reference, Authorizer.identitySource).
          if (a.kind == AuthKind::kRequest && a.ttl_seconds > 0 && source.empty()) {
            l.Error(oa, az, ap,
                    "a REQUEST authorizer with caching on (authorizerResultTtlInSeconds is "
                    "not 0; 300 when not given) needs an identitySource");
          }
          read_validation(&a);
          // The function's account decides between tables A and B (README.md). "For TOKEN
          // or REQUEST authorizers, this must be a well-formed Lambda function URI"
          // (API reference, Authorizer): one whose account cannot be read is refused.
          if (const json::Value* uri = az->Find("authorizerUri")) {
            std::optional<std::string_view> account;
            if (uri->is_string()) account = LambdaFunctionAccount(uri->text);
            if (!account) {
              l.Error(oa, uri, json::PointerAppend(ap, "authorizerUri"),
                      "\"authorizerUri\" must be a Lambda function URI (arn:aws:apigateway:"
                      "REGION:lambda:path/2015-03-31/functions/arn:aws:lambda:REGION:ACCOUNT:"
                      "function:NAME/invocations)");
            } else {
              a.cross_account = *account != cfg->account;
            }
          }
          // The function: the gateway file's `authorizers[NAME].command`.
          const json::Value* g = gw_authorizers != nullptr && gw_authorizers->is_object()
                                     ? gw_authorizers->Find(m.key)
                                     : nullptr;
          std::string gp = json::PointerAppend("/authorizers", m.key);
          if (g == nullptr) {
            l.Error(oa, &s, p,
                    StrCat("the gateway file gives no command for authorizer \"", m.key, "\""));
          } else if (l.Object(gw, g, gp, "an authorizer")) {
            const json::Value* cmd = g->Find("command");
            bool good = cmd != nullptr && cmd->is_array() && !cmd->elements.empty();
            if (good) {
              for (const json::Value& e : cmd->elements) {
                good = good && e.is_string() && !e.text.empty();
                if (e.is_string()) a.command.push_back(e.text);
              }
            }
            if (!good) {
              l.Error(gw, cmd != nullptr ? cmd : g, json::PointerAppend(gp, "command"),
                      "\"command\" must be a non-empty array of strings");
            }
            double timeout = a.timeout_ms;
            if (l.Number(gw, *g, gp, "timeout_ms", &timeout, 1, 900'000)) {
              a.timeout_ms = static_cast<int>(timeout);
            }
          }
        } else if (aztype == "cognito_user_pools") {
          a.kind = AuthKind::kCognito;
          // COGNITO_USER_POOLS: identityValidationExpression is matched against the
          // token's `aud` (API reference, Authorizer).
          read_validation(&a);
          if (source.empty())
            source = in == "header" && !name.empty() ? StrCat("method.request.header.", name)
                                                     : "method.request.header.Authorization";
          std::optional<IdentitySource> is = ParseIdentitySource(source);
          if (!is || is->kind != IdentitySource::Kind::kHeader) {
            l.Error(oa, az, ap, "a Cognito authorizer reads one header");
          } else {
            a.identity_sources.push_back(*is);
          }
          const json::Value* arns = az->Find("providerARNs");
          if (arns == nullptr || !arns->is_array() || arns->elements.empty()) {
            l.Error(oa, arns != nullptr ? arns : az, json::PointerAppend(ap, "providerARNs"),
                    "\"providerARNs\" must list the user pools");
          } else {
            for (const json::Value& e : arns->elements) {
              // arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID ->
              // https://cognito-idp.REGION.amazonaws.com/POOL_ID
              std::optional<ArnParts> parts;
              if (e.is_string()) parts = SplitArn(e.text);
              std::string_view pool = parts ? parts->resource : "";
              if (!parts || parts->service != "cognito-idp" || !ConsumePrefix(&pool, "userpool/") ||
                  pool.empty()) {
                l.Error(oa, &e, json::PointerAppend(ap, "providerARNs"),
                        "not a Cognito user pool ARN");
                continue;
              }
              a.issuers.push_back(
                  StrCat("https://cognito-idp.", parts->region, ".amazonaws.com/", pool));
            }
          }
        } else if (aztype == "jwt") {
          a.kind = AuthKind::kJwt;
          if (source.empty()) source = "$request.header.Authorization";
          // "For JWT, a single entry that specifies where to extract the JSON Web Token ...
          // Currently only header-based and query parameter-based selections are supported"
          // (API Gateway v2 reference, Authorizer.identitySource).
          std::optional<IdentitySource> is = ParseIdentitySource(source);
          if (!is || (is->kind != IdentitySource::Kind::kHeader &&
                      is->kind != IdentitySource::Kind::kQuery)) {
            l.Error(oa, az, ap, "a JWT authorizer reads one header or query parameter");
          } else {
            a.identity_sources.push_back(*is);
          }
          const json::Value* jc = az->Find("jwtConfiguration");
          std::string jp = json::PointerAppend(ap, "jwtConfiguration");
          if (l.Object(oa, jc, jp, "\"jwtConfiguration\"")) {
            // Without an issuer, API Gateway takes it from the scheme's openIdConnectUrl
            // (".../.well-known/openid-configuration"; the extension's jwt-authorizer-autofind).
            std::string discovery;
            l.String(oa, s, p, "openIdConnectUrl", &discovery, false);
            std::string_view base = discovery;
            const bool autofind = jc->Find("issuer") == nullptr &&
                                  ConsumeSuffix(&base, "/.well-known/openid-configuration");
            if (autofind) {
              a.jwt_issuer = std::string(base);
            } else {
              l.String(oa, *jc, jp, "issuer", &a.jwt_issuer, true);
            }
            const json::Value* aud = jc->Find("audience");
            if (aud != nullptr && aud->is_array()) {
              for (const json::Value& e : aud->elements) {
                if (e.is_string()) a.jwt_audiences.push_back(e.text);
              }
            }
            if (a.jwt_audiences.empty()) {
              l.Error(oa, aud != nullptr ? aud : jc, json::PointerAppend(jp, "audience"),
                      "\"audience\" must list at least one audience");
            }
          }
        } else {
          l.Error(oa, az->Find("type"), json::PointerAppend(ap, "type"),
                  "\"type\" must be token, request, cognito_user_pools or jwt");
          continue;
        }
        scheme.kind = a.kind;
        scheme.authorizer = static_cast<int>(cfg->authorizers.size());
        cfg->authorizers.push_back(std::move(a));
      } else {
        // Import ignores what it does not support (a warning, not a failure); only a method
        // that uses such a scheme is an error (see read_security).
        scheme.unusable = true;
      }
      scheme_by_name[m.key] = scheme;
    }
  }

  if (const json::Value* ks = oa.root.Find("x-amazon-apigateway-api-key-source")) {
    if (ks->is_string() && ks->text == "HEADER") {
      cfg->api_key_source = ApiKeySource::kHeader;
    } else if (ks->is_string() && ks->text == "AUTHORIZER") {
      cfg->api_key_source = ApiKeySource::kAuthorizer;
    } else {
      l.Error(oa, ks, "/x-amazon-apigateway-api-key-source", "must be HEADER or AUTHORIZER");
    }
  }

  // --- paths and operations ---
  auto read_security = [&](const json::Value& sec, std::string_view p, Operation* op) {
    if (!sec.is_array()) {
      l.Error(oa, &sec, p, "\"security\" must be an array of requirement objects");
      return;
    }
    int authorizers = 0;
    for (size_t i = 0; i < sec.elements.size(); ++i) {
      const json::Value& req = sec.elements[i];
      std::string rp = json::PointerAppend(p, i);
      if (!l.Object(oa, &req, rp, "a security requirement")) continue;
      for (const json::Member& r : req.members) {
        auto it = scheme_by_name.find(r.key);
        std::string sp = json::PointerAppend(rp, r.key);
        if (it == scheme_by_name.end()) {
          l.Error(oa, &r.value, sp, StrCat("no security scheme is named \"", r.key, "\""));
          continue;
        }
        if (it->second.unusable) {
          l.Error(oa, &r.value, sp,
                  StrCat("security scheme \"", r.key,
                         "\" is neither awsSigv4, an API key nor an "
                         "x-amazon-apigateway-authorizer"));
          continue;
        }
        if (it->second.api_key) {
          op->api_key_required = true;
          continue;
        }
        if (++authorizers > 1 &&
            (op->auth != it->second.kind || op->authorizer != it->second.authorizer)) {
          l.Error(oa, &r.value, sp, "a method takes one authorization type");
          continue;
        }
        op->auth = it->second.kind;
        op->authorizer = it->second.authorizer;
        if (r.value.is_array()) {
          for (const json::Value& e : r.value.elements) {
            if (e.is_string()) op->scopes.push_back(e.text);
          }
        }
      }
    }
  };
  const json::Value* paths = oa.root.Find("paths");
  const json::Value* top_security = oa.root.Find("security");
  if (l.Object(oa, paths, "/paths", "\"paths\"")) {
    static constexpr std::string_view kMethods[] = {
        "get",     "put",  "post",  "delete",
        "options", "head", "patch", "x-amazon-apigateway-any-method"};
    for (const json::Member& pm : paths->members) {
      std::string pp = json::PointerAppend("/paths", pm.key);
      if (!l.Object(oa, &pm.value, pp, "a path item")) continue;
      for (const json::Member& om : pm.value.members) {
        bool method = false;
        for (std::string_view k : kMethods) method = method || om.key == k;
        if (!method) continue;
        std::string op_pointer = json::PointerAppend(pp, om.key);
        if (!l.Object(oa, &om.value, op_pointer, "an operation")) continue;
        Operation op;
        // "/pets/" deploys as the resource "/pets".
        op.resource = pm.key.size() > 1 && EndsWith(pm.key, "/")
                          ? pm.key.substr(0, pm.key.size() - 1)
                          : pm.key;
        op.method = om.key == "x-amazon-apigateway-any-method" ? "ANY" : AsciiStrToLower(om.key);
        for (char& c : op.method) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
        const json::Value* sec = om.value.Find("security");
        std::string sec_pointer = json::PointerAppend(op_pointer, "security");
        if (sec == nullptr) {
          sec = top_security;
          sec_pointer = "/security";
        }
        if (sec != nullptr) read_security(*sec, sec_pointer, &op);
        int id = static_cast<int>(cfg->operations.size());
        if (absl::Status s = cfg->router.Add(op.resource, op.method, id); !s.ok()) {
          l.Error(oa, &om.value, op_pointer, std::string(s.message()));
          continue;
        }
        cfg->operations.push_back(std::move(op));
      }
    }
  }

  // --- the resource policy ---
  if (const json::Value* rp = oa.root.Find("x-amazon-apigateway-policy")) {
    json::Value doc = *rp;
    // The API's `Policy` property is a JSON string; generated documents carry it so too.
    if (rp->is_string()) {
      json::Error err;
      if (!json::Parse(rp->text, &doc, &err)) {
        l.Error(oa, rp, "/x-amazon-apigateway-policy",
                StrCat("the policy string is not JSON: ", err.message));
        doc = json::Value();
      }
    }
    ExpandShorthand(&doc, cfg->ApiArn());
    std::vector<Finding> findings;
    std::optional<Policy> policy =
        ParsePolicy(doc, PolicyKind::kResource, "/x-amazon-apigateway-policy", &findings);
    if (rp->is_string()) {
      for (Finding& f : findings) f.offset = rp->offset;  // positions inside the string
    }
    l.Findings(oa, findings);
    if (policy) {
      std::string name(kResourcePolicyName);
      if (cfg->world.FindPolicy(name) != nullptr) {
        l.Error(oa, rp, "/x-amazon-apigateway-policy",
                StrCat("the world already has a policy named \"", name, "\""));
      }
      cfg->world.policies.emplace(name, std::move(*policy));
      ResourceEntry entry;
      entry.arn = cfg->ApiArn();
      entry.account = cfg->account;
      entry.policy = name;
      for (const ResourceEntry& r : cfg->world.resources) {
        if (r.arn == entry.arn) {
          l.Error(oa, rp, "/x-amazon-apigateway-policy",
                  StrCat("the world already lists the resource \"", entry.arn, "\""));
        }
      }
      cfg->world.resources.push_back(std::move(entry));
      cfg->has_resource_policy = true;
    }
  }

  // --- JWKS per issuer ---
  if (const json::Value* jw = gw.root.Find("jwks")) {
    if (l.Object(gw, jw, "/jwks", "\"jwks\"")) {
      for (const json::Member& m : jw->members) {
        std::string p = json::PointerAppend("/jwks", m.key);
        if (!m.value.is_string()) {
          l.Error(gw, &m.value, p, "a JWKS must be given as a file path");
          continue;
        }
        Source js;
        if (!l.Read(m.value.text, &js, &gw, &m.value, p)) continue;
        size_t bad_key = SIZE_MAX;
        absl::StatusOr<jwt::Jwks> keys = jwt::Jwks::Parse(js.text, &bad_key);
        if (!keys.ok()) {
          // Point at the key at fault when there is one, else at "keys" or the document.
          const json::Value* at = &js.root;
          std::string where;
          if (const json::Value* list = js.root.Find("keys")) {
            at = list;
            where = "/keys";
            if (list->is_array() && bad_key < list->elements.size()) {
              at = &list->elements[bad_key];
              where = json::PointerAppend(where, bad_key);
            }
          }
          l.Error(js, at, where, std::string(keys.status().message()), "jwks");
          continue;
        }
        cfg->jwks.emplace(m.key, std::move(*keys));
      }
    }
  }
  for (const AuthorizerConfig& a : cfg->authorizers) {
    std::vector<std::string> issuers = a.issuers;
    if (a.kind == AuthKind::kJwt) issuers.push_back(a.jwt_issuer);
    for (const std::string& iss : issuers) {
      if (!iss.empty() && cfg->jwks.find(iss) == cfg->jwks.end()) {
        const json::Value* jwks = gw.root.Find("jwks");
        l.Error(gw, jwks != nullptr ? jwks : &gw.root, "/jwks",
                StrCat("authorizer \"", a.name, "\" needs the keys of issuer \"", iss,
                       "\" in \"jwks\""));
      }
    }
  }

  // --- SigV4 credentials ---
  if (const json::Value* cs = gw.root.Find("credentials")) {
    if (!cs->is_array()) {
      l.Error(gw, cs, "/credentials", "\"credentials\" must be an array");
    } else {
      for (size_t i = 0; i < cs->elements.size(); ++i) {
        const json::Value& c = cs->elements[i];
        std::string p = json::PointerAppend("/credentials", i);
        if (!l.Object(gw, &c, p, "a credential")) continue;
        sigv4::Credential cred;
        bool good = AllOf({l.String(gw, c, p, "access_key_id", &cred.access_key_id, true),
                           l.String(gw, c, p, "secret_access_key", &cred.secret_access_key, true),
                           l.String(gw, c, p, "session_token", &cred.session_token, false),
                           l.String(gw, c, p, "principal", &cred.principal_arn, true)});
        if (!good) continue;
        for (const sigv4::Credential& other : cfg->credentials) {
          if (other.access_key_id == cred.access_key_id) {
            l.Error(gw, c.Find("access_key_id"), json::PointerAppend(p, "access_key_id"),
                    "this access key id is given twice");
          }
        }
        cfg->credentials.push_back(std::move(cred));
      }
    }
  }

  // --- API keys and usage plans ---
  std::map<std::string, int, std::less<>> key_by_id;
  if (const json::Value* ks = gw.root.Find("api_keys")) {
    if (!ks->is_array()) {
      l.Error(gw, ks, "/api_keys", "\"api_keys\" must be an array");
    } else {
      for (size_t i = 0; i < ks->elements.size(); ++i) {
        const json::Value& k = ks->elements[i];
        std::string p = json::PointerAppend("/api_keys", i);
        if (!l.Object(gw, &k, p, "an API key")) continue;
        ApiKey key;
        if (!AllOf({l.String(gw, k, p, "id", &key.id, true),
                    l.String(gw, k, p, "value", &key.value, true)})) {
          continue;
        }
        if (const json::Value* e = k.Find("enabled")) {
          if (e->type != json::Type::kBool) {
            l.Error(gw, e, json::PointerAppend(p, "enabled"), "\"enabled\" must be a boolean");
          }
          key.enabled = e->boolean;
        }
        bool dup = key_by_id.count(key.id) > 0;
        for (const ApiKey& other : cfg->api_keys) dup = dup || other.value == key.value;
        if (dup) l.Error(gw, &k, p, "an API key's id and value must be unique");
        key_by_id[key.id] = static_cast<int>(cfg->api_keys.size());
        cfg->api_keys.push_back(std::move(key));
      }
    }
  }
  if (const json::Value* ps = gw.root.Find("usage_plans")) {
    if (!ps->is_array()) {
      l.Error(gw, ps, "/usage_plans", "\"usage_plans\" must be an array");
    } else {
      for (size_t i = 0; i < ps->elements.size(); ++i) {
        const json::Value& u = ps->elements[i];
        std::string p = json::PointerAppend("/usage_plans", i);
        if (!l.Object(gw, &u, p, "a usage plan")) continue;
        UsagePlan plan;
        l.String(gw, u, p, "id", &plan.id, true);
        if (const json::Value* t = u.Find("throttle")) {
          plan.throttle = ReadThrottle(l, gw, *t, json::PointerAppend(p, "throttle"));
        }
        if (const json::Value* q = u.Find("quota")) {
          plan.quota = ReadQuota(l, gw, *q, json::PointerAppend(p, "quota"));
        }
        if (const json::Value* mt = u.Find("method_throttle")) {
          std::string mp = json::PointerAppend(p, "method_throttle");
          if (l.Object(gw, mt, mp, "\"method_throttle\"")) {
            for (const json::Member& m : mt->members) {
              if (auto t = ReadThrottle(l, gw, m.value, json::PointerAppend(mp, m.key))) {
                plan.method_throttle[m.key] = *t;
              }
            }
          }
        }
        int plan_index = static_cast<int>(cfg->usage_plans.size());
        const json::Value* keys = u.Find("api_keys");
        if (keys != nullptr && !keys->is_array()) {
          l.Error(gw, keys, json::PointerAppend(p, "api_keys"), "\"api_keys\" must be an array");
        } else if (keys != nullptr) {
          for (size_t j = 0; j < keys->elements.size(); ++j) {
            const json::Value& e = keys->elements[j];
            std::string kp = json::PointerAppend(json::PointerAppend(p, "api_keys"), j);
            auto it = e.is_string() ? key_by_id.find(e.text) : key_by_id.end();
            if (it == key_by_id.end()) {
              l.Error(gw, &e, kp, "names no API key of \"api_keys\"");
              continue;
            }
            ApiKey& key = cfg->api_keys[static_cast<size_t>(it->second)];
            // An API key can be in only one usage plan per stage (CreateUsagePlanKey:
            // ConflictException).
            if (key.plan >= 0) {
              l.Error(gw, &e, kp, "an API key can be in only one usage plan of a stage");
              continue;
            }
            key.plan = plan_index;
          }
        }
        cfg->usage_plans.push_back(std::move(plan));
      }
    }
  }

  if (l.failed()) return nullptr;
  cfg->compiled = std::make_shared<const CompiledWorld>(Compile(cfg->world));
  return cfg;
}

}  // namespace arbiter::gateway
