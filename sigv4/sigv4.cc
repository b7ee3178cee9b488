// SigV4 verification. The order of the checks follows the order in which AWS's request
// authentication reports them (as observed and catalogued for the AWS "coral" front end
// that API Gateway shares with DynamoDB and others): form, missing parameters, algorithm,
// date format, clock skew / expiry, Host signed, credential shape and scope, access key,
// security token, signature.
//
// Message texts. Confirmed from AWS's API Gateway troubleshooting pages
// (https://repost.aws/knowledge-center/api-gateway-troubleshoot-403-forbidden and
// .../api-gateway-iam-sigv4-mismatch) and from AWS responses quoted in public bug reports:
//   "Missing Authentication Token", "The security token included in the request is
//   invalid.", "The request signature we calculated does not match ... for details." with
//   the canonical string and string to sign appended, "Authorization header requires
//   'Credential' parameter. ... Authorization=<algorithm>", "Signature expired: A is now
//   earlier than B (C - 5 min.)", "Signature not yet current: A is still later than B (C + 5
//   min.)", "Credential should be scoped to a valid region, not 'R'. ", "Credential should
//   be scoped to correct service: 'S'. ", "Credential should be scoped with a valid
//   terminator: 'aws4_request', not 'T'. ", "Date in Credential scope does not match
//   YYYYMMDD from ISO-8601 version of date from HTTP: ...", "Credential must have exactly 5
//   slash-delimited elements, e.g. keyid/date/region/service/term, got '...'", "Date must be
//   in ISO-8601 'basic format'. Got '...'. See http://en.wikipedia.org/wiki/ISO_8601",
//   "Unsupported AWS 'algorithm': '...'.", "'Host' or ':authority' must be a 'SignedHeader'
//   in the AWS Authorization.", "AWS query-string parameters must include '...'.
//   Re-examine the query-string parameters.", "Found both 'X-Amz-Algorithm' as a
//   query-string param and 'Authorization' as HTTP header.", "'...' not a valid key=value
//   pair (missing equal-sign) in Authorization header: '...'".
// Borrowed from Amazon S3 (no API Gateway text found): the X-Amz-Expires messages, "Request
// has expired", and the x-amz-content-sha256 messages. Our own wording (no AWS text exists
// for what AWS accepts but we refuse, failing closed): duplicates, unknown Authorization
// parameters, malformed SignedHeaders, a signed header that was not sent, X-Amz-Expires=0,
// malformed requests and oversized ones; each is marked "(own text)" below.
#include "sigv4/sigv4.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <optional>

#include "core/strings.h"
#include "sigv4/canonical.h"

