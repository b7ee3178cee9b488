#include "sigv4/canonical.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "core/strings.h"

namespace arbiter::sigv4 {
namespace {

constexpr char kHexUpper[] = "0123456789ABCDEF";
constexpr char kHexLower[] = "0123456789abcdef";

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The decimal value of text[pos, pos + n), which must be digits.
std::optional<int> Digits(std::string_view text, size_t pos, size_t n) {
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!IsDigit(text[i])) return std::nullopt;
    v = v * 10 + (text[i] - '0');
  }
  return v;
}

std::optional<int64_t> ToUnix(int year, int month, int day, int hour, int minute, int second) {
  using namespace std::chrono;
  year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                     std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok() || hour > 23 || minute > 59 || second > 59) return std::nullopt;
  int64_t days = sys_days{ymd}.time_since_epoch().count();
  return days * 86400 + hour * 3600 + minute * 60 + second;
}

}  // namespace

void UriEncode(std::string_view in, bool keep_slash, std::string* out) {
  out->reserve(out->size() + in.size());
  for (char ch : in) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (IsUnreserved(c) || (keep_slash && c == '/')) {
      out->push_back(ch);
    } else {
      out->push_back('%');
      out->push_back(kHexUpper[c >> 4]);
      out->push_back(kHexUpper[c & 15]);
    }
  }
}

std::string UriEncode(std::string_view in, bool keep_slash) {
  std::string out;
  UriEncode(in, keep_slash, &out);
  return out;
}

std::string NormalizePath(std::string_view path) {
  std::vector<std::string_view> segments;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view seg = path.substr(start, slash - start);
    if (seg.empty() || seg == ".") {
      // dropped
    } else if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
    } else {
      segments.push_back(seg);
    }
    start = slash + 1;
  }
  std::string out;
  out.reserve(path.size());
  if (StartsWith(path, "/")) out.push_back('/');
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) out.push_back('/');
    out.append(segments[i]);
  }
  if (!segments.empty() && EndsWith(path, "/")) out.push_back('/');
  return out;
}

std::string CanonicalUri(std::string_view path) {
  return UriEncode(NormalizePath(path), /*keep_slash=*/true);
}

std::string CanonicalQuery(const std::vector<std::pair<std::string, std::string>>& query,
                           std::optional<size_t> skip) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (size_t i = 0; i < query.size(); ++i) {
    if (skip && *skip == i) continue;
    encoded.emplace_back(UriEncode(query[i].first), UriEncode(query[i].second));
  }
  // Encoded strings are ASCII, so byte order is the order AWS (and JavaScript's sort over
  // UTF-16 code units) uses.
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (size_t i = 0; i < encoded.size(); ++i) {
    if (i > 0) out.push_back('&');
    StrAppend(&out, encoded[i].first, "=", encoded[i].second);
  }
  return out;
}

std::string CanonicalHeaderValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  bool pending_space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      pending_space = true;
      continue;
    }
    if (pending_space && !out.empty()) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

std::string HexEncode(const uint8_t* data, size_t size) {
  std::string out(size * 2, '\0');
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = kHexLower[data[i] >> 4];
    out[2 * i + 1] = kHexLower[data[i] & 15];
  }
  return out;
}

namespace {

// SHA-256 fetched from the provider once (an implicit fetch per call, as EVP_sha256() and
// HMAC() do, costs more than hashing a short string), and a digest context per thread.
const EVP_MD* Sha256Md() {
  static const EVP_MD* md = [] {
    const EVP_MD* m = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (m == nullptr) std::abort();  // no SHA-256 provider: nothing could be verified
    return m;
  }();
  return md;
}

class DigestContext {
 public:
  DigestContext() : ctx_(EVP_MD_CTX_new()) {
    if (ctx_ == nullptr) std::abort();
  }
  ~DigestContext() { EVP_MD_CTX_free(ctx_); }
  void Begin() {
    if (EVP_DigestInit_ex2(ctx_, Sha256Md(), nullptr) != 1) std::abort();
  }
  void Add(const void* data, size_t size) {
    if (EVP_DigestUpdate(ctx_, data, size) != 1) std::abort();
  }
  Digest End() {
    Digest d{};
    unsigned int len = 0;
    // OpenSSL fails here only when it cannot allocate; no digest could be trusted.
    if (EVP_DigestFinal_ex(ctx_, d.data(), &len) != 1 || len != d.size()) std::abort();
    return d;
  }

 private:
  EVP_MD_CTX* ctx_;
};

DigestContext& ThreadDigest() {
  thread_local DigestContext ctx;
  return ctx;
}

}  // namespace

Digest Sha256(std::string_view data) {
  DigestContext& ctx = ThreadDigest();
  ctx.Begin();
  ctx.Add(data.data(), data.size());
  return ctx.End();
}

std::string Sha256Hex(std::string_view data) {
  Digest d = Sha256(data);
  return HexEncode(d.data(), d.size());
}

