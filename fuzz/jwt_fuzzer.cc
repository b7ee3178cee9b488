// Any bytes as a bearer token, verified against the fixture JWK Set (tests/fixtures/jwt/)
// at the fixtures' fixed time, under a strict (HTTP API: issuer, audience, client_id rule)
// and a lenient (issuer only, 1 MiB) configuration. Aborts when:
//  - a token verifies that is not byte-for-byte one of the fixture tokens (nothing can be
//    forged, and no second spelling of a token is accepted);
//  - the verified-token cache returns an entry for a token that does not verify.
// Crashes, leaks and undefined behaviour are caught by ASan/UBSan.
//
// The fixtures are read from ARBITER_SOURCE_DIR (a compile definition), else from the
// current directory (scripts/fuzz.sh runs from the repository root).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "core/file.h"
#include "jwt/jwt.h"

#ifndef ARBITER_SOURCE_DIR
#define ARBITER_SOURCE_DIR "."
#endif

namespace {

using namespace arbiter;

struct State {
  std::optional<jwt::Jwks> jwks;
  std::set<std::string, std::less<>> fixture_tokens;
  int64_t now = 0;
  jwt::Expectations strict, lenient;
};

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "jwt_fuzzer: %s\n", what);
  std::abort();
}

const State& Get() {
  static const State* state = [] {
    auto* s = new State;
    const std::string dir = ARBITER_SOURCE_DIR "/tests/fixtures/jwt/";
    absl::StatusOr<jwt::Jwks> jwks = jwt::Jwks::Parse(Slurp(dir + "jwks.json"));
    if (!jwks.ok()) Die("cannot load tests/fixtures/jwt/jwks.json");
    s->jwks = std::move(*jwks);
    json::Value root;
    json::Error error;
    if (!json::Parse(Slurp(dir + "tokens.json"), &root, &error)) {
      Die("cannot load tests/fixtures/jwt/tokens.json");
    }
    for (const char* list : {"valid", "invalid"}) {
      const json::Value* items = root.Find(list);
      if (items == nullptr) Die("tokens.json lacks a token list");
      for (const json::Value& item : items->elements) {
        if (const json::Value* token = item.Find("token")) s->fixture_tokens.insert(token->text);
      }
    }
    const json::Value *now = root.Find("now"), *issuer = root.Find("issuer"),
                      *client_id = root.Find("client_id");
    if (now == nullptr || issuer == nullptr || client_id == nullptr) Die("tokens.json lacks now");
    s->now = std::stoll(now->text);
    s->strict.issuer = s->lenient.issuer = issuer->text;
    s->strict.audiences = {client_id->text};
    s->strict.audience_may_be_client_id = true;
    s->lenient.max_token_bytes = 1 << 20;
    return s;
  }();
  return *state;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const State& s = Get();
  static jwt::VerifiedTokenCache* cache = new jwt::VerifiedTokenCache(64);
  const std::string_view token(reinterpret_cast<const char*>(data), size);
  const bool is_fixture = s.fixture_tokens.contains(token);
  for (const jwt::Expectations* e : {&s.strict, &s.lenient}) {
    absl::StatusOr<jwt::VerifiedToken> r = jwt::Verify(token, *s.jwks, s.now, *e);
    if (r.ok() && !is_fixture) Die("a token that is not a fixture verified");
    if (e == &s.strict) {
      // The cache holds only tokens verified under `strict`.
      if (cache->Lookup(token, s.now) != nullptr && !r.ok()) Die("cache hit for a bad token");
      if (r.ok()) cache->Insert(std::make_shared<const jwt::VerifiedToken>(std::move(*r)));
    }
  }
  return 0;
}
