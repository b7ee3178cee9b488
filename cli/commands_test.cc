// CLI contract (SPEC sections 4 and 5): output formats and exit codes.
#include "cli/commands.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "json/json.h"

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
  for (const char* key :
       {"decisions_per_second", "p50_ns", "p99_ns", "timer_overhead_ns", "cache_hit_ratio",
        "compile_ms", "memory_bytes", "world_memory_bytes", "threads", "requests"}) {
    EXPECT_NE(out_.find(std::string("\"") + key + "\""), std::string::npos) << key;
  }
  // The world alone holds no more than the world with the requests' actions interned.
  json::Value report;
  json::Error error;
  ASSERT_TRUE(json::Parse(out_, &report, &error)) << error.message;
  const json::Value* with = report.Find("memory_bytes");
  const json::Value* alone = report.Find("world_memory_bytes");
  ASSERT_TRUE(with && alone);
  EXPECT_GT(std::stoull(alone->text), 0u);
  EXPECT_LE(std::stoull(alone->text), std::stoull(with->text));
}

// A stream buffer that accepts nothing, as standard output on a full disk (/dev/full).
class FullBuf : public std::streambuf {
 protected:
  int overflow(int) override { return traits_type::eof(); }
  std::streamsize xsputn(const char*, std::streamsize) override { return 0; }
};

TEST_F(CliTest, BenchReportsRejectedLinesAndExitsOne) {
  const std::string reqs =
      "{\"principal\": \"arn:aws:iam::111122223333:user/alice\", \"action\": \"s3:GetObject\", "
      "\"resource\": \"*\"}\n"
      "garbage\n";
  EXPECT_EQ(
      Run({"bench", "--world", World(), "--requests", "-", "--seconds", "0.05", "--json"}, reqs),
      1);
  // The report still describes the valid lines; the rejected one is on standard error in
  // eval's format, and standard output stays one JSON object.
  EXPECT_NE(out_.find("\"requests\": 1"), std::string::npos) << out_;
  EXPECT_EQ(out_.find("error"), std::string::npos) << out_;
  EXPECT_NE(err_.find("{\"error\": \"malformed JSON"), std::string::npos) << err_;
  EXPECT_NE(err_.find(", \"line\": 2}\n"), std::string::npos) << err_;
  EXPECT_NE(err_.find("1 request line(s) rejected"), std::string::npos) << err_;
}

TEST_F(CliTest, StrayArgumentsAndForeignFlagsAreUsageErrors) {
  const std::string req =
      "{\"principal\": \"arn:aws:iam::111122223333:user/alice\", \"action\": \"s3:GetObject\", "
      "\"resource\": \"*\"}\n";
  EXPECT_EQ(
      Run({"bench", "--world", World(), "--requests", "-", "--seconds", "0.05", "extra"}, req), 2);
  EXPECT_NE(err_.find("unexpected argument extra"), std::string::npos) << err_;
  EXPECT_EQ(Run({"eval", "--world", World(), "--requests", "-", "extra"}, req), 2);
  const std::vector<std::vector<std::string>> foreign = {
      {"eval", "--world", World(), "--requests", "-", "--json"},
      {"eval", "--world", World(), "--requests", "-", "--seconds", "1"},
      {"eval", "--world", World(), "--requests", "-", "--gateway", World()},
      {"check", "--explain", World()},
      {"check", "--threads", "2", World()},
      {"check", "--world", World()},
      {"bench", "--world", World(), "--requests", "-", "--explain"},
      {"bench", "--world", World(), "--requests", "-", "--reference"},
      {"authorize", "--gateway", World(), "--requests", "-", "--world", World()},
      {"authorize", "--gateway", World(), "--requests", "-", "--explain"},
  };
  for (const auto& args : foreign) {
    EXPECT_EQ(Run(args, req), 2) << args[0] << " " << args[args.size() - 1];
    EXPECT_NE(err_.find("does not apply to " + args[0]), std::string::npos) << err_;
    EXPECT_EQ(out_, "");
  }
  // Every flag of each command is still accepted.
  EXPECT_EQ(Run({"eval", "--world", World(), "--requests", "-", "--explain", "--threads", "2",
                 "--no-cache", "--reference"},
                req),
            0)
      << err_;
  EXPECT_EQ(Run({"bench", "--world", World(), "--requests", "-", "--threads", "2", "--seconds",
                 "0.05", "--no-cache", "--json"},
                req),
            0)
      << err_;
}

TEST_F(CliTest, UnwritableStandardOutputExitsOne) {
  const std::string req =
      "{\"principal\": \"arn:aws:iam::111122223333:user/alice\", \"action\": \"s3:GetObject\", "
      "\"resource\": \"*\"}\n";
  const std::string warn = Write(
      "warn.json", R"({"Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]})");
  Write("api.json",
        R"({"openapi": "3.0.1", "info": {"title": "t", "version": "1"},
            "paths": {"/": {"get": {"responses": {"200": {"description": "ok"}}}}}})");
  const std::string gw =
      Write("gateway.json",
            R"({"api": {"id": "a1b2c3d4e5", "region": "us-east-1", "account": "111122223333",
                  "stage": "prod", "openapi": "api.json"}})");
  const std::string http =
      R"({"method":"GET","path":"/","source_ip":"203.0.113.7","time":"2026-11-22T10:00:00Z"})"
      "\n";
  const std::vector<std::pair<std::vector<std::string>, std::string>> runs = {
      {{"eval", "--world", World(), "--requests", "-"}, req},
      {{"bench", "--world", World(), "--requests", "-", "--seconds", "0.05"}, req},
      {{"check", warn}, ""},
      {{"authorize", "--gateway", gw, "--requests", "-"}, http},
  };
  for (const auto& [args, input] : runs) {
    // Each command succeeds when standard output can be written...
    EXPECT_EQ(Run(args, input), 0) << args[0] << "\n" << err_;
    EXPECT_NE(out_, "") << args[0];
    // ...and fails when it cannot.
    std::istringstream in(input);
    FullBuf full;
    std::ostream out(&full);
    std::ostringstream err;
    EXPECT_EQ(RunCli(args, in, out, err), 1) << args[0];
    EXPECT_NE(err.str().find("cannot write"), std::string::npos) << args[0] << "\n" << err.str();
  }
}