namespace arbiter::sigv4 {
namespace {

constexpr int64_t kSkewSeconds = 5 * 60;
constexpr int64_t kMaxExpires = 7 * 24 * 3600;

constexpr std::string_view kMismatchText =
    "The request signature we calculated does not match the signature you provided. Check "
    "your AWS Secret Access Key and signing method. Consult the service documentation for "
    "details.";
constexpr std::string_view kInvalidTokenText =
    "The security token included in the request is invalid.";
constexpr std::string_view kMissingTokenText = "Missing Authentication Token";

// The query parameters of the presigned form, matched ASCII case-insensitively so that a
// differently cased copy counts as a duplicate instead of slipping past.
enum QueryParam {
  kQAlgorithm,
  kQCredential,
  kQDate,
  kQExpires,
  kQSignedHeaders,
  kQSignature,
  kQSecurityToken,
  kQCount
};
constexpr std::string_view kQueryParamNames[kQCount] = {
    "X-Amz-Algorithm",     "X-Amz-Credential", "X-Amz-Date",          "X-Amz-Expires",
    "X-Amz-SignedHeaders", "X-Amz-Signature",  "X-Amz-Security-Token"};

// Headers that may appear once only.
constexpr std::string_view kSingletonHeaders[] = {"host", "date", "x-amz-date",
                                                  "x-amz-security-token", "x-amz-content-sha256"};

struct Header {
  std::string name;  // lower-case
  std::string_view value;
};

std::string_view ErrorType(FailureKind kind) {
  switch (kind) {
    case FailureKind::kNone:
      return "";
    case FailureKind::kMissingAuthenticationToken:
      return "MissingAuthenticationTokenException";
    case FailureKind::kIncompleteSignature:
    case FailureKind::kMalformedAuthorization:
    case FailureKind::kUnsupportedAlgorithm:
    case FailureKind::kMalformedDate:
    case FailureKind::kMalformedCredential:
    case FailureKind::kInvalidExpires:
    case FailureKind::kMalformedSignedHeaders:
    case FailureKind::kDuplicateAuthorization:
    case FailureKind::kDuplicateParameter:
    case FailureKind::kDuplicateHeader:
      return "IncompleteSignatureException";
    case FailureKind::kUnknownAccessKey:
    case FailureKind::kInvalidSecurityToken:
      // AWS's coral services answer UnrecognizedClientException; the API Gateway 403 page
      // files the same message under AccessDeniedException.
      return "UnrecognizedClientException";
    case FailureKind::kWrongHost:
      return "ForbiddenException";
    case FailureKind::kMalformedRequest:
      return "BadRequestException";
    case FailureKind::kRequestTooLarge:
      return "RequestEntityTooLargeException";
    default:
      return "InvalidSignatureException";
  }
}

int HttpStatus(FailureKind kind) {
  switch (kind) {
    case FailureKind::kMalformedRequest:
      return 400;
    case FailureKind::kRequestTooLarge:
      return 413;  // API Gateway: {"message":"Request Too Long"}
    default:
      return 403;
  }
}

Outcome Fail(FailureKind kind, std::string message) {
  Outcome o;
  o.failure.kind = kind;
  o.failure.http_status = HttpStatus(kind);
  o.failure.error_type = std::string(ErrorType(kind));
  o.failure.message = std::move(message);
  return o;
}

// Client-supplied text quoted in a message: valid UTF-8 is kept, other bytes and control
// characters (but '\n' when `keep_newlines`) become '?', and more than `max` bytes are cut
// with "...". Messages end up in JSON output, so they must be valid UTF-8.
std::string Quote(std::string_view s, size_t max = 512, bool keep_newlines = false) {
  std::string out;
  out.reserve(std::min(s.size(), max) + 3);
  size_t i = 0;
  while (i < s.size()) {
    if (out.size() >= max) {
      out += "...";
      break;
    }
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out.push_back((c >= 0x20 && c != 0x7f) || (keep_newlines && c == '\n') ? s[i] : '?');
      ++i;
      continue;
    }
    size_t n = c >= 0xf0 && c <= 0xf4   ? 4
               : c >= 0xe0 && c <= 0xef ? 3
               : c >= 0xc2 && c <= 0xdf ? 2
                                        : 0;
    bool valid = n > 0 && i + n <= s.size();
    uint32_t cp = n == 2 ? c & 0x1f : n == 3 ? c & 0x0f : c & 0x07;
    for (size_t k = 1; valid && k < n; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) valid = false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (valid && ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
                  (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))) {
      valid = false;
    }
    if (valid) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out.push_back('?');
      ++i;
    }
  }
  return out;
}

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

bool IsLowerHex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Size caps, then what no HTTP server would pass on. Shared with Sign.
std::optional<Outcome> CheckShape(const HttpRequest& r, const Limits& lim) {
  size_t query_bytes = 0, header_bytes = 0;
  for (const auto& [k, v] : r.query) query_bytes += k.size() + v.size();
  for (const auto& [k, v] : r.headers) header_bytes += k.size() + v.size();
  if (r.method.size() > lim.max_method_bytes || r.path.size() > lim.max_path_bytes ||
      r.query.size() > lim.max_query_params || query_bytes > lim.max_query_bytes ||
      r.headers.size() > lim.max_headers || header_bytes > lim.max_header_bytes ||
      r.body.size() > lim.max_body_bytes) {
    return Fail(FailureKind::kRequestTooLarge, "Request Too Long");
  }
  if (!IsToken(r.method)) {
    return Fail(FailureKind::kMalformedRequest, "Bad Request");  // (own text)
  }
  // An origin-form path: starts with '/', no query or fragment, no spaces or controls.
  // Bytes >= 0x80 are let through (they are encoded like any other byte): AWS's own test
  // suite signs a raw UTF-8 path ("get-utf8").
  if (r.path.empty() || r.path[0] != '/') {
    return Fail(FailureKind::kMalformedRequest, "Bad Request");
  }
  for (char ch : r.path) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c == 0x7f || c == '?' || c == '#') {
      return Fail(FailureKind::kMalformedRequest, "Bad Request");
    }
  }
  for (const auto& [name, value] : r.headers) {
    if (!IsToken(name) || HasLineBreakOrNul(value)) {
      return Fail(FailureKind::kMalformedRequest, "Bad Request");
    }
  }
  return std::nullopt;
}

