// Any bytes as an HTTP request, verified as SigV4 against credentials whose secrets are
// random for the process: never a crash, never a verified request, and every failure
// message valid UTF-8 (the gateway writes it into JSON).
//
// Input, one item per line ('\n'; a line may hold any other byte):
//   line 1          METHOD SP PATH      (the path as sent, with the stage)
//   "h NAME:VALUE"  a header (VALUE taken verbatim after the first ':')
//   "q NAME=VALUE"  a decoded query parameter (split at the first '=')
//   "b TEXT"        appended to the body (lines joined with '\n')
//   "t SECONDS"     arrival time as seconds after 2026-11-22T10:00:00Z (may be negative)
// Seeds in fuzz/corpus/sigv4/ are requests signed by the AWS SDK (tests/fixtures/sigv4).
#include <openssl/rand.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sigv4/sigv4.h"

namespace {

using arbiter::sigv4::Credential;
using arbiter::sigv4::CredentialStore;

std::string RandomSecret() {
  unsigned char bytes[30];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) __builtin_trap();
  std::string out;
  for (unsigned char b : bytes)
    out.push_back("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[b & 63]);
  return out;
}

const CredentialStore& Store() {
  static const CredentialStore* store = [] {
    auto* s = new CredentialStore;
    // The access key ids and the session token of the fixtures, so that seeds reach the
    // signature comparison; the secrets nobody knows.
    if (!s->Add(
              {"AKIAIOSFODNN7EXAMPLE", RandomSecret(), "", "arn:aws:iam::111122223333:user/alice"})
             .ok() ||
        !s->Add({"ASIAIOSFODNN7EXAMPLE", RandomSecret(),
                 "IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQDExampleSessionToke"
                 "nValue+/=",
                 "arn:aws:sts::111122223333:assumed-role/reader/session-1"})
             .ok()) {
      __builtin_trap();
    }
    return s;
  }();
  return *store;
}

arbiter::sigv4::SigningKeyCache& Cache() {
  static auto* cache = new arbiter::sigv4::SigningKeyCache(64);
  return *cache;
}

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80                 ? 1
               : c >= 0xc2 && c <= 0xdf ? 2
               : c >= 0xe0 && c <= 0xef ? 3
               : c >= 0xf0 && c <= 0xf4 ? 4
                                        : 0;
    if (n == 0 || i + n > s.size()) return false;
    uint32_t cp = n == 1 ? c : n == 2 ? c & 0x1f : n == 3 ? c & 0x0f : c & 0x07;
    for (size_t k = 1; k < n; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10ffff))) {
      return false;
    }
    i += n;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  arbiter::sigv4::HttpRequest req;
  int64_t offset = 30;
  bool first = true, have_body = false;
  while (!in.empty()) {
    size_t nl = in.find('\n');
    std::string_view line = in.substr(0, nl);
    in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
    if (first) {
      first = false;
      size_t sp = line.find(' ');
      req.method = std::string(line.substr(0, sp));
      if (sp != std::string_view::npos) req.path = std::string(line.substr(sp + 1));
      continue;
    }
    if (line.size() < 2 || line[1] != ' ') continue;
    std::string_view rest = line.substr(2);
    switch (line[0]) {
      case 'h': {
        size_t colon = rest.find(':');
        req.headers.emplace_back(
            std::string(rest.substr(0, colon)),
            colon == std::string_view::npos ? std::string() : std::string(rest.substr(colon + 1)));
        break;
      }
      case 'q': {
        size_t eq = rest.find('=');
        req.query.emplace_back(
            std::string(rest.substr(0, eq)),
            eq == std::string_view::npos ? std::string() : std::string(rest.substr(eq + 1)));
        break;
      }
      case 'b':
        if (have_body) req.body.push_back('\n');
        req.body.append(rest);
        have_body = true;
        break;
      case 't': {
        int64_t v = 0;
        bool neg = !rest.empty() && rest[0] == '-';
        for (char c : rest.substr(neg ? 1 : 0)) {
          if (c < '0' || c > '9' || v > (int64_t{1} << 40)) break;
          v = v * 10 + (c - '0');
        }
        offset = neg ? -v : v;
        break;
      }
      default:
        break;
    }
  }

  arbiter::sigv4::Expect expect;
  expect.region = "us-east-1";
  expect.now_unix_seconds = 1795341600 + offset;  // 2026-11-22T10:00:00Z + offset
  expect.host = "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com";
  const bool use_cache = size % 2 == 0;
  arbiter::sigv4::Outcome o =
      arbiter::sigv4::Verify(req, Store().AsLookup(), expect, use_cache ? &Cache() : nullptr);
  if (o.ok()) __builtin_trap();  // nobody knows the secrets
  if (!ValidUtf8(o.failure.message) || o.failure.message.empty() ||
      arbiter::sigv4::FailureKindName(o.failure.kind) == "unknown") {
    __builtin_trap();
  }
  return 0;
}
