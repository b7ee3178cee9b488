// AWS Signature Version 4 verification, as API Gateway performs it for `AWS_IAM` routes
// (service `execute-api`).
//
// The rules are those of "Create a signed AWS API request"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html)
// for a non-S3 service, matching what @smithy/signature-v4 (the AWS SDK for JavaScript v3
// signer) produces with its default options:
//   - Authorization header form (`AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/
//     aws4_request, SignedHeaders=..., Signature=...` with `X-Amz-Date` or `Date`), or the
//     presigned query form (`X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`,
//     `X-Amz-Expires`, `X-Amz-SignedHeaders`, `X-Amz-Signature`, `X-Amz-Security-Token`);
//     never both ("You can't add authentication information using both the Authorization
//     header and query string parameters", same page, step 5).
//   - Canonical URI: the path as sent, dot segments and empty segments removed, then every
//     byte but '/' URI-encoded once more (so `%` becomes `%25`: the "double encoding" of
//     non-S3 services).
//   - Canonical query: names and values RFC 3986-encoded, sorted by name then value,
//     `X-Amz-Signature` left out.
//   - Canonical headers: lower-case names, values trimmed with runs of spaces and tabs
//     collapsed, repeated headers joined with ','. `host` and every `x-amz-*` header sent
//     must be signed.
//   - Payload: SHA-256 of the body, or the `x-amz-content-sha256` header when sent (which
//     must then equal the body's hash, or be `UNSIGNED-PAYLOAD`); a presigned URL may also
//     have been signed with `UNSIGNED-PAYLOAD`.
//   - Time: 5 minutes of clock skew either way for the header form; a presigned URL is good
//     from X-Amz-Date minus 5 minutes until X-Amz-Date + X-Amz-Expires (1..604800 s).
//
// Failures carry API Gateway's outcome: HTTP 403 (400 for a request no HTTP server would
// have passed on, 413 for an oversized one) and the message API Gateway puts in its body.
// Where no AWS text could be confirmed the closest documented form is used; sigv4.cc says
// so beside each such text.
//
// Thread safety: `Verify` and `Sign` are reentrant; `CredentialStore` is immutable once
// built (concurrent `Find` is safe); `SigningKeyCache` is internally synchronized.
#ifndef ARBITER_SIGV4_SIGV4_H_
#define ARBITER_SIGV4_SIGV4_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"

namespace arbiter::sigv4 {

// One HTTP request as received. Header and query lists keep their order; a repeated header
// or parameter appears once per value.
struct HttpRequest {
  std::string method;
  // The path as sent, still percent-encoded, including the stage: "/prod/pets/caf%C3%A9".
  std::string path;
  // Decoded names and values (the canonical query re-encodes them).
  std::vector<std::pair<std::string, std::string>> query;
  // Names in any case.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct Credential {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty = long-term credential (no token may be presented)
  std::string principal_arn;
};

// Returns the credential for an access key id, or nullptr. The pointer must stay valid
// until `Verify` returns.
using CredentialLookup = std::function<const Credential*(std::string_view access_key_id)>;

// An immutable-after-construction set of credentials, indexed by access key id.
class CredentialStore {
 public:
  CredentialStore() = default;
  // Fails on an empty access key id or secret, or an id given twice.
  absl::Status Add(Credential credential);
  // nullptr when unknown. O(1) expected.
  const Credential* Find(std::string_view access_key_id) const;
  // A lookup bound to this store (which must outlive it).
  CredentialLookup AsLookup() const;
  size_t size() const { return by_id_.size(); }

