// Tests of jwt/jwt.h against tokens minted by the npm `jose` package and Node's crypto
// (tests/fixtures/jwt/, made by scripts/fixtures/jwt/generate.mjs; see the README there).
#include "jwt/jwt.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/file.h"
#include "core/strings.h"

namespace arbiter::jwt {
namespace {

constexpr char kFixtures[] = "tests/fixtures/jwt/";

std::string_view Message(const absl::Status& s) {
  return std::string_view(s.message().data(), s.message().size());
}

struct Fixtures {
  std::string error;  // non-empty when loading failed
  std::string jwks_text;
  std::optional<Jwks> jwks;
  int64_t now = 0, iat = 0, exp = 0, nbf = 0;
  std::string issuer, client_id, audience2;
  std::map<std::string, std::string> valid, invalid, bad_jwks;  // name -> token or JWKS text
};

int64_t Int(const json::Value* v) { return v != nullptr ? std::stoll(v->text) : 0; }
std::string Str(const json::Value* v) { return v != nullptr ? v->text : ""; }

const Fixtures& Fx() {
  static const Fixtures* fixtures = [] {
    auto* f = new Fixtures;
    f->jwks_text = Slurp(StrCat(kFixtures, "jwks.json"));
    json::Value root;
    json::Error error;
    if (!json::Parse(Slurp(StrCat(kFixtures, "tokens.json")), &root, &error)) {
      f->error = StrCat("cannot read ", kFixtures,
                        "tokens.json (run from the repo root): ", error.message);
      return f;
    }
    absl::StatusOr<Jwks> jwks = Jwks::Parse(f->jwks_text);
    if (!jwks.ok()) {
      f->error = StrCat("fixture JWKS refused: ", Message(jwks.status()));
      return f;
    }
    f->jwks = std::move(*jwks);
    f->now = Int(root.Find("now"));
    f->iat = Int(root.Find("iat"));
    f->exp = Int(root.Find("exp"));
    f->nbf = Int(root.Find("nbf"));
    f->issuer = Str(root.Find("issuer"));
    f->client_id = Str(root.Find("client_id"));
    f->audience2 = Str(root.Find("audience2"));
    for (auto [list, out] : {std::pair{"valid", &f->valid}, std::pair{"invalid", &f->invalid}}) {
      if (const json::Value* items = root.Find(list)) {
        for (const json::Value& item : items->elements) {
          (*out)[Str(item.Find("name"))] = Str(item.Find("token"));
        }
      }
    }
    if (const json::Value* items = root.Find("bad_jwks")) {
      for (const json::Value& item : items->elements) {
        f->bad_jwks[Str(item.Find("name"))] = Str(item.Find("jwks"));
      }
    }
    if (f->valid.empty() || f->invalid.empty() || f->bad_jwks.empty() || f->now == 0) {
      f->error = "tokens.json lacks valid, invalid, bad_jwks or now";
    }
    return f;
  }();
  return *fixtures;
}

// An HTTP API JWT authorizer: issuer, audience = the app client id, "aud or client_id".
Expectations HttpApi() {
  Expectations e;
  e.issuer = Fx().issuer;
  e.audiences = {Fx().client_id};
  e.audience_may_be_client_id = true;
  return e;
}

class JwtTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(Fx().error, ""); }

  static const std::string& Token(const std::map<std::string, std::string>& list,
                                  const std::string& name) {
    static const std::string kMissing;
    const auto it = list.find(name);
    EXPECT_NE(it, list.end()) << "no fixture named " << name;
    return it != list.end() ? it->second : kMissing;
  }
  static const std::string& Valid(const std::string& name) { return Token(Fx().valid, name); }

  static absl::StatusOr<VerifiedToken> Check(std::string_view token, Expectations e = HttpApi(),
                                             std::optional<int64_t> now = std::nullopt) {
    return Verify(token, *Fx().jwks, now.value_or(Fx().now), e);
  }

  // The invalid fixture `name` is refused as unauthenticated, for `reason`.
  static void ExpectRefused(const std::string& name, std::string_view reason,
                            Expectations e = HttpApi()) {
    SCOPED_TRACE(name);
    if (!Fx().invalid.contains(name)) {
      ADD_FAILURE() << "no invalid fixture named " << name;
      return;
    }
    absl::StatusOr<VerifiedToken> r = Check(Fx().invalid.at(name), e);
    ASSERT_FALSE(r.ok()) << "accepted";
    EXPECT_EQ(r.status().code(), absl::StatusCode::kUnauthenticated);
    EXPECT_NE(Message(r.status()).find(reason), std::string_view::npos)
        << "refused for another reason: " << Message(r.status()) << "\nexpected: " << reason;
  }
};

// ---- Attack classes -----------------------------------------------------------------------
// Every invalid fixture belongs to exactly one class below, with the reason it must be
// refused for (a substring of the error): a token refused for an incidental reason fails.

