// CLI contract (SPEC sections 4 and 5): output formats and exit codes.
#include "cli/commands.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace arbiter {
namespace {

namespace fs = std::filesystem;

class CliTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() /
        ("arbiter_cli_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "_" + testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    Write("world.json", R"({
      "policies": {
        "Read": {"Version": "2012-10-17", "Statement": [
          {"Sid": "ReadAll", "Effect": "Allow", "Action": "s3:Get*", "Resource": "*"},
          {"Sid": "NoSecrets", "Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::secrets/*"}]}
      },
      "principals": [{"arn": "arn:aws:iam::111122223333:user/alice", "identity_policies": ["Read"]}]
    })");
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  }
  int Run(std::vector<std::string> args, const std::string& stdin_text = "") {
    std::istringstream in(stdin_text);
    std::ostringstream o, e;
    const int status = RunCli(args, in, o, e);
    out_ = o.str();
    err_ = e.str();
    return status;
  }
  std::string World() { return (dir_ / "world.json").string(); }

  fs::path dir_;
  std::string out_, err_;
};

TEST_F(CliTest, EvalWritesOneDecisionPerRequestInOrder) {
  const std::string reqs =
      Write("r.jsonl",
            "{\"principal\": \"arn:aws:iam::111122223333:user/alice\", \"action\": "
            "\"s3:GetObject\", \"resource\": \"arn:aws:s3:::b/k\"}\n"
            "{\"principal\": \"arn:aws:iam::111122223333:user/alice\", \"action\": "
            "\"s3:GetObject\", \"resource\": \"arn:aws:s3:::secrets/k\"}\n"
            "\n"
            "{\"principal\": \"arn:aws:iam::111122223333:user/alice\", \"action\": "
            "\"s3:PutObject\", \"resource\": \"arn:aws:s3:::b/k\"}\n");
  EXPECT_EQ(Run({"eval", "--world", World(), "--requests", reqs}), 0) << err_;
  EXPECT_EQ(out_,
            "{\"decision\": \"Allow\"}\n{\"decision\": \"ExplicitDeny\"}\n"
            "{\"decision\": \"ImplicitDeny\"}\n");
}

TEST_F(CliTest, ExplainNamesTheDecidingStatements) {
  const std::string req =
      "{\"principal\": \"arn:aws:iam::111122223333:user/alice\", \"action\": \"s3:GetObject\", "
      "\"resource\": \"arn:aws:s3:::secrets/k\"}\n";
  EXPECT_EQ(Run({"eval", "--world", World(), "--requests", "-", "--explain"}, req), 0);
  EXPECT_EQ(out_,
            "{\"decision\": \"ExplicitDeny\", \"reasons\": [{\"policy\": \"Read\", \"kind\": "
            "\"identity\", \"sid\": \"NoSecrets\", \"statement\": 1, \"effect\": \"Deny\"}]}\n");
}

TEST_F(CliTest, BadRequestLinesYieldErrorsAndExitOne) {
  const std::string reqs =
      "{\"principal\": \"arn:aws:iam::111122223333:user/alice\", \"action\": \"s3:GetObject\", "
      "\"resource\": \"*\"}\n"
      "{not json\n"
      "{\"principal\": \"x\"}\n";
  EXPECT_EQ(Run({"eval", "--world", World(), "--requests", "-"}, reqs), 1);
  std::istringstream lines(out_);
  std::string l1, l2, l3;
  std::getline(lines, l1);
  std::getline(lines, l2);
  std::getline(lines, l3);
  EXPECT_EQ(l1, "{\"decision\": \"Allow\"}");
  EXPECT_TRUE(l2.starts_with("{\"error\": \"malformed JSON")) << l2;
  EXPECT_TRUE(l2.ends_with(", \"line\": 2}")) << l2;
  EXPECT_TRUE(l3.ends_with(", \"line\": 3}")) << l3;
}

TEST_F(CliTest, InvalidWorldIsRejectedWithFindings) {
  const std::string w =
      Write("bad.json",
            "{\"policies\": {\"P\": {\"Statement\": [{\"Effect\": \"Maybe\", \"Action\": \"s3:*\", "
            "\"Resource\": \"*\"}]}}}");
  EXPECT_EQ(Run({"eval", "--world", w, "--requests", "-"}, ""), 1);
  EXPECT_NE(err_.find("bad.json:1:46: error: Effect must be \"Allow\" or \"Deny\", not \"Maybe\" "
                      "[bad-effect] (/policies/P/Statement/0/Effect)"),
            std::string::npos)
      << err_;
  EXPECT_EQ(out_, "");
}

