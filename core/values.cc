#include "core/values.h"

#include <bit>
#include <cmath>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "core/strings.h"

namespace arbiter {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `n` digits at s[*i]; returns -1 when they are not there.
int Digits(std::string_view s, size_t* i, int n) {
  if (*i + n > s.size()) return -1;
  int v = 0;
  for (int k = 0; k < n; ++k) {
    const char c = s[*i + k];
    if (!IsDigit(c)) return -1;
    v = v * 10 + (c - '0');
  }
  *i += n;
  return v;
}

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (H. Hinnant).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool LeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

std::optional<int64_t> ParseIso8601(std::string_view s) {
  size_t i = 0;
  const int year = Digits(s, &i, 4);
  if (year < 0) return std::nullopt;
  int month = 1, day = 1, hour = 0, minute = 0, second = 0, millis = 0, offset_min = 0;
  if (i < s.size() && s[i] == '-') {
    ++i;
    if ((month = Digits(s, &i, 2)) < 1 || month > 12) return std::nullopt;
    if (i < s.size() && s[i] == '-') {
      ++i;
      static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
      const int max_day = kDays[month - 1] + (month == 2 && LeapYear(year) ? 1 : 0);
      if ((day = Digits(s, &i, 2)) < 1 || day > max_day) return std::nullopt;
      if (i < s.size() && (s[i] == 'T' || s[i] == 't')) {
        ++i;
        if ((hour = Digits(s, &i, 2)) < 0 || hour > 23) return std::nullopt;
        if (i >= s.size() || s[i] != ':') return std::nullopt;
        ++i;
        if ((minute = Digits(s, &i, 2)) < 0 || minute > 59) return std::nullopt;
        if (i < s.size() && s[i] == ':') {
          ++i;
          // 60 admits a leap second, as ISO 8601 does.
          if ((second = Digits(s, &i, 2)) < 0 || second > 60) return std::nullopt;
          if (i < s.size() && s[i] == '.') {
            ++i;
            int scale = 100, n = 0;
            while (i < s.size() && IsDigit(s[i])) {
              millis += (s[i] - '0') * scale;
              scale /= 10;
              ++i;
              ++n;
            }
            if (n == 0) return std::nullopt;
          }
        }
        if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
          ++i;
        } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
          const int sign = s[i] == '-' ? -1 : 1;
          ++i;
          const int oh = Digits(s, &i, 2);
          if (oh < 0 || oh > 23) return std::nullopt;
          if (i < s.size() && s[i] == ':') ++i;
          const int om = Digits(s, &i, 2);
          if (om < 0 || om > 59) return std::nullopt;
          offset_min = sign * (oh * 60 + om);
        }
      }
    }
  }
  if (i != s.size()) return std::nullopt;
  const int64_t days = DaysFromCivil(year, month, day);
  const int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_min * 60;
  return secs * 1000 + millis;
}

}  // namespace