struct Attack {
  std::string name;
  std::string reason;
};
const std::map<std::string, std::vector<Attack>>& AttackClasses() {
  static const auto* classes = new std::map<std::string, std::vector<Attack>>{
      {"alg-none",
       {{"alg-none-unsigned", "alg none"},
        {"alg-None-unsigned", "alg none"},
        {"alg-NONE-unsigned", "alg none"},
        {"alg-none-with-signature", "alg none"}}},
      {"hmac-confusion",
       {{"hs256-rsa-public-key-pem", "HMAC is refused"},
        {"hs384-rsa-public-key-der", "HMAC is refused"},
        {"hs512-rsa-public-key-jwk-json", "HMAC is refused"},
        {"hs256-oct-key", "HMAC is refused"}}},
      {"unsupported-alg",
       {{"alg-eddsa", "alg \"EdDSA\" is not supported"},
        {"alg-lowercase", "alg \"rs256\" is not supported"},
        {"alg-es512", "alg \"ES512\" is not supported"},
        {"alg-not-string", "\"alg\" is not a string"},
        {"alg-missing", "no \"alg\""}}},
      {"alg-differs-from-jwk", {{"alg-differs-from-jwk-alg", "is for RS256"}}},
      {"key-type-mismatch",
       {{"es256-with-rsa-kid", "needs an EC key"},
        {"rs256-with-ec-kid", "needs an RSA key"},
        {"es384-with-p256-kid", "needs a P-384 key"},
        {"es256-with-p384-kid", "needs a P-256 key"}}},
      {"kid-unknown",
       {{"kid-unknown", "no key with kid \"rsa-404\""},
        {"kid-path", "no key with kid \"../../../dev/null\""}}},
      {"kid-missing",
       {{"kid-missing", "no \"kid\""}, {"kid-not-string", "\"kid\" is not a non-empty string"}}},
      {"key-not-for-signatures",
       {{"kid-use-enc", "not usable: use is \"enc\""},
        {"kid-key-ops-encrypt", "not usable: key_ops does not include \"verify\""}}},
      {"crit", {{"crit-exp", "\"crit\""}, {"crit-b64-false", "\"crit\""}}},
      {"expired", {{"expired", "expired at 1795000900"}}},
      {"not-yet-valid", {{"nbf-future", "not valid before 1795001600"}}},
      {"issued-in-future", {{"iat-future", "issued in the future"}}},
      {"bad-time-claims",
       {{"exp-missing", "no \"exp\""},
        {"exp-string", "\"exp\" is not a NumericDate"},
        {"exp-huge", "\"exp\" is not a NumericDate"},
        {"nbf-bool", "\"nbf\" is not a NumericDate"}}},
      {"wrong-issuer",
       {{"iss-trailing-slash", "is not the expected issuer"},
        {"iss-case", "is not the expected issuer"},
        {"iss-missing", "no \"iss\""},
        {"iss-array", "\"iss\" is a array, not a string"}}},
      {"wrong-audience",
       {{"aud-wrong", "\"aud\" matches no expected audience"},
        {"aud-wrong-client-id-right", "\"aud\" matches no expected audience"},
        {"client-id-wrong", "\"client_id\" matches no expected audience"},
        {"aud-not-string", "not a string or a non-empty array"},
        {"aud-array-with-number", "\"aud\" holds a non-string"}}},
      {"signed-by-other-key",
       {{"signed-by-other-key", "signature does not verify"},
        {"embedded-jwk-ignored", "signature does not verify"}}},
      {"signature-of-other-token",
       {{"signature-of-other-token", "signature does not verify"},
        {"payload-of-other-token", "signature does not verify"}}},
      {"tampered",
       {{"payload-tampered", "signature does not verify"},
        {"header-tampered", "signature does not verify"}}},
      {"rsa-signature-length",
       {{"signature-truncated", "signature of 192 bytes"},
        {"signature-short-byte", "signature of 255 bytes"},
        {"signature-leading-zero", "signature of 257 bytes"},
        {"signature-empty", "signature of 0 bytes"}}},
      {"rsa-padding-or-hash-mismatch",
       {{"ps256-salt-zero", "signature does not verify"},
        {"ps256-pkcs1-signature", "signature does not verify"},
        {"rs256-pss-signature", "signature does not verify"},
        {"rs384-sha256-signature", "signature does not verify"}}},
      {"ecdsa-signature-form",
       {{"es256-der-signature", "makes 64"},
        {"es256-63-bytes", "signature of 63 bytes"},
        {"es256-65-bytes", "signature of 65 bytes"}}},
      {"ecdsa-out-of-range",
       {{"es256-r-zero", "signature does not verify"},
        {"es256-s-zero", "signature does not verify"},
        {"es256-s-order", "signature does not verify"},
        {"es256-swapped-rs", "signature does not verify"}}},
      {"base64-strictness",
       {{"base64-padded-signature", "signature is not unpadded base64url"},
        {"base64-padded-header", "header is not unpadded base64url"},
        {"base64-standard-alphabet", "signature is not unpadded base64url"},
        {"base64-noncanonical-tail", "signature is not unpadded base64url"},
        {"base64-length-1-mod-4", "signature is not unpadded base64url"}}},
      {"segments",
       {{"four-segments", "4 segments"},
        {"jwe-five-segments", "a JWE (five segments)"},
        {"two-segments", "2 segments"}}},
      {"whitespace-and-bytes",
       {{"whitespace-leading", "header is not unpadded base64url"},
        {"whitespace-trailing-newline", "signature is not unpadded base64url"},
        {"whitespace-inside", "payload is not unpadded base64url"},
        {"whitespace-line-break", "payload is not unpadded base64url"},
        {"nul-inside", "payload is not unpadded base64url"},
        {"non-ascii", "payload is not unpadded base64url"}}},
      {"empty", {{"empty", "empty token"}, {"dots-only", "header is not valid JSON"}}},
      {"oversized", {{"oversized", "(at most 8192)"}}},
      {"not-an-object",
       {{"header-array", "header is a JSON array, not an object"},
        {"header-string", "header is a JSON string, not an object"},
        {"header-not-json", "header is not valid JSON"},
        {"header-trailing-garbage", "header is not valid JSON"},
        {"payload-array", "payload is a JSON array, not an object"},
        {"payload-null", "payload is a JSON null, not an object"},
        {"payload-not-json", "payload is not valid JSON"}}},
      {"invalid-utf8", {{"payload-invalid-utf8", "json-utf8"}}},
      {"duplicate-members",
       {{"duplicate-header-alg", "header has a duplicate member \"alg\""},
        {"duplicate-claim-exp", "payload has a duplicate member \"exp\""},
        {"duplicate-claim-sub", "payload has a duplicate member \"sub\""},
        {"duplicate-claim-nested", "payload has a duplicate member \"country\""}}},
      {"deep-nesting", {{"deeply-nested-claim", "json-depth"}}},
  };
  return *classes;
}