// SPEC section 2's example world, verbatim: it must load (its empty Statement is a warning).
TEST_F(CliTest, SpecExampleWorldLoads) {
  const std::string w = Write("spec.json", R"({
  "policies": { "NAME": { "Version": "2012-10-17", "Statement": [] } },
  "principals": [
    {
      "arn": "arn:aws:sts::111122223333:assumed-role/Deploy/ci-42",
      "principal_arn": "arn:aws:iam::111122223333:role/Deploy",
      "type": "AssumedRole",
      "account": "111122223333",
      "user_id": "AROAEXAMPLEID:ci-42",
      "username": "alice",
      "tags": { "team": "payments" },
      "identity_policies": ["NAME"],
      "permissions_boundary": "NAME",
      "session_policies": ["NAME"]
    }
  ],
  "resources": [
    { "arn": "arn:aws:s3:::example-bucket", "account": "111122223333",
      "policy": "NAME", "tags": { "stage": "prod" } }
  ],
  "organization": {
    "id": "o-a1b2c3d4e5",
    "accounts": {
      "111122223333": { "scps": [["FullAWSAccess"], ["NAME"]], "rcps": [["NAME"]] }
    }
  }
})");
  EXPECT_EQ(Run({"check", w}), 0) << out_;
  const std::string req =
      R"({"principal": "arn:aws:sts::111122223333:assumed-role/Deploy/ci-42", "action": "s3:GetObject", "resource": "arn:aws:s3:::example-bucket/reports/q3.csv"})"
      "\n";
  EXPECT_EQ(Run({"eval", "--world", w, "--requests", "-"}, req), 0) << err_;
  EXPECT_EQ(out_, "{\"decision\": \"ImplicitDeny\"}\n");
}

TEST_F(CliTest, DirectoriesAreNotInputFiles) {
  EXPECT_EQ(Run({"eval", "--world", World(), "--requests", dir_.string()}), 1);
  EXPECT_EQ(Run({"eval", "--world", dir_.string(), "--requests", "-"}, ""), 1);
  EXPECT_EQ(Run({"check", dir_.string()}), 1);
}

TEST_F(CliTest, CheckExitCodes) {
  const std::string ok = Write(
      "ok.json",
      R"({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]})");
  const std::string warn = Write(
      "warn.json", R"({"Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]})");
  const std::string bad =
      Write("bad.json", R"({"Version": "2012-10-17", "Statement": [{"Effect": "Deny"}]})");
  EXPECT_EQ(Run({"check", ok}), 0);
  EXPECT_EQ(out_, "");
  EXPECT_EQ(Run({"check", warn}), 0);
  EXPECT_NE(out_.find(": warning: "), std::string::npos);
  EXPECT_EQ(Run({"check", ok, bad}), 1);
  EXPECT_NE(out_.find("bad.json:1:41: error: "), std::string::npos) << out_;
  EXPECT_EQ(Run({"check", World()}), 0) << out_;  // worlds are recognized
  EXPECT_EQ(Run({"check", (dir_ / "missing.json").string()}), 1);
}

TEST_F(CliTest, UsageErrorsExitTwo) {
  EXPECT_EQ(Run({}), 2);
  EXPECT_EQ(Run({"frobnicate"}), 2);
  EXPECT_EQ(Run({"eval", "--world", World()}), 2);
  EXPECT_EQ(Run({"eval", "--world", World(), "--requests", "-", "--bogus"}), 2);
  EXPECT_EQ(Run({"eval", "--world", World(), "--requests", "-", "--threads", "0"}), 2);
  EXPECT_EQ(Run({"check"}), 2);
  EXPECT_EQ(Run({"bench", "--world", World(), "--requests", "-", "--seconds", "-1"}), 2);
}

TEST_F(CliTest, BenchReportsJson) {
  const std::string req =
      "{\"principal\": \"arn:aws:iam::111122223333:user/alice\", \"action\": \"s3:GetObject\", "
      "\"resource\": \"*\"}\n";
  EXPECT_EQ(
      Run({"bench", "--world", World(), "--requests", "-", "--seconds", "0.05", "--json"}, req), 0)
      << err_;
  for (const char* key : {"decisions_per_second", "p50_ns", "p99_ns", "cache_hit_ratio",
                          "compile_ms", "memory_bytes", "threads", "requests"}) {
    EXPECT_NE(out_.find(std::string("\"") + key + "\""), std::string::npos) << key;
  }
}

}  // namespace
}  // namespace arbiter
