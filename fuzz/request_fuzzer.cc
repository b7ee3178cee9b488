// Any bytes as a request line, evaluated against a fixed world with conditions of every
// operator family: never a crash.
#include <cstdint>
#include <string_view>

#include "compiler/world.h"
#include "reference/evaluator.h"

namespace {

const arbiter::World& FixedWorld() {
  static const arbiter::World* world = [] {
    std::vector<arbiter::Finding> findings;
    auto w = arbiter::LoadWorld(R"({
      "policies": {"P": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/${aws:username}/*",
         "Condition": {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"]},
                       "DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"},
                       "NumericLessThanIfExists": {"s3:max-keys": "100"},
                       "ForAllValues:StringLike": {"aws:TagKeys": ["team*"]},
                       "ArnLike": {"aws:SourceArn": "arn:aws:*:*:111122223333:*"},
                       "BoolIfExists": {"aws:SecureTransport": "true"},
                       "BinaryEquals": {"x:bin": "QmluYXJ5"},
                       "Null": {"aws:TokenIssueTime": "false"}}},
        {"Effect": "Deny", "NotAction": "s3:Get*", "NotResource": "arn:aws:s3:::b/*",
         "Condition": {"StringNotEqualsIgnoreCase": {"aws:PrincipalTag/team": "${aws:username, 'x'}"}}}]}},
      "principals": [{"arn": "arn:aws:iam::111122223333:user/alice", "identity_policies": ["P"],
                      "permissions_boundary": "P", "tags": {"team": "a"}}],
      "resources": [{"arn": "arn:aws:s3:::b", "account": "111122223333"}],
      "organization": {"id": "o-1", "accounts": {"111122223333": {"scps": [["FullAWSAccess"]]}}}
    })",
                                &findings);
    if (!w) __builtin_trap();  // the fixed world must load
    return new arbiter::World(std::move(*w));
  }();
  return *world;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  arbiter::Request req;
  std::string error;
  if (arbiter::ParseRequest(std::string_view(reinterpret_cast<const char*>(data), size), &req,
                            &error)) {
    arbiter::ReferenceEvaluate(FixedWorld(), req);
  }
  return 0;
}