class AttackTest : public JwtTest {
 protected:
  static void ExpectClassRefused(const std::string& cls) {
    const auto it = AttackClasses().find(cls);
    ASSERT_NE(it, AttackClasses().end()) << cls;
    for (const Attack& a : it->second) ExpectRefused(a.name, a.reason);
  }
};

TEST_F(AttackTest, AlgNoneWithAndWithoutSignature) { ExpectClassRefused("alg-none"); }
TEST_F(AttackTest, HmacSignedWithThePublicKeyOrAnOctKey) { ExpectClassRefused("hmac-confusion"); }
TEST_F(AttackTest, UnsupportedOrMissingAlg) { ExpectClassRefused("unsupported-alg"); }
TEST_F(AttackTest, AlgDiffersFromTheJwkAlg) { ExpectClassRefused("alg-differs-from-jwk"); }
TEST_F(AttackTest, KeyTypeOrCurveDoesNotFitAlg) { ExpectClassRefused("key-type-mismatch"); }
TEST_F(AttackTest, UnknownKid) { ExpectClassRefused("kid-unknown"); }
TEST_F(AttackTest, MissingOrMalformedKid) { ExpectClassRefused("kid-missing"); }
TEST_F(AttackTest, KeyMarkedForEncryption) { ExpectClassRefused("key-not-for-signatures"); }
TEST_F(AttackTest, CritHeader) { ExpectClassRefused("crit"); }
TEST_F(AttackTest, Expired) { ExpectClassRefused("expired"); }
TEST_F(AttackTest, NotBeforeInTheFuture) { ExpectClassRefused("not-yet-valid"); }
TEST_F(AttackTest, IssuedInTheFuture) { ExpectClassRefused("issued-in-future"); }
TEST_F(AttackTest, MissingOrMalformedTimeClaims) { ExpectClassRefused("bad-time-claims"); }
TEST_F(AttackTest, WrongIssuer) { ExpectClassRefused("wrong-issuer"); }
TEST_F(AttackTest, WrongAudience) { ExpectClassRefused("wrong-audience"); }
TEST_F(AttackTest, SignedByAnotherKey) { ExpectClassRefused("signed-by-other-key"); }
TEST_F(AttackTest, SignatureOfAnotherToken) { ExpectClassRefused("signature-of-other-token"); }
TEST_F(AttackTest, TamperedAfterSigning) { ExpectClassRefused("tampered"); }
TEST_F(AttackTest, RsaSignatureOfTheWrongLength) { ExpectClassRefused("rsa-signature-length"); }
TEST_F(AttackTest, RsaPaddingOrHashMismatch) { ExpectClassRefused("rsa-padding-or-hash-mismatch"); }
TEST_F(AttackTest, EcdsaDerOrWrongLengthSignature) { ExpectClassRefused("ecdsa-signature-form"); }
TEST_F(AttackTest, EcdsaScalarsOutOfRange) { ExpectClassRefused("ecdsa-out-of-range"); }
TEST_F(AttackTest, Base64PaddingAlphabetAndNonCanonicalForms) {
  ExpectClassRefused("base64-strictness");
}
TEST_F(AttackTest, WrongSegmentCountOrJwe) { ExpectClassRefused("segments"); }
TEST_F(AttackTest, WhitespaceAndStrayBytes) { ExpectClassRefused("whitespace-and-bytes"); }
TEST_F(AttackTest, EmptyToken) { ExpectClassRefused("empty"); }
TEST_F(AttackTest, NonObjectOrNonJsonHeaderAndPayload) { ExpectClassRefused("not-an-object"); }
TEST_F(AttackTest, InvalidUtf8Payload) { ExpectClassRefused("invalid-utf8"); }
TEST_F(AttackTest, DuplicateMembers) { ExpectClassRefused("duplicate-members"); }
TEST_F(AttackTest, DeeplyNestedClaims) { ExpectClassRefused("deep-nesting"); }

