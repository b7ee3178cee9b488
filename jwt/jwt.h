// JWT (RFC 7519) in JWS compact serialization (RFC 7515), verified against a JWK Set
// (RFC 7517) with OpenSSL 3: what API Gateway does for Cognito user pool authorizers (REST
// APIs) and JWT authorizers (HTTP APIs).
//
// Only public-key algorithms are accepted (RFC 7518 section 3): RS256/384/512 (RSASSA-PKCS1
// v1.5), PS256/384/512 (RSASSA-PSS, salt length = hash length, MGF1 with the same hash) and
// ES256/ES384 (ECDSA on P-256/P-384, signature R||S). `none` and every HMAC algorithm are
// refused: a verifier holding public keys must never treat one as a shared secret.
//
// Everything here fails closed: any malformed, ambiguous or hostile input is an error
// (absl::StatusCode::kUnauthenticated for a token, kInvalidArgument for a JWK Set or bad
// Expectations), never a crash and never a pass.
#ifndef ARBITER_JWT_JWT_H_
#define ARBITER_JWT_JWT_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "json/json.h"

namespace arbiter::jwt {

enum class Alg : uint8_t { kRS256, kRS384, kRS512, kPS256, kPS384, kPS512, kES256, kES384 };

// "RS256" ... "ES384".
std::string_view AlgName(Alg alg);
// The algorithm named exactly (case-sensitive) `name`, or nullopt for any other name.
std::optional<Alg> ParseAlg(std::string_view name);

class VerifiedToken;
struct Expectations;

// An immutable set of verification keys, from a JWK Set document.
//
// Thread safety: immutable after Parse; any number of threads may verify with one Jwks (and
// its copies) concurrently. OpenSSL 3 EVP_PKEY objects are safe for concurrent read-only use
// (openssl-threads(7)). Copies are cheap and share the keys.
class Jwks {
 public:
  // Parses an RFC 7517 JWK Set: {"keys": [...]}. Builds one EVP_PKEY per usable key, once.
  //
  // Usable: kty RSA (n, e; modulus of 2048..8192 bits, odd e > 1, e < n, and OpenSSL's
  // SP 800-56B public key check: n odd, composite, without small prime factors) or kty EC
  // (crv P-256 or P-384, x and y of the curve's full coordinate size, a point on the curve),
  // with a non-empty `kid`.
  // Skipped, never used for verification (a token naming one is refused with the reason):
  // other kty (oct, OKP...), other curves, `use` other than "sig", `key_ops` without
  // "verify", an `alg` that is not one of the Alg values, no kid.
  // Errors: malformed JSON or duplicate members anywhere, a member of the wrong type, a
  // malformed or weak usable key, private key material (`d`) on an RSA/EC key, an `alg`
  // inconsistent with kty/crv, two usable keys with the same kid, input over 1 MiB.
  // When `bad_key` is given and one element of "keys" is at fault, it is set to its index
  // (so that a caller holding the document can point at it).
  static absl::StatusOr<Jwks> Parse(std::string_view json, size_t* bad_key = nullptr);

  // Number of usable keys.
  size_t size() const;
  // True when `kid` names a usable key.
  bool Contains(std::string_view kid) const;

  struct Impl;  // defined in jwt.cc

