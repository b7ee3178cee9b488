// The gateway's costs, each beside a baseline from the same run:
//  - full RS256 JWT verification (jwt::Verify) vs the bare OpenSSL EVP verification of the
//    same signature with the same key (what `openssl speed rsa2048` measures);
//  - a whole gateway decision with a cached Cognito token, and with a cached Lambda
//    authorizer result (target: <= 1 us);
//  - SigV4 verification with a cached signing key (target: <= 3 us), beside the bare
//    HMAC-SHA256 chain it would otherwise recompute.
// Fixtures: tests/fixtures/jwt (jose-made keys and tokens, fixed times).
#include <benchmark/benchmark.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/file.h"
#include "core/strings.h"
#include "gateway/gateway.h"
#include "json/json.h"
#include "jwt/jwt.h"
#include "sigv4/canonical.h"
#include "sigv4/sigv4.h"

namespace arbiter {
namespace {

std::string Fixture(const std::string& name) {
  return Slurp(StrCat(ARBITER_SOURCE_DIR, "/tests/fixtures/jwt/", name));
}

std::string Base64UrlDecode(std::string_view in) {
  std::string s(in);
  for (char& c : s) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (s.size() % 4) s.push_back('=');
  std::string out(s.size(), '\0');
  int n =
      EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  // EVP_DecodeBlock counts padding as zero bytes: drop them.
  size_t pad = s.size() - in.size();
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

struct Jwt {
  std::string token;
  int64_t now = 0;
  std::string issuer;
  jwt::Jwks jwks;
  EVP_PKEY* key = nullptr;  // rsa-1
};

const Jwt& LoadJwt() {
  static Jwt* fx = [] {
    auto* f = new Jwt{"", 0, "", *jwt::Jwks::Parse(Fixture("jwks.json")), nullptr};
    json::Value tokens, keys;
    json::Error e;
    if (!json::Parse(Fixture("tokens.json"), &tokens, &e)) std::abort();
    f->now = std::stoll(tokens.Find("now")->text);
    f->issuer = tokens.Find("issuer")->text;
    for (const json::Value& v : tokens.Find("valid")->elements) {
      if (v.Find("name")->text == "id-RS256") f->token = v.Find("token")->text;
    }
    if (!json::Parse(Fixture("jwks.json"), &keys, &e)) std::abort();
    for (const json::Value& k : keys.Find("keys")->elements) {
      if (k.Find("kid")->text != "rsa-1") continue;
      const std::string n = Base64UrlDecode(k.Find("n")->text);
      const std::string ev = Base64UrlDecode(k.Find("e")->text);
      BIGNUM* bn = BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()), n.size(), nullptr);
      BIGNUM* be = BN_bin2bn(reinterpret_cast<const unsigned char*>(ev.data()), ev.size(), nullptr);
      OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn);
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be);
      OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
      EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr);
      EVP_PKEY_fromdata_init(ctx);
      EVP_PKEY_fromdata(ctx, &f->key, EVP_PKEY_PUBLIC_KEY, params);
      EVP_PKEY_CTX_free(ctx);
      OSSL_PARAM_free(params);
      OSSL_PARAM_BLD_free(bld);
      BN_free(bn);
      BN_free(be);
    }
    if (f->token.empty() || f->key == nullptr) std::abort();
    return f;
  }();
  return *fx;
}