TEST_F(AttackTest, OversizedTokenRefusedBeforeParsing) {
  ExpectClassRefused("oversized");
  // The same token is otherwise valid: the size alone refuses it.
  Expectations roomy = HttpApi();
  roomy.max_token_bytes = 16384;
  EXPECT_TRUE(Check(Fx().invalid.at("oversized"), roomy).ok());
}

TEST_F(AttackTest, EveryFixtureBelongsToOneClass) {
  std::map<std::string, int> seen;
  for (const auto& [cls, attacks] : AttackClasses()) {
    for (const Attack& a : attacks) ++seen[a.name];
  }
  EXPECT_GE(AttackClasses().size(), 20u);
  for (const auto& [name, token] : Fx().invalid) {
    EXPECT_EQ(seen[name], 1) << name << " is in " << seen[name] << " attack classes";
  }
  for (const auto& [name, count] : seen) {
    EXPECT_TRUE(Fx().invalid.contains(name)) << "no fixture for " << name;
  }
}

// Refusal does not depend on the audience configuration: with no audience check and the most
// lenient settings, everything is still refused except the audience attacks.
TEST_F(AttackTest, RefusedUnderLenientExpectations) {
  Expectations lenient;
  lenient.issuer = Fx().issuer;
  lenient.max_token_bytes = 1 << 20;
  const std::set<std::string> needs_audience = {"aud-wrong", "aud-wrong-client-id-right",
                                                "client-id-wrong"};
  const std::set<std::string> needs_size = {"oversized"};
  for (const auto& [name, token] : Fx().invalid) {
    if (needs_audience.contains(name) || needs_size.contains(name)) continue;
    EXPECT_FALSE(Check(token, lenient).ok()) << name;
  }
}

// ---- Malformed JWK Sets -------------------------------------------------------------------

TEST_F(JwtTest, MalformedOrWeakJwksIsRefused) {
  const std::map<std::string, std::string> reasons = {
      {"rsa-1024-bit", "RSA modulus of 1024 bits"},
      {"rsa-512-bit", "RSA modulus of 512 bits"},
      {"rsa-exponent-1", "exponent must be odd and greater than 1"},
      {"rsa-exponent-even", "exponent must be odd and greater than 1"},
      {"rsa-exponent-empty", "exponent must be odd and greater than 1"},
      {"rsa-modulus-even", "RSA modulus is even"},
      {"rsa-missing-n", "\"n\" is missing"},
      {"rsa-n-number", "\"n\" is not a string"},
      {"rsa-n-padded", "\"n\" is not unpadded base64url"},
      {"rsa-n-standard-alphabet", "\"n\" is not unpadded base64url"},
      {"rsa-alg-es256", "alg ES256 does not fit kty RSA"},
      {"rsa-private", "private key member \"d\""},
      {"ec-not-on-curve", "not a valid P-256 point"},
      {"ec-zero-point", "not a valid P-256 point"},
      {"ec-x-31-bytes", "must be 32 bytes each"},
      {"ec-missing-y", "\"y\" is missing"},
      {"ec-alg-mismatch", "alg ES384 does not fit crv \"P-256\""},
      {"ec-private", "private key member \"d\""},
      {"duplicate-kid", "kid \"k\" names two usable keys"},
      {"kid-number", "\"kid\" is a number, not a string"},
      {"kty-missing", "\"kty\" is missing"},
      {"use-number", "\"use\" is a number"},
      {"key-ops-string", "\"key_ops\" is not an array"},
      {"key-not-object", "keys[0]: a string, not an object"},
      {"keys-not-array", "\"keys\" must be an array"},
      {"keys-missing", "\"keys\" must be an array"},
      {"jwks-not-object", "not an object"},
      {"duplicate-keys-member", "duplicate member \"keys\""},
      {"duplicate-key-member", "duplicate member \"kty\""},
      {"jwks-not-json", "not valid JSON"},
      {"jwks-empty", "not valid JSON"},
  };
  for (const auto& [name, text] : Fx().bad_jwks) {
    SCOPED_TRACE(name);
    absl::StatusOr<Jwks> jwks = Jwks::Parse(text);
    ASSERT_FALSE(jwks.ok());
    EXPECT_EQ(jwks.status().code(), absl::StatusCode::kInvalidArgument);
    ASSERT_TRUE(reasons.contains(name)) << "no expected reason for this fixture";
    EXPECT_NE(Message(jwks.status()).find(reasons.at(name)), std::string_view::npos)
        << Message(jwks.status());
  }
  for (const auto& [name, reason] : reasons) EXPECT_TRUE(Fx().bad_jwks.contains(name)) << name;
}

