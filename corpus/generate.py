#!/usr/bin/env python3
"""Generate a deterministic Arbiter world and request stream from the real corpus.

    python3 corpus/generate.py --size {tiny,small,medium,large} --seed 1 --out DIR

Reads corpus/managed-policies.json (every AWS managed policy) and corpus/iam-catalog.json
(every service, action, resource ARN format and condition key), and writes
    DIR/world.json       SPEC.md section 2
    DIR/requests.jsonl   SPEC.md section 3
    DIR/README.txt       what was generated
The same --size and --seed always give byte-identical files (stdlib only, one
random.Random, no set iteration, no clock).

Sizes (managed policies / principals / requests):
    tiny     8 / 5 / 1,000
    small    60 / 20 / 10,000
    medium   300 / 60 / 100,000     (the benchmark world)
    large    all 1,594 / 600 / 100,000

What it models: an organization (o-a1b2c3d4e5) with member accounts 111122223333 and
222233334444, and 444455556666 outside it. SCP levels (root FullAWSAccess; an OU with
guardrails: no leaving the org, approved regions only with NotAction exemptions, no
disabling CloudTrail, no root user; a sandbox allow-list on 222233334444) and an RCP data
perimeter (S3/KMS/SQS/Secrets Manager only from org identities, AWS services exempt, and
resources tagged dp:exclude=true exempt). IAM users and role sessions (role paths, one
service-linked role, the account root, one federated user) with tags, 1-6 managed
policies each, handwritten inline-style policies (region, MFA, IP, ABAC with
${aws:PrincipalTag/team} and ${aws:username}, tag-on-create), permissions boundaries on
about 30% of principals and session policies on some sessions. Resource policies on S3
buckets, SQS queues, KMS keys and Secrets Manager secrets with same- and cross-account
grants (accounts, roles, sessions, users, "*" with conditions) and TLS denies; resource
tags for ABAC.

Requests: about 85% are derived from a statement that the principal's own policies or a
resource policy contain (a concrete catalogue action matching its Action, or outside its
NotAction; a concrete ARN matching its Resource, from the catalogue's ARN formats when the
pattern is "*"; context values that satisfy or violate its Condition), 15% are random
catalogue actions on random resources. Some come from unknown principals, anonymous
callers ("*") and AWS service principals, some cross accounts.
"""
import argparse
import datetime
import ipaddress
import json
import os
import re
import sys
import time

import random

HERE = os.path.dirname(os.path.abspath(__file__))

SIZES = {
    #         managed policies, principals, requests, resource sets per account
    "tiny": (8, 5, 1000, 1),
    "small": (60, 20, 10000, 2),
    "medium": (300, 60, 100000, 3),
    "large": (None, 600, 100000, 6),
}

A, B, X = "111122223333", "222233334444", "444455556666"
ORG_ACCOUNTS = [A, B]
ACCOUNTS = [A, B, X]
ORG_ID = "o-a1b2c3d4e5"
APPROVED_REGIONS = ["us-east-1", "eu-west-1"]
OTHER_REGIONS = ["us-west-2", "eu-central-1", "ap-southeast-2", "sa-east-1"]
TEAMS = ["payments", "platform", "data", "security", "web"]
ENVS = ["prod", "staging", "dev"]
V = "2012-10-17"

# Managed policies every world (that is big enough) starts from, in this order.
CORE_MANAGED = [
    "AmazonS3ReadOnlyAccess", "PowerUserAccess", "AmazonSQSFullAccess", "IAMUserChangePassword",
    "SecretsManagerReadWrite", "AWSKeyManagementServicePowerUser", "AmazonEC2ReadOnlyAccess",
    "AdministratorAccess", "AWSDenyAll", "AmazonS3FullAccess", "AmazonDynamoDBFullAccess",
    "IAMReadOnlyAccess", "AWSLambda_FullAccess", "CloudWatchLogsFullAccess",
    "AmazonSNSFullAccess", "ReadOnlyAccess", "IAMFullAccess", "AmazonEC2FullAccess",
    "ViewOnlyAccess", "AWSCloudTrail_FullAccess",
]
SLR_POLICY = "AutoScalingServiceRolePolicy"
COMMON_SERVICES = ["s3", "ec2", "iam", "kms", "sqs", "sns", "secretsmanager", "dynamodb",
                   "lambda", "logs", "cloudwatch", "sts", "cloudtrail", "rds", "ecr",
                   "organizations", "glue", "athena"]

USER_NAMES = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan",
              "judy", "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent",
              "victor", "walter", "yasmin"]
ROLES = [  # (name, path)
    ("Deploy", "/service/"), ("DataPipeline", "/service/"), ("Analyst", "/"),
    ("Admin", "/"), ("BreakGlass", "/"), ("ReadOnly", "/"), ("LambdaExec", "/service/"),
    ("EKSNode", "/service/"), ("Auditor", "/"), ("Backup", "/teams/platform/"),
    ("Payments", "/teams/payments/"), ("Reporting", "/teams/data/")]


# --------------------------------------------------------------------------- helpers

_re_cache = {}


def glob_re(pattern, icase):
    key = (pattern, icase)
    r = _re_cache.get(key)
    if r is None:
        out = []
        for c in pattern:
            out.append(".*" if c == "*" else "." if c == "?" else re.escape(c))
        r = re.compile("^" + "".join(out) + "$", re.I | re.S if icase else re.S)
        _re_cache[key] = r
    return r


def as_list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def statements(doc):
    return as_list(doc.get("Statement"))


class Catalog:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            cat = json.load(f)
        self.services = cat["services"]
        self.names = sorted(self.services)
        self.actions = {s: sorted(self.services[s]["actions"]) for s in self.names}
        self.actions_lower = {s.lower(): s for s in self.names}
        self.key_types = {}
        for s in self.names:
            for k, t in self.services[s]["conditionKeys"].items():
                self.key_types[k.lower()] = t
        for k, t in cat.get("globalConditionKeys", {}).items():
            self.key_types[k.lower()] = t
        self.expand_cache = {}

    def key_type(self, key):
        k = key.lower()
        t = self.key_types.get(k)
        if t:
            return t
        for prefix in ("aws:requesttag/", "aws:resourcetag/", "aws:principaltag/"):
            if k.startswith(prefix):
                return "String"
        base = k.split("/")[0]
        for cand, t in self.key_types.items():
            if "${" in cand and cand.split("/")[0] == base:
                return t
        return None

    def expand(self, pattern):
        """Catalogue actions ("svc:Name") matching an action pattern."""
        got = self.expand_cache.get(pattern)
        if got is not None:
            return got
        if pattern == "*":
            svcs, act = self.names, "*"
        elif ":" in pattern:
            sp, act = pattern.split(":", 1)
            if "*" in sp or "?" in sp:
                r = glob_re(sp, True)
                svcs = [s for s in self.names if r.match(s)]
            else:
                s = self.actions_lower.get(sp.lower())
                svcs = [s] if s else []
        else:
            svcs, act = [], ""
        out = []
        r = glob_re(act, True)
        for s in svcs:
            for a in self.actions[s]:
                if r.match(a):
                    out.append(s + ":" + a)
        self.expand_cache[pattern] = out
        return out

    def action_info(self, action):
        svc, _, name = action.partition(":")
        s = self.services.get(svc)
        return s["actions"].get(name) if s else None

    def arn_formats(self, action):
        """ARN formats of the resource types the action takes (required ones first)."""
        svc, _, name = action.partition(":")
        s = self.services.get(svc)
        if not s:
            return []
        info = s["actions"].get(name)
        if not info:
            return []
        types = info.get("required") or info.get("resources") or []
        out = []
        for t in types:
            rt = s["resourceTypes"].get(t)
            if rt:
                out.extend(rt["arns"])
        return out


def ipv4_in(rng, cidr):
    net = ipaddress.ip_network(cidr, strict=False)
    if net.num_addresses <= 2:
        return str(net.network_address)
    return str(net.network_address + rng.randrange(1, min(net.num_addresses - 1, 1 << 24)))


def ip_outside(rng, cidr):
    net = ipaddress.ip_network(cidr, strict=False)
    for _ in range(20):
        if net.version == 4:
            a = ipaddress.ip_address(rng.choice(["198.51.100.", "192.0.2.", "203.0.113.",
                                                 "100.64.7.", "52.94.1."]) + str(rng.randrange(1, 255)))
        else:
            a = ipaddress.ip_address("2600:1f18:%x::%x" % (rng.randrange(65536), rng.randrange(1, 65536)))
        if a not in net:
            return str(a)
    return "192.0.2.1"


# --------------------------------------------------------------------------- the world