struct AuthParams {
  AuthLocation location = AuthLocation::kHeader;
  std::string_view credential;
  std::string_view signed_headers;
  std::string_view signature;
  std::optional<size_t> signature_index;  // in HttpRequest::query (query form)
  std::string amz_date;                   // canonical "YYYYMMDDTHHMMSSZ"
  std::string_view date_as_sent;
  int64_t unix_time = 0;
  std::optional<int64_t> expires;  // query form only
};

// Parses the Authorization header (already known to be present and non-empty).
std::optional<Outcome> ParseHeaderForm(std::string_view auth, const std::vector<Header>& headers,
                                       AuthParams* p) {
  auth = StripAsciiWhitespace(auth);
  size_t sp = 0;
  while (sp < auth.size() && !IsSpace(auth[sp])) ++sp;
  std::string_view algorithm = auth.substr(0, sp);
  std::string_view rest = auth.substr(sp);

  // Parameters are separated by commas and/or whitespace (AWS accepts either).
  std::optional<std::string_view> credential, signed_headers, signature;
  std::optional<std::string_view> not_pair, duplicate, unknown;
  size_t i = 0;
  while (i < rest.size()) {
    if (rest[i] == ',' || IsSpace(rest[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < rest.size() && rest[j] != ',' && !IsSpace(rest[j])) ++j;
    std::string_view piece = rest.substr(i, j - i);
    i = j;
    size_t eq = piece.find('=');
    if (eq == std::string_view::npos) {
      if (!not_pair) not_pair = piece;
      continue;
    }
    std::string_view key = piece.substr(0, eq), value = piece.substr(eq + 1);
    std::optional<std::string_view>* slot = key == "Credential"      ? &credential
                                            : key == "SignedHeaders" ? &signed_headers
                                            : key == "Signature"     ? &signature
                                                                     : nullptr;
    if (slot == nullptr) {
      if (!unknown) unknown = key;
    } else if (slot->has_value()) {
      if (!duplicate) duplicate = key;
    } else {
      *slot = value;
    }
  }

  const Header* x_amz_date = nullptr;
  const Header* date = nullptr;
  for (const Header& h : headers) {
    if (h.name == "x-amz-date") x_amz_date = &h;
    if (h.name == "date") date = &h;
  }

  // A piece that is not key=value is reported before missing parameters: API Gateway
  // answers "Authorization: Bearer abc" with "'abc' not a valid key=value pair (missing
  // equal-sign) in Authorization header: 'Bearer abc'." (responses quoted in
  // serverless/serverless#3205).
  if (not_pair) {
    return Fail(FailureKind::kMalformedAuthorization,
                StrCat("'", Quote(*not_pair, 128),
                       "' not a valid key=value pair (missing equal-sign) in Authorization "
                       "header: '",
                       Quote(auth), "'."));
  }
  std::string missing;
  auto require = [&missing](bool present, std::string_view text) {
    if (!present) StrAppend(&missing, text, " ");
  };
  require(credential.has_value(), "Authorization header requires 'Credential' parameter.");
  require(signature.has_value(), "Authorization header requires 'Signature' parameter.");
  require(signed_headers.has_value(), "Authorization header requires 'SignedHeaders' parameter.");
  require(x_amz_date != nullptr || date != nullptr,
          "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
          "header.");
  if (!missing.empty()) {
    // AWS echoes only the first word of the header (the scheme), never the rest.
    return Fail(FailureKind::kIncompleteSignature,
                StrCat(missing, "Authorization=", Quote(algorithm, 64)));
  }
  if (duplicate) {
    return Fail(FailureKind::kMalformedAuthorization,
                StrCat("Authorization header has a repeated '", Quote(*duplicate, 64),
                       "' parameter."));  // (own text)
  }
  if (unknown) {
    return Fail(FailureKind::kMalformedAuthorization,
                StrCat("Authorization header has an unknown parameter '", Quote(*unknown, 64),
                       "'."));  // (own text)
  }
  if (algorithm != kAlgorithm) {
    return Fail(FailureKind::kUnsupportedAlgorithm,
                StrCat("Unsupported AWS 'algorithm': '", Quote(algorithm, 64), "'."));
  }
  p->location = AuthLocation::kHeader;
  p->credential = *credential;
  p->signed_headers = *signed_headers;
  p->signature = *signature;

  // X-Amz-Date wins over Date (botocore, when given a Date header, signs its time in the
  // string to sign in the basic format); Date may be an IMF-fixdate.
  std::optional<int64_t> t;
  if (x_amz_date != nullptr) {
    p->date_as_sent = x_amz_date->value;
    t = ParseAmzDate(x_amz_date->value);
  } else {
    p->date_as_sent = date->value;
    t = ParseHttpDate(date->value);
    if (!t) t = ParseAmzDate(date->value);
  }
  if (!t) {
    return Fail(FailureKind::kMalformedDate,
                StrCat("Date must be in ISO-8601 'basic format'. Got '", Quote(p->date_as_sent, 64),
                       "'. See http://en.wikipedia.org/wiki/ISO_8601"));
  }
  p->unix_time = *t;
  p->amz_date = FormatAmzDate(*t);
  return std::nullopt;
}

std::optional<Outcome> ParseQueryForm(const HttpRequest& r,
                                      const std::optional<size_t> (&idx)[kQCount], AuthParams* p) {
  auto value = [&](QueryParam q) -> std::string_view { return r.query[*idx[q]].second; };
  if (idx[kQAlgorithm] && value(kQAlgorithm) != kAlgorithm) {
    // AWS treats a query string whose X-Amz-Algorithm it does not know as carrying no
    // authentication at all.
    return Fail(FailureKind::kUnsupportedAlgorithm, std::string(kMissingTokenText));
  }
  std::string missing;
  for (QueryParam q : {kQAlgorithm, kQCredential, kQSignature, kQSignedHeaders, kQDate}) {
    if (!idx[q]) {
      StrAppend(&missing, "AWS query-string parameters must include '", kQueryParamNames[q], "'. ");
    }
  }
  if (!missing.empty()) {
    return Fail(FailureKind::kIncompleteSignature,
                StrCat(missing, "Re-examine the query-string parameters."));
  }
  p->location = AuthLocation::kQuery;
  p->credential = value(kQCredential);
  p->signed_headers = value(kQSignedHeaders);
  p->signature = value(kQSignature);
  p->signature_index = idx[kQSignature];
  p->date_as_sent = value(kQDate);
  std::optional<int64_t> t = ParseAmzDate(p->date_as_sent);
  if (!t) {
    return Fail(FailureKind::kMalformedDate,
                StrCat("Date must be in ISO-8601 'basic format'. Got '", Quote(p->date_as_sent, 64),
                       "'. See http://en.wikipedia.org/wiki/ISO_8601"));
  }
  p->unix_time = *t;
  p->amz_date = FormatAmzDate(*t);

  if (idx[kQExpires]) {
    std::string_view e = value(kQExpires);
    bool negative = StartsWith(e, "-");
    std::string_view digits = negative ? e.substr(1) : e;
    bool numeric =
        !digits.empty() && digits.size() <= 18 &&
        std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!numeric) {
      return Fail(FailureKind::kInvalidExpires, "X-Amz-Expires should be a number");
    }
    int64_t n = 0;
    for (char c : digits) n = n * 10 + (c - '0');
    if (negative && n != 0) {
      return Fail(FailureKind::kInvalidExpires, "X-Amz-Expires must be non-negative");
    }
    if (n == 0) {
      return Fail(FailureKind::kInvalidExpires,
                  "X-Amz-Expires must be greater than 0");  // (own text)
    }
    if (n > kMaxExpires) {
      return Fail(FailureKind::kInvalidExpires,
                  "X-Amz-Expires must be less than a week (in seconds); that is, the given "
                  "X-Amz-Expires must be less than 604800 seconds");
    }
    p->expires = n;
  }
  return std::nullopt;
}

std::optional<Outcome> CheckTime(const AuthParams& p, int64_t now) {
  // Timestamps parse to years 0..9999; clamping `now` to +-2^40 s (+-34,000 years) keeps
  // the arithmetic below far from overflow whatever the caller passes.
  now = std::clamp(now, -(int64_t{1} << 40), int64_t{1} << 40);
  int64_t t = p.unix_time;
  if (t > now + kSkewSeconds) {
    return Fail(FailureKind::kSignatureNotYetCurrent,
                StrCat("Signature not yet current: ", p.amz_date, " is still later than ",
                       FormatAmzDate(now + kSkewSeconds), " (", FormatAmzDate(now), " + 5 min.)"));
  }
  if (p.expires) {
    if (now > t + *p.expires) {
      return Fail(FailureKind::kPresignedUrlExpired, "Request has expired");
    }
  } else if (t < now - kSkewSeconds) {
    return Fail(FailureKind::kSignatureExpired,
                StrCat("Signature expired: ", p.amz_date, " is now earlier than ",
                       FormatAmzDate(now - kSkewSeconds), " (", FormatAmzDate(now), " - 5 min.)"));
  }
  return std::nullopt;
}

// SignedHeaders: lower-case tokens, strictly ascending (so no repeats), never
// `authorization`; `host` and every x-amz-* header sent among them.
std::optional<Outcome> ParseSignedHeaders(std::string_view list, const std::vector<Header>& headers,
                                          size_t max, std::vector<std::string_view>* out) {
  auto malformed = [&] {
    return Fail(FailureKind::kMalformedSignedHeaders,
                StrCat("SignedHeaders must be lower-case header names in ascending order, "
                       "separated by ';'. Got '",
                       Quote(list, 256), "'."));  // (own text)
  };
  size_t start = 0;
  while (true) {
    size_t semi = list.find(';', start);
    std::string_view name =
        list.substr(start, semi == std::string_view::npos ? std::string_view::npos : semi - start);
    if (!IsToken(name) || name == "authorization" || out->size() >= max ||
        std::any_of(name.begin(), name.end(), [](char c) { return c >= 'A' && c <= 'Z'; }) ||
        (!out->empty() && !(out->back() < name))) {
      return malformed();
    }
    out->push_back(name);
    if (semi == std::string_view::npos) break;
    start = semi + 1;
  }
  if (!std::binary_search(out->begin(), out->end(), std::string_view("host"))) {
    return Fail(FailureKind::kHostNotSigned,
                "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
  for (const Header& h : headers) {
    if (StartsWith(h.name, "x-amz-") &&
        !std::binary_search(out->begin(), out->end(), std::string_view(h.name))) {
      return Fail(
          FailureKind::kHeaderNotSigned,
          StrCat("'", Quote(h.name, 128), "' must be a 'SignedHeader' in the AWS Authorization."));
    }
  }
  return std::nullopt;
}

struct Scope {
  std::string_view access_key_id, date, region, service, terminator;
};

std::optional<Outcome> ParseCredential(std::string_view credential, const AuthParams& p,
                                       const Expect& expect, Scope* s) {
  std::string_view parts[5];
  size_t n = 0, start = 0;
  while (true) {
    size_t slash = credential.find('/', start);
    if (n == 5) {
      n = 6;  // too many
      break;
    }
    parts[n++] = credential.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (n != 5 || parts[0].empty()) {
    return Fail(FailureKind::kMalformedCredential,
                StrCat("Credential must have exactly 5 slash-delimited elements, e.g. "
                       "keyid/date/region/service/term, got '",
                       Quote(credential, 256), "'"));
  }
  *s = Scope{parts[0], parts[1], parts[2], parts[3], parts[4]};
  // AWS reports every scope problem at once, in this order; the kind is the first one's.
  FailureKind kind = FailureKind::kNone;
  std::string message;
  auto problem = [&](FailureKind k, std::string text) {
    if (kind == FailureKind::kNone) kind = k;
    message += text;
  };
  if (s->region != expect.region) {
    problem(FailureKind::kWrongRegion,
            StrCat("Credential should be scoped to a valid region, not '", Quote(s->region, 64),
                   "'. "));
  }
  if (s->service != expect.service) {
    problem(FailureKind::kWrongService,
            StrCat("Credential should be scoped to correct service: '", expect.service, "'. "));
  }
  if (s->terminator != kTerminator) {
    problem(FailureKind::kWrongTerminator,
            StrCat("Credential should be scoped with a valid terminator: 'aws4_request', not '",
                   Quote(s->terminator, 64), "'. "));
  }
  std::string_view day = std::string_view(p.amz_date).substr(0, 8);
  if (s->date != day) {
    problem(
        FailureKind::kScopeDateMismatch,
        StrCat("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
               "date from HTTP: '",
               Quote(s->date, 64), "' != '", day, "', from '", Quote(p.date_as_sent, 64), "'."));
  }
  if (kind != FailureKind::kNone) return Fail(kind, std::move(message));
  return std::nullopt;
}

}  // namespace

std::string_view FailureKindName(FailureKind kind) {
  switch (kind) {
    case FailureKind::kNone:
      return "none";
    case FailureKind::kMissingAuthenticationToken:
      return "missing_authentication_token";
    case FailureKind::kIncompleteSignature:
      return "incomplete_signature";
    case FailureKind::kMalformedAuthorization:
      return "malformed_authorization";
    case FailureKind::kBothHeaderAndQueryAuth:
      return "both_header_and_query_auth";
    case FailureKind::kUnsupportedAlgorithm:
      return "unsupported_algorithm";
    case FailureKind::kMalformedDate:
      return "malformed_date";
    case FailureKind::kMalformedCredential:
      return "malformed_credential";
    case FailureKind::kWrongRegion:
      return "wrong_region";
    case FailureKind::kWrongService:
      return "wrong_service";
    case FailureKind::kWrongTerminator:
      return "wrong_terminator";
    case FailureKind::kScopeDateMismatch:
      return "scope_date_mismatch";
    case FailureKind::kSignatureExpired:
      return "signature_expired";
    case FailureKind::kSignatureNotYetCurrent:
      return "signature_not_yet_current";
    case FailureKind::kPresignedUrlExpired:
      return "presigned_url_expired";
    case FailureKind::kInvalidExpires:
      return "invalid_expires";
    case FailureKind::kMalformedSignedHeaders:
      return "malformed_signed_headers";
    case FailureKind::kHostNotSigned:
      return "host_not_signed";
    case FailureKind::kHeaderNotSigned:
      return "header_not_signed";
    case FailureKind::kSignedHeaderMissing:
      return "signed_header_missing";
    case FailureKind::kWrongHost:
      return "wrong_host";
    case FailureKind::kMalformedSignature:
      return "malformed_signature";
    case FailureKind::kUnknownAccessKey:
      return "unknown_access_key";
    case FailureKind::kInvalidSecurityToken:
      return "invalid_security_token";
    case FailureKind::kPayloadHashMismatch:
      return "payload_hash_mismatch";
    case FailureKind::kUnsupportedPayloadHash:
      return "unsupported_payload_hash";
    case FailureKind::kSignatureMismatch:
      return "signature_mismatch";
    case FailureKind::kDuplicateAuthorization:
      return "duplicate_authorization";
    case FailureKind::kDuplicateParameter:
      return "duplicate_parameter";
    case FailureKind::kDuplicateHeader:
      return "duplicate_header";
    case FailureKind::kMalformedRequest:
      return "malformed_request";
    case FailureKind::kRequestTooLarge:
      return "request_too_large";
  }
  return "unknown";
}

absl::Status CredentialStore::Add(Credential c) {
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    return absl::InvalidArgumentError("a credential needs an access key id and a secret");
  }
  if (by_id_.contains(c.access_key_id)) {
    return absl::AlreadyExistsError(
        ToAbsl(StrCat("access key id \"", c.access_key_id, "\" is given twice")));
  }
  std::string id = c.access_key_id;
  by_id_.emplace(std::move(id), std::make_unique<Credential>(std::move(c)));
  return absl::OkStatus();
}

const Credential* CredentialStore::Find(std::string_view access_key_id) const {
  auto it = by_id_.find(ToAbsl(access_key_id));
  return it == by_id_.end() ? nullptr : it->second.get();
}

CredentialLookup CredentialStore::AsLookup() const {
  return [this](std::string_view id) { return Find(id); };
}

Outcome Verify(const HttpRequest& r, const CredentialLookup& lookup, const Expect& expect,
               SigningKeyCache* cache) {
  if (std::optional<Outcome> bad = CheckShape(r, expect.limits)) return std::move(*bad);

  std::vector<Header> headers;
  headers.reserve(r.headers.size());
  for (const auto& [name, value] : r.headers) headers.push_back({AsciiStrToLower(name), value});

  // Repeats that would make the request ambiguous.
  const Header* authorization = nullptr;
  size_t authorization_count = 0;
  for (const Header& h : headers) {
    if (h.name == "authorization") {
      ++authorization_count;
      authorization = &h;
    }
  }
  if (authorization_count > 1) {
    return Fail(FailureKind::kDuplicateAuthorization,
                "The request has more than one 'Authorization' header.");  // (own text)
  }
  for (std::string_view name : kSingletonHeaders) {
    size_t count = std::count_if(headers.begin(), headers.end(),
                                 [&](const Header& h) { return h.name == name; });
    if (count > 1) {
      return Fail(FailureKind::kDuplicateHeader,
                  StrCat("The request has more than one '", name, "' header."));  // (own text)
    }
  }
  std::optional<size_t> idx[kQCount];
  for (size_t i = 0; i < r.query.size(); ++i) {
    for (int q = 0; q < kQCount; ++q) {
      if (!EqualsIgnoreCase(r.query[i].first, kQueryParamNames[q])) continue;
      if (idx[q]) {
        return Fail(FailureKind::kDuplicateParameter,
                    StrCat("The query string has more than one '", kQueryParamNames[q],
                           "' parameter."));  // (own text)
      }
      idx[q] = i;
    }
  }

  // Header or query form; never both.
  bool header_form =
      authorization != nullptr && !StripAsciiWhitespace(authorization->value).empty();
  bool query_form = idx[kQAlgorithm] || idx[kQCredential] || idx[kQSignature];
  if (header_form && query_form) {
    return Fail(FailureKind::kBothHeaderAndQueryAuth,
                "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as "
                "HTTP header.");
  }
  if (!header_form && !query_form) {
    return Fail(FailureKind::kMissingAuthenticationToken, std::string(kMissingTokenText));
  }

  AuthParams p;
  if (std::optional<Outcome> bad = header_form ? ParseHeaderForm(authorization->value, headers, &p)
                                               : ParseQueryForm(r, idx, &p)) {
    return std::move(*bad);
  }
  if (std::optional<Outcome> bad = CheckTime(p, expect.now_unix_seconds)) return std::move(*bad);

  std::vector<std::string_view> signed_headers;
  if (std::optional<Outcome> bad = ParseSignedHeaders(
          p.signed_headers, headers, expect.limits.max_signed_headers, &signed_headers)) {
    return std::move(*bad);
  }

  Scope scope;
  if (std::optional<Outcome> bad = ParseCredential(p.credential, p, expect, &scope)) {
    return std::move(*bad);
  }

  if (!expect.host.empty()) {
    auto host = std::find_if(headers.begin(), headers.end(),
                             [](const Header& h) { return h.name == "host"; });
    if (host == headers.end() || !EqualsIgnoreCase(host->value, expect.host)) {
      // API Gateway would have routed such a request to another API; here it is refused.
      return Fail(FailureKind::kWrongHost, "Forbidden");
    }
  }

  if (!IsLowerHex64(p.signature)) {
    // AWS compares and reports a mismatch; we refuse before computing anything.
    return Fail(FailureKind::kMalformedSignature, std::string(kMismatchText));
  }

  const Credential* cred = lookup ? lookup(scope.access_key_id) : nullptr;
  if (cred == nullptr) return Fail(FailureKind::kUnknownAccessKey, std::string(kInvalidTokenText));

  // The session token: from the X-Amz-Security-Token header or query parameter (either is
  // covered by the signature), required exactly for temporary credentials.
  std::optional<std::string_view> token;
  for (const Header& h : headers) {
    if (h.name == "x-amz-security-token") token = h.value;
  }
  if (idx[kQSecurityToken]) {
    if (token) {
      return Fail(FailureKind::kDuplicateHeader,
                  "The security token is given both as a header and as a query parameter.");
    }
    token = r.query[*idx[kQSecurityToken]].second;
  }
  if (cred->session_token.empty()) {
    if (token) return Fail(FailureKind::kInvalidSecurityToken, std::string(kInvalidTokenText));
  } else if (!token || token->size() != cred->session_token.size() ||
             CRYPTO_memcmp(token->data(), cred->session_token.data(), token->size()) != 0) {
    return Fail(FailureKind::kInvalidSecurityToken, std::string(kInvalidTokenText));
  }

  // The payload hash, or the candidates for it.
  std::vector<std::string> payloads;
  bool unsigned_payload = false;
  auto content_sha = std::find_if(headers.begin(), headers.end(),
                                  [](const Header& h) { return h.name == "x-amz-content-sha256"; });
  if (content_sha != headers.end()) {
    if (content_sha->value == kUnsignedPayload) {
      payloads.emplace_back(kUnsignedPayload);
      unsigned_payload = true;
    } else if (IsLowerHex64(content_sha->value)) {
      std::string body_hash = Sha256Hex(r.body);
      if (content_sha->value != body_hash) {
        return Fail(FailureKind::kPayloadHashMismatch,
                    "The provided 'x-amz-content-sha256' header does not match what was "
                    "computed.");
      }
      payloads.push_back(std::move(body_hash));
    } else {
      return Fail(FailureKind::kUnsupportedPayloadHash,
                  "x-amz-content-sha256 must be UNSIGNED-PAYLOAD or a valid sha256 value.");
    }
  } else {
    payloads.push_back(Sha256Hex(r.body));
    // A presigned URL carries no payload hash of its own; SDKs that presign for S3-style
    // uploads sign UNSIGNED-PAYLOAD.
    if (p.location == AuthLocation::kQuery) payloads.emplace_back(kUnsignedPayload);
  }

  // Canonical request (everything but the payload line).
  std::string canonical = StrCat(r.method, "\n", CanonicalUri(r.path), "\n",
                                 CanonicalQuery(r.query, p.signature_index), "\n");
  for (std::string_view name : signed_headers) {
    bool first = true;
    for (const Header& h : headers) {
      if (h.name != name) continue;
      StrAppend(&canonical, first ? StrCat(name, ":") : std::string(","),
                CanonicalHeaderValue(h.value));
      first = false;
    }
    if (first) {
      return Fail(FailureKind::kSignedHeaderMissing,
                  StrCat("'", Quote(name, 128),
                         "' is a 'SignedHeader' but the request has no such header."));  // (own)
    }
    canonical.push_back('\n');
  }
  StrAppend(&canonical, "\n", p.signed_headers, "\n");

  std::string scope_text =
      StrCat(scope.date, "/", scope.region, "/", scope.service, "/", scope.terminator);
  SigningKey key = cache != nullptr ? cache->Get(scope.access_key_id, cred->secret_access_key,
                                                 scope.date, scope.region, scope.service)
                                    : DeriveSigningKey(cred->secret_access_key, scope.date,
                                                       scope.region, scope.service);
  std::string first_canonical, first_string_to_sign;
  bool matched = false;
  for (const std::string& payload : payloads) {
    std::string full = StrCat(canonical, payload);
    std::string sts = StringToSign(p.amz_date, scope_text, full);
    std::string expected = SignatureHex(key, sts);
    // Both are 64 lower-case hex digits here; compare without an early exit.
    if (CRYPTO_memcmp(expected.data(), p.signature.data(), expected.size()) == 0) {
      matched = true;
      unsigned_payload = unsigned_payload || payload == kUnsignedPayload;
      break;
    }
    if (first_canonical.empty()) {
      first_canonical = std::move(full);
      first_string_to_sign = std::move(sts);
    }
  }
  OPENSSL_cleanse(key.data(), key.size());
  if (!matched) {
    Outcome o = Fail(FailureKind::kSignatureMismatch,
                     StrCat(kMismatchText,
                            "\n\nThe Canonical String for this request should have "
                            "been\n'",
                            Quote(first_canonical, 1u << 20, true),
                            "'\n\nThe String-to-Sign should have been\n'",
                            Quote(first_string_to_sign, 4096, true), "'\n"));
    o.failure.canonical_request = std::move(first_canonical);
    o.failure.string_to_sign = std::move(first_string_to_sign);
    return o;
  }

  Outcome o;
  o.verified.credential = cred;
  o.verified.access_key_id = cred->access_key_id;
  o.verified.principal_arn = cred->principal_arn;
  o.verified.location = p.location;
  o.verified.normalized_path = NormalizePath(r.path);
  o.verified.signed_at_unix_seconds = p.unix_time;
  o.verified.unsigned_payload = unsigned_payload;
  return o;
}

}  // namespace arbiter::sigv4