TEST_F(JwtTest, JwksKeepsOnlyUsableSignatureKeys) {
  const Jwks& jwks = *Fx().jwks;
  EXPECT_EQ(jwks.size(), 6u);
  for (const char* kid : {"rsa-1", "rsa-2", "rsa-1-rs256", "rsa-4096", "ec-1", "ec-384"}) {
    EXPECT_TRUE(jwks.Contains(kid)) << kid;
  }
  for (const char* kid : {"enc-1", "ops-1", "ed-1", "oct-1", ""}) {
    EXPECT_FALSE(jwks.Contains(kid)) << kid;
  }
}

TEST_F(JwtTest, JwksWithOnlySkippedKeysVerifiesNothing) {
  absl::StatusOr<Jwks> jwks = Jwks::Parse(
      R"({"keys": [{"kty": "oct", "kid": "rsa-1", "k": "c2VjcmV0"},
                   {"kty": "EC", "kid": "x", "crv": "P-521", "x": "AA", "y": "AA"},
                   {"kty": "RSA", "n": "AQAB", "e": "AQAB"}]})");
  ASSERT_TRUE(jwks.ok()) << Message(jwks.status());
  EXPECT_EQ(jwks->size(), 0u);
  absl::StatusOr<VerifiedToken> r = Verify(Valid("id-RS256"), *jwks, Fx().now, HttpApi());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(Message(r.status()).find("is not usable: kty \"oct\""), std::string_view::npos)
      << Message(r.status());
}

TEST_F(JwtTest, JwksCopiesShareKeys) {
  const Jwks copy = *Fx().jwks;
  EXPECT_TRUE(Verify(Valid("id-ES256"), copy, Fx().now, HttpApi()).ok());
}

// ---- Valid tokens -------------------------------------------------------------------------