 private:
  // unique_ptr: pointers handed out stay valid while more credentials are added.
  absl::flat_hash_map<std::string, std::unique_ptr<Credential>> by_id_;
};

// The HMAC chain's result: kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region),
// service), "aws4_request").
using SigningKey = std::array<uint8_t, 32>;

// Derived signing keys, cached per (access key id, scope date, region, service).
//
// Contract:
//  - Thread-safe: every method may be called concurrently (one internal mutex; the HMAC
//    chain of a miss is computed outside it).
//  - Bounded: at most `capacity` entries (least recently used evicted first); evicted and
//    destroyed keys are wiped from memory.
//  - Never stale: an entry also records a SHA-256 fingerprint of the secret it was derived
//    from; a lookup with a different secret (a rotated key) recomputes and replaces it.
//  - A hit costs one hash-map probe plus one SHA-256 of the secret; a miss four HMACs.
class SigningKeyCache {
 public:
  explicit SigningKeyCache(size_t capacity = 1024);
  ~SigningKeyCache();
  SigningKeyCache(const SigningKeyCache&) = delete;
  SigningKeyCache& operator=(const SigningKeyCache&) = delete;

  SigningKey Get(std::string_view access_key_id, std::string_view secret_access_key,
                 std::string_view date, std::string_view region, std::string_view service);

  size_t size() const;
  uint64_t hits() const;
  uint64_t misses() const;