 private:
  friend absl::StatusOr<VerifiedToken> Verify(std::string_view, const Jwks&, int64_t,
                                              const Expectations&);
  explicit Jwks(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

// What a token must satisfy beyond its signature (one authorizer's configuration).
struct Expectations {
  // Required, non-empty; `iss` must equal it exactly (no normalization of case or slashes).
  std::string issuer;
  // Empty: `aud` is not checked (its type still is). Otherwise `aud` (a string or an array
  // of strings) must contain one of these.
  std::vector<std::string> audiences;
  // API Gateway HTTP API JWT authorizers: "aud or client_id must match one of the audience
  // entries ... API Gateway validates client_id only if aud is not present. When both aud
  // and client_id are present, API Gateway evaluates aud."
  // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-jwt.html
  bool audience_may_be_client_id = false;
  // Clock skew allowed on exp, nbf and iat; 0..86400.
  int64_t leeway_seconds = 0;
  // Tokens longer than this are refused before any decoding.
  size_t max_token_bytes = 8192;
};

// A token whose signature, header and claims all passed Verify. Owns its decoded header and
// payload; accessors return views into them, valid while this object lives (and is not
// moved from). Immutable; safe to share across threads (VerifiedTokenCache does).
class VerifiedToken {
 public:
  const json::Value& header() const { return header_; }
  const json::Value& payload() const { return payload_; }
  // The payload's JSON text as decoded (a valid JSON object: it parsed into payload()).
  std::string_view payload_json() const { return payload_json_; }
  Alg alg() const { return alg_; }
  std::string_view kid() const;

  std::string_view iss() const;        // always present
  std::string_view sub() const;        // "" when absent
  std::string_view token_use() const;  // "" when absent (Cognito: "id" or "access")
  std::string_view client_id() const;  // "" when absent
  // The first whole second at which the token has expired: `exp` rounded up (RFC 7519
  // section 4.1.4: valid while now < exp).
  int64_t exp() const { return exp_; }
  // The scopes: `scope` split on spaces (RFC 8693 section 4.2; Cognito access tokens), or,
  // without `scope`, `scp` as a space-separated string or an array of strings (API Gateway
  // reads "scope or scp").
  const std::vector<std::string>& scopes() const { return scopes_; }

  // Any claim (e.g. "cognito:groups", "email"), or null when absent.
  const json::Value* Claim(std::string_view name) const { return payload_.Find(name); }
  // A claim that is a string (one element) or an array of strings; nullopt when absent or
  // of any other type.
  std::optional<std::vector<std::string>> ClaimStrings(std::string_view name) const;

  // The `now` Verify was given, and the token's exact bytes (the cache key).
  int64_t verified_at() const { return verified_at_; }
  std::string_view token() const { return token_; }

 private:
  friend absl::StatusOr<VerifiedToken> Verify(std::string_view, const Jwks&, int64_t,
                                              const Expectations&);
  VerifiedToken() = default;
  json::Value header_;
  json::Value payload_;
  std::string payload_json_;
  Alg alg_ = Alg::kRS256;
  int64_t exp_ = 0;
  int64_t verified_at_ = 0;
  std::vector<std::string> scopes_;
  std::string token_;
};

// Verifies `token` (the compact JWS, without "Bearer ") at `now_unix_seconds`:
//  1. size <= e.max_token_bytes; exactly three segments of unpadded base64url (RFC 7515
//     section 2: no '=', no '+' or '/', no whitespace, canonical trailing bits);
//  2. header: a JSON object without duplicate members; `alg` one of the Alg values; no
//     `crit` (no extension is understood: RFC 7515 section 4.1.11); `kid` a non-empty
//     string naming a usable key of `keys`, whose kty/crv fits alg and whose `alg`, if any,
//     equals it. `jwk`, `jku`, `x5u`, `x5c` and `typ` are ignored, never trusted;
//  3. the signature over the ASCII "header.payload" (RSA: exactly the modulus length; ECDSA:
//     R||S of exactly twice the coordinate size, converted to DER for OpenSSL);
//  4. only then the payload: a JSON object without duplicate members (at any depth) and
//     depth <= 32; `exp` required and `nbf`/`iat` optional NumericDates (JSON numbers,
//     |x| <= 2^53); now < exp + leeway, now + leeway >= nbf, iat <= now + leeway; `iss` a
//     string equal to e.issuer; audience as in Expectations; `sub`, `token_use`,
//     `client_id`, `scope` strings when present, `scp` a string or array of strings.
// Errors are kUnauthenticated (the token) or kInvalidArgument (bad Expectations).
// Thread-safe; O(token size) plus one signature verification.
absl::StatusOr<VerifiedToken> Verify(std::string_view token, const Jwks& keys,
                                     int64_t now_unix_seconds, const Expectations& e);

// A bounded cache of verified tokens, keyed by the token's exact bytes (compared in full;
// distinct tokens never share an entry).
//
// Contract:
//  - One cache per (Jwks, Expectations) pair, i.e. per authorizer: an entry records that the
//    token passed *those* checks. Never share a cache between authorizers.
//  - Lookup(token, now) returns the entry only when verified_at <= now < exp: never at or
//    beyond the token's `exp` (leeway is not extended to cached entries), and never for a
//    `now` earlier than the verification (so nbf/iat can not be bypassed by going back in
//    time). Within that window, Verify at `now` would accept the token too.
//  - Capacity is split evenly across `shards` shards (a token's shard is picked by its
//    hash); capacity 0 disables caching. Insert into a full shard first drops the entries
//    expired at the new entry's verified_at, then, if none, the entry expiring first.
//    Insert is O(capacity / shards) when the shard is full, O(1) otherwise; Lookup is O(1)
//    plus hashing and comparing the token (no SHA-256: that cost more than the rest of a
//    cached gateway decision).
//  - Thread-safe: each shard has its own absl::Mutex (readers share it). Entries are
//    shared_ptr, so a returned token stays valid after eviction.
class VerifiedTokenCache {
 public:
  explicit VerifiedTokenCache(size_t capacity = 4096, size_t shards = 16);
  ~VerifiedTokenCache();
  VerifiedTokenCache(const VerifiedTokenCache&) = delete;
  VerifiedTokenCache& operator=(const VerifiedTokenCache&) = delete;

  std::shared_ptr<const VerifiedToken> Lookup(std::string_view token, int64_t now) const;
  // Keyed by token->token(). A null token is ignored; a second insert of the same token
  // replaces the first.
  void Insert(std::shared_ptr<const VerifiedToken> token);
  size_t size() const;

 private:
  struct Shard;
  Shard& ShardFor(std::string_view token) const;
  size_t shard_count_;
  size_t shard_capacity_;
  std::unique_ptr<Shard[]> shards_;
};

}  // namespace arbiter::jwt

#endif  // ARBITER_JWT_JWT_H_