TEST_F(JwtTest, EverySupportedAlgVerifies) {
  for (const char* alg : {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"}) {
    SCOPED_TRACE(alg);
    absl::StatusOr<VerifiedToken> t = Check(Valid(StrCat("id-", alg)));
    ASSERT_TRUE(t.ok()) << Message(t.status());
    EXPECT_EQ(AlgName(t->alg()), alg);
    EXPECT_EQ(t->iss(), Fx().issuer);
    EXPECT_EQ(t->sub(), "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
    EXPECT_EQ(t->token_use(), "id");
    EXPECT_EQ(t->client_id(), "");
    EXPECT_EQ(t->exp(), Fx().exp);
    EXPECT_EQ(t->verified_at(), Fx().now);
    EXPECT_TRUE(t->scopes().empty());
    EXPECT_EQ(t->ClaimStrings("cognito:groups"), (std::vector<std::string>{"admins", "readers"}));
    EXPECT_EQ(t->ClaimStrings("email"), std::vector<std::string>{"alice@example.com"});
    EXPECT_EQ(t->ClaimStrings("email_verified"), std::nullopt);
    EXPECT_EQ(t->ClaimStrings("absent"), std::nullopt);
    ASSERT_NE(t->Claim("email_verified"), nullptr);
    EXPECT_TRUE(t->Claim("email_verified")->boolean);
    EXPECT_EQ(t->Claim("absent"), nullptr);
    EXPECT_EQ(t->header().Find("typ")->text, "JWT");
  }
}

TEST_F(JwtTest, Rsa4096Key) {
  absl::StatusOr<VerifiedToken> t = Check(Valid("id-PS512-rsa-4096"));
  ASSERT_TRUE(t.ok()) << Message(t.status());
  EXPECT_EQ(t->alg(), Alg::kPS512);
  EXPECT_EQ(t->kid(), "rsa-4096");
}

TEST_F(JwtTest, AlgNamesRoundTrip) {
  for (Alg alg : {Alg::kRS256, Alg::kRS384, Alg::kRS512, Alg::kPS256, Alg::kPS384, Alg::kPS512,
                  Alg::kES256, Alg::kES384}) {
    EXPECT_EQ(ParseAlg(AlgName(alg)), alg);
  }
  for (const char* name : {"none", "HS256", "ES512", "EdDSA", "rs256", "RS256 ", ""}) {
    EXPECT_EQ(ParseAlg(name), std::nullopt) << name;
  }
}

TEST_F(JwtTest, CognitoAccessTokenMatchesByClientId) {
  const std::string& token = Valid("access-RS256");
  absl::StatusOr<VerifiedToken> t = Check(token);
  ASSERT_TRUE(t.ok()) << Message(t.status());
  EXPECT_EQ(t->token_use(), "access");
  EXPECT_EQ(t->client_id(), Fx().client_id);
  EXPECT_EQ(t->scopes(),
            (std::vector<std::string>{"aws.cognito.signin.user.admin", "pets/read", "pets/write"}));
  // Without the client_id rule the access token (no aud) has no audience.
  Expectations strict = HttpApi();
  strict.audience_may_be_client_id = false;
  absl::StatusOr<VerifiedToken> r = Check(token, strict);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(Message(r.status()).find("no \"aud\""), std::string_view::npos);
  // client_id must still name an expected audience.
  Expectations other = HttpApi();
  other.audiences = {"another-client"};
  EXPECT_FALSE(Check(token, other).ok());
  // No audiences configured: not checked.
  Expectations none = HttpApi();
  none.audiences.clear();
  EXPECT_TRUE(Check(token, none).ok());
}

TEST_F(JwtTest, AudienceArray) {
  const std::string& token = Valid("aud-array-RS256");
  EXPECT_TRUE(Check(token).ok());
  Expectations second = HttpApi();
  second.audiences = {Fx().audience2};
  EXPECT_TRUE(Check(token, second).ok());
  Expectations neither = HttpApi();
  neither.audiences = {"x", "y"};
  EXPECT_FALSE(Check(token, neither).ok());
  // An ID token's aud also matches with the client_id rule off.
  Expectations strict = HttpApi();
  strict.audience_may_be_client_id = false;
  EXPECT_TRUE(Check(Valid("id-RS256"), strict).ok());
}

TEST_F(JwtTest, JwkAlgPinsTheTokenAlg) {
  absl::StatusOr<VerifiedToken> t = Check(Valid("pinned-alg-RS256"));
  ASSERT_TRUE(t.ok()) << Message(t.status());
  EXPECT_EQ(t->kid(), "rsa-1-rs256");
}

TEST_F(JwtTest, HeaderWithOnlyAlgAndKid) { EXPECT_TRUE(Check(Valid("no-kid-typ-RS256")).ok()); }

TEST_F(JwtTest, ScpArrayGivesScopes) {
  absl::StatusOr<VerifiedToken> t = Check(Valid("scp-array-RS256"));
  ASSERT_TRUE(t.ok()) << Message(t.status());
  EXPECT_EQ(t->scopes(), (std::vector<std::string>{"pets/read", "pets/write"}));
}

// ECDSA signatures are malleable: (r, n - s) verifies as well as (r, s). JOSE does not ask
// for low-S and real signers emit both halves, so the other half is accepted; it is another
// token string (and another cache entry) for the very same claims, not a forgery.
TEST_F(JwtTest, EcdsaOtherHalfOfSIsTheSameClaims) {
  absl::StatusOr<VerifiedToken> a = Check(Valid("id-ES256"));
  absl::StatusOr<VerifiedToken> b = Check(Valid("id-ES256-other-s"));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(json::Serialize(a->payload()), json::Serialize(b->payload()));
  EXPECT_NE(a->token(), b->token());
}

// RFC 7519 section 4.1.4: the token is valid while now < exp; leeway extends that.
TEST_F(JwtTest, ExpEdges) {
  const std::string& token = Valid("id-RS256");
  const int64_t exp = Fx().exp;
  EXPECT_TRUE(Check(token, HttpApi(), exp - 1).ok());
  absl::StatusOr<VerifiedToken> at = Check(token, HttpApi(), exp);
  ASSERT_FALSE(at.ok());
  EXPECT_NE(Message(at.status()).find("expired"), std::string_view::npos);
  Expectations leeway = HttpApi();
  leeway.leeway_seconds = 30;
  EXPECT_TRUE(Check(token, leeway, exp + 29).ok());
  EXPECT_FALSE(Check(token, leeway, exp + 30).ok());
}

// exp 1795003600.5: still valid in the second 1795003600 (now < exp), expired from the next.
TEST_F(JwtTest, FractionalExpCountsExactly) {
  const std::string& token = Valid("exp-fraction-RS256");
  absl::StatusOr<VerifiedToken> t = Check(token, HttpApi(), Fx().exp);
  ASSERT_TRUE(t.ok()) << Message(t.status());
  EXPECT_EQ(t->exp(), Fx().exp + 1);  // the first whole second at which it has expired
  EXPECT_FALSE(Check(token, HttpApi(), Fx().exp + 1).ok());
}

// RFC 7519 section 4.1.5: valid from nbf on.
TEST_F(JwtTest, NbfEdges) {
  const std::string& token = Valid("nbf-RS256");
  const int64_t nbf = Fx().nbf;
  EXPECT_TRUE(Check(token, HttpApi(), nbf).ok());
  absl::StatusOr<VerifiedToken> early = Check(token, HttpApi(), nbf - 1);
  ASSERT_FALSE(early.ok());
  EXPECT_NE(Message(early.status()).find("not valid before"), std::string_view::npos);
  Expectations leeway = HttpApi();
  leeway.leeway_seconds = 5;
  EXPECT_TRUE(Check(token, leeway, nbf - 5).ok());
  EXPECT_FALSE(Check(token, leeway, nbf - 6).ok());
}

TEST_F(JwtTest, IatEdges) {
  const std::string& token = Valid("id-RS256");
  const int64_t iat = Fx().iat;
  EXPECT_TRUE(Check(token, HttpApi(), iat).ok());
  absl::StatusOr<VerifiedToken> early = Check(token, HttpApi(), iat - 1);
  ASSERT_FALSE(early.ok());
  EXPECT_NE(Message(early.status()).find("issued in the future"), std::string_view::npos);
  Expectations leeway = HttpApi();
  leeway.leeway_seconds = 10;
  EXPECT_TRUE(Check(token, leeway, iat - 10).ok());
  EXPECT_FALSE(Check(token, leeway, iat - 11).ok());
}

TEST_F(JwtTest, ExtremeClocksAreRefusedNotOverflowed) {
  const std::string& token = Valid("id-RS256");
  Expectations leeway = HttpApi();
  leeway.leeway_seconds = 86400;
  for (int64_t now : {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()}) {
    EXPECT_FALSE(Check(token, leeway, now).ok()) << now;
  }
}

TEST_F(JwtTest, ExpectationsAreValidated) {
  const std::string& token = Valid("id-RS256");
  Expectations no_issuer = HttpApi();
  no_issuer.issuer.clear();
  EXPECT_EQ(Check(token, no_issuer).status().code(), absl::StatusCode::kInvalidArgument);
  for (int64_t leeway : {int64_t{-1}, int64_t{86401}}) {
    Expectations e = HttpApi();
    e.leeway_seconds = leeway;
    EXPECT_EQ(Check(token, e).status().code(), absl::StatusCode::kInvalidArgument) << leeway;
  }
  Expectations other_issuer = HttpApi();
  other_issuer.issuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other";
  EXPECT_EQ(Check(token, other_issuer).status().code(), absl::StatusCode::kUnauthenticated);
}

TEST_F(JwtTest, VerifyIsSafeAcrossThreads) {
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&failures] {
      for (int round = 0; round < 10; ++round) {
        for (const auto& [name, token] : Fx().valid) {
          if (!Check(token).ok()) ++failures;
        }
        if (Check(Fx().invalid.at("signed-by-other-key")).ok()) ++failures;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
}

// ---- VerifiedTokenCache -------------------------------------------------------------------

std::shared_ptr<const VerifiedToken> Verified(const std::string& token,
                                              std::optional<int64_t> now = std::nullopt) {
  absl::StatusOr<VerifiedToken> t = Verify(token, *Fx().jwks, now.value_or(Fx().now), HttpApi());
  EXPECT_TRUE(t.ok()) << Message(t.status());
  return t.ok() ? std::make_shared<const VerifiedToken>(std::move(*t)) : nullptr;
}

TEST_F(JwtTest, CacheHitsOnlyBetweenVerificationAndExp) {
  VerifiedTokenCache cache;
  const std::string& token = Valid("id-RS256");
  std::shared_ptr<const VerifiedToken> entry = Verified(token);
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(cache.Lookup(token, Fx().now), nullptr);
  cache.Insert(entry);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.Lookup(token, Fx().now), entry);
  EXPECT_EQ(cache.Lookup(token, Fx().exp - 1), entry);
  EXPECT_EQ(cache.Lookup(token, Fx().exp), nullptr);      // at exp
  EXPECT_EQ(cache.Lookup(token, Fx().exp + 1), nullptr);  // after
  EXPECT_EQ(cache.Lookup(token, Fx().now - 1), nullptr);  // before it was verified
  EXPECT_EQ(cache.Lookup(token, std::numeric_limits<int64_t>::max()), nullptr);
  // A token verified with leeway past exp is still never served from the cache past exp.
  Expectations leeway = HttpApi();
  leeway.leeway_seconds = 60;
  absl::StatusOr<VerifiedToken> late = Verify(token, *Fx().jwks, Fx().exp + 10, leeway);
  ASSERT_TRUE(late.ok());
  cache.Insert(std::make_shared<const VerifiedToken>(std::move(*late)));
  EXPECT_EQ(cache.Lookup(token, Fx().exp + 10), nullptr);
}

TEST_F(JwtTest, CacheNeverConfusesDistinctTokens) {
  VerifiedTokenCache cache;
  std::map<std::string, std::shared_ptr<const VerifiedToken>> entries;
  for (const auto& [name, token] : Fx().valid) {
    entries[token] = Verified(token);
    cache.Insert(entries[token]);
  }
  EXPECT_EQ(cache.size(), Fx().valid.size());
  for (const auto& [token, entry] : entries) {
    EXPECT_EQ(cache.Lookup(token, Fx().now), entry);
  }
  // Near misses: the same token with a changed character, or a prefix, never hits.
  for (const auto& [token, entry] : entries) {
    std::string changed = token;
    changed[changed.size() / 2] ^= 1;
    EXPECT_EQ(cache.Lookup(changed, Fx().now), nullptr);
    EXPECT_EQ(cache.Lookup(std::string_view(token).substr(0, token.size() - 1), Fx().now), nullptr);
  }
  for (const auto& [name, token] : Fx().invalid) {
    EXPECT_EQ(cache.Lookup(token, Fx().now), nullptr) << name;
  }
}

TEST_F(JwtTest, CacheReinsertReplaces) {
  VerifiedTokenCache cache;
  const std::string& token = Valid("id-PS256");
  std::shared_ptr<const VerifiedToken> first = Verified(token);
  std::shared_ptr<const VerifiedToken> later = Verified(token, Fx().now + 100);
  cache.Insert(first);
  cache.Insert(later);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.Lookup(token, Fx().now), nullptr);  // now < the entry's verified_at
  EXPECT_EQ(cache.Lookup(token, Fx().now + 100), later);
}

TEST_F(JwtTest, CacheEvictsTheEntryExpiringFirst) {
  VerifiedTokenCache cache(/*capacity=*/2, /*shards=*/1);
  const std::string &a = Valid("id-RS256"), &b = Valid("id-ES256"),
                    &short_lived = Valid("short-lived-RS256");
  cache.Insert(Verified(a));
  cache.Insert(Verified(short_lived));
  cache.Insert(Verified(b));
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.Lookup(short_lived, Fx().now), nullptr);
  EXPECT_NE(cache.Lookup(a, Fx().now), nullptr);
  EXPECT_NE(cache.Lookup(b, Fx().now), nullptr);
  // Full of live entries: the one expiring first goes (here, any of two equal ones).
  cache.Insert(Verified(Valid("id-PS512")));
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_NE(cache.Lookup(Valid("id-PS512"), Fx().now), nullptr);
}

