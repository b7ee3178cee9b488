// The building blocks of a SigV4 signature: canonical request pieces, hashing, the HMAC
// chain, and the timestamp formats. Exposed for tests and for `Sign`; callers normally use
// sigv4.h.
//
// References:
//  - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
//    (canonical request, string to sign, signing key; UriEncode rules)
//  - RFC 3986 section 2.3 (unreserved characters), section 5.2.4 (remove dot segments)
//
// All functions are pure and thread-safe; each is linear in its input.
#ifndef ARBITER_SIGV4_CANONICAL_H_
#define ARBITER_SIGV4_CANONICAL_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace arbiter::sigv4 {

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
inline constexpr std::string_view kTerminator = "aws4_request";
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
// SHA-256 of the empty string.
inline constexpr std::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// Appends `in` percent-encoded: every byte except the RFC 3986 unreserved characters
// (A-Z a-z 0-9 - _ . ~) becomes %XX with upper-case hex; '/' is kept when `keep_slash`.
// This is AWS's UriEncode(), and what encodeURIComponent() does to UTF-8 (plus !'()*).
void UriEncode(std::string_view in, bool keep_slash, std::string* out);
std::string UriEncode(std::string_view in, bool keep_slash = false);

// The path with empty, "." and ".." segments removed (".." drops the previous segment and
// never climbs above the root), keeping a leading '/' and, when any segment remains, a
// trailing '/'. This is @smithy/signature-v4's normalization for non-S3 services.
std::string NormalizePath(std::string_view path);

// UriEncode(NormalizePath(path), keep_slash=true): the canonical URI of a non-S3 request.
std::string CanonicalUri(std::string_view path);

// The canonical query string of decoded `(name, value)` pairs: each encoded with UriEncode,
// sorted by encoded name then encoded value, joined as name=value with '&'. The pair at
// index `skip` (if any) is left out (the X-Amz-Signature parameter).
std::string CanonicalQuery(const std::vector<std::pair<std::string, std::string>>& query,
                           std::optional<size_t> skip = std::nullopt);

// A header value as it enters the canonical request: CR and LF become spaces, runs of
// spaces and tabs become one space, and a leading and a trailing space are dropped.
std::string CanonicalHeaderValue(std::string_view value);

// Lower-case hex of bytes.
std::string HexEncode(const uint8_t* data, size_t size);

using Digest = std::array<uint8_t, 32>;
Digest Sha256(std::string_view data);
std::string Sha256Hex(std::string_view data);
Digest HmacSha256(std::string_view key, std::string_view data);

// kSigning for (secret, YYYYMMDD, region, service).
Digest DeriveSigningKey(std::string_view secret_access_key, std::string_view date,
                        std::string_view region, std::string_view service);

// "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" + hex(SHA-256(canonical_request)).
std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request);

// Hex HMAC-SHA256 of the string to sign under the signing key.
std::string SignatureHex(const Digest& signing_key, std::string_view string_to_sign);

// Timestamps.
// "YYYYMMDDTHHMMSSZ" (ISO 8601 basic format, UTC) -> Unix seconds; nullopt unless exactly
// that shape with a real calendar date and time (no leap second).
std::optional<int64_t> ParseAmzDate(std::string_view text);
// RFC 7231 IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT" -> Unix seconds (day name checked).
std::optional<int64_t> ParseHttpDate(std::string_view text);
// Unix seconds -> "YYYYMMDDTHHMMSSZ" (years 0000..9999; others are clamped to the range).
std::string FormatAmzDate(int64_t unix_seconds);

// True when `name` is an RFC 7230 token (the characters a header name may use).
bool IsToken(std::string_view name);

// True when `value` holds NUL, CR or LF (what no HTTP header value may carry).
inline bool HasLineBreakOrNul(std::string_view value) {
  for (char c : value) {
    if (c == '\0' || c == '\r' || c == '\n') return true;
  }
  return false;
}

}  // namespace arbiter::sigv4

#endif  // ARBITER_SIGV4_CANONICAL_H_