// RFC 2104 over SHA-256 (block size 64): H((K ^ opad) || H((K ^ ipad) || data)).
Digest HmacSha256(std::string_view key, std::string_view data) {
  unsigned char block[64] = {0};
  if (key.size() > sizeof block) {
    const Digest k = Sha256(key);
    std::copy(k.begin(), k.end(), block);
  } else {
    std::copy(key.begin(), key.end(), block);
  }
  unsigned char pad[64];
  DigestContext& ctx = ThreadDigest();
  for (size_t i = 0; i < sizeof pad; ++i) pad[i] = block[i] ^ 0x36;
  ctx.Begin();
  ctx.Add(pad, sizeof pad);
  ctx.Add(data.data(), data.size());
  const Digest inner = ctx.End();
  for (size_t i = 0; i < sizeof pad; ++i) pad[i] = block[i] ^ 0x5c;
  ctx.Begin();
  ctx.Add(pad, sizeof pad);
  ctx.Add(inner.data(), inner.size());
  const Digest out = ctx.End();
  OPENSSL_cleanse(block, sizeof block);
  OPENSSL_cleanse(pad, sizeof pad);
  return out;
}

Digest DeriveSigningKey(std::string_view secret_access_key, std::string_view date,
                        std::string_view region, std::string_view service) {
  std::string k_secret = StrCat("AWS4", secret_access_key);
  auto view = [](const Digest& d) {
    return std::string_view(reinterpret_cast<const char*>(d.data()), d.size());
  };
  Digest k_date = HmacSha256(k_secret, date);
  OPENSSL_cleanse(k_secret.data(), k_secret.size());
  Digest k_region = HmacSha256(view(k_date), region);
  Digest k_service = HmacSha256(view(k_region), service);
  Digest k_signing = HmacSha256(view(k_service), kTerminator);
  OPENSSL_cleanse(k_date.data(), k_date.size());
  OPENSSL_cleanse(k_region.data(), k_region.size());
  OPENSSL_cleanse(k_service.data(), k_service.size());
  return k_signing;
}

std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request) {
  return StrCat(kAlgorithm, "\n", amz_date, "\n", scope, "\n", Sha256Hex(canonical_request));
}

std::string SignatureHex(const Digest& signing_key, std::string_view string_to_sign) {
  Digest sig = HmacSha256(
      std::string_view(reinterpret_cast<const char*>(signing_key.data()), signing_key.size()),
      string_to_sign);
  return HexEncode(sig.data(), sig.size());
}

std::optional<int64_t> ParseAmzDate(std::string_view t) {
  if (t.size() != 16 || t[8] != 'T' || t[15] != 'Z') return std::nullopt;
  auto y = Digits(t, 0, 4), mo = Digits(t, 4, 2), d = Digits(t, 6, 2), h = Digits(t, 9, 2),
       mi = Digits(t, 11, 2), s = Digits(t, 13, 2);
  if (!y || !mo || !d || !h || !mi || !s) return std::nullopt;
  return ToUnix(*y, *mo, *d, *h, *mi, *s);
}

std::optional<int64_t> ParseHttpDate(std::string_view t) {
  // "Sun, 06 Nov 1994 08:49:37 GMT"
  static constexpr std::string_view kDays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (t.size() != 29 || t.substr(3, 2) != ", " || t[7] != ' ' || t[11] != ' ' || t[16] != ' ' ||
      t[19] != ':' || t[22] != ':' || t.substr(25) != " GMT") {
    return std::nullopt;
  }
  int month = 0;
  for (int i = 0; i < 12; ++i) {
    if (t.substr(8, 3) == kMonths[i]) month = i + 1;
  }
  auto d = Digits(t, 5, 2), y = Digits(t, 12, 4), h = Digits(t, 17, 2), mi = Digits(t, 20, 2),
       s = Digits(t, 23, 2);
  if (month == 0 || !d || !y || !h || !mi || !s) return std::nullopt;
  std::optional<int64_t> unix = ToUnix(*y, month, *d, *h, *mi, *s);
  if (!unix) return std::nullopt;
  int64_t days = *unix / 86400 - (*unix % 86400 < 0 ? 1 : 0);
  int64_t weekday = ((days % 7) + 7) % 7;  // 1970-01-01 was a Thursday
  if (t.substr(0, 3) != kDays[weekday]) return std::nullopt;
  return unix;
}

std::string FormatAmzDate(int64_t unix_seconds) {
  using namespace std::chrono;
  constexpr int64_t kMin = -62167219200;  // 0000-01-01T00:00:00Z
  constexpr int64_t kMax = 253402300799;  // 9999-12-31T23:59:59Z
  unix_seconds = std::clamp(unix_seconds, kMin, kMax);
  int64_t days = unix_seconds / 86400;
  int64_t secs = unix_seconds % 86400;
  if (secs < 0) {
    secs += 86400;
    days -= 1;
  }
  year_month_day ymd{sys_days{std::chrono::days{days}}};
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04d%02u%02uT%02d%02d%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                static_cast<int>(secs % 60));
  return buf;
}

bool IsToken(std::string_view name) {
  if (name.empty()) return false;
  for (char ch : name) {
    unsigned char c = static_cast<unsigned char>(ch);
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              std::string_view("!#$%&'*+-.^_`|~").find(ch) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

}  // namespace arbiter::sigv4