class Principal:
    def __init__(self, **kw):
        self.arn = kw["arn"]
        self.principal_arn = kw.get("principal_arn", self.arn)
        self.type = kw["type"]
        self.account = kw["account"]
        self.user_id = kw.get("user_id")
        self.username = kw.get("username")
        self.session = kw.get("session")
        self.tags = kw.get("tags", {})
        self.identity = []
        self.boundary = None
        self.sessions = []
        self.note = kw.get("note", "")

    def to_json(self):
        d = {"arn": self.arn}
        if self.principal_arn != self.arn:
            d["principal_arn"] = self.principal_arn
        d["type"] = self.type
        d["account"] = self.account
        if self.user_id:
            d["user_id"] = self.user_id
        if self.username:
            d["username"] = self.username
        if self.tags:
            d["tags"] = self.tags
        d["identity_policies"] = self.identity
        if self.boundary:
            d["permissions_boundary"] = self.boundary
        if self.sessions:
            d["session_policies"] = self.sessions
        return d


def uid(rng, prefix):
    return prefix + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(17))


def make_principals(rng, n):
    """Archetypes first (so that tiny still has the interesting ones), then random fill."""
    out = []
    used = set()

    def tags(team=None):
        t = {"team": team or rng.choice(TEAMS), "env": rng.choice(ENVS)}
        if rng.random() < 0.5:
            t["cost-center"] = "cc-%d" % rng.randrange(100, 999)
        return t

    def user(account, name=None, path="/", team=None):
        for _ in range(100):
            nm = name or rng.choice(USER_NAMES) + ("" if rng.random() < 0.4 else str(rng.randrange(2, 99)))
            arn = "arn:aws:iam::%s:user%s%s" % (account, path, nm)
            if arn not in used:
                break
            name = None
        used.add(arn)
        return Principal(arn=arn, type="User", account=account, user_id=uid(rng, "AIDA"),
                         username=nm, tags=tags(team))

    def session(account, role=None, sess=None, team=None):
        for _ in range(100):
            rname, path = role or rng.choice(ROLES)
            s = sess or rng.choice(["ci-%d" % rng.randrange(1, 999), rng.choice(USER_NAMES),
                                    "i-0%012x" % rng.randrange(1 << 48),
                                    "botocore-session-%d" % rng.randrange(1700000000, 1790000000)])
            arn = "arn:aws:sts::%s:assumed-role/%s/%s" % (account, rname, s)
            if arn not in used:
                break
            role = sess = None
        used.add(arn)
        rid = uid(rng, "AROA")
        return Principal(arn=arn, principal_arn="arn:aws:iam::%s:role%s%s" % (account, path, rname),
                         type="AssumedRole", account=account, user_id=rid + ":" + s,
                         session=s, tags=tags(team))

    out.append(user(A, "alice", "/engineering/", "payments"))
    out.append(session(A, ("Deploy", "/service/"), "ci-42", "platform"))
    out.append(session(X, ("Auditor", "/"), "audit-2026", "security"))
    out.append(user(B, "bob", "/", "data"))
    slr = Principal(
        arn="arn:aws:sts::%s:assumed-role/AWSServiceRoleForAutoScaling/AutoScaling" % A,
        principal_arn="arn:aws:iam::%s:role/aws-service-role/autoscaling.amazonaws.com/"
                      "AWSServiceRoleForAutoScaling" % A,
        type="AssumedRole", account=A, user_id=uid(rng, "AROA") + ":AutoScaling",
        session="AutoScaling", note="service-linked")
    out.append(slr)
    out.append(session(A, ("BreakGlass", "/"), "oncall-7", "security"))
    out.append(Principal(arn="arn:aws:iam::%s:root" % A, type="Account", account=A, note="root"))
    fed = Principal(arn="arn:aws:sts::%s:federated-user/carol-fed" % A, type="FederatedUser",
                    account=A, user_id="%s:carol-fed" % A, tags=tags("web"), note="federated")
    out.append(fed)
    out.append(session(B, ("DataPipeline", "/service/"), "etl-nightly", "data"))
    out.append(user(X, "partner-sync", "/partners/", "web"))
    while len(out) < n:
        acct = rng.choices(ACCOUNTS, weights=[6, 3, 2])[0]
        out.append(user(acct) if rng.random() < 0.45 else session(acct))
    return out[:n]