 private:
  struct Entry {
    std::string key;  // length-prefixed id, date, region, service
    std::array<uint8_t, 32> secret_fingerprint;
    SigningKey signing_key;
  };
  const size_t capacity_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // most recently used first
  absl::flat_hash_map<std::string, std::list<Entry>::iterator> index_;
  uint64_t hits_ = 0;
  uint64_t misses_ = 0;
};

// Size caps against hostile input (checked before any parsing or hashing).
struct Limits {
  size_t max_method_bytes = 32;
  size_t max_path_bytes = 8192;
  size_t max_query_params = 512;
  size_t max_query_bytes = 16384;  // sum of names and values
  size_t max_headers = 256;
  size_t max_header_bytes = 32768;    // sum of names and values
  size_t max_body_bytes = 10u << 20;  // API Gateway's payload quota (10 MB)
  size_t max_signed_headers = 64;
};

struct Expect {
  std::string region;                   // the API's region, e.g. "us-east-1"
  std::string service = "execute-api";  //
  int64_t now_unix_seconds = 0;         // when the request arrived
  // When not empty, the Host header must equal it (ASCII case-insensitive), e.g.
  // "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com": a request signed for another API
  // of the same account is refused rather than replayed here.
  std::string host;
  Limits limits;
};

// Why a request was refused. Names (FailureKindName) are stable: fixtures use them.
enum class FailureKind {
  kNone = 0,
  kMissingAuthenticationToken,  // neither an Authorization header nor query authentication
  kIncompleteSignature,         // a required Authorization / query parameter is missing
  kMalformedAuthorization,      // a piece that is not key=value, a duplicate or unknown key
  kBothHeaderAndQueryAuth,      // Authorization header and X-Amz-* query parameters
  kUnsupportedAlgorithm,        // not AWS4-HMAC-SHA256
  kMalformedDate,               // X-Amz-Date / Date not in the expected format
  kMalformedCredential,         // not exactly AKID/DATE/REGION/SERVICE/TERMINATOR
  kWrongRegion,
  kWrongService,
  kWrongTerminator,         // not aws4_request
  kScopeDateMismatch,       // credential date != the day of X-Amz-Date
  kSignatureExpired,        // more than 5 minutes old (header form / no X-Amz-Expires)
  kSignatureNotYetCurrent,  // more than 5 minutes in the future
  kPresignedUrlExpired,     // past X-Amz-Date + X-Amz-Expires
  kInvalidExpires,          // X-Amz-Expires not an integer in 1..604800
  kMalformedSignedHeaders,  // empty, upper-case, unsorted, repeated or bad names
  kHostNotSigned,
  kHeaderNotSigned,      // an x-amz-* header was sent but not signed
  kSignedHeaderMissing,  // a header named in SignedHeaders was not sent
  kWrongHost,            // Host is not Expect::host
  kMalformedSignature,   // not 64 lower-case hex digits
  kUnknownAccessKey,
  kInvalidSecurityToken,    // missing, unexpected or wrong X-Amz-Security-Token
  kPayloadHashMismatch,     // x-amz-content-sha256 differs from the body's hash
  kUnsupportedPayloadHash,  // x-amz-content-sha256 neither a hash nor UNSIGNED-PAYLOAD
  kSignatureMismatch,
  kDuplicateAuthorization,  // more than one Authorization header
  kDuplicateParameter,      // an X-Amz-* authentication query parameter given twice
  kDuplicateHeader,         // Host, Date, X-Amz-Date, X-Amz-Security-Token or
                            // X-Amz-Content-Sha256 given twice (or token in both places)
  kMalformedRequest,        // what no HTTP server passes on (bad method, path, header)
  kRequestTooLarge,         // over a Limits cap
};

// "signature_mismatch", "missing_authentication_token", ...
std::string_view FailureKindName(FailureKind kind);

struct Failure {
  FailureKind kind = FailureKind::kNone;
  int http_status = 403;
  // API Gateway's x-amzn-ErrorType: "MissingAuthenticationTokenException",
  // "IncompleteSignatureException", "InvalidSignatureException",
  // "UnrecognizedClientException", ...
  std::string error_type;
  // The body's message, e.g. "Missing Authentication Token".
  std::string message;
  // For kSignatureMismatch: what was computed (also quoted in `message`, as AWS does).
  std::string canonical_request;
  std::string string_to_sign;
};

enum class AuthLocation { kHeader, kQuery };

struct Verified {
  const Credential* credential = nullptr;  // from the lookup
  std::string access_key_id;
  std::string principal_arn;
  AuthLocation location = AuthLocation::kHeader;
  // The path the signature covers: HttpRequest::path with dot and empty segments removed,
  // still percent-encoded. Route on this one (it can differ from the path as sent, e.g.
  // "/prod/a/../b" -> "/prod/b").
  std::string normalized_path;
  int64_t signed_at_unix_seconds = 0;  // X-Amz-Date (or Date)
  bool unsigned_payload = false;       // the body is not covered by the signature
};

struct Outcome {
  bool ok() const { return failure.kind == FailureKind::kNone; }
  Verified verified;  // meaningful when ok()
  Failure failure;    // meaningful when !ok()
};

// Verifies `request`. `cache` may be null (keys are then derived every time).
// Cost: linear in the request size (one SHA-256 of the body, of the canonical request and
// of the secret; five HMACs, or one on a cache hit; two candidate signatures at most).
// Never reads past `expect.limits`.
Outcome Verify(const HttpRequest& request, const CredentialLookup& lookup, const Expect& expect,
               SigningKeyCache* cache = nullptr);

// Signing, for tests, tools and fuzz seeds (clients sign with an AWS SDK).
struct SignOptions {
  std::string region;
  std::string service = "execute-api";
  int64_t unix_seconds = 0;
  bool presign = false;    // query form instead of the Authorization header
  int64_t expires = 3600;  // X-Amz-Expires (presign only)
  // Header form: add x-amz-content-sha256 (as @smithy/signature-v4 does by default).
  bool add_content_sha256 = true;
  bool unsigned_payload = false;  // sign "UNSIGNED-PAYLOAD" instead of the body's hash
};

// Adds X-Amz-Date (and X-Amz-Security-Token, x-amz-content-sha256) and the Authorization
// header, or the X-Amz-* query parameters, to `request`, signing `host` and every x-amz-*
// header (plus every other header present, as the SDK does, except Authorization,
// User-Agent and the other headers the SDK never signs). Fails on a request `Verify` would
// refuse as malformed.
absl::Status Sign(HttpRequest* request, const Credential& credential, const SignOptions& options);

}  // namespace arbiter::sigv4

#endif  // ARBITER_SIGV4_SIGV4_H_