// Baseline: the RSA-2048 verification alone, as `openssl speed rsa2048` times it: a
// context initialized once (EVP_PKEY_verify_init, PKCS#1 v1.5, SHA-256), the digest
// computed beforehand, one EVP_PKEY_verify per iteration.
void BM_RawEvpVerifyRS256(benchmark::State& state) {
  const Jwt& fx = LoadJwt();
  const size_t dot = fx.token.rfind('.');
  const std::string input = fx.token.substr(0, dot);
  const std::string sig = Base64UrlDecode(std::string_view(fx.token).substr(dot + 1));
  unsigned char hash[32];
  unsigned int hash_len = 0;
  EVP_Digest(input.data(), input.size(), hash, &hash_len, EVP_sha256(), nullptr);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, fx.key, nullptr);
  EVP_PKEY_verify_init(ctx);
  EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING);
  EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256());
  for (auto _ : state) {
    int ok = EVP_PKEY_verify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                             hash, hash_len);
    if (ok != 1) state.SkipWithError("signature did not verify");
    benchmark::DoNotOptimize(ok);
  }
  EVP_PKEY_CTX_free(ctx);
}
BENCHMARK(BM_RawEvpVerifyRS256);

// Full verification: base64url, JSON, header rules, signature, claims.
void BM_JwtVerifyRS256(benchmark::State& state) {
  const Jwt& fx = LoadJwt();
  jwt::Expectations e;
  e.issuer = fx.issuer;
  for (auto _ : state) {
    auto v = jwt::Verify(fx.token, fx.jwks, fx.now, e);
    if (!v.ok()) state.SkipWithError("token did not verify");
    benchmark::DoNotOptimize(v);
  }
}
BENCHMARK(BM_JwtVerifyRS256);

std::string TempDir() {
  static const std::string dir = [] {
    auto p = std::filesystem::temp_directory_path() / StrCat("arbiter-gw-bench-", getpid());
    std::filesystem::create_directories(p);
    return p.string();
  }();
  return dir;
}

gateway::Gateway& LoadGateway() {
  static gateway::Gateway* gw = [] {
    const std::string dir = TempDir();
    std::ofstream(dir + "/jwks.json") << Fixture("jwks.json");
    std::ofstream(dir + "/api.json")
        << R"({"openapi": "3.0.1", "info": {"title": "b", "version": "1"},
      "paths": {"/pets": {"get": {"security": [{"Pool": []}]}},
                "/lambda": {"get": {"security": [{"Tok": []}]}},
                "/iam": {"get": {"security": [{"sigv4": []}]}}},
      "components": {"securitySchemes": {
        "sigv4": {"type": "apiKey", "name": "Authorization", "in": "header",
                  "x-amazon-apigateway-authtype": "awsSigv4"},
        "Pool": {"type": "apiKey", "name": "Authorization", "in": "header",
                 "x-amazon-apigateway-authtype": "cognito_user_pools",
                 "x-amazon-apigateway-authorizer": {"type": "cognito_user_pools",
                   "providerARNs": ["arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_Example"]}},
        "Tok": {"type": "apiKey", "name": "Authorization", "in": "header",
                "x-amazon-apigateway-authtype": "custom",
                "x-amazon-apigateway-authorizer": {"type": "token", "authorizerResultTtlInSeconds": 3600}}}}})";
    std::ofstream(dir + "/world.json") << R"({"policies": {"P": {"Version": "2012-10-17",
      "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*"}]}},
      "principals": [{"arn": "arn:aws:iam::111122223333:user/alice", "identity_policies": ["P"]}]})";
    std::ofstream(dir + "/gateway.json") << R"({"api": {"id": "a1b2c3d4e5", "region": "us-east-1",
        "account": "111122223333", "stage": "prod", "openapi": "api.json",
        "account_throttle": {"rate_limit": 1e9, "burst_limit": 1e9}},
      "world": "world.json",
      "jwks": {"https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example": "jwks.json"},
      "credentials": [{"access_key_id": "AKIDEXAMPLE", "secret_access_key": "bench-secret",
                       "principal": "arn:aws:iam::111122223333:user/alice"}],
      "authorizers": {"Tok": {"command": ["false"]}}})";
    std::string errors;
    auto config = gateway::LoadGateway(dir + "/gateway.json", &errors);
    if (config == nullptr) {
      std::fputs(errors.c_str(), stderr);
      std::abort();
    }
    auto* g = new gateway::Gateway(std::move(config));
    g->RegisterAuthorizer("Tok", [](const std::string&) {
      return gateway::LambdaResult{
          gateway::LambdaResult::Kind::kOk,
          R"({"principalId": "u", "policyDocument": {"Version": "2012-10-17",
          "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*"}]}})"};
    });
    return g;
  }();
  return *gw;
}

