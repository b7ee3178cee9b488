#include "engine/testing/request_generator.h"

#include <algorithm>
#include <set>

#include "core/strings.h"
#include "core/values.h"

namespace arbiter {
namespace {

const char* const kNoise[] = {"",      "a",   "x",    "Object", "Get", "prod", "dev",
                              "alice", "bob", "team", ":",      "/",   "a/b",  "a:b",
                              "*",     "?",   "$",    "${",     "é",   "0"};

}  // namespace

RequestGenerator::RequestGenerator(const World& world, uint64_t seed) : rng_(seed) {
  std::set<std::string> principals = {"*",
                                      "s3.amazonaws.com",
                                      "sns.amazonaws.com",
                                      "arn:aws:iam::999988887777:user/stranger",
                                      "arn:aws:sts::999988887777:assumed-role/Other/s",
                                      "999988887777"};
  std::set<std::string> actions = {"sts:GetCallerIdentity", "iam", "s3:GetObject",
                                   "ec2:RunInstances", "kms:Decrypt"};
  std::set<std::string> resources = {"*", "arn:aws:s3:::bucket/key", "not-an-arn",
                                     "arn:aws:kms:us-east-1:111122223333:key/k"};
  std::set<std::string> accounts = {"111122223333", "444455556666", "999988887777"};
  std::set<std::string> values = {"alice", "bob", "team", "prod"};
  std::map<std::string, std::set<std::string>> keys;

  for (const PrincipalEntry& p : world.principals) {
    principals.insert(p.arn);
    if (!p.account.empty()) {
      accounts.insert(p.account);
      principals.insert(StrCat("arn:aws:iam::", p.account, ":root"));
      principals.insert(StrCat("arn:aws:sts::", p.account, ":federated-user/fed"));
      principals.insert(StrCat("arn:aws:iam::", p.account, ":user/other"));
    }
    if (p.username) values.insert(*p.username);
    for (const auto& [k, v] : p.tags) {
      values.insert(v);
      keys[StrCat("aws:PrincipalTag/", k)].insert(v);
    }
  }
  for (const ResourceEntry& r : world.resources) {
    resources.insert(r.arn);
    resources.insert(r.arn + "/" + "object.txt");
    if (r.account) accounts.insert(*r.account);
    for (const auto& [k, v] : r.tags) keys[StrCat("aws:ResourceTag/", k)].insert(v);
  }
  for (const auto& [name, policy] : world.policies) {
    for (const Statement& st : policy.statements) {
      targets_.push_back({&st, policy.version});
      for (const std::string& a : st.actions) actions.insert(a);
      for (const std::string& r : st.resources) resources.insert(r);
      if (st.principal) {
        for (const std::string& a : st.principal->aws) {
          principals.insert(a);
          if (auto arn = SplitArn(a); arn && StartsWith(arn->resource, "role/")) {
            const std::string_view role = arn->resource.substr(arn->resource.rfind('/') + 1);
            principals.insert(StrCat("arn:aws:sts::", arn->account, ":assumed-role/", role, "/s1"));
          }
        }
        for (const std::string& s : st.principal->service) principals.insert(s);
      }
      for (const Condition& c : st.conditions) {
        auto& pool = keys[c.key];
        for (const std::string& v : c.values) {
          pool.insert(v);
          values.insert(v);
        }
      }
    }
  }
  for (const std::string& a : actions) {
    // Wildcard actions are instantiated per request; keep literal ones as names.
    if (a.find_first_of("*?") == std::string::npos) actions_.push_back(a);
  }
  std::vector<std::string> wildcard_actions;
  for (const std::string& a : actions) {
    if (a.find_first_of("*?") != std::string::npos) wildcard_actions.push_back(a);
  }
  for (int i = 0; i < 4; ++i) {
    for (const std::string& a : wildcard_actions) actions_.push_back(Instantiate(a, false));
  }
  std::sort(actions_.begin(), actions_.end());
  actions_.erase(std::unique(actions_.begin(), actions_.end()), actions_.end());
  principals_.assign(principals.begin(), principals.end());
  resources_.assign(resources.begin(), resources.end());
  accounts_.assign(accounts.begin(), accounts.end());
  variable_values_.assign(values.begin(), values.end());
  for (auto& [k, v] : keys) keys_.push_back({k, {v.begin(), v.end()}});
  for (const char* k : {"aws:username", "aws:userid", "aws:PrincipalArn", "aws:PrincipalAccount",
                        "aws:PrincipalOrgID", "aws:ResourceAccount", "aws:SourceIp",
                        "aws:CurrentTime", "aws:SecureTransport", "aws:TagKeys"}) {
    if (!keys.count(k)) keys_.push_back({k, {}});
  }
}

std::string RequestGenerator::Noise() { return kNoise[Pick(std::size(kNoise))]; }

std::string RequestGenerator::Recase(const std::string& s) {
  if (!Chance(20)) return s;
  std::string out = s;
  for (char& c : out) {
    if (Chance(30)) c = static_cast<char>(Chance(50) ? toupper(c) : tolower(c));
  }
  return out;
}

// Replaces wildcards with random text and policy variables with plausible values.
std::string RequestGenerator::Instantiate(const std::string& pattern, bool arn) {
  std::string out;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '$' && i + 1 < pattern.size() && pattern[i + 1] == '{') {
      const size_t end = pattern.find('}', i);
      if (end != std::string::npos) {
        const std::string name = pattern.substr(i + 2, end - i - 2);
        out += name == "*" || name == "?" || name == "$"
                   ? name
                   : variable_values_[Pick(variable_values_.size())];
        i = end;
        continue;
      }
    }
    if (c == '*') {
      out += Chance(30) ? "" : Noise();
      if (arn && Chance(10)) out += ":x";
    } else if (c == '?') {
      out += Chance(90) ? std::string(1, "abcXYZ09:/"[Pick(10)]) : "";
    } else {
      out += c;
    }
  }
  return out;
}