std::optional<double> ParseNumber(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  const size_t int_start = i;
  while (i < s.size() && IsDigit(s[i])) ++i;
  bool digits = i > int_start;
  if (i < s.size() && s[i] == '.') {
    ++i;
    const size_t frac_start = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    digits |= i > frac_start;
  }
  if (!digits) return std::nullopt;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    const size_t exp_start = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    if (i == exp_start) return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  double v;
  if (!absl::SimpleAtod(ToAbsl(s), &v) || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<int64_t> ParseDateMillis(std::string_view s) {
  if (s.empty()) return std::nullopt;
  // Epoch seconds: all digits (a leading '-' for dates before 1970), optional fraction.
  // Four digits alone are a year, as in ISO 8601.
  size_t i = s[0] == '-' ? 1 : 0;
  size_t digits = 0;
  while (i < s.size() && IsDigit(s[i])) ++i, ++digits;
  const bool fraction = i < s.size() && s[i] == '.';
  if (digits > 0 && (i == s.size() || fraction) && !(digits == 4 && s[0] != '-' && !fraction)) {
    if (digits > 15) return std::nullopt;
    const std::optional<double> v = ParseNumber(s);
    if (!v) return std::nullopt;
    return static_cast<int64_t>(std::llround(*v * 1000.0));
  }
  return ParseIso8601(s);
}

std::optional<bool> ParseBool(std::string_view s) {
  if (EqualsIgnoreCase(s, "true")) return true;
  if (EqualsIgnoreCase(s, "false")) return false;
  return std::nullopt;
}

namespace {

bool ParseIpv4(std::string_view s, uint8_t* out) {
  int part = 0;
  size_t i = 0;
  while (part < 4) {
    int v = 0, n = 0;
    while (i < s.size() && IsDigit(s[i]) && n < 4) v = v * 10 + (s[i++] - '0'), ++n;
    if (n == 0 || n > 3 || v > 255) return false;
    if (n > 1 && s[i - n] == '0') return false;  // no octal-looking leading zeros
    out[part++] = static_cast<uint8_t>(v);
    if (part < 4) {
      if (i >= s.size() || s[i] != '.') return false;
      ++i;
    }
  }
  return i == s.size();
}

int HexValue(char c) {
  if (IsDigit(c)) return c - '0';
  c = absl::ascii_tolower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool ParseIpv6(std::string_view s, uint8_t* out) {
  uint16_t groups[8] = {};
  int n = 0, gap = -1;
  size_t i = 0;
  if (StartsWith(s, "::")) {
    gap = 0;
    i = 2;
    if (i == s.size()) {
      std::fill(out, out + 16, 0);
      return true;
    }
  }
  while (i < s.size()) {
    if (n >= 8) return false;
    // An embedded IPv4 tail ("::ffff:192.0.2.1") takes two groups.
    const size_t next_colon = s.find(':', i);
    const std::string_view piece =
        s.substr(i, next_colon == std::string_view::npos ? std::string_view::npos : next_colon - i);
    if (piece.find('.') != std::string_view::npos) {
      if (next_colon != std::string_view::npos || n > 6) return false;
      uint8_t v4[4];
      if (!ParseIpv4(piece, v4)) return false;
      groups[n++] = static_cast<uint16_t>(v4[0] << 8 | v4[1]);
      groups[n++] = static_cast<uint16_t>(v4[2] << 8 | v4[3]);
      i = s.size();
      break;
    }
    if (piece.empty() || piece.size() > 4) return false;
    uint16_t v = 0;
    for (char c : piece) {
      const int h = HexValue(c);
      if (h < 0) return false;
      v = static_cast<uint16_t>(v * 16 + h);
    }
    groups[n++] = v;
    i += piece.size();
    if (i == s.size()) break;
    ++i;  // the ':'
    if (i < s.size() && s[i] == ':') {
      if (gap >= 0) return false;  // only one "::"
      gap = n;
      ++i;
      if (i == s.size()) break;
    } else if (i == s.size()) {
      return false;  // trailing single ':'
    }
  }
  uint16_t full[8] = {};
  if (gap < 0) {
    if (n != 8) return false;
    std::copy(groups, groups + 8, full);
  } else {
    if (n > 7) return false;
    std::copy(groups, groups + gap, full);
    std::copy(groups + gap, groups + n, full + 8 - (n - gap));
  }
  for (int g = 0; g < 8; ++g) {
    out[2 * g] = static_cast<uint8_t>(full[g] >> 8);
    out[2 * g + 1] = static_cast<uint8_t>(full[g] & 0xFF);
  }
  return true;
}

}  // namespace

std::optional<IpNetwork> ParseCidr(std::string_view s) {
  IpNetwork net;
  std::string_view addr = s;
  int prefix = -1;
  if (const size_t slash = s.find('/'); slash != std::string_view::npos) {
    addr = s.substr(0, slash);
    const std::string_view p = s.substr(slash + 1);
    if (p.empty() || p.size() > 3) return std::nullopt;
    prefix = 0;
    for (char c : p) {
      if (!IsDigit(c)) return std::nullopt;
      prefix = prefix * 10 + (c - '0');
    }
  }
  if (addr.find(':') != std::string_view::npos) {
    net.v6 = true;
    if (!ParseIpv6(addr, net.bytes.data())) return std::nullopt;
    if (prefix > 128) return std::nullopt;
    net.prefix = prefix < 0 ? 128 : prefix;
  } else {
    if (!ParseIpv4(addr, net.bytes.data())) return std::nullopt;
    if (prefix > 32) return std::nullopt;
    net.prefix = prefix < 0 ? 32 : prefix;
  }
  return net;
}

bool IpNetwork::Contains(const IpNetwork& a) const {
  if (a.v6 != v6) {
    // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 address a.b.c.d.
    static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
    if (!v6 && a.v6 && std::equal(kMapped, kMapped + 12, a.bytes.begin())) {
      IpNetwork v4;
      std::copy(a.bytes.begin() + 12, a.bytes.end(), v4.bytes.begin());
      v4.prefix = 32;
      return Contains(v4);
    }
    return false;
  }
  int bits = prefix;
  for (int i = 0; bits > 0; ++i, bits -= 8) {
    const uint8_t mask = bits >= 8 ? 0xFF : static_cast<uint8_t>(0xFF << (8 - bits));
    if ((bytes[i] & mask) != (a.bytes[i] & mask)) return false;
  }
  return true;
}

std::optional<std::string> DecodeBase64(std::string_view s) {
  if (s.size() % 4 != 0) return std::nullopt;
  for (char c : s) {
    if (!(absl::ascii_isalnum(c) || c == '+' || c == '/' || c == '=')) return std::nullopt;
  }
  std::string out;
  if (!absl::Base64Unescape(ToAbsl(s), &out)) return std::nullopt;
  return out;
}

std::optional<IpNetwork> ParseIpAddress(std::string_view s) {
  if (s.find('/') != std::string_view::npos) return std::nullopt;
  return ParseCidr(s);
}

std::optional<ArnParts> SplitArn(std::string_view arn) {
  if (!StartsWith(arn, "arn:")) return std::nullopt;
  // One pass to the fifth colon, eight bytes at a time (the evaluator splits the resource
  // of every request; a memchr call per short field costs more).
  size_t colons[5];
  int found = 0;
  size_t i = 3;
  if constexpr (std::endian::native == std::endian::little) {
    for (; i + 8 <= arn.size() && found < 5; i += 8) {
      uint64_t m = strings_internal::BytesEqualTo(strings_internal::Load64(arn.data() + i), ':');
      for (; m != 0 && found < 5; m &= m - 1) {
        colons[found++] = i + static_cast<size_t>(std::countr_zero(m)) / 8;
      }
    }
  }
  for (; i < arn.size() && found < 5; ++i) {
    if (arn[i] == ':') colons[found++] = i;
  }
  if (found < 5) return std::nullopt;
  auto field = [&](int k) { return arn.substr(colons[k] + 1, colons[k + 1] - colons[k] - 1); };
  return ArnParts{field(0), field(1), field(2), field(3), arn.substr(colons[4] + 1)};
}

bool IsAccountId(std::string_view s) {
  if (s.size() != 12) return false;
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

bool SamePartition(std::string_view written, std::string_view caller_arn) {
  const std::optional<ArnParts> account = SplitArn(written);
  if (!account) return true;  // a bare account id
  const std::optional<ArnParts> caller = SplitArn(caller_arn);
  return account->partition == (caller ? caller->partition : std::string_view("aws"));
}

bool IsRoleArn(const std::optional<ArnParts>& arn) {
  return arn && arn->service == "iam" && StartsWith(arn->resource, "role/");
}

}  // namespace arbiter
