// Parsers for the typed operands of IAM condition operators and for ARNs. Each returns
// nullopt for text that is not of its type; none throws or allocates on the common path.
// Thread-safe (pure functions).
#ifndef ARBITER_CORE_VALUES_H_
#define ARBITER_CORE_VALUES_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace arbiter {

// Numeric* operands: an optionally signed decimal with optional fraction and exponent
// ("10", "-2.5", "1e3"). Finite values only.
std::optional<double> ParseNumber(std::string_view s);

// Date* operands: ISO 8601 / W3C date-time ("2026-11-22", "2026-11-22T10:00Z",
// "2026-11-22T10:00:00.5+02:00"; no zone means UTC) or epoch seconds ("1763805600").
// Returns milliseconds since the Unix epoch.
std::optional<int64_t> ParseDateMillis(std::string_view s);

// Bool operands and values: "true" or "false", case-insensitive.
std::optional<bool> ParseBool(std::string_view s);

// An IPv4 or IPv6 network. A bare address is a /32 or /128 network.
struct IpNetwork {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // IPv4 uses the first 4
  int prefix = 0;
  bool Contains(const IpNetwork& address) const;
};
std::optional<IpNetwork> ParseCidr(std::string_view s);
// A single IPv4 or IPv6 address: ParseCidr's forms without a "/prefix".
std::optional<IpNetwork> ParseIpAddress(std::string_view s);

// BinaryEquals operands: standard base64 (RFC 4648), padding required.
std::optional<std::string> DecodeBase64(std::string_view s);

// Whether an ARN's account field names the resource's owner (SPEC section 3): any value but
// empty (S3 and other resources without one) and "aws" (AWS-owned, such as the managed
// policies arn:aws:iam::aws:policy/...). A value that is not 12 digits names an owner that
// no caller is, so the request is cross-account and borrows no same-account grant.
inline bool NamesOwner(std::string_view account_field) {
  return !account_field.empty() && account_field != "aws";
}

// arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE; the resource keeps any further colons.
struct ArnParts {
  std::string_view partition, service, region, account, resource;
};
std::optional<ArnParts> SplitArn(std::string_view arn);

// Whether an account principal written `written` (a 12-digit id, or arn:PARTITION:iam::ID:root)
// can name a caller whose ARN is `caller_arn`: the partitions agree. "Each AWS account is
// scoped to one partition", and credentials of one partition cannot reach another
// (aws-fault-isolation-boundaries/partitions.html). A bare id names the account in the
// caller's partition; a caller whose ARN names none is in "aws".
bool SamePartition(std::string_view written, std::string_view caller_arn);

// Whether `arn` names an IAM role. A role's resource-based policy is its trust policy: it
// governs only the sts: actions that assume the role (reference_policies_elements_principal.html).
bool IsRoleArn(const std::optional<ArnParts>& arn);

// True for exactly 12 ASCII digits.
bool IsAccountId(std::string_view s);

}  // namespace arbiter

#endif  // ARBITER_CORE_VALUES_H_