def handwritten_policies():
    P = {}
    P["FullAWSAccess"] = {"Version": V, "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    P["SCP-OrgGuardrails"] = {"Version": V, "Statement": [
        {"Sid": "DenyLeaveOrganization", "Effect": "Deny",
         "Action": "organizations:LeaveOrganization", "Resource": "*"},
        {"Sid": "DenyOutsideApprovedRegions", "Effect": "Deny",
         "NotAction": ["a4b:*", "budgets:*", "ce:*", "cloudfront:*", "cur:*",
                       "globalaccelerator:*", "health:*", "iam:*", "organizations:*",
                       "route53:*", "route53domains:*", "s3:GetAccountPublicAccessBlock",
                       "s3:ListAllMyBuckets", "shield:*", "sts:*", "support:*",
                       "trustedadvisor:*", "waf:*", "wafv2:*"],
         "Resource": "*",
         "Condition": {"StringNotEquals": {"aws:RequestedRegion": APPROVED_REGIONS},
                       "ArnNotLike": {"aws:PrincipalARN": ["arn:aws:iam::*:role/BreakGlass"]}}},
        {"Sid": "DenyDisablingCloudTrail", "Effect": "Deny",
         "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail",
                    "cloudtrail:UpdateTrail", "cloudtrail:PutEventSelectors"],
         "Resource": "*"},
        {"Sid": "DenyRootUser", "Effect": "Deny", "Action": "*", "Resource": "*",
         "Condition": {"StringLike": {"aws:PrincipalArn": ["arn:aws:iam::*:root"]}}},
        {"Sid": "DenyIAMUserCreationExceptAdmins", "Effect": "Deny",
         "Action": ["iam:CreateUser", "iam:CreateAccessKey", "iam:CreateLoginProfile"],
         "Resource": "*",
         "Condition": {"ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::*:role/Admin",
                                                          "arn:aws:iam::*:role/BreakGlass"]}}},
    ]}
    P["SCP-SandboxAllowList"] = {"Version": V, "Statement": [
        {"Sid": "AllowListedServices", "Effect": "Allow",
         "Action": ["s3:*", "sqs:*", "sns:*", "dynamodb:*", "lambda:*", "logs:*",
                    "cloudwatch:*", "ec2:*", "kms:*", "secretsmanager:*", "sts:*",
                    "iam:Get*", "iam:List*", "glue:*", "athena:*"],
         "Resource": "*"}]}
    P["RCP-DataPerimeter"] = {"Version": V, "Statement": [
        {"Sid": "EnforceOrgIdentities", "Effect": "Deny", "Principal": "*",
         "Action": ["s3:*", "kms:*", "sqs:*", "secretsmanager:*"], "Resource": "*",
         "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG_ID,
                                                   "aws:ResourceTag/dp:exclude": "true"},
                       "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}},
        {"Sid": "EnforceSecureTransport", "Effect": "Deny", "Principal": "*",
         "Action": ["s3:*", "sqs:*", "kms:*", "secretsmanager:*"], "Resource": "*",
         "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}},
    ]}
    # Permissions boundaries.
    P["Boundary-Developer"] = {"Version": V, "Statement": [
        {"Sid": "AllowDevServices", "Effect": "Allow",
         "Action": ["s3:*", "sqs:*", "sns:*", "dynamodb:*", "logs:*", "cloudwatch:*",
                    "lambda:*", "ec2:Describe*", "kms:Describe*", "kms:List*", "sts:*"],
         "Resource": "*"},
        {"Sid": "AllowOwnTeamInstances", "Effect": "Allow",
         "Action": ["ec2:StartInstances", "ec2:StopInstances", "ec2:RebootInstances"],
         "Resource": "arn:aws:ec2:*:*:instance/*",
         "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}},
        {"Sid": "DenyBucketPolicyChanges", "Effect": "Deny",
         "Action": ["s3:DeleteBucket", "s3:DeleteBucketPolicy", "s3:PutBucketPolicy"],
         "Resource": "*"},
    ]}
    P["Boundary-DataAnalyst"] = {"Version": V, "Statement": [
        {"Sid": "AnalyticsServices", "Effect": "Allow",
         "Action": ["s3:Get*", "s3:List*", "glue:*", "athena:*", "dynamodb:Query",
                    "dynamodb:Scan", "dynamodb:GetItem", "cloudwatch:Get*"],
         "Resource": "*"},
        {"Sid": "DecryptInApprovedRegions", "Effect": "Allow",
         "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*",
         "Condition": {"StringEquals": {"aws:RequestedRegion": APPROVED_REGIONS}}},
        {"Sid": "TeamSecrets", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
         "Resource": "*",
         "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}},
    ]}
    P["Boundary-NoIAM"] = {"Version": V, "Statement": [
        {"Sid": "EverythingButIAMAndOrganizations", "Effect": "Allow",
         "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
        {"Sid": "ReadIAM", "Effect": "Allow", "Action": ["iam:Get*", "iam:List*"],
         "Resource": "*"},
        {"Sid": "SelfService", "Effect": "Allow",
         "Action": ["iam:ChangePassword", "iam:CreateAccessKey", "iam:DeleteAccessKey"],
         "Resource": "arn:aws:iam::*:user/${aws:username}"},
    ]}
    # Inline-style identity policies.
    P["Inline-RequireMFAForIAM"] = {"Version": V, "Statement": [
        {"Sid": "DenyIAMWithoutMFA", "Effect": "Deny", "Action": ["iam:*", "organizations:*"],
         "Resource": "*",
         "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}},
        {"Sid": "DenyOldMFA", "Effect": "Deny", "Action": "iam:Delete*", "Resource": "*",
         "Condition": {"NumericGreaterThan": {"aws:MultiFactorAuthAge": "3600"}}},
    ]}
    P["Inline-RegionLimitedEC2"] = {"Version": V, "Statement": [
        {"Sid": "EC2InApprovedRegions", "Effect": "Allow", "Action": ["ec2:*"],
         "Resource": "*",
         "Condition": {"StringEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}},
        {"Sid": "DenyLargeInstances", "Effect": "Deny", "Action": "ec2:RunInstances",
         "Resource": "arn:aws:ec2:*:*:instance/*",
         "Condition": {"ForAnyValue:StringNotLike": {"ec2:InstanceType": ["t3.*", "t4g.*", "m5.large"]}}},
    ]}
    P["Inline-TeamABAC"] = {"Version": V, "Statement": [
        {"Sid": "ManageTeamInstances", "Effect": "Allow",
         "Action": ["ec2:StartInstances", "ec2:StopInstances", "ec2:RebootInstances",
                    "ec2:TerminateInstances"],
         "Resource": "arn:aws:ec2:*:*:instance/*",
         "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}},
        {"Sid": "TeamSecrets", "Effect": "Allow",
         "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
         "Resource": "*",
         "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}},
        {"Sid": "TagOnCreate", "Effect": "Allow",
         "Action": ["ec2:RunInstances", "ec2:CreateTags", "dynamodb:CreateTable",
                    "dynamodb:TagResource"],
         "Resource": "*",
         "Condition": {"StringEquals": {"aws:RequestTag/team": "${aws:PrincipalTag/team}"},
                       "ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env", "cost-center"]}}},
        {"Sid": "DenyRetagging", "Effect": "Deny",
         "Action": ["ec2:CreateTags", "ec2:DeleteTags", "dynamodb:TagResource",
                    "dynamodb:UntagResource"],
         "Resource": "*",
         "Condition": {"StringNotEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"},
                       "Null": {"aws:ResourceTag/team": "false"}}},
    ]}
    P["Inline-S3HomeFolder"] = {"Version": V, "Statement": [
        {"Sid": "ListHome", "Effect": "Allow", "Action": "s3:ListBucket",
         "Resource": "arn:aws:s3:::arbiter-*-data-*",
         "Condition": {"StringLike": {"s3:prefix": ["", "home/", "home/${aws:username}/*"]},
                       "NumericLessThanEquals": {"s3:max-keys": "1000"}}},
        {"Sid": "HomeObjects", "Effect": "Allow",
         "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
         "Resource": "arn:aws:s3:::arbiter-*-data-*/home/${aws:username}/*"},
        {"Sid": "DenyOthersHomes", "Effect": "Deny", "Action": "s3:*",
         "NotResource": ["arn:aws:s3:::arbiter-*-data-*/home/${aws:username}/*",
                         "arn:aws:s3:::arbiter-*-data-*"],
         "Condition": {"StringLike": {"s3:prefix": "home/*"}}},
    ]}
    P["Inline-CorpNetworkOnly"] = {"Version": V, "Statement": [
        {"Sid": "DenyOutsideCorpNetwork", "Effect": "Deny", "Action": "*", "Resource": "*",
         "Condition": {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]},
                       "Bool": {"aws:ViaAWSService": "false"}}},
        {"Sid": "ReadTeamTables", "Effect": "Allow",
         "Action": ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"],
         "Resource": "arn:aws:dynamodb:*:*:table/${aws:PrincipalTag/team}-*"},
    ]}
    P["Inline-BusinessHours"] = {"Version": V, "Statement": [
        {"Sid": "WritesIn2026H1", "Effect": "Allow",
         "Action": ["sqs:SendMessage", "sns:Publish", "lambda:InvokeFunction"],
         "Resource": "*",
         "Condition": {"DateGreaterThanEquals": {"aws:CurrentTime": "2026-01-01T00:00:00Z"},
                       "DateLessThan": {"aws:CurrentTime": "2026-07-01T00:00:00Z"}}},
        {"Sid": "DenyAfterEpoch", "Effect": "Deny", "Action": "sqs:DeleteQueue",
         "Resource": "*",
         "Condition": {"NumericGreaterThan": {"aws:EpochTime": "1788000000"}}},
    ]}
    P["Inline-KMSViaServices"] = {"Version": V, "Statement": [
        {"Sid": "UseKeysViaS3AndSecrets", "Effect": "Allow",
         "Action": ["kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt"],
         "Resource": "arn:aws:kms:*:*:key/*",
         "Condition": {"StringLike": {"kms:ViaService": ["s3.*.amazonaws.com",
                                                         "secretsmanager.*.amazonaws.com"]}}},
        {"Sid": "DenyKeyDeletion", "Effect": "Deny",
         "Action": ["kms:ScheduleKeyDeletion", "kms:DisableKey"], "Resource": "*"},
    ]}
    P["Inline-SelfManageCredentials"] = {"Version": V, "Statement": [
        {"Sid": "OwnCredentials", "Effect": "Allow",
         "Action": ["iam:ChangePassword", "iam:GetUser", "iam:CreateAccessKey",
                    "iam:DeleteAccessKey", "iam:ListAccessKeys", "iam:UpdateAccessKey"],
         "Resource": "arn:aws:iam::*:user/*${aws:username}"},
        {"Sid": "OwnMFA", "Effect": "Allow",
         "Action": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice"],
         "Resource": ["arn:aws:iam::*:mfa/${aws:username}", "arn:aws:iam::*:user/*${aws:username}"]},
    ]}
    # Session policies.
    P["Session-CIDeploy"] = {"Version": V, "Statement": [
        {"Sid": "BuildArtifacts", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
         "Resource": "arn:aws:s3:::arbiter-*/builds/*"},
        {"Sid": "ListBuilds", "Effect": "Allow", "Action": "s3:ListBucket",
         "Resource": "arn:aws:s3:::arbiter-*",
         "Condition": {"StringLike": {"s3:prefix": ["builds/*"]}}},
        {"Sid": "Deploy", "Effect": "Allow",
         "Action": ["lambda:UpdateFunctionCode", "lambda:GetFunction", "ecr:BatchGetImage",
                    "ecr:GetAuthorizationToken", "ecr:GetDownloadUrlForLayer",
                    "kms:Decrypt", "sqs:SendMessage"],
         "Resource": "*"},
    ]}
    P["Session-ReadOnlyS3"] = {"Version": V, "Statement": [
        {"Sid": "ReadS3", "Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"},
        {"Sid": "ReadDynamo", "Effect": "Allow", "Action": ["dynamodb:Get*", "dynamodb:Query"],
         "Resource": "*"},
    ]}
    P["Session-TeamScoped"] = {"Version": V, "Statement": [
        {"Sid": "TeamResources", "Effect": "Allow", "Action": "*", "Resource": "*",
         "Condition": {"StringEqualsIfExists": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}},
        # Wildcards belong in the action name, not the service prefix
        # (reference_policies_elements_action.html): list the services.
        {"Sid": "NoDeletes", "Effect": "Deny",
         "Action": ["s3:Delete*", "dynamodb:Delete*", "sqs:Delete*", "kms:Delete*",
                    "secretsmanager:Delete*", "ec2:Delete*", "s3:PutBucketPolicy"],
         "Resource": "*"},
    ]}
    return P


# Resource types (catalogue names) of the world's resources, per service.
WORLD_TYPES = {"s3": ("bucket", "object"), "sqs": ("queue",), "kms": ("key",),
               "secretsmanager": ("secret",), "ec2": ("instance",), "dynamodb": ("table",),
               "lambda": ("function",)}

BOUNDARIES = ["Boundary-Developer", "Boundary-DataAnalyst", "Boundary-NoIAM"]
INLINES = ["Inline-RequireMFAForIAM", "Inline-RegionLimitedEC2", "Inline-TeamABAC",
           "Inline-S3HomeFolder", "Inline-CorpNetworkOnly", "Inline-BusinessHours",
           "Inline-KMSViaServices", "Inline-SelfManageCredentials"]
SESSIONS = ["Session-CIDeploy", "Session-ReadOnlyS3", "Session-TeamScoped"]


def hexid(rng, n):
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def make_resources(rng, sets, principals, policies):
    """Buckets, queues, keys and secrets with resource policies, plus tagged resources."""
    resources = []
    by_account = {a: [p for p in principals if p.account == a and p.type in ("User", "AssumedRole")
                      and "aws-service-role" not in p.principal_arn] for a in ACCOUNTS}

    def pick(account, kind):
        cands = [p for p in by_account[account]
                 if (kind == "role" and p.type == "AssumedRole") or (kind == "user" and p.type == "User")
                 or (kind == "session" and p.type == "AssumedRole")]
        if not cands:
            return "arn:aws:iam::%s:%s" % (account, "role/Partner" if kind != "user" else "user/partner")
        p = rng.choice(cands)
        return p.principal_arn if kind == "role" else p.arn

    def tags(i, exempt=False):
        t = {"team": rng.choice(TEAMS), "env": rng.choice(ENVS)}
        if exempt:
            t["dp:exclude"] = "true"
        return t

    def other(acct):
        return rng.choice([a for a in ACCOUNTS if a != acct])

    tls_deny = lambda arns, actions: {  # noqa: E731
        "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": actions,
        "Resource": arns, "Condition": {"Bool": {"aws:SecureTransport": "false"}}}

    for acct in ACCOUNTS:
        for i in range(sets):
            region = APPROVED_REGIONS[i % 2] if rng.random() < 0.85 else rng.choice(OTHER_REGIONS)
            # S3 bucket
            bucket = "arbiter-%s-data-%d" % (acct, i)
            barn = "arn:aws:s3:::" + bucket
            ext = other(acct)
            st = [tls_deny([barn, barn + "/*"], "s3:*"),
                  {"Sid": "OrgRead", "Effect": "Allow", "Principal": "*",
                   "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": [barn, barn + "/*"],
                   "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}}},
                  {"Sid": "PartnerShared", "Effect": "Allow",
                   "Principal": {"AWS": "arn:aws:iam::%s:root" % ext},
                   "Action": ["s3:GetObject", "s3:GetObjectVersion"], "Resource": barn + "/shared/*"},
                  {"Sid": "RoleUploads", "Effect": "Allow",
                   "Principal": {"AWS": pick(rng.choice([acct, ext]), "role")},
                   "Action": ["s3:PutObject", "s3:PutObjectTagging"], "Resource": barn + "/uploads/*",
                   "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}},
                  {"Sid": "SessionAccess", "Effect": "Allow",
                   "Principal": {"AWS": [pick(acct, "session")]},
                   "Action": ["s3:GetObject", "s3:DeleteObject", "s3:PutObject"],
                   "Resource": barn + "/*"},
                  {"Sid": "UserListHome", "Effect": "Allow",
                   "Principal": {"AWS": pick(acct, "user")}, "Action": "s3:ListBucket",
                   "Resource": barn,
                   "Condition": {"StringLike": {"s3:prefix": "home/${aws:username}/*"},
                                 "NumericLessThanEquals": {"s3:max-keys": "1000"}}},
                  {"Sid": "AccountDelegation", "Effect": "Allow",
                   "Principal": {"AWS": acct}, "Action": "s3:*", "Resource": [barn, barn + "/*"]}]
            if i % 2 == 1:
                st.append({"Sid": "DenyUnencryptedUploads", "Effect": "Deny", "Principal": "*",
                           "Action": "s3:PutObject", "Resource": barn + "/*",
                           "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}})
            name = "BucketPolicy-" + bucket
            policies[name] = {"Version": V, "Id": "BucketPolicy", "Statement": st}
            resources.append({"arn": barn, "account": acct, "policy": name,
                              "tags": tags(i, exempt=(i % 3 == 2)), "service": "s3"})
            # SQS queue
            qarn = "arn:aws:sqs:%s:%s:orders-%d" % (region, acct, i)
            name = "QueuePolicy-%s-orders-%d" % (acct, i)
            policies[name] = {"Version": V, "Id": "QueuePolicy", "Statement": [
                {"Sid": "OwnerFull", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % acct},
                 "Action": "sqs:*", "Resource": qarn},
                {"Sid": "PartnerSend", "Effect": "Allow",
                 "Principal": {"AWS": [pick(ext, "role"), pick(ext, "user")]},
                 "Action": ["sqs:SendMessage", "sqs:GetQueueAttributes"], "Resource": qarn},
                {"Sid": "TopicFanout", "Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage",
                 "Resource": qarn,
                 "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:sns:%s:%s:*" % (region, acct)}}},
                tls_deny(qarn, "sqs:*")]}
            resources.append({"arn": qarn, "account": acct, "policy": name, "tags": tags(i),
                              "service": "sqs"})
            # KMS key
            karn = "arn:aws:kms:%s:%s:key/%s-%s-%s-%s-%s" % (region, acct, hexid(rng, 8), hexid(rng, 4),
                                                            hexid(rng, 4), hexid(rng, 4), hexid(rng, 12))
            name = "KeyPolicy-%s-%d" % (acct, i)
            kst = []
            if i % 2 == 0:
                kst.append({"Sid": "EnableIAMUserPermissions", "Effect": "Allow",
                            "Principal": {"AWS": "arn:aws:iam::%s:root" % acct},
                            "Action": "kms:*", "Resource": "*"})
            kst += [
                {"Sid": "KeyAdministrators", "Effect": "Allow",
                 "Principal": {"AWS": "arn:aws:iam::%s:role/Admin" % acct},
                 "Action": ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*",
                            "kms:Update*", "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*",
                            "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion",
                            "kms:CancelKeyDeletion"], "Resource": "*"},
                {"Sid": "KeyUsers", "Effect": "Allow",
                 "Principal": {"AWS": [pick(acct, "role"), pick(ext, "role")]},
                 "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                            "kms:DescribeKey"], "Resource": "*"},
                {"Sid": "PartnerViaS3", "Effect": "Allow",
                 "Principal": {"AWS": "arn:aws:iam::%s:root" % ext},
                 "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*",
                 "Condition": {"StringEquals": {"kms:ViaService": "s3.%s.amazonaws.com" % region,
                                                "kms:CallerAccount": ext}}},
                {"Sid": "AllowGrantsForAWSResources", "Effect": "Allow",
                 "Principal": {"AWS": pick(acct, "role")},
                 "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], "Resource": "*",
                 "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}},
                {"Sid": "ProtectKey", "Effect": "Deny", "Principal": "*",
                 "Action": ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy"],
                 "Resource": "*",
                 "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::%s:role/BreakGlass" % acct}}},
            ]
            policies[name] = {"Version": V, "Id": "key-policy", "Statement": kst}
            resources.append({"arn": karn, "account": acct, "policy": name, "tags": tags(i),
                              "service": "kms"})
            # Secrets Manager secret
            sarn = "arn:aws:secretsmanager:%s:%s:secret:db-creds-%d-%s" % (
                region, acct, i, "".join(rng.choice("ABCDEFGHIJKLMNOPabcdefghijklmnop") for _ in range(6)))
            name = "SecretPolicy-%s-db-creds-%d" % (acct, i)
            policies[name] = {"Version": V, "Statement": [
                {"Sid": "AppRoleRead", "Effect": "Allow", "Principal": {"AWS": pick(acct, "role")},
                 "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                 "Resource": "*"},
                {"Sid": "PartnerCurrentVersion", "Effect": "Allow",
                 "Principal": {"AWS": "arn:aws:iam::%s:root" % ext},
                 "Action": "secretsmanager:GetSecretValue", "Resource": "*",
                 "Condition": {"ForAnyValue:StringEquals": {"secretsmanager:VersionStage": "AWSCURRENT"}}},
                {"Sid": "DenyOutsideOrgExceptPartner", "Effect": "Deny", "Principal": "*",
                 "Action": "secretsmanager:*", "Resource": "*",
                 "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": ORG_ID,
                                                   "aws:PrincipalAccount": ext}}},
            ]}
            resources.append({"arn": sarn, "account": acct, "policy": name,
                              "tags": tags(i, exempt=(i % 2 == 1)), "service": "secretsmanager"})
            # Tagged resources without policies (ABAC targets).
            for j in range(2):
                resources.append({"arn": "arn:aws:ec2:%s:%s:instance/i-0%s" % (region, acct, hexid(rng, 16)),
                                  "account": acct, "tags": tags(i), "service": "ec2"})
            resources.append({"arn": "arn:aws:dynamodb:%s:%s:table/%s-orders-%d" % (
                region, acct, rng.choice(TEAMS), i), "account": acct, "tags": tags(i),
                "service": "dynamodb"})
            resources.append({"arn": "arn:aws:lambda:%s:%s:function:worker-%d" % (region, acct, i),
                              "account": acct, "tags": tags(i), "service": "lambda"})

    # Public buckets: one in the org exempt from the RCP, one in the org that is not, one outside.
    for acct, bucket, exempt in [(A, "arbiter-public-assets", True), (B, "arbiter-public-reports", False),
                                 (X, "partner-public-downloads", False)]:
        barn = "arn:aws:s3:::" + bucket
        name = "BucketPolicy-" + bucket
        policies[name] = {"Version": V, "Statement": [
            {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
             "Resource": barn + "/*"},
            {"Sid": "PublicListFromCorp", "Effect": "Allow", "Principal": {"AWS": "*"},
             "Action": "s3:ListBucket", "Resource": barn,
             "Condition": {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}}},
            tls_deny([barn, barn + "/*"], "s3:*")]}
        resources.append({"arn": barn, "account": acct, "policy": name,
                          "tags": {"team": "web", "env": "prod", **({"dp:exclude": "true"} if exempt else {})},
                          "service": "s3", "public": True})
    # CloudTrail log bucket written by the cloudtrail service principal.
    bucket = "arbiter-%s-cloudtrail" % A
    barn = "arn:aws:s3:::" + bucket
    trail = "arn:aws:cloudtrail:us-east-1:%s:trail/org-trail" % A
    name = "BucketPolicy-" + bucket
    policies[name] = {"Version": V, "Statement": [
        {"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow",
         "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:GetBucketAcl",
         "Resource": barn, "Condition": {"StringEquals": {"aws:SourceArn": trail}}},
        {"Sid": "AWSCloudTrailWrite", "Effect": "Allow",
         "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
         "Resource": barn + "/AWSLogs/%s/*" % A,
         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control",
                                        "aws:SourceArn": trail}}},
        {"Sid": "DenyDeletes", "Effect": "Deny", "Principal": "*",
         "Action": ["s3:DeleteObject", "s3:DeleteBucket", "s3:PutLifecycleConfiguration"],
         "Resource": [barn, barn + "/*"],
         "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::%s:role/BreakGlass" % A}}},
        tls_deny([barn, barn + "/*"], "s3:*")]}
    resources.append({"arn": barn, "account": A, "policy": name, "tags": {"team": "security", "env": "prod"},
                      "service": "s3", "service_principal": "cloudtrail.amazonaws.com"})
    return resources


