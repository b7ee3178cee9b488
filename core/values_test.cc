#include "core/values.h"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

namespace arbiter {
namespace {

TEST(ValuesTest, Numbers) {
  EXPECT_EQ(ParseNumber("10"), 10.0);
  EXPECT_EQ(ParseNumber("-2.5"), -2.5);
  EXPECT_EQ(ParseNumber("1e3"), 1000.0);
  EXPECT_EQ(ParseNumber(".5"), 0.5);
  EXPECT_FALSE(ParseNumber(""));
  EXPECT_FALSE(ParseNumber("12abc"));
  EXPECT_FALSE(ParseNumber("1e999999"));
  EXPECT_FALSE(ParseNumber("0x10"));
  EXPECT_FALSE(ParseNumber("nan"));
}

TEST(ValuesTest, Dates) {
  EXPECT_EQ(ParseDateMillis("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseDateMillis("2026-11-22T10:00:00Z"), int64_t{1795341600} * 1000);
  EXPECT_EQ(ParseDateMillis("1795341600"), int64_t{1795341600} * 1000);
  EXPECT_EQ(ParseDateMillis("2026-11-22T12:00:00+02:00"), ParseDateMillis("2026-11-22T10:00:00Z"));
  EXPECT_EQ(ParseDateMillis("2026-11-22T10:00Z"), ParseDateMillis("2026-11-22T10:00:00Z"));
  EXPECT_EQ(ParseDateMillis("2026-11-22T10:00:00.250Z"), int64_t{1795341600} * 1000 + 250);
  EXPECT_EQ(ParseDateMillis("2026-11-22"), int64_t{1795305600} * 1000);
  EXPECT_EQ(ParseDateMillis("2026"), ParseDateMillis("2026-01-01"));
  EXPECT_EQ(ParseDateMillis("2024-02-29"),
            ParseDateMillis("2024-02-28T00:00:00Z").value() + 86400000);
  EXPECT_FALSE(ParseDateMillis("2023-02-29"));
  EXPECT_FALSE(ParseDateMillis("2026-13-01"));
  EXPECT_FALSE(ParseDateMillis("2026-11-22T25:00:00Z"));
  EXPECT_FALSE(ParseDateMillis("yesterday"));
  EXPECT_FALSE(ParseDateMillis("2026-11-22T10:00:00Q"));
  EXPECT_FALSE(ParseDateMillis(""));
}

TEST(ValuesTest, Bools) {
  EXPECT_EQ(ParseBool("true"), true);
  EXPECT_EQ(ParseBool("FALSE"), false);
  EXPECT_FALSE(ParseBool("yes"));
  EXPECT_FALSE(ParseBool("1"));
}

TEST(ValuesTest, IpAddressesAreNotNetworks) {
  EXPECT_TRUE(ParseIpAddress("203.0.113.7"));
  EXPECT_TRUE(ParseIpAddress("2001:db8::7"));
  EXPECT_FALSE(ParseIpAddress("203.0.113.7/32"));
  EXPECT_FALSE(ParseIpAddress("203.0.113.0/24"));
  EXPECT_FALSE(ParseIpAddress("203.0.113.010"));
  EXPECT_FALSE(ParseIpAddress(""));
}

TEST(ValuesTest, Ipv4Networks) {
  auto net = ParseCidr("203.0.113.0/24");
  ASSERT_TRUE(net);
  EXPECT_TRUE(net->Contains(*ParseCidr("203.0.113.7")));
  EXPECT_FALSE(net->Contains(*ParseCidr("203.0.114.7")));
  EXPECT_TRUE(ParseCidr("0.0.0.0/0")->Contains(*ParseCidr("8.8.8.8")));
  EXPECT_TRUE(ParseCidr("10.1.2.3")->Contains(*ParseCidr("10.1.2.3")));
  EXPECT_FALSE(ParseCidr("10.1.2.3")->Contains(*ParseCidr("10.1.2.4")));
  EXPECT_TRUE(ParseCidr("10.0.0.0/9")->Contains(*ParseCidr("10.127.255.255")));
  EXPECT_FALSE(ParseCidr("10.0.0.0/9")->Contains(*ParseCidr("10.128.0.0")));
  EXPECT_FALSE(ParseCidr("256.0.0.1"));
  EXPECT_FALSE(ParseCidr("10.0.0.0/33"));
  EXPECT_FALSE(ParseCidr("10.0.0"));
  EXPECT_FALSE(ParseCidr("010.0.0.1"));
  EXPECT_FALSE(ParseCidr("10.0.0.1/"));
}

TEST(ValuesTest, Ipv6Networks) {
  auto net = ParseCidr("2001:db8::/32");
  ASSERT_TRUE(net);
  EXPECT_TRUE(net->Contains(*ParseCidr("2001:db8:1234::1")));
  EXPECT_FALSE(net->Contains(*ParseCidr("2001:db9::1")));
  EXPECT_TRUE(ParseCidr("::/0")->Contains(*ParseCidr("::1")));
  EXPECT_TRUE(ParseCidr("2001:DB8:0:0:0:0:0:1/128")->Contains(*ParseCidr("2001:db8::1")));
  EXPECT_FALSE(ParseCidr("2001:db8::/129"));
  EXPECT_FALSE(ParseCidr("2001:db8:::1"));
  EXPECT_FALSE(ParseCidr("1:2:3:4:5:6:7:8:9"));
  EXPECT_FALSE(ParseCidr("2001:db8::g"));
  // Families do not mix, except an IPv4-mapped IPv6 address inside an IPv4 network.
  EXPECT_FALSE(ParseCidr("10.0.0.0/8")->Contains(*ParseCidr("2001:db8::1")));
  EXPECT_TRUE(ParseCidr("10.0.0.0/8")->Contains(*ParseCidr("::ffff:10.1.2.3")));
  EXPECT_FALSE(ParseCidr("2001:db8::/32")->Contains(*ParseCidr("10.0.0.1")));
}

TEST(ValuesTest, Base64) {
  EXPECT_EQ(DecodeBase64("QmluYXJ5"), "Binary");
  EXPECT_EQ(DecodeBase64(""), "");
  EXPECT_FALSE(DecodeBase64("QmluYXJ"));
  EXPECT_FALSE(DecodeBase64("Qm!uYXJ5"));
}

// The five fields as a byte-by-byte split finds them, with colons at every offset (the
// split reads eight bytes at a time).
TEST(ValuesTest, SplitArnFindsColonsAtEveryOffset) {
  auto naive = [](std::string_view arn) -> std::optional<std::vector<std::string_view>> {
    if (arn.substr(0, 4) != "arn:") return std::nullopt;
    std::vector<std::string_view> fields;
    size_t start = 4;
    for (int k = 0; k < 4; ++k) {
      const size_t colon = arn.find(':', start);
      if (colon == std::string_view::npos) return std::nullopt;
      fields.push_back(arn.substr(start, colon - start));
      start = colon + 1;
    }
    fields.push_back(arn.substr(start));
    return fields;
  };
  for (size_t a = 0; a < 12; ++a) {
    for (size_t b = 0; b < 12; ++b) {
      for (size_t c = 0; c < 20; c += 3) {
        for (const char* tail : {"", "x", "r:s:t", "::::::::::"}) {
          const std::string arn = "arn:" + std::string(a, 'p') + ":" + std::string(b, 's') + ":" +
                                  std::string(c, 'r') + ":123456789012:" + tail;
          for (size_t cut = 0; cut <= arn.size(); ++cut) {
            const std::string_view s = std::string_view(arn).substr(0, cut);
            const auto want = naive(s);
            const auto got = SplitArn(s);
            ASSERT_EQ(got.has_value(), want.has_value()) << s;
            if (!got) continue;
            EXPECT_EQ(got->partition, (*want)[0]) << s;
            EXPECT_EQ(got->service, (*want)[1]) << s;
            EXPECT_EQ(got->region, (*want)[2]) << s;
            EXPECT_EQ(got->account, (*want)[3]) << s;
            EXPECT_EQ(got->resource, (*want)[4]) << s;
          }
        }
      }
    }
  }
}

TEST(ValuesTest, Arns) {
  auto a = SplitArn("arn:aws:s3:::bucket/key:with:colons");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->service, "s3");
  EXPECT_EQ(a->account, "");
  EXPECT_EQ(a->resource, "bucket/key:with:colons");
  EXPECT_FALSE(SplitArn("arn:aws:s3::bucket"));
  EXPECT_FALSE(SplitArn("*"));
  EXPECT_TRUE(IsAccountId("111122223333"));
  EXPECT_FALSE(IsAccountId("11112222333"));
  EXPECT_FALSE(IsAccountId("11112222333a"));
}

}  // namespace
}  // namespace arbiter
