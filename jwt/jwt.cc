#include "jwt/jwt.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <map>
#include <system_error>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "core/strings.h"

namespace arbiter::jwt {

// ---- OpenSSL ownership ------------------------------------------------------------------

namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;

std::string_view Message(const absl::Status& status) {
  const absl::string_view m = status.message();
  return std::string_view(m.data(), m.size());
}

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// ---- Algorithms ---------------------------------------------------------------------------

enum class Family : uint8_t { kRsaPkcs1, kRsaPss, kEcdsa };

struct AlgInfo {
  Alg alg;
  std::string_view name;
  Family family;
  const char* digest;       // OpenSSL digest name
  size_t coordinate_bytes;  // ECDSA: size of R and of S; 0 for RSA
  std::string_view curve;   // ECDSA: the JWK crv
};

// RFC 7518 section 3.1.
constexpr AlgInfo kAlgs[] = {
    {Alg::kRS256, "RS256", Family::kRsaPkcs1, "SHA256", 0, ""},
    {Alg::kRS384, "RS384", Family::kRsaPkcs1, "SHA384", 0, ""},
    {Alg::kRS512, "RS512", Family::kRsaPkcs1, "SHA512", 0, ""},
    {Alg::kPS256, "PS256", Family::kRsaPss, "SHA256", 0, ""},
    {Alg::kPS384, "PS384", Family::kRsaPss, "SHA384", 0, ""},
    {Alg::kPS512, "PS512", Family::kRsaPss, "SHA512", 0, ""},
    {Alg::kES256, "ES256", Family::kEcdsa, "SHA256", 32, "P-256"},
    {Alg::kES384, "ES384", Family::kEcdsa, "SHA384", 48, "P-384"},
};

const AlgInfo& Info(Alg alg) { return kAlgs[static_cast<size_t>(alg)]; }

bool IsRsa(Family f) { return f != Family::kEcdsa; }

// ---- Errors -------------------------------------------------------------------------------

// `s` as a JSON string literal, cut to 64 bytes: attacker-supplied text in messages.
std::string Quote(std::string_view s) {
  std::string out;
  json::AppendQuoted(&out, s.substr(0, 64));
  if (s.size() > 64) out += "...";
  return out;
}

template <typename... Args>
absl::Status TokenError(const Args&... args) {
  return absl::UnauthenticatedError(ToAbsl(StrCat("jwt: ", args...)));
}

// ---- Encoding -----------------------------------------------------------------------------

// Per-position decode tables for base64url: kDecode[k][c] is character c's six bits placed
// where the k-th character of a four-character group puts them in the 24-bit group, or
// kBad (a bit no valid group sets) when c is not in the URL-safe alphabet. A group is then
// four loads and three ORs, checked once.
constexpr uint32_t kBad = 1u << 31;
using DecodeTable = std::array<uint32_t, 256>;
constexpr std::array<DecodeTable, 4> MakeBase64UrlTables() {
  std::array<DecodeTable, 4> t{};
  for (auto& table : t) {
    for (auto& v : table) v = kBad;
  }
  constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (size_t i = 0; i < kAlphabet.size(); ++i) {
    const auto c = static_cast<unsigned char>(kAlphabet[i]);
    for (size_t k = 0; k < 4; ++k) t[k][c] = static_cast<uint32_t>(i) << (18 - 6 * k);
  }
  return t;
}
constexpr std::array<DecodeTable, 4> kDecode = MakeBase64UrlTables();

// Strict unpadded base64url (RFC 7515 section 2, RFC 4648 section 5): only the URL-safe
// alphabet, no '=', no whitespace, no length of 1 mod 4, and zero unused bits in the last
// character, so that every byte string has exactly one accepted spelling. O(n).
bool DecodeBase64Url(std::string_view in, std::string* out) {
  if (in.size() % 4 == 1) return false;
  out->resize(in.size() / 4 * 3 + 2);  // written by index below, trimmed at the end
  char* dst = out->data();
  const auto* u = reinterpret_cast<const unsigned char*>(in.data());
  const size_t whole = in.size() / 4 * 4;
  size_t n = 0;
  uint32_t bad = 0;
  for (size_t i = 0; i < whole; i += 4, n += 3) {
    const uint32_t v =
        kDecode[0][u[i]] | kDecode[1][u[i + 1]] | kDecode[2][u[i + 2]] | kDecode[3][u[i + 3]];
    bad |= v;
    dst[n] = static_cast<char>(v >> 16);
    dst[n + 1] = static_cast<char>(v >> 8);
    dst[n + 2] = static_cast<char>(v);
  }
  if ((bad & kBad) != 0) return false;
  // A tail of 2 or 3 characters carries 1 or 2 bytes; the bits after them must be zero.
  const size_t tail = in.size() - whole;
  if (tail != 0) {
    uint32_t v = kDecode[0][u[whole]] | kDecode[1][u[whole + 1]];
    if (tail == 3) v |= kDecode[2][u[whole + 2]];
    if ((v & kBad) != 0) return false;
    const uint32_t used = tail == 2 ? 0xff0000u : 0xffff00u;
    if ((v & ~used) != 0) return false;
    dst[n++] = static_cast<char>(v >> 16);
    if (tail == 3) dst[n++] = static_cast<char>(v >> 8);
  }
  out->resize(n);
  return true;
}

// Big-endian unsigned integer without its leading zero octets.
std::string_view StripLeadingZeros(std::string_view b) {
  while (!b.empty() && b.front() == '\0') b.remove_prefix(1);
  return b;
}

// ---- JSON ---------------------------------------------------------------------------------

// Parses one JSON object without duplicate members; `what` names it in errors.
absl::Status ParseObject(std::string_view text, int max_depth, std::string_view what,
                         json::Value* out) {
  json::Error error;
  json::Limits limits;
  limits.max_bytes = text.size();
  limits.max_depth = max_depth;
  if (!json::Parse(text, out, &error, limits)) {
    return absl::InvalidArgumentError(
        ToAbsl(StrCat(what, " is not valid JSON (", error.code, " at byte ", error.offset, ": ",
                      error.message, ")")));
  }
  if (!out->is_object()) {
    return absl::InvalidArgumentError(
        ToAbsl(StrCat(what, " is a JSON ", json::TypeName(out->type), ", not an object")));
  }
  if (const json::Member* dup = json::FirstDuplicate(*out)) {
    return absl::InvalidArgumentError(
        ToAbsl(StrCat(what, " has a duplicate member ", Quote(dup->key))));
  }
  return absl::OkStatus();
}

// Sets `*out` to member `name` of `obj` when it is a string, to null when absent; an error
// when present with another type.
absl::Status OptionalString(const json::Value& obj, std::string_view name,
                            const std::string** out) {
  *out = nullptr;
  const json::Value* v = obj.Find(name);
  if (v == nullptr) return absl::OkStatus();
  if (!v->is_string()) {
    return absl::InvalidArgumentError(
        ToAbsl(StrCat("\"", name, "\" is a ", json::TypeName(v->type), ", not a string")));
  }
  *out = &v->text;
  return absl::OkStatus();
}

// A JSON number as a NumericDate (RFC 7519 section 2): finite and |x| <= 2^53, so that every
// whole number of seconds in range is exact and the arithmetic below cannot overflow.
std::optional<double> NumericDate(const json::Value& v) {
  if (v.type != json::Type::kNumber) return std::nullopt;
  double d = 0;
  const char* end = v.text.data() + v.text.size();
  auto [ptr, ec] = std::from_chars(v.text.data(), end, d);
  if (ec != std::errc() || ptr != end || !std::isfinite(d)) return std::nullopt;
  if (std::fabs(d) > 9007199254740992.0) return std::nullopt;
  return d;
}

// Digests fetched from the provider once: an implicit fetch by name on every call costs
// microseconds, a good part of a whole RSA verification.
const EVP_MD* FetchedDigest(const char* name) {
  static const EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  static const EVP_MD* const sha384 = EVP_MD_fetch(nullptr, "SHA384", nullptr);
  static const EVP_MD* const sha512 = EVP_MD_fetch(nullptr, "SHA512", nullptr);
  const std::string_view n(name);
  return n == "SHA256" ? sha256 : n == "SHA384" ? sha384 : n == "SHA512" ? sha512 : nullptr;
}

}  // namespace