void Decide(benchmark::State& state, const gateway::HttpRequest& r) {
  gateway::Gateway& gw = LoadGateway();
  if (gateway::Response first = gw.Authorize(r); first.status != 200) {
    state.SkipWithError(first.ToJson().c_str());
  }
  for (auto _ : state) {
    gateway::Response res = gw.Authorize(r);
    benchmark::DoNotOptimize(res);
  }
}

void BM_GatewayCognitoCachedToken(benchmark::State& state) {
  const Jwt& fx = LoadJwt();
  gateway::HttpRequest r;
  r.method = "GET";
  r.path = "/pets";
  r.headers = {{"Authorization", fx.token}};
  r.time_ms = fx.now * 1000;
  Decide(state, r);
}
BENCHMARK(BM_GatewayCognitoCachedToken);

void BM_GatewayLambdaCachedResult(benchmark::State& state) {
  gateway::HttpRequest r;
  r.method = "GET";
  r.path = "/lambda";
  r.headers = {{"Authorization", "Bearer opaque-token"}};
  r.time_ms = 1795000000000;
  Decide(state, r);
}
BENCHMARK(BM_GatewayLambdaCachedResult);

sigv4::HttpRequest SignedRequest(int64_t now) {
  sigv4::HttpRequest sr;
  sr.method = "GET";
  sr.path = "/prod/iam";
  sr.headers = {{"Host", "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"}};
  sigv4::SignOptions o;
  o.region = "us-east-1";
  o.unix_seconds = now;
  sigv4::Credential cred{"AKIDEXAMPLE", "bench-secret", "", ""};
  if (!sigv4::Sign(&sr, cred, o).ok()) std::abort();
  return sr;
}

// Baseline: the four-HMAC signing-key derivation a verifier without the cache recomputes.
void BM_SigningKeyDerivation(benchmark::State& state) {
  for (auto _ : state) {
    auto key = sigv4::DeriveSigningKey("bench-secret", "20261122", "us-east-1", "execute-api");
    benchmark::DoNotOptimize(key);
  }
}
BENCHMARK(BM_SigningKeyDerivation);

void BM_SigV4VerifyCachedKey(benchmark::State& state) {
  const int64_t now = 1795000000;
  const sigv4::HttpRequest sr = SignedRequest(now);
  sigv4::CredentialStore store;
  if (!store.Add({"AKIDEXAMPLE", "bench-secret", "", "arn:aws:iam::111122223333:user/alice"})
           .ok()) {
    std::abort();
  }
  sigv4::SigningKeyCache cache;
  sigv4::Expect e;
  e.region = "us-east-1";
  e.now_unix_seconds = now;
  const sigv4::CredentialLookup lookup = store.AsLookup();
  if (!sigv4::Verify(sr, lookup, e, &cache).ok()) state.SkipWithError("did not verify");
  for (auto _ : state) {
    sigv4::Outcome o = sigv4::Verify(sr, lookup, e, &cache);
    benchmark::DoNotOptimize(o);
  }
}
BENCHMARK(BM_SigV4VerifyCachedKey);

// The whole gateway decision for a SigV4-signed request: verification with the cached
// key, then the caller's IAM policies.
void BM_GatewayIamSigned(benchmark::State& state) {
  const int64_t now = 1795000000;
  const sigv4::HttpRequest sr = SignedRequest(now);
  gateway::HttpRequest r;
  r.method = "GET";
  r.path = "/iam";
  r.headers = sr.headers;
  r.time_ms = now * 1000;
  Decide(state, r);
}
BENCHMARK(BM_GatewayIamSigned);

}  // namespace
}  // namespace arbiter

BENCHMARK_MAIN();