# --------------------------------------------------------------------------- requests


class Gen:
    def __init__(self, rng, cat, world_policies, principals, resources, handwritten):
        self.rng = rng
        self.cat = cat
        self.policies = world_policies
        self.principals = principals
        self.resources = resources
        self.hand = handwritten
        self.by_arn = {p.arn: p for p in principals}
        self.by_role = {}
        for p in principals:
            if p.type == "AssumedRole":
                self.by_role.setdefault(p.principal_arn, []).append(p)
        self.by_account = {a: [p for p in principals if p.account == a] for a in ACCOUNTS}
        self.res_by_service = {}
        for r in resources:
            self.res_by_service.setdefault(r["service"], []).append(r)
        self.buckets = {a: [r["arn"][13:] for r in resources if r["service"] == "s3" and r["account"] == a]
                        for a in ACCOUNTS}
        self.resource_policies = [r for r in resources if r.get("policy")]
        self.stats = {}
        self.weights = [0.15 if p.note == "root" else 0.5 if p.note == "service-linked" else 1
                        for p in principals]

    def count(self, k):
        self.stats[k] = self.stats.get(k, 0) + 1

    # ---- principals
    def unknown_principal(self):
        rng = self.rng
        acct = rng.choice([A, B, X, "555566667777"])
        if rng.random() < 0.5:
            return "arn:aws:iam::%s:user/ghost-%d" % (acct, rng.randrange(100))
        return "arn:aws:sts::%s:assumed-role/Scanner/session-%d" % (acct, rng.randrange(100))

    # ---- values
    def resolve(self, s, p):
        """Replace policy variables with the caller's values (as AWS would)."""
        def var(m):
            body = m.group(1)
            name, _, default = body.partition(",")
            name = name.strip()
            low = name.lower()
            if name in ("*", "?", "$"):
                return name
            if p is not None:
                if low == "aws:username" and p.username:
                    return p.username
                if low == "aws:userid" and p.user_id:
                    return p.user_id
                if low == "aws:principalaccount":
                    return p.account
                if low.startswith("aws:principaltag/"):
                    v = p.tags.get(name.split("/", 1)[1])
                    if v:
                        return v
                if low == "aws:principalarn":
                    return p.principal_arn
            if default:
                return default.strip().strip("'")
            return self.rng.choice(["alice", "payments", "x"])
        return re.sub(r"\$\{([^}]*)\}", var, s)

    def token(self):
        rng = self.rng
        return rng.choice(["reports/2026/q3.csv", "data", "app-7", "%s" % hexid(rng, 8), "prod",
                           "logs/2026-03-01/part-0001.gz", "x", "builds/%d/app.zip" % rng.randrange(500)])

    def fill_format(self, fmt, region, account):
        rng = self.rng
        s = fmt.replace("${Partition}", "aws").replace("${Region}", region).replace("${Account}", account)

        def ident(m):
            n = m.group(1)
            if n == "BucketName":
                bs = self.buckets.get(account) or []
                return rng.choice(bs) if bs and rng.random() < 0.7 else "arbiter-misc-%d" % rng.randrange(20)
            if n in ("ObjectName", "Key", "ObjectKey"):
                return rng.choice(["home/%s/notes.txt" % rng.choice(USER_NAMES), "shared/report.pdf",
                                   "uploads/%s.bin" % hexid(rng, 6), "builds/%d/app.zip" % rng.randrange(99),
                                   "AWSLogs/%s/CloudTrail/x.json.gz" % account, "index.html"])
            if n.endswith("Id") or n.endswith("ID"):
                return hexid(rng, 12)
            if n == "UserName":
                return rng.choice(USER_NAMES)
            if n == "RoleName" or n == "RoleNameWithPath":
                return rng.choice(ROLES)[0]
            return re.sub(r"[^a-z0-9]", "", n.lower())[:10] + "-" + str(rng.randrange(10))
        return re.sub(r"\$\{([^}]*)\}", ident, s)

    def catalog_resource(self, action, region, account):
        fmts = self.cat.arn_formats(action)
        if not fmts:
            return "*"
        return self.fill_format(self.rng.choice(fmts), region, account)

    def concretize(self, pattern, action, p, region, account):
        """A concrete ARN matching `pattern` (a Resource value)."""
        rng = self.rng
        pattern = self.resolve(pattern, p)
        if pattern == "*" or pattern.startswith("arn:*") or pattern.count(":") < 5:
            return self.catalog_resource(action, region, account)
        parts = pattern.split(":", 5)
        svc = parts[2]
        if svc in ("*", "") or "*" in svc:
            return self.catalog_resource(action, region, account)
        if parts[5] in ("*", "*/*"):
            fmt = self.catalog_resource(action, region if parts[3] else "", account)
            if fmt != "*" and fmt.split(":")[2] == svc:
                return fmt
        part = "aws" if "*" in parts[1] or "?" in parts[1] else parts[1]
        reg = parts[3]
        if "*" in reg or "?" in reg:
            reg = region
        acc = parts[4]
        if "*" in acc or "?" in acc:
            acc = account
        # A catalogue ARN format of the service that fits the pattern reads best.
        r = glob_re("arn:%s:%s:%s:%s:%s" % (part, svc, reg, acc, parts[5]), False)
        fmts = list(self.cat.arn_formats(action))
        s = self.cat.services.get(svc)
        if s:
            others = sorted(f for t in s["resourceTypes"].values() for f in t["arns"])
            fmts += [rng.choice(others) for _ in range(min(4, len(others)))]
        for fmt in fmts[:8]:
            cand = self.fill_format(fmt, reg, acc)
            if r.match(cand):
                return cand
        res = parts[5]
        out = []
        for c in res:
            if c == "*":
                out.append(self.token())
            elif c == "?":
                out.append(rng.choice("abc123"))
            else:
                out.append(c)
        return "arn:%s:%s:%s:%s:%s" % (part, svc, reg, acc, "".join(out))

    def world_resource_matching(self, pattern, action, p):
        svc = action.split(":")[0]
        cands = self.res_by_service.get(svc) or []
        info = self.cat.action_info(action) or {}
        kinds = [k.lower() for k in info.get("resources") or []]
        want = WORLD_TYPES.get(svc, ())
        if not cands or not any(k in want for k in kinds):
            return None
        pat = self.resolve(pattern, p)
        r = glob_re(pat, False)
        hits = []
        for res in cands:
            arn = res["arn"]
            if svc == "s3":
                if "object" in kinds and ("bucket" not in kinds or self.rng.random() < 0.6):
                    arn = arn + "/" + self.fill_format("${ObjectName}", "", res["account"])
            if r.match(arn):
                hits.append(arn)
        return self.rng.choice(hits) if hits else None

    def pick_action(self, st):
        rng = self.rng
        if "NotAction" in st:
            excl = as_list(st["NotAction"])
            for _ in range(60):
                svc = rng.choice(COMMON_SERVICES) if rng.random() < 0.7 else rng.choice(self.cat.names)
                acts = self.cat.actions.get(svc)
                if not acts:
                    continue
                a = svc + ":" + rng.choice(acts)
                if not any(glob_re(e, True).match(a) for e in excl):
                    return a
            return "ec2:DescribeInstances"
        pats = as_list(st.get("Action"))
        if not pats:
            return "s3:GetObject"
        pat = rng.choice(pats)
        if pat == "*":
            svc = rng.choice(COMMON_SERVICES)
            return svc + ":" + rng.choice(self.cat.actions[svc])
        got = self.cat.expand(pat)
        if got:
            return rng.choice(got)
        if "*" not in pat and "?" not in pat and ":" in pat:
            return pat  # not in the catalogue (renamed or retired action): use as written
        svc = pat.split(":")[0]
        if svc in self.cat.actions:
            return svc + ":" + rng.choice(self.cat.actions[svc])
        return "s3:GetObject"

    def region_for(self, arn):
        parts = arn.split(":")
        if len(parts) >= 6 and parts[3]:
            return parts[3]
        return None

    # ---- context
    def base_context(self, p, region, anonymous=False, service=None):
        rng = self.rng
        c = {}
        r = rng.random()
        if r < 0.12:
            c["aws:SourceIp"] = "2001:db8:%x::%x" % (rng.randrange(65536), rng.randrange(1, 65536)) \
                if rng.random() < 0.6 else "2600:1f18:%x::%x" % (rng.randrange(65536), rng.randrange(1, 65536))
        elif r < 0.6:
            c["aws:SourceIp"] = "203.0.113.%d" % rng.randrange(1, 255)
        else:
            c["aws:SourceIp"] = rng.choice(["198.51.100.", "192.0.2.", "52.94.1.", "100.64.7."]) + \
                str(rng.randrange(1, 255))
        t = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc) + \
            datetime.timedelta(seconds=rng.randrange(0, 366 * 86400))
        if rng.random() < 0.85:
            c["aws:CurrentTime"] = t.strftime("%Y-%m-%dT%H:%M:%SZ")
            c["aws:EpochTime"] = int(t.timestamp())
        c["aws:SecureTransport"] = rng.random() < 0.9
        c["aws:RequestedRegion"] = region
        if service:
            c["aws:PrincipalIsAWSService"] = True
            c["aws:PrincipalServiceName"] = service
            return c
        if anonymous:
            return c
        c["aws:PrincipalIsAWSService"] = False
        if rng.random() < 0.8:
            c["aws:ViaAWSService"] = rng.random() < 0.1
        if p is None or p.type in ("User", "AssumedRole", "FederatedUser", "Account"):
            r = rng.random()
            if r < 0.5:
                c["aws:MultiFactorAuthPresent"] = True
                c["aws:MultiFactorAuthAge"] = rng.choice([30, 600, 3599, 7200, 86400])
            elif r < 0.85:
                c["aws:MultiFactorAuthPresent"] = False
        if rng.random() < 0.2:
            c["aws:UserAgent"] = rng.choice(["aws-cli/2.15.0", "Boto3/1.34.0", "console.amazonaws.com"])
        return c

    DERIVED = ("aws:principalarn", "aws:principalaccount", "aws:principalorgid", "aws:principaltag/",
               "aws:resourceaccount", "aws:resourceorgid", "aws:username", "aws:userid",
               "aws:principaltype")

    def value_for(self, base, key, values, want, p, ktype):
        """One request value making `base <key> values` come out `want` (True/False)."""
        rng = self.rng
        vals = [self.resolve(str(v).lower() if isinstance(v, bool) else str(v), p) for v in values]
        v0 = rng.choice(vals) if vals else ""
        neg = base in ("StringNotEquals", "StringNotLike", "StringNotEqualsIgnoreCase", "ArnNotEquals",
                       "ArnNotLike", "NumericNotEquals", "DateNotEquals", "NotIpAddress")
        hit = want != neg  # should the positive operator match?
        pos = base.replace("Not", "") if neg else base
        if pos.startswith("String") or pos.startswith("Arn"):
            if hit:
                return re.sub(r"[*?]", lambda m: "x" if m.group(0) == "?" else rng.choice(["a", "prod", "7"]), v0)
            cands = ["other", "nomatch-" + hexid(rng, 4)]
            if pos.startswith("Arn"):
                cands = ["arn:aws:iam::999988887777:role/Other", "arn:aws:sns:us-west-2:999988887777:t"]
            for c in cands:
                if not any(glob_re(v, True).match(c) for v in vals):
                    return c
            return cands[-1] + "z"
        if pos.startswith("Numeric"):
            try:
                n = float(v0)
            except ValueError:
                n = 10
            n = int(n) if n == int(n) else n
            if pos == "NumericEquals":
                return n if hit else n + 1
            if pos == "NumericLessThan":
                return n - 1 if hit else n + 1
            if pos == "NumericLessThanEquals":
                return n if hit else n + 1
            if pos == "NumericGreaterThan":
                return n + 1 if hit else n - 1
            return n if hit else n - 1
        if pos.startswith("Date"):
            try:
                if re.fullmatch(r"-?\d+", v0):
                    d = datetime.datetime.fromtimestamp(int(v0), datetime.timezone.utc)
                else:
                    d = datetime.datetime.fromisoformat(v0.replace("Z", "+00:00"))
                    if d.tzinfo is None:
                        d = d.replace(tzinfo=datetime.timezone.utc)
            except (ValueError, OverflowError):
                d = datetime.datetime(2026, 6, 1, tzinfo=datetime.timezone.utc)
            day = datetime.timedelta(days=rng.randrange(1, 40))
            if pos == "DateEquals":
                d2 = d if hit else d + day
            elif pos in ("DateLessThan",):
                d2 = d - day if hit else d + day
            elif pos == "DateLessThanEquals":
                d2 = d if hit else d + day
            elif pos == "DateGreaterThan":
                d2 = d + day if hit else d - day
            else:
                d2 = d if hit else d - day
            if key.lower() == "aws:epochtime":
                return int(d2.timestamp())
            return d2.strftime("%Y-%m-%dT%H:%M:%SZ")
        if pos == "Bool":
            b = v0.lower() == "true"
            return b if hit else not b
        if pos == "IpAddress":
            try:
                return ipv4_in(rng, v0) if hit else ip_outside(rng, v0)
            except ValueError:
                return "192.0.2.1"
        if pos == "BinaryEquals":
            return v0 if hit else "b3RoZXI="
        return v0

    def apply_conditions(self, ctx, cond, p, resource_is_world):
        """Set context keys so that each condition holds (mostly) or fails (sometimes)."""
        rng = self.rng
        entries = []
        for op, kv in sorted(cond.items()):
            if not isinstance(kv, dict):
                continue
            for key, values in sorted(kv.items()):
                entries.append((op, key, as_list(values)))
        if not entries:
            return "none"
        violate = rng.randrange(len(entries)) if rng.random() < 0.3 else -1
        for idx, (op, key, values) in enumerate(entries):
            want = idx != violate
            low = key.lower()
            if low.startswith(self.DERIVED):
                continue  # the world supplies it
            if low.startswith("aws:resourcetag/") and resource_is_world:
                continue
            qual = ""
            base = op
            if ":" in op:
                qual, base = op.split(":", 1)
            if_exists = base.endswith("IfExists")
            if if_exists:
                base = base[:-8]
            ktype = self.cat.key_type(key) or ""
            if base == "Null":
                absent = str(values[0]).lower() == "true" if values else True
                if absent == want:
                    ctx.pop(key, None)
                    for k in list(ctx):
                        if k.lower() == low:
                            del ctx[k]
                else:
                    ctx[key] = self.value_for("StringEquals", key, ["present"], True, p, ktype)
                continue
            if if_exists and rng.random() < 0.15:
                ctx.pop(key, None)
                continue
            multi = qual in ("ForAllValues", "ForAnyValue") or ktype.startswith("ArrayOf")
            if multi:
                if qual == "ForAllValues":
                    n = rng.randrange(1, 4)
                    arr = [self.value_for(base, key, values, True, p, ktype) for _ in range(n)]
                    if not want:
                        arr.append(self.value_for(base, key, values, False, p, ktype))
                elif qual == "ForAnyValue":
                    arr = [self.value_for(base, key, values, False, p, ktype) for _ in range(rng.randrange(0, 3))]
                    if want:
                        arr.insert(rng.randrange(len(arr) + 1), self.value_for(base, key, values, True, p, ktype))
                    elif not arr:
                        arr = [self.value_for(base, key, values, False, p, ktype)]
                else:
                    arr = [self.value_for(base, key, values, want, p, ktype)]
                # dedupe preserving order
                seen = []
                for a in arr:
                    if a not in seen:
                        seen.append(a)
                ctx[key] = seen
            else:
                ctx[key] = self.value_for(base, key, values, want, p, ktype)
        return "satisfy" if violate < 0 else "violate"

    # ---- one request
    def request(self, principal_arn, p, action, resource, ctx, resource_account=None):
        r = {"principal": principal_arn, "action": action, "resource": resource, "context": ctx}
        if resource_account:
            r["resource_account"] = resource_account
        return r

    def choose_region(self):
        rng = self.rng
        return rng.choice(APPROVED_REGIONS) if rng.random() < 0.9 else rng.choice(OTHER_REGIONS)

    def from_identity(self, p):
        rng = self.rng
        names = list(p.identity)
        if p.boundary:
            names.append(p.boundary)
        names += p.sessions
        if not names:  # the account root: no policies of its own
            return self.random_request(p)
        # Hand-written policies carry the conditions; weigh them up.
        # Inline and session policies carry the conditions and the real limits; weigh them up.
        weights = [3 if n.startswith(("Inline-", "Session-")) else 2 if n.startswith("Boundary-") else 1
                   for n in names]
        name = rng.choices(names, weights=weights)[0]
        sts = statements(self.policies[name])
        idx = rng.randrange(len(sts))
        st = sts[idx]
        action = self.pick_action(st)
        region = self.choose_region()
        account = p.account if rng.random() < 0.85 else rng.choice(ACCOUNTS)
        res_pats = as_list(st.get("Resource")) or ["*"]
        if "NotResource" in st:
            resource = self.catalog_resource(action, region, account)
        else:
            pat = rng.choice(res_pats)
            resource = None
            if rng.random() < 0.5:
                resource = self.world_resource_matching(pat, action, p)
            if resource is None:
                resource = self.concretize(pat, action, p, region, account)
        reg = self.region_for(resource)
        if reg and rng.random() < 0.95:
            region = reg
        ctx = self.base_context(p, region)
        world_res = self.find_world_resource(resource) is not None
        how = self.apply_conditions(ctx, st.get("Condition") or {}, p, world_res)
        self.count("identity-statement/" + how)
        self.meta = {"from": "identity", "policy": name, "statement": idx,
                     "effect": st.get("Effect"), "conditions": how}
        ra = None
        if resource.startswith("arn:aws:s3:::") and not world_res and account != p.account and rng.random() < 0.5:
            ra = account
        return self.request(p.arn, p, action, resource, ctx, ra)

    def find_world_resource(self, arn):
        best = None
        for r in self.resources:
            ra = r["arn"]
            if arn == ra or (arn.startswith(ra) and arn[len(ra)] in "/:"):
                if best is None or len(ra) > len(best["arn"]):
                    best = r
        return best

    def from_resource_policy(self):
        rng = self.rng
        res = rng.choice(self.resource_policies)
        sts = statements(self.policies[res["policy"]])
        idx = rng.randrange(len(sts))
        st = sts[idx]
        action = self.pick_action(st)
        # Who calls.
        princ = st.get("Principal", "*")
        caller, p = None, None
        if rng.random() < 0.2:
            p = rng.choice(self.principals)
            caller = p.arn
        elif princ == "*" or (isinstance(princ, dict) and princ.get("AWS") == "*"):
            r = rng.random()
            if r < 0.15 or res.get("public"):
                caller = "*" if rng.random() < 0.7 else None
            if caller is None:
                if r < 0.3:
                    caller = self.unknown_principal()
                else:
                    p = rng.choice(self.principals)
                    caller = p.arn
        elif isinstance(princ, dict) and "Service" in princ:
            caller = rng.choice(as_list(princ["Service"]))
        else:
            target = rng.choice(as_list(princ.get("AWS")))
            m = re.fullmatch(r"(?:arn:aws:iam::)?(\d{12})(?::root)?", target)
            if m:
                cands = self.by_account.get(m.group(1)) or []
                if cands and rng.random() < 0.85:
                    p = rng.choice(cands)
                    caller = p.arn
                else:
                    caller = "arn:aws:iam::%s:user/ghost-%d" % (m.group(1), rng.randrange(10))
            elif target in self.by_role:
                p = rng.choice(self.by_role[target])
                caller = p.arn
            elif ":role/" in target:
                m = re.fullmatch(r"arn:aws:iam::(\d{12}):role/(?:.*/)?([^/]+)", target)
                caller = "arn:aws:sts::%s:assumed-role/%s/session-%d" % (m.group(1), m.group(2), rng.randrange(5))
            elif target in self.by_arn:
                p = self.by_arn[target]
                caller = p.arn
            else:
                caller = target
        region = self.region_for(res["arn"]) or self.choose_region()
        pats = as_list(st.get("Resource")) or [res["arn"]]
        pat = rng.choice(pats)
        if pat == "*":
            pat = res["arn"]
        resource = self.concretize(pat, action, p, region, res["account"])
        if not resource.startswith(res["arn"]):
            resource = res["arn"]
        anonymous = caller == "*"
        service = caller if (caller and "." in caller and not caller.startswith("arn:")) else None
        ctx = self.base_context(p, region, anonymous=anonymous, service=service)
        if service:
            ctx["aws:SourceAccount"] = res["account"]
        how = self.apply_conditions(ctx, st.get("Condition") or {}, p, True)
        self.count("resource-statement/" + ("anonymous/" if anonymous else "service/" if service else "")
                   + how)
        self.meta = {"from": "resource", "policy": res["policy"], "statement": idx,
                     "effect": st.get("Effect"), "conditions": how}
        return self.request(caller, p, action, resource, ctx)

    def random_request(self, who=None):
        rng = self.rng
        r = rng.random()
        if who is not None:
            p, caller = who, who.arn
        elif r < 0.08:
            caller, p = self.unknown_principal(), None
        elif r < 0.12:
            caller, p = "*", None
        else:
            p = rng.choice(self.principals)
            caller = p.arn
        svc = rng.choice(COMMON_SERVICES) if rng.random() < 0.6 else rng.choice(self.cat.names)
        acts = self.cat.actions.get(svc) or ["GetObject"]
        action = svc + ":" + rng.choice(acts)
        region = self.choose_region()
        account = (p.account if p else caller.split(":")[4] if caller.startswith("arn:") else A) \
            if rng.random() < 0.8 else rng.choice(ACCOUNTS)
        resource = self.catalog_resource(action, region, account)
        ctx = self.base_context(p, region, anonymous=caller == "*")
        for k in ("aws:RequestTag/team", "aws:TagKeys"):
            if rng.random() < 0.05:
                ctx[k] = rng.choice(TEAMS) if k.endswith("team") else ["team", "env"]
        self.count("random")
        self.meta = {"from": "random"}
        return self.request(caller, p, action, resource, ctx)

    def one(self):
        rng = self.rng
        r = rng.random()
        if r < 0.15:
            return self.random_request()
        if r < 0.15 + 0.85 * 0.3:
            return self.from_resource_policy()
        p = rng.choices(self.principals, weights=self.weights)[0]
        return self.from_identity(p)