TEST_F(JwtTest, CacheDropsExpiredEntriesFirst) {
  VerifiedTokenCache cache(/*capacity=*/2, /*shards=*/1);
  const std::string &a = Valid("id-RS256"), &short_lived = Valid("short-lived-RS256");
  cache.Insert(Verified(short_lived));
  cache.Insert(Verified(a));
  // Verified after the short-lived token's exp: that entry is dropped, not `a`.
  const int64_t later = Fx().now + 120;
  cache.Insert(Verified(Valid("id-ES384"), later));
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_NE(cache.Lookup(a, later), nullptr);
  EXPECT_NE(cache.Lookup(Valid("id-ES384"), later), nullptr);
}

TEST_F(JwtTest, CacheWithZeroCapacityCachesNothing) {
  VerifiedTokenCache cache(0);
  cache.Insert(Verified(Valid("id-RS256")));
  cache.Insert(nullptr);
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.Lookup(Valid("id-RS256"), Fx().now), nullptr);
}

TEST_F(JwtTest, CacheStaysBoundedUnderConcurrency) {
  VerifiedTokenCache cache(/*capacity=*/4, /*shards=*/2);
  std::vector<std::shared_ptr<const VerifiedToken>> entries;
  std::vector<std::string> tokens;
  for (const auto& [name, token] : Fx().valid) {
    tokens.push_back(token);
    entries.push_back(Verified(token));
  }
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 200; ++round) {
        const size_t i = (round * 7 + t) % tokens.size();
        cache.Insert(entries[i]);
        std::shared_ptr<const VerifiedToken> hit =
            cache.Lookup(tokens[(i + t) % tokens.size()], Fx().now);
        if (hit != nullptr && hit != entries[(i + t) % tokens.size()]) ++wrong;
        if (cache.size() > 4) ++wrong;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_LE(cache.size(), 4u);
}

}  // namespace
}  // namespace arbiter::jwt