// ---- Alg ----------------------------------------------------------------------------------

std::string_view AlgName(Alg alg) { return Info(alg).name; }

std::optional<Alg> ParseAlg(std::string_view name) {
  for (const AlgInfo& info : kAlgs) {
    if (info.name == name) return info.alg;
  }
  return std::nullopt;
}

// ---- Jwks ---------------------------------------------------------------------------------

struct Jwks::Impl {
  struct Key {
    bool rsa = false;
    std::optional<Alg> alg;      // the JWK's alg, when given
    std::string_view curve;      // EC: "P-256" or "P-384"
    size_t signature_bytes = 0;  // RSA: modulus length; EC: 2 * coordinate size
    PkeyPtr pkey;
  };
  std::map<std::string, Key, std::less<>> keys;
  // kid -> why that key is not used (first reason per kid).
  std::map<std::string, std::string, std::less<>> skipped;
};

namespace {

constexpr size_t kMaxJwksBytes = 1u << 20;
constexpr int kMinRsaBits = 2048;  // RFC 7518 section 3.3
constexpr int kMaxRsaBits = 8192;  // bounds the cost of one verification

absl::Status KeyError(std::string_view message) {
  return absl::InvalidArgumentError(ToAbsl(message));
}

// Runs OpenSSL's public key validation (SP 800-56B for RSA, point on curve and in the
// subgroup for EC).
bool PublicKeyChecks(EVP_PKEY* pkey) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  return ctx != nullptr && EVP_PKEY_public_check(ctx.get()) == 1;
}

