// Sign: the client side, shaped like @smithy/signature-v4's signRequest / presign with
// default options (so that what it produces is what an SDK would send).
#include <algorithm>

#include "core/strings.h"
#include "sigv4/canonical.h"
#include "sigv4/sigv4.h"

namespace arbiter::sigv4 {
namespace {

// Headers the SDK never signs (proxies and browsers may change them).
bool Unsignable(std::string_view lname) {
  static constexpr std::string_view kNames[] = {
      "authorization", "cache-control",     "connection", "expect",     "from",
      "keep-alive",    "max-forwards",      "pragma",     "referer",    "te",
      "trailer",       "transfer-encoding", "upgrade",    "user-agent", "x-amzn-trace-id"};
  return std::find(std::begin(kNames), std::end(kNames), lname) != std::end(kNames) ||
         StartsWith(lname, "proxy-") || StartsWith(lname, "sec-");
}

}  // namespace

absl::Status Sign(HttpRequest* r, const Credential& cred, const SignOptions& o) {
  if (r->path.empty() || r->path[0] != '/' || !IsToken(r->method)) {
    return absl::InvalidArgumentError("the request needs a method and a path starting with '/'");
  }
  for (const auto& [name, value] : r->headers) {
    if (!IsToken(name) || HasLineBreakOrNul(value)) {
      return absl::InvalidArgumentError(ToAbsl(StrCat("malformed header \"", name, "\"")));
    }
  }
  const std::string amz_date = FormatAmzDate(o.unix_seconds);
  const std::string date = amz_date.substr(0, 8);
  const std::string scope = StrCat(date, "/", o.region, "/", o.service, "/", kTerminator);

  // Like the SDK: drop what signing generates.
  std::erase_if(r->headers, [](const auto& h) {
    std::string l = AsciiStrToLower(h.first);
    return l == "authorization" || l == "x-amz-date" || l == "date";
  });

  std::string payload;
  for (const auto& [name, value] : r->headers) {
    if (EqualsIgnoreCase(name, "x-amz-content-sha256")) payload = value;
  }
  const bool had_content_sha = !payload.empty();
  if (payload.empty()) {
    payload = o.unsigned_payload ? std::string(kUnsignedPayload) : Sha256Hex(r->body);
  }

  if (o.presign) {
    // x-amz-* headers travel in the query string.
    std::vector<std::pair<std::string, std::string>> kept;
    for (auto& h : r->headers) {
      if (StartsWith(AsciiStrToLower(h.first), "x-amz-")) {
        r->query.push_back(std::move(h));
      } else {
        kept.push_back(std::move(h));
      }
    }
    r->headers = std::move(kept);
    if (!cred.session_token.empty())
      r->query.emplace_back("X-Amz-Security-Token", cred.session_token);
    r->query.emplace_back("X-Amz-Algorithm", std::string(kAlgorithm));
    r->query.emplace_back("X-Amz-Credential", StrCat(cred.access_key_id, "/", scope));
    r->query.emplace_back("X-Amz-Date", amz_date);
    r->query.emplace_back("X-Amz-Expires", StrCat(o.expires));
  } else {
    r->headers.emplace_back("x-amz-date", amz_date);
    if (!cred.session_token.empty())
      r->headers.emplace_back("x-amz-security-token", cred.session_token);
    if (o.add_content_sha256 && !had_content_sha)
      r->headers.emplace_back("x-amz-content-sha256", payload);
  }

  // Canonical headers: every signable header, lower-cased, repeated ones joined.
  std::vector<std::pair<std::string, std::string>> canon;
  for (const auto& [name, value] : r->headers) {
    std::string l = AsciiStrToLower(name);
    if (Unsignable(l)) continue;
    auto it = std::find_if(canon.begin(), canon.end(), [&](const auto& c) { return c.first == l; });
    if (it == canon.end()) {
      canon.emplace_back(l, CanonicalHeaderValue(value));
    } else {
      StrAppend(&it->second, ",", CanonicalHeaderValue(value));
    }
  }
  std::sort(canon.begin(), canon.end());
  if (canon.empty() ||
      std::none_of(canon.begin(), canon.end(), [](const auto& c) { return c.first == "host"; })) {
    return absl::InvalidArgumentError("the request has no Host header to sign");
  }
  std::string signed_headers;
  std::string canonical_headers;
  for (const auto& [name, value] : canon) {
    if (!signed_headers.empty()) signed_headers.push_back(';');
    signed_headers += name;
    StrAppend(&canonical_headers, name, ":", value, "\n");
  }
  std::optional<size_t> none;
  if (o.presign) r->query.emplace_back("X-Amz-SignedHeaders", signed_headers);
  std::string canonical =
      StrCat(r->method, "\n", CanonicalUri(r->path), "\n", CanonicalQuery(r->query, none), "\n",
             canonical_headers, "\n", signed_headers, "\n", payload);
  Digest key = DeriveSigningKey(cred.secret_access_key, date, o.region, o.service);
  std::string signature = SignatureHex(key, StringToSign(amz_date, scope, canonical));
  if (o.presign) {
    r->query.emplace_back("X-Amz-Signature", signature);
  } else {
    r->headers.emplace_back("Authorization",
                            StrCat(kAlgorithm, " Credential=", cred.access_key_id, "/", scope,
                                   ", SignedHeaders=", signed_headers, ", Signature=", signature));
  }
  return absl::OkStatus();
}

}  // namespace arbiter::sigv4