// A world over the 1 MiB policy limit with a syntax error: the syntax error, where it is,
// not the policy size limit.
TEST_F(CliTest, CheckReportsTheSyntaxErrorOfALargeWorld) {
  std::string text = "{\"principals\": [\n";
  for (int i = 0; i < 40000; ++i) {
    text += "  {\"arn\": \"arn:aws:iam::111122223333:user/u" + std::to_string(i) + "\"},\n";
  }
  text += "  {\"arn\": \"arn:aws:iam::111122223333:user/last\"}\n";
  text += "  x\n]}\n";
  ASSERT_GT(text.size(), 1u << 20);
  const std::string w = Write("big.json", text);
  EXPECT_EQ(Run({"check", w}), 1);
  EXPECT_EQ(out_.find("json-size"), std::string::npos) << out_.substr(0, 300);
  EXPECT_TRUE(out_.starts_with(w + ":40003:3: error: ")) << out_.substr(0, 300);
  EXPECT_NE(out_.find("[json-syntax] (/principals)"), std::string::npos) << out_.substr(0, 300);
}

// One finding is one line, whatever the file name, keys or values hold.
TEST_F(CliTest, FindingsEscapeControlCharacters) {
  const std::string bad = Write("a\nb.json",
                                "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": "
                                "\"Allow\", \"Action\": \"s3:Get\", "
                                "\"Resource\": \"*\", \"x\\n/etc/passwd:1:1: warning: "
                                "ok\\r\\u0000\\u001b\\u007f\\u2028\\\\\": "
                                "1}]}");
  EXPECT_EQ(Run({"check", bad}), 1);
  EXPECT_EQ(out_.find('\n'), out_.size() - 1) << out_;
  EXPECT_EQ(out_, (dir_ / "a\\nb.json").string() +
                      ":1:98: error: unknown statement element \"x\\n/etc/passwd:1:1: warning: "
                      "ok\\r\\u0000\\u001b\\u007f\\u2028\\\\\" [unknown-key] (/Statement/0/"
                      "x\\n~1etc~1passwd:1:1: warning: ok\\r\\u0000\\u001b\\u007f\\u2028\\\\)\n");
  // The same for a file that cannot be read, and for eval's world findings.
  EXPECT_EQ(Run({"check", (dir_ / "no\rsuch.json").string()}), 1);
  EXPECT_EQ(out_.find('\r'), std::string::npos) << out_;
  EXPECT_EQ(Run({"eval", "--world", bad, "--requests", "-"}, ""), 1);
  std::istringstream lines(err_);
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    EXPECT_TRUE(line.starts_with((dir_ / "a\\nb.json:1:").string())) << line;
    ++n;
  }
  EXPECT_EQ(n, 2) << err_;  // a policy given as a world: "Version" and "Statement" are unknown
}

TEST_F(CliTest, MalformedActionsAndResourcesAreErrorLines) {
  const std::string p = "{\"principal\": \"arn:aws:iam::111122223333:user/alice\", ";
  const std::string reqs =
      p + "\"action\": \"\", \"resource\": \"\"}\n" +                               // 1
      p + "\"action\": \"s3\", \"resource\": \"arn:aws:s3:::b/k\"}\n" +             // 2
      p + "\"action\": \"s3:GetObject\", \"resource\": \"bucket\"}\n" +             // 3
      p + "\"action\": \"s3:GetObject\", \"resource\": \"ARN:AWS:S3:::b/k\"}\n" +   // 4
      p + "\"action\": \" s3:GetObject\", \"resource\": \"arn:aws:s3:::b/k\"}\n" +  // 5
      p + "\"action\": \"s3:Get:Object\", \"resource\": \"arn:aws:s3:::b/k\"}\n" +  // 6
      p + "\"action\": \"s3:GetObject\", \"resource\": \"arn:aws:s3::b/k\"}\n" +    // 7
      p + "\"action\": \"s3:GetObject\", \"resource\": \"*\"}\n";                   // 8
  EXPECT_EQ(Run({"eval", "--world", World(), "--requests", "-"}, reqs), 1);
  std::istringstream lines(out_);
  std::string line;
  for (int n = 1; n <= 7; ++n) {
    ASSERT_TRUE(std::getline(lines, line));
    EXPECT_TRUE(line.starts_with("{\"error\": \"")) << n << ": " << line;
    EXPECT_TRUE(line.ends_with(", \"line\": " + std::to_string(n) + "}")) << line;
  }
  ASSERT_TRUE(std::getline(lines, line));
  EXPECT_EQ(line, "{\"decision\": \"Allow\"}");
  EXPECT_FALSE(std::getline(lines, line));
}

}  // namespace
}  // namespace arbiter