absl::StatusOr<PkeyPtr> FromData(const char* type, OSSL_PARAM_BLD* bld) {
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (params == nullptr || ctx == nullptr || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    EVP_PKEY_free(raw);
    return KeyError("OpenSSL refuses the key material");
  }
  PkeyPtr pkey(raw);
  if (!PublicKeyChecks(pkey.get())) return KeyError("OpenSSL's public key check fails");
  return pkey;
}

// A required base64url member of a JWK.
absl::StatusOr<std::string> KeyBytes(const json::Value& key, std::string_view name) {
  const json::Value* v = key.Find(name);
  if (v == nullptr) return KeyError(StrCat("\"", name, "\" is missing"));
  if (!v->is_string()) return KeyError(StrCat("\"", name, "\" is not a string"));
  std::string out;
  if (!DecodeBase64Url(v->text, &out)) {
    return KeyError(StrCat("\"", name, "\" is not unpadded base64url"));
  }
  return out;
}

// RFC 7518 section 6.3.1: n and e, unsigned big-endian.
absl::Status BuildRsa(const json::Value& key, Jwks::Impl::Key* out) {
  absl::StatusOr<std::string> n = KeyBytes(key, "n");
  if (!n.ok()) return n.status();
  absl::StatusOr<std::string> e = KeyBytes(key, "e");
  if (!e.ok()) return e.status();
  const std::string_view nb = StripLeadingZeros(*n), eb = StripLeadingZeros(*e);
  BnPtr nbn(BN_bin2bn(Bytes(nb), static_cast<int>(nb.size()), nullptr));
  BnPtr ebn(BN_bin2bn(Bytes(eb), static_cast<int>(eb.size()), nullptr));
  if (nbn == nullptr || ebn == nullptr) return KeyError("out of memory");
  const int bits = BN_num_bits(nbn.get());
  if (bits < kMinRsaBits || bits > kMaxRsaBits) {
    return KeyError(
        StrCat("RSA modulus of ", bits, " bits (", kMinRsaBits, " to ", kMaxRsaBits, " accepted)"));
  }
  if (!BN_is_odd(nbn.get())) return KeyError("RSA modulus is even");
  if (BN_is_zero(ebn.get()) || BN_is_one(ebn.get()) || !BN_is_odd(ebn.get())) {
    return KeyError("RSA exponent must be odd and greater than 1");
  }
  if (BN_cmp(ebn.get(), nbn.get()) >= 0) return KeyError("RSA exponent is not below the modulus");
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (bld == nullptr || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, nbn.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, ebn.get()) != 1) {
    return KeyError("out of memory");
  }
  absl::StatusOr<PkeyPtr> pkey = FromData("RSA", bld.get());
  if (!pkey.ok()) return pkey.status();
  out->rsa = true;
  out->signature_bytes = static_cast<size_t>(BN_num_bytes(nbn.get()));
  out->pkey = std::move(*pkey);
  return absl::OkStatus();
}

// RFC 7518 section 6.2.1: x and y of exactly the coordinate size.
absl::Status BuildEc(const json::Value& key, const AlgInfo& curve, Jwks::Impl::Key* out) {
  absl::StatusOr<std::string> x = KeyBytes(key, "x");
  if (!x.ok()) return x.status();
  absl::StatusOr<std::string> y = KeyBytes(key, "y");
  if (!y.ok()) return y.status();
  if (x->size() != curve.coordinate_bytes || y->size() != curve.coordinate_bytes) {
    return KeyError(StrCat("x and y must be ", curve.coordinate_bytes, " bytes each for ",
                           curve.curve, " (RFC 7518 section 6.2.1.2)"));
  }
  const std::string point = StrCat("\x04", *x, *y);  // SEC 1 uncompressed point
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  const char* group = curve.alg == Alg::kES256 ? "prime256v1" : "secp384r1";
  if (bld == nullptr ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return KeyError("out of memory");
  }
  absl::StatusOr<PkeyPtr> pkey = FromData("EC", bld.get());
  if (!pkey.ok())
    return KeyError(StrCat("not a valid ", curve.curve, " point: ", Message(pkey.status())));
  out->rsa = false;
  out->curve = curve.curve;
  out->signature_bytes = 2 * curve.coordinate_bytes;
  out->pkey = std::move(*pkey);
  return absl::OkStatus();
}