# --------------------------------------------------------------------------- main


def build(size, seed, managed_path, catalog_path):
    n_pol, n_princ, n_req, sets = SIZES[size]
    rng = random.Random("%s/%d" % (size, seed))
    with open(managed_path, encoding="utf-8") as f:
        managed = json.load(f)
    cat = Catalog(catalog_path)
    names = sorted(managed)
    if n_pol is None:
        chosen = list(names)
    else:
        chosen = [n for n in CORE_MANAGED if n in managed][:n_pol]
        rest = [n for n in names if n not in chosen and n != SLR_POLICY]
        chosen += rng.sample(rest, n_pol - len(chosen))
    principals = make_principals(rng, n_princ)
    hand = handwritten_policies()
    policies = {}
    for n in sorted(hand):
        policies[n] = hand[n]

    # Managed policy attachments: 1-6 each, every chosen policy attached at least once.
    normal = [p for p in principals if p.note not in ("service-linked", "root")]
    slots = {p.arn: rng.randint(1, 6) for p in normal}
    need = len(chosen)
    order = [p.arn for p in normal]
    while sum(slots.values()) < need:
        a = rng.choice(order)
        if slots[a] < 6:
            slots[a] += 1
    queue = [n for n in chosen if n != "AWSDenyAll"]
    rng.shuffle(queue)
    if "AWSDenyAll" in chosen:
        late = [p for p in normal[10:]] or normal[-1:]
        victim = rng.choice(late)
        slots[victim.arn] -= 1
        victim.identity = ["AWSDenyAll"]
    # AWSDenyAll on at most one principal, and never on the archetypes at the front.
    for p in normal:
        k = slots[p.arn]
        mine = []
        while queue and len(mine) < k:
            mine.append(queue.pop())
        while len(mine) < k:
            c = rng.choice(chosen)
            if c not in mine and c != "AWSDenyAll":
                mine.append(c)
        p.identity = sorted(mine + p.identity)
    for p in principals:
        if p.note == "service-linked":
            p.identity = [SLR_POLICY] if SLR_POLICY in managed else []
        if p.note == "root":
            p.identity = []
    used_managed = sorted({n for p in principals for n in p.identity})
    for n in used_managed:
        policies[n] = managed[n]

    # Inline-style policies, boundaries, session policies.
    for i, p in enumerate(principals):
        if p.note in ("service-linked", "root"):
            continue
        if rng.random() < 0.45 or i < 2:
            p.identity.append(INLINES[i % len(INLINES)] if i < len(INLINES) else rng.choice(INLINES))
        if rng.random() < 0.3 or i == 0:
            p.boundary = rng.choice(BOUNDARIES) if i else "Boundary-Developer"
        if p.type == "AssumedRole" and (rng.random() < 0.4 or i == 1):
            p.sessions = ["Session-CIDeploy"] if i == 1 else [rng.choice(SESSIONS)]
        if p.type == "FederatedUser":
            p.sessions = [rng.choice(SESSIONS)]

    # Sessions are scoped down from broad roles, and boundaries cap broad grants: give such
    # principals a broad managed policy (realistic, and it lets their requests be allowed).
    broad = [n for n in ("PowerUserAccess", "AdministratorAccess", "ReadOnlyAccess",
                         "AmazonS3ReadOnlyAccess") if n in chosen]
    attached = {}
    for p in principals:
        for n in p.identity:
            attached[n] = attached.get(n, 0) + 1
    for p in principals:
        if not broad or not (p.sessions or (p.boundary and rng.random() < 0.5)):
            continue
        if any(n in broad for n in p.identity) or "AWSDenyAll" in p.identity:
            continue
        managed_mine = [n for n in p.identity if n in managed]
        add = rng.choice(broad)
        if len(managed_mine) < 6:
            p.identity.append(add)
        else:
            spare = [n for n in managed_mine if attached[n] > 1]
            if not spare:
                continue
            drop = rng.choice(spare)
            attached[drop] -= 1
            p.identity[p.identity.index(drop)] = add
        attached[add] = attached.get(add, 0) + 1
        p.identity = sorted(n for n in p.identity if n in managed) + \
            [n for n in p.identity if n not in managed]

    resources = make_resources(rng, sets, principals, policies)
    organization = {"id": ORG_ID, "accounts": {
        A: {"scps": [["FullAWSAccess"], ["FullAWSAccess", "SCP-OrgGuardrails"], ["FullAWSAccess"]],
            "rcps": [["RCP-DataPerimeter"]]},
        B: {"scps": [["FullAWSAccess"], ["FullAWSAccess", "SCP-OrgGuardrails"], ["SCP-SandboxAllowList"]],
            "rcps": [["RCP-DataPerimeter"]]},
    }}
    # Keep only policies that are referenced (handwritten ones that no principal drew are dropped,
    # except FullAWSAccess which the organization uses).
    referenced = {"FullAWSAccess", "SCP-OrgGuardrails", "SCP-SandboxAllowList", "RCP-DataPerimeter"}
    for p in principals:
        referenced.update(p.identity)
        referenced.update(p.sessions)
        if p.boundary:
            referenced.add(p.boundary)
    for r in resources:
        if r.get("policy"):
            referenced.add(r["policy"])
    policies = {n: policies[n] for n in sorted(policies) if n in referenced}
    missing = sorted(n for n in referenced if n not in policies)
    assert not missing, missing

    world = {
        "policies": policies,
        "principals": [p.to_json() for p in principals],
        "resources": [{k: v for k, v in r.items() if k in ("arn", "account", "policy", "tags")}
                      for r in resources],
        "organization": organization,
    }
    gen = Gen(rng, cat, policies, principals, resources, hand)
    requests, metas = [], []
    for _ in range(n_req):
        requests.append(gen.one())
        metas.append(gen.meta)
    return world, requests, metas, gen.stats, sum(n in managed for n in policies)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", choices=sorted(SIZES), required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True, help="output folder")
    ap.add_argument("--managed", default=os.path.join(HERE, "managed-policies.json"))
    ap.add_argument("--catalog", default=os.path.join(HERE, "iam-catalog.json"))
    ap.add_argument("--meta", action="store_true",
                    help="also write DIR/requests.meta.jsonl: per request, the statement it was "
                         "derived from and whether its conditions were meant to hold")
    args = ap.parse_args(argv)
    t0 = time.time()
    world, requests, metas, stats, n_managed = build(args.size, args.seed, args.managed, args.catalog)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "world.json"), "w", encoding="utf-8") as f:
        json.dump(world, f, indent=1, ensure_ascii=False)
        f.write("\n")
    with open(os.path.join(args.out, "requests.jsonl"), "w", encoding="utf-8") as f:
        for r in requests:
            f.write(json.dumps(r, separators=(",", ":"), ensure_ascii=False))
            f.write("\n")
    if args.meta:
        with open(os.path.join(args.out, "requests.meta.jsonl"), "w", encoding="utf-8") as f:
            for m in metas:
                f.write(json.dumps(m, separators=(",", ":")) + "\n")
    pr = world["principals"]
    lines = [
        "Generated by corpus/generate.py --size %s --seed %d" % (args.size, args.seed),
        "",
        "world.json: %d policies (%d AWS managed, %d handwritten or resource policies), "
        "%d principals, %d resources" % (len(world["policies"]), n_managed,
                                         len(world["policies"]) - n_managed, len(pr),
                                         len(world["resources"])),
        "  principals: %d users, %d role sessions, %d other; %d with a permissions boundary, "
        "%d with session policies" % (
            sum(p["type"] == "User" for p in pr), sum(p["type"] == "AssumedRole" for p in pr),
            sum(p["type"] not in ("User", "AssumedRole") for p in pr),
            sum("permissions_boundary" in p for p in pr), sum("session_policies" in p for p in pr)),
        "  organization %s: members %s (SCP levels root/OU/account, RCP at root); "
        "%s is outside" % (ORG_ID, ", ".join(ORG_ACCOUNTS), X),
        "requests.jsonl: %d requests" % len(requests),
        "  how they were made:",
    ]
    for k in sorted(stats):
        lines.append("    %-45s %d" % (k, stats[k]))
    lines += ["", "Decide them with:",
              "  build/cli/arbiter eval --world %s/world.json --requests %s/requests.jsonl" % (args.out, args.out)]
    with open(os.path.join(args.out, "README.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print("%s seed %d: %d policies, %d principals, %d requests -> %s (%.1fs)" % (
        args.size, args.seed, len(world["policies"]), len(pr), len(requests), args.out, time.time() - t0),
        file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