std::string RequestGenerator::Mutate(const std::string& v) {
  switch (Pick(9)) {
    case 0:
      if (auto n = ParseNumber(v)) return StrCat(*n + (Chance(50) ? 1 : -1));
      break;
    case 1:
      if (auto d = ParseDateMillis(v)) return StrCat((*d / 1000) + (Chance(50) ? 1 : -1));
      break;
    case 2:
      if (auto net = ParseCidr(v); net && !net->v6) {
        return StrCat(net->bytes[0], ".", net->bytes[1], ".", net->bytes[2] + (Chance(50) ? 0 : 1),
                      ".", Pick(256));
      }
      break;
    case 3:
      return Chance(50) ? "true" : "false";
    case 4:
      return Instantiate(v, StartsWith(v, "arn:"));
    case 5:
      return AsciiStrToLower(v);
    case 6:
      return "2001:db8::" + std::to_string(Pick(99));
    case 7:
      return StrCat("2026-11-2", Pick(10), "T10:00:00Z");
    default:
      return Noise();
  }
  return Instantiate(v, false);
}

void RequestGenerator::AddContext(Request* r, const std::string& key,
                                  const std::vector<std::string>& pool) {
  ContextValue cv;
  const int n = Chance(25) ? static_cast<int>(Pick(4)) : 1;
  cv.multi = n != 1 || Chance(10);
  for (int i = 0; i < n; ++i) {
    std::string v = pool.empty() || Chance(30)
                        ? Mutate(pool.empty() ? Noise() : pool[Pick(pool.size())])
                        : Instantiate(pool[Pick(pool.size())], false);
    cv.values.push_back(std::move(v));
  }
  r->context.insert_or_assign(AsciiStrToLower(Recase(key)), std::move(cv));
}

Request RequestGenerator::Next() {
  Request r;
  r.principal = principals_[Pick(principals_.size())];
  if (!targets_.empty() && Chance(70)) {
    // Aim at one statement: its action, its resource, its condition keys.
    const Target& t = targets_[Pick(targets_.size())];
    const Statement& st = *t.statement;
    r.action = st.actions.empty() || st.not_action
                   ? actions_[Pick(actions_.size())]
                   : Recase(Instantiate(st.actions[Pick(st.actions.size())], false));
    r.resource = st.resources.empty() || st.not_resource || Chance(10)
                     ? resources_[Pick(resources_.size())]
                     : Instantiate(st.resources[Pick(st.resources.size())], true);
    for (const Condition& c : st.conditions) {
      if (Chance(85)) AddContext(&r, c.key, c.values);
    }
  } else {
    r.action = Recase(actions_[Pick(actions_.size())]);
    r.resource = Instantiate(resources_[Pick(resources_.size())], true);
  }
  const int extra = static_cast<int>(Pick(4));
  for (int i = 0; i < extra && !keys_.empty(); ++i) {
    const KeySample& k = keys_[Pick(keys_.size())];
    AddContext(&r, k.key, k.values);
  }
  if (Chance(10)) r.resource_account = accounts_[Pick(accounts_.size())];
  return r;
}

}  // namespace arbiter