absl::Status AddKey(const json::Value& key, Jwks::Impl* impl) {
  if (!key.is_object()) return KeyError(StrCat("a ", json::TypeName(key.type), ", not an object"));
  const std::string *kty = nullptr, *kid = nullptr, *use = nullptr, *alg_name = nullptr;
  for (auto [name, field] : {std::pair{"kty", &kty}, std::pair{"kid", &kid}, std::pair{"use", &use},
                             std::pair{"alg", &alg_name}}) {
    if (absl::Status s = OptionalString(key, name, field); !s.ok()) return s;
  }
  if (kty == nullptr) return KeyError("\"kty\" is missing");
  const json::Value* key_ops = key.Find("key_ops");
  bool may_verify = true;
  if (key_ops != nullptr) {
    if (!key_ops->is_array()) return KeyError("\"key_ops\" is not an array");
    may_verify = false;
    for (const json::Value& op : key_ops->elements) {
      if (!op.is_string()) return KeyError("\"key_ops\" holds a non-string");
      if (op.text == "verify") may_verify = true;
    }
  }
  auto skip = [&](std::string reason) {
    if (kid != nullptr && !kid->empty()) impl->skipped.emplace(*kid, std::move(reason));
    return absl::OkStatus();
  };
  const bool rsa = *kty == "RSA";
  if (!rsa && *kty != "EC") return skip(StrCat("kty ", Quote(*kty), " is not supported"));
  // RFC 7518 sections 6.2.2 and 6.3.2: private members. A JWKS is published; a private key
  // in it is a leak, and a sign that the file is not what it should be.
  for (std::string_view priv : {"d", "p", "q", "dp", "dq", "qi", "oth"}) {
    if (key.Find(priv) != nullptr) {
      return KeyError(
          StrCat("private key member \"", priv, "\" present: publish public keys only"));
    }
  }
  if (use != nullptr && *use != "sig") return skip(StrCat("use is ", Quote(*use), ", not \"sig\""));
  if (!may_verify) return skip("key_ops does not include \"verify\"");
  std::optional<Alg> alg;
  if (alg_name != nullptr) {
    alg = ParseAlg(*alg_name);
    if (!alg) return skip(StrCat("alg ", Quote(*alg_name), " is not a supported JWS algorithm"));
    if (IsRsa(Info(*alg).family) != rsa) {
      return KeyError(StrCat("alg ", *alg_name, " does not fit kty ", *kty));
    }
  }
  Jwks::Impl::Key built;
  built.alg = alg;
  if (rsa) {
    if (kid == nullptr || kid->empty()) return absl::OkStatus();  // no token can name it
    if (absl::Status s = BuildRsa(key, &built); !s.ok()) return s;
  } else {
    const std::string* crv = nullptr;
    if (absl::Status s = OptionalString(key, "crv", &crv); !s.ok()) return s;
    if (crv == nullptr) return KeyError("\"crv\" is missing");
    if (alg && Info(*alg).curve != *crv) {
      return KeyError(StrCat("alg ", *alg_name, " does not fit crv ", Quote(*crv)));
    }
    const AlgInfo* curve = nullptr;
    for (const AlgInfo& info : kAlgs) {
      if (info.family == Family::kEcdsa && info.curve == *crv) curve = &info;
    }
    if (curve == nullptr) return skip(StrCat("crv ", Quote(*crv), " is not supported"));
    if (kid == nullptr || kid->empty()) return absl::OkStatus();
    if (absl::Status s = BuildEc(key, *curve, &built); !s.ok()) return s;
  }
  if (!impl->keys.emplace(*kid, std::move(built)).second) {
    return KeyError(StrCat("kid ", Quote(*kid), " names two usable keys"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Jwks> Jwks::Parse(std::string_view text, size_t* bad_key) {
  auto error = [](std::string_view message) {
    return absl::InvalidArgumentError(ToAbsl(StrCat("jwks: ", message)));
  };
  if (text.size() > kMaxJwksBytes) {
    return error(StrCat("larger than ", kMaxJwksBytes, " bytes"));
  }
  json::Value root;
  if (absl::Status s = ParseObject(text, 16, "the JWK Set", &root); !s.ok()) {
    return error(Message(s));
  }
  const json::Value* keys = root.Find("keys");
  if (keys == nullptr || !keys->is_array()) return error("\"keys\" must be an array");
  auto impl = std::make_shared<Impl>();
  for (size_t i = 0; i < keys->elements.size(); ++i) {
    if (absl::Status s = AddKey(keys->elements[i], impl.get()); !s.ok()) {
      if (bad_key != nullptr) *bad_key = i;
      return error(StrCat("keys[", i, "]: ", Message(s)));
    }
  }
  return Jwks(std::move(impl));
}

size_t Jwks::size() const { return impl_->keys.size(); }

bool Jwks::Contains(std::string_view kid) const { return impl_->keys.contains(kid); }

// ---- VerifiedToken ------------------------------------------------------------------------

namespace {
std::string_view StringMember(const json::Value& obj, std::string_view name) {
  const json::Value* v = obj.Find(name);
  return v != nullptr && v->is_string() ? std::string_view(v->text) : std::string_view();
}
}  // namespace

std::string_view VerifiedToken::kid() const { return StringMember(header_, "kid"); }
std::string_view VerifiedToken::iss() const { return StringMember(payload_, "iss"); }
std::string_view VerifiedToken::sub() const { return StringMember(payload_, "sub"); }
std::string_view VerifiedToken::token_use() const { return StringMember(payload_, "token_use"); }
std::string_view VerifiedToken::client_id() const { return StringMember(payload_, "client_id"); }

std::optional<std::vector<std::string>> VerifiedToken::ClaimStrings(std::string_view name) const {
  const json::Value* v = payload_.Find(name);
  if (v == nullptr) return std::nullopt;
  if (v->is_string()) return std::vector<std::string>{v->text};
  if (!v->is_array()) return std::nullopt;
  std::vector<std::string> out;
  for (const json::Value& e : v->elements) {
    if (!e.is_string()) return std::nullopt;
    out.push_back(e.text);
  }
  return out;
}

// ---- Verify -------------------------------------------------------------------------------

namespace {

// True only when OpenSSL reports a valid signature. Leaves OpenSSL's error queue empty.
// This thread's verification context for (key, algorithm): EVP_PKEY_verify_init with the
// algorithm's padding and digest set, reused for every token (EVP_PKEY_verify leaves it
// ready for the next). Each context holds a reference to its key, so a cached pointer can
// never name a freed key; at most 16 are kept per thread, the oldest freed first.
EVP_PKEY_CTX* PreparedVerifier(const AlgInfo& info, EVP_PKEY* pkey, const EVP_MD* digest) {
  struct Entry {
    EVP_PKEY* key;
    Alg alg;
    EVP_PKEY_CTX* ctx;
  };
  struct Cache {
    std::vector<Entry> entries;
    ~Cache() {
      for (Entry& e : entries) EVP_PKEY_CTX_free(e.ctx);
    }
  };
  thread_local Cache cache;
  for (const Entry& e : cache.entries) {
    if (e.key == pkey && e.alg == info.alg) return e.ctx;
  }
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr);
  bool ok = ctx != nullptr && EVP_PKEY_verify_init(ctx) == 1;
  if (ok && info.family == Family::kRsaPkcs1) {
    ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1;
  } else if (ok && info.family == Family::kRsaPss) {
    // RFC 7518 section 3.5: MGF1 with the same hash, salt as long as the hash.
    ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, digest) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_DIGEST) == 1;
  }
  ok = ok && EVP_PKEY_CTX_set_signature_md(ctx, digest) == 1;
  if (!ok) {
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    return nullptr;
  }
  if (cache.entries.size() >= 16) {
    EVP_PKEY_CTX_free(cache.entries.front().ctx);
    cache.entries.erase(cache.entries.begin());
  }
  cache.entries.push_back({pkey, info.alg, ctx});
  return ctx;
}

bool VerifySignature(const AlgInfo& info, EVP_PKEY* pkey, std::string_view signing_input,
                     std::string_view signature) {
  std::string der;
  if (info.family == Family::kEcdsa) {
    // JOSE's R||S (RFC 7518 section 3.4) to the DER ECDSA-Sig-Value OpenSSL verifies.
    const size_t n = info.coordinate_bytes;
    BnPtr r(BN_bin2bn(Bytes(signature), static_cast<int>(n), nullptr));
    BnPtr s(BN_bin2bn(Bytes(signature.substr(n)), static_cast<int>(n), nullptr));
    EcdsaSigPtr sig(ECDSA_SIG_new());
    if (r == nullptr || s == nullptr || sig == nullptr ||
        ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
      ERR_clear_error();
      return false;
    }
    r.release();  // owned by sig now
    s.release();
    const int len = i2d_ECDSA_SIG(sig.get(), nullptr);
    if (len <= 0) {
      ERR_clear_error();
      return false;
    }
    der.resize(static_cast<size_t>(len));
    unsigned char* p = reinterpret_cast<unsigned char*>(der.data());
    if (i2d_ECDSA_SIG(sig.get(), &p) != len) {
      ERR_clear_error();
      return false;
    }
    signature = der;
  }
  // The signature over the digest, with a verification context prepared once per key and
  // algorithm on each thread (what `openssl speed` does): creating one per token costs a
  // provider fetch and parameter setup, a sixth of an RSA-2048 verification.
  const EVP_MD* digest = FetchedDigest(info.digest);
  unsigned char hash[EVP_MAX_MD_SIZE];
  unsigned int hash_len = 0;
  EVP_PKEY_CTX* ctx = digest != nullptr ? PreparedVerifier(info, pkey, digest) : nullptr;
  // One digest context per thread, reset for each use (EVP_Digest would allocate and free
  // one per call).
  struct MdCtx {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~MdCtx() { EVP_MD_CTX_free(ctx); }
  };
  thread_local MdCtx md;
  bool ok = ctx != nullptr && md.ctx != nullptr &&
            EVP_DigestInit_ex2(md.ctx, digest, nullptr) == 1 &&
            EVP_DigestUpdate(md.ctx, signing_input.data(), signing_input.size()) == 1 &&
            EVP_DigestFinal_ex(md.ctx, hash, &hash_len) == 1 &&
            EVP_PKEY_verify(ctx, Bytes(signature), signature.size(), hash, hash_len) == 1;
  ERR_clear_error();
  return ok;
}

// The scopes: `scope` split on spaces, else `scp` (a string, or an array of strings).
absl::Status ReadScopes(const json::Value& payload, std::vector<std::string>* out) {
  auto split = [out](std::string_view s) {
    while (!s.empty()) {
      const size_t space = s.find(' ');
      const std::string_view piece = s.substr(0, space);
      if (!piece.empty()) out->emplace_back(piece);
      if (space == std::string_view::npos) break;
      s.remove_prefix(space + 1);
    }
  };
  const std::string* scope = nullptr;
  if (absl::Status s = OptionalString(payload, "scope", &scope); !s.ok()) return s;
  const json::Value* scp = payload.Find("scp");
  if (scp != nullptr && !scp->is_string()) {
    if (!scp->is_array()) return absl::InvalidArgumentError("\"scp\" is not a string or array");
    for (const json::Value& e : scp->elements) {
      if (!e.is_string()) return absl::InvalidArgumentError("\"scp\" holds a non-string");
    }
  }
  if (scope != nullptr) {
    split(*scope);
  } else if (scp != nullptr && scp->is_string()) {
    split(scp->text);
  } else if (scp != nullptr) {
    for (const json::Value& e : scp->elements) out->push_back(e.text);
  }
  return absl::OkStatus();
}

constexpr int64_t kMaxLeeway = 86400;

}  // namespace

absl::StatusOr<VerifiedToken> Verify(std::string_view token, const Jwks& keys,
                                     int64_t now_unix_seconds, const Expectations& e) {
  const int64_t now = now_unix_seconds;
  if (e.issuer.empty()) return absl::InvalidArgumentError("jwt: Expectations.issuer is empty");
  if (e.leeway_seconds < 0 || e.leeway_seconds > kMaxLeeway) {
    return absl::InvalidArgumentError("jwt: Expectations.leeway_seconds must be 0..86400");
  }
  // 1. Size and shape, before any decoding.
  if (token.empty()) return TokenError("empty token");
  if (token.size() > e.max_token_bytes) {
    return TokenError("token of ", token.size(), " bytes (at most ", e.max_token_bytes, ")");
  }
  // The dots (memchr, not a byte loop: tokens are a kilobyte and this is the hot path).
  size_t dot_at[5];
  size_t dots = 0;
  for (size_t from = 0; dots < 5;) {
    const size_t at = token.find('.', from);
    if (at == std::string_view::npos) break;
    dot_at[dots++] = at;
    from = at + 1;
  }
  if (dots == 4) return TokenError("a JWE (five segments); only JWS compact tokens are accepted");
  if (dots != 2) {
    if (dots == 5) return TokenError("more than 5 segments; a JWS compact token has 3");
    return TokenError(dots + 1, " segments; a JWS compact token has 3");
  }
  const size_t dot1 = dot_at[0], dot2 = dot_at[1];
  const std::string_view header_b64 = token.substr(0, dot1);
  const std::string_view payload_b64 = token.substr(dot1 + 1, dot2 - dot1 - 1);
  const std::string_view signature_b64 = token.substr(dot2 + 1);
  const std::string_view signing_input = token.substr(0, dot2);
  // All three are decoded before anything is trusted; the payload is read only once the
  // signature verifies.
  std::string header_text, payload_text, signature;
  if (!DecodeBase64Url(header_b64, &header_text)) {
    return TokenError("header is not unpadded base64url");
  }
  if (!DecodeBase64Url(payload_b64, &payload_text)) {
    return TokenError("payload is not unpadded base64url");
  }
  if (!DecodeBase64Url(signature_b64, &signature)) {
    return TokenError("signature is not unpadded base64url");
  }

  // 2. Header: algorithm and key. Untrusted until the signature checks out; it only selects.
  VerifiedToken out;
  if (absl::Status s = ParseObject(header_text, 8, "header", &out.header_); !s.ok()) {
    return TokenError(Message(s));
  }
  const json::Value& header = out.header_;
  const json::Value* alg_value = header.Find("alg");
  if (alg_value == nullptr) return TokenError("header has no \"alg\"");
  if (!alg_value->is_string()) return TokenError("header \"alg\" is not a string");
  const std::string& alg_name = alg_value->text;
  const std::optional<Alg> alg = ParseAlg(alg_name);
  if (!alg) {
    if (EqualsIgnoreCase(alg_name, "none"))
      return TokenError("alg none: unsigned tokens are refused");
    if (StartsWith(alg_name, "HS")) {
      return TokenError("alg ", Quote(alg_name),
                        ": HMAC is refused (a public key is not a shared secret)");
    }
    return TokenError("alg ", Quote(alg_name), " is not supported");
  }
  const AlgInfo& info = Info(*alg);
  // RFC 7515 section 4.1.11: a recipient must refuse extensions it does not understand, and
  // this verifier understands none (e.g. RFC 7797 "b64").
  if (header.Find("crit") != nullptr)
    return TokenError("header has \"crit\"; no extension is supported");
  const json::Value* kid = header.Find("kid");
  if (kid == nullptr) return TokenError("header has no \"kid\"");
  if (!kid->is_string() || kid->text.empty())
    return TokenError("header \"kid\" is not a non-empty string");
  const Jwks::Impl& impl = *keys.impl_;
  const auto key_it = impl.keys.find(kid->text);
  if (key_it == impl.keys.end()) {
    const auto skipped = impl.skipped.find(kid->text);
    if (skipped != impl.skipped.end()) {
      return TokenError("key ", Quote(kid->text), " is not usable: ", skipped->second);
    }
    return TokenError("no key with kid ", Quote(kid->text));
  }
  const Jwks::Impl::Key& key = key_it->second;
  if (IsRsa(info.family) != key.rsa) {
    return TokenError("alg ", info.name, " needs an ", IsRsa(info.family) ? "RSA" : "EC",
                      " key; key ", Quote(kid->text), " is ", key.rsa ? "RSA" : "EC");
  }
  if (!key.rsa && key.curve != info.curve) {
    return TokenError("alg ", info.name, " needs a ", info.curve, " key; key ", Quote(kid->text),
                      " is ", key.curve);
  }
  if (key.alg && *key.alg != *alg) {
    return TokenError("alg ", info.name, " but key ", Quote(kid->text), " is for ",
                      AlgName(*key.alg));
  }

  // 3. Signature, before anything in the payload is looked at.
  if (signature.size() != key.signature_bytes) {
    return TokenError("signature of ", signature.size(), " bytes; ", info.name, " with key ",
                      Quote(kid->text), " makes ", key.signature_bytes);
  }
  if (!VerifySignature(info, key.pkey.get(), signing_input, signature)) {
    return TokenError("signature does not verify");
  }

  // 4. Claims.
  if (absl::Status s = ParseObject(payload_text, 32, "payload", &out.payload_); !s.ok()) {
    return TokenError(Message(s));
  }
  out.payload_json_ = std::move(payload_text);
  const json::Value& payload = out.payload_;
  const int64_t leeway = e.leeway_seconds;
  const json::Value* exp_value = payload.Find("exp");
  if (exp_value == nullptr) return TokenError("no \"exp\" claim");
  const std::optional<double> exp = NumericDate(*exp_value);
  if (!exp) return TokenError("\"exp\" is not a NumericDate");
  // RFC 7519 section 4.1.4: valid only while now < exp; API Gateway: exp "must be after the
  // current time" (http-api-jwt-authorizer.html). `now` is a whole second, so for a
  // fractional exp, now < exp exactly when now < ceil(exp).
  const int64_t exp_seconds = static_cast<int64_t>(std::ceil(*exp));
  if (now >= exp_seconds + leeway) return TokenError("expired at ", exp_seconds);
  if (const json::Value* nbf_value = payload.Find("nbf")) {
    const std::optional<double> nbf = NumericDate(*nbf_value);
    if (!nbf) return TokenError("\"nbf\" is not a NumericDate");
    // RFC 7519 section 4.1.5: valid from nbf on; for a whole-second `now`, now >= nbf
    // exactly when now >= ceil(nbf).
    const int64_t nbf_seconds = static_cast<int64_t>(std::ceil(*nbf));
    if (now < nbf_seconds - leeway) return TokenError("not valid before ", nbf_seconds);
  }
  if (const json::Value* iat_value = payload.Find("iat")) {
    const std::optional<double> iat = NumericDate(*iat_value);
    if (!iat) return TokenError("\"iat\" is not a NumericDate");
    const int64_t iat_seconds = static_cast<int64_t>(std::ceil(*iat));
    if (iat_seconds - leeway > now)
      return TokenError("issued in the future (iat ", iat_seconds, ")");
  }
  const std::string* iss = nullptr;
  if (absl::Status s = OptionalString(payload, "iss", &iss); !s.ok()) return TokenError(Message(s));
  if (iss == nullptr) return TokenError("no \"iss\" claim");
  if (*iss != e.issuer) return TokenError("issuer ", Quote(*iss), " is not the expected issuer");
  for (std::string_view name : {"sub", "token_use", "client_id"}) {
    const std::string* ignored = nullptr;
    if (absl::Status s = OptionalString(payload, name, &ignored); !s.ok()) {
      return TokenError(Message(s));
    }
  }
  // Audience: RFC 7519 section 4.1.3, with API Gateway's client_id fallback.
  const json::Value* aud = payload.Find("aud");
  std::vector<std::string_view> audiences;
  if (aud != nullptr) {
    if (aud->is_string()) {
      audiences.push_back(aud->text);
    } else if (aud->is_array() && !aud->elements.empty()) {
      for (const json::Value& a : aud->elements) {
        if (!a.is_string()) return TokenError("\"aud\" holds a non-string");
        audiences.push_back(a.text);
      }
    } else {
      return TokenError("\"aud\" is not a string or a non-empty array of strings");
    }
  }
  if (!e.audiences.empty()) {
    auto expected = [&e](std::string_view v) {
      return std::find(e.audiences.begin(), e.audiences.end(), v) != e.audiences.end();
    };
    bool audience_ok = false;
    if (aud != nullptr) {
      audience_ok = std::any_of(audiences.begin(), audiences.end(), expected);
      if (!audience_ok) return TokenError("\"aud\" matches no expected audience");
    } else if (e.audience_may_be_client_id) {
      const json::Value* client_id = payload.Find("client_id");
      if (client_id == nullptr) return TokenError("neither \"aud\" nor \"client_id\"");
      audience_ok = expected(client_id->text);
      if (!audience_ok) return TokenError("\"client_id\" matches no expected audience");
    } else {
      return TokenError("no \"aud\" claim");
    }
    if (!audience_ok) return TokenError("audience not matched");
  }
  if (absl::Status s = ReadScopes(payload, &out.scopes_); !s.ok()) return TokenError(Message(s));
  out.token_ = std::string(token);
  out.alg_ = *alg;
  out.exp_ = exp_seconds;
  out.verified_at_ = now;
  return out;
}

// ---- VerifiedTokenCache -------------------------------------------------------------------

struct VerifiedTokenCache::Shard {
  mutable absl::Mutex mu;
  // Keyed by the token's bytes (a copy: entries may be replaced while others hold them).
  absl::flat_hash_map<std::string, std::shared_ptr<const VerifiedToken>> entries
      ABSL_GUARDED_BY(mu);
};

VerifiedTokenCache::VerifiedTokenCache(size_t capacity, size_t shards)
    : shard_count_(std::max<size_t>(shards, 1)),
      shard_capacity_((capacity + shard_count_ - 1) / shard_count_),
      shards_(std::make_unique<Shard[]>(shard_count_)) {}

VerifiedTokenCache::Shard& VerifiedTokenCache::ShardFor(std::string_view token) const {
  return shards_[absl::HashOf(ToAbsl(token)) % shard_count_];
}

VerifiedTokenCache::~VerifiedTokenCache() = default;

std::shared_ptr<const VerifiedToken> VerifiedTokenCache::Lookup(std::string_view token,
                                                                int64_t now) const {
  Shard& shard = ShardFor(token);
  absl::ReaderMutexLock lock(&shard.mu);
  const auto it = shard.entries.find(ToAbsl(token));
  if (it == shard.entries.end()) return nullptr;
  const VerifiedToken& entry = *it->second;
  if (now < entry.verified_at() || now >= entry.exp()) return nullptr;
  return it->second;
}

void VerifiedTokenCache::Insert(std::shared_ptr<const VerifiedToken> token) {
  if (token == nullptr || shard_capacity_ == 0) return;
  const std::string_view key = token->token();
  Shard& shard = ShardFor(key);
  absl::MutexLock lock(&shard.mu);
  auto& entries = shard.entries;
  if (auto it = entries.find(ToAbsl(key)); it != entries.end()) {
    it->second = std::move(token);
    return;
  }
  if (entries.size() >= shard_capacity_) {
    const int64_t now = token->verified_at();
    for (auto it = entries.begin(); it != entries.end();) {
      if (it->second->exp() <= now) {
        entries.erase(it++);
      } else {
        ++it;
      }
    }
    if (entries.size() >= shard_capacity_) {
      auto first = std::min_element(
          entries.begin(), entries.end(),
          [](const auto& a, const auto& b) { return a.second->exp() < b.second->exp(); });
      entries.erase(first);
    }
  }
  entries.emplace(std::string(key), std::move(token));
}

size_t VerifiedTokenCache::size() const {
  size_t n = 0;
  for (size_t i = 0; i < shard_count_; ++i) {
    absl::ReaderMutexLock lock(&shards_[i].mu);
    n += shards_[i].entries.size();
  }
  return n;
}

}  // namespace arbiter::jwt
