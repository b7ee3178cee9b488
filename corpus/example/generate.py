#!/usr/bin/env python3
"""Generate the example world, requests, expected decisions and notes.

    python3 corpus/example/generate.py

Reads the real AWS managed policies from corpus/policies/*.json and the handwritten
policies below, and writes (beside this script):
    world.json       SPEC.md section 2
    requests.jsonl   SPEC.md section 3
    expected.jsonl   SPEC.md section 4 ({"decision": ...} per request, in order)
    NOTES.md         one line of reasoning per request

Everything is defined here once, so the four files cannot drift apart.
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
POLICY_DIR = os.path.join(HERE, "..", "policies")

ORG_ACCOUNT = "111122223333"        # member account of the organization
MISCONFIGURED = "777788889999"      # member account whose OU level has no Allow SCP
EXTERNAL = "444455556666"           # outside the organization
ORG_ID = "o-a1b2c3d4e5"

BUCKET = "arn:aws:s3:::arbiter-example-bucket"
OTHER_BUCKET = "arn:aws:s3:::arbiter-no-policy-bucket"
AUDIT_BUCKET = "arn:aws:s3:::auditor-own-logs"
KEY = f"arn:aws:kms:us-east-1:{ORG_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
QUEUE = f"arn:aws:sqs:us-east-1:{ORG_ACCOUNT}:orders"
TABLE = f"arn:aws:dynamodb:us-east-1:{ORG_ACCOUNT}:table/orders"
INSTANCE_PLATFORM = f"arn:aws:ec2:us-east-1:{ORG_ACCOUNT}:instance/i-0platform0000000001"
INSTANCE_PAYMENTS = f"arn:aws:ec2:us-east-1:{ORG_ACCOUNT}:instance/i-0payments000000001"
ECR_REPO = f"arn:aws:ecr:us-east-1:{ORG_ACCOUNT}:repository/app"
CA = f"arn:aws:acm-pca:us-east-1:{ORG_ACCOUNT}:certificate-authority/11111111-2222-3333-4444-555555555555"

ALICE = f"arn:aws:iam::{ORG_ACCOUNT}:user/alice"
BOB = f"arn:aws:iam::{ORG_ACCOUNT}:user/bob"
CAROL = f"arn:aws:iam::{ORG_ACCOUNT}:user/carol"
DAVE = f"arn:aws:iam::{ORG_ACCOUNT}:user/dave"
ERIN = f"arn:aws:iam::{ORG_ACCOUNT}:user/erin"
CI = f"arn:aws:sts::{ORG_ACCOUNT}:assumed-role/Deploy/ci-42"
CI_ROLE = f"arn:aws:iam::{ORG_ACCOUNT}:role/Deploy"
BREAKGLASS = f"arn:aws:sts::{ORG_ACCOUNT}:assumed-role/BreakGlass/oncall-7"
BREAKGLASS_ROLE = f"arn:aws:iam::{ORG_ACCOUNT}:role/BreakGlass"
AUDITOR = f"arn:aws:sts::{EXTERNAL}:assumed-role/Auditor/audit-2026"
AUDITOR_ROLE = f"arn:aws:iam::{EXTERNAL}:role/Auditor"
FRANK = f"arn:aws:iam::{MISCONFIGURED}:user/frank"
GHOST = f"arn:aws:iam::{ORG_ACCOUNT}:user/ghost"   # not in the world

MANAGED = [
    "AdministratorAccess", "PowerUserAccess", "AmazonS3ReadOnlyAccess", "AmazonS3FullAccess",
    "AmazonDynamoDBReadOnlyAccess", "AmazonSQSFullAccess", "IAMUserChangePassword",
    "IAMReadOnlyAccess", "IAMSelfManageServiceSpecificCredentials",
    "AWSKeyManagementServicePowerUser", "AmazonEC2ReadOnlyAccess",
    "CloudWatchLogsReadOnlyAccess", "AWSDenyAll", "AmazonEC2ContainerRegistryReadOnly",
    "AWSCloudTrail_ReadOnlyAccess", "AWSPrivateCAUser", "AmazonSNSReadOnlyAccess",
    "AmazonEC2ContainerRegistryFullAccess", "AWSElementalMediaStoreReadOnly",
    "AmazonRDSReadOnlyAccess",
]

# --------------------------------------------------------------------------- handwritten
V = "2012-10-17"
HANDWRITTEN = {
    # SCP: the AWS default, attached at every level.
    "FullAWSAccess": {
        "Version": V,
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    },
    # SCP: no leaving the org; nothing outside us-east-1/eu-west-1 except global services,
    # with a break-glass role exempt (modelled on AWS's region-restriction example SCP).
    "DenyLeaveOrgAndRegions": {
        "Version": V,
        "Statement": [
            {
                "Sid": "DenyLeaveOrganization",
                "Effect": "Deny",
                "Action": "organizations:LeaveOrganization",
                "Resource": "*",
            },
            {
                "Sid": "DenyOutsideApprovedRegions",
                "Effect": "Deny",
                "NotAction": [
                    "a4b:*", "budgets:*", "ce:*", "chime:*", "cloudfront:*", "cur:*",
                    "globalaccelerator:*", "health:*", "iam:*", "organizations:*",
                    "route53:*", "route53domains:*", "s3:GetAccountPublicAccessBlock",
                    "s3:ListAllMyBuckets", "shield:*", "sts:*", "support:*",
                    "trustedadvisor:*", "waf:*", "wafv2:*",
                ],
                "Resource": "*",
                "Condition": {
                    "StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]},
                    "ArnNotLike": {"aws:PrincipalARN": ["arn:aws:iam::*:role/BreakGlass"]},
                },
            },
        ],
    },
    # RCP: KMS keys and SQS queues of the org may only be used by the org's identities
    # (modelled on AWS's data-perimeter RCP examples). RCPFullAWSAccess is implicit.
    "RCPEnforceOrgIdentities": {
        "Version": V,
        "Statement": [
            {
                "Sid": "EnforceOrgIdentitiesOnKeysAndQueues",
                "Effect": "Deny",
                "Principal": "*",
                "Action": ["kms:*", "sqs:*"],
                "Resource": "*",
                "Condition": {
                    "StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG_ID},
                    "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
                },
            }
        ],
    },
    # Permissions boundary for bob.
    "DevBoundary": {
        "Version": V,
        "Statement": [
            {
                "Sid": "AllowDevServices",
                "Effect": "Allow",
                "Action": [
                    "s3:*", "sqs:*", "dynamodb:*", "logs:*", "cloudwatch:*",
                    "ec2:Describe*", "kms:Describe*", "kms:List*",
                ],
                "Resource": "*",
            },
            {
                "Sid": "AllowOwnTeamInstances",
                "Effect": "Allow",
                "Action": ["ec2:StartInstances", "ec2:StopInstances"],
                "Resource": "arn:aws:ec2:*:*:instance/*",
                "Condition": {
                    "StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}
                },
            },
            {
                "Sid": "DenyBucketDestruction",
                "Effect": "Deny",
                "Action": ["s3:DeleteBucket", "s3:DeleteBucketPolicy", "s3:PutBucketPolicy"],
                "Resource": "*",
            },
        ],
    },
    # Inline identity policy for carol.
    "DenyIAMWithoutMFA": {
        "Version": V,
        "Statement": [
            {
                "Sid": "DenyIAMWithoutMFA",
                "Effect": "Deny",
                "Action": "iam:*",
                "Resource": "*",
                "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
            }
        ],
    },
    # Session policy passed when the CI job assumed role/Deploy.
    "CISessionPolicy": {
        "Version": V,
        "Statement": [
            {
                "Sid": "BuildArtifacts",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject"],
                "Resource": BUCKET + "/builds/*",
            },
            {
                "Sid": "ListBuilds",
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": BUCKET,
                "Condition": {"StringLike": {"s3:prefix": ["builds/*"]}},
            },
            {
                "Sid": "DecryptArtifacts",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": KEY,
            },
            {
                "Sid": "SendUntilEndOf2026",
                "Effect": "Allow",
                "Action": "sqs:SendMessage",
                "Resource": QUEUE,
                "Condition": {"DateLessThan": {"aws:CurrentTime": "2027-01-01T00:00:00Z"}},
            },
            {
                "Sid": "PullImages",
                "Effect": "Allow",
                "Action": [
                    "ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability",
                    "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage",
                ],
                "Resource": "*",
            },
        ],
    },
    # S3 bucket policy.
    "ExampleBucketPolicy": {
        "Version": V,
        "Id": "ExampleBucketPolicy",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [BUCKET, BUCKET + "/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            {
                "Sid": "AuditorCrossAccountRead",
                "Effect": "Allow",
                "Principal": {"AWS": AUDITOR_ROLE},
                "Action": ["s3:GetObject", "s3:ListBucket"],
                "Resource": [BUCKET, BUCKET + "/*"],
            },
            {
                "Sid": "ErinReadsReportsFromOffice",
                "Effect": "Allow",
                "Principal": {"AWS": ERIN},
                "Action": "s3:GetObject",
                "Resource": BUCKET + "/reports/*",
                "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
            },
        ],
    },
    # KMS key policy.
    "ExampleKeyPolicy": {
        "Version": V,
        "Id": "key-policy-1",
        "Statement": [
            {
                "Sid": "EnableIAMPolicies",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ORG_ACCOUNT}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "AllowDeployRoleUse",
                "Effect": "Allow",
                "Principal": {"AWS": CI_ROLE},
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"],
                "Resource": "*",
            },
            {
                "Sid": "AllowAuditorDescribe",
                "Effect": "Allow",
                "Principal": {"AWS": AUDITOR_ROLE},
                "Action": ["kms:DescribeKey", "kms:GetKeyPolicy"],
                "Resource": "*",
            },
            {
                "Sid": "RequireMFAForDestructiveKeyActions",
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Action": ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy"],
                "Resource": "*",
                "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
            },
        ],
    },
    # SQS queue policy.
    "OrdersQueuePolicy": {
        "Version": V,
        "Id": QUEUE + "/SQSDefaultPolicy",
        "Statement": [
            {
                "Sid": "AuditorCrossAccountSend",
                "Effect": "Allow",
                "Principal": {"AWS": AUDITOR_ROLE},
                "Action": ["sqs:SendMessage", "sqs:GetQueueAttributes"],
                "Resource": QUEUE,
            },
            {
                "Sid": "ErinConsumes",
                "Effect": "Allow",
                "Principal": {"AWS": ERIN},
                "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                "Resource": QUEUE,
            },
            {
                "Sid": "OnlyPaymentsMayPurgeOrDelete",
                "Effect": "Deny",
                "Principal": "*",
                "Action": ["sqs:PurgeQueue", "sqs:DeleteQueue"],
                "Resource": QUEUE,
                "Condition": {"StringNotEquals": {"aws:PrincipalTag/team": "payments"}},
            },
        ],
    },
}

# --------------------------------------------------------------------------- world
PRINCIPALS = [
    {
        "arn": ALICE, "type": "User", "account": ORG_ACCOUNT,
        "user_id": "AIDAALICEEXAMPLE00001", "username": "alice",
        "tags": {"team": "payments", "cost-center": "cc-1001"},
        "identity_policies": [
            "AmazonS3ReadOnlyAccess", "IAMUserChangePassword",
            "IAMSelfManageServiceSpecificCredentials", "AmazonSQSFullAccess",
            "CloudWatchLogsReadOnlyAccess", "AmazonDynamoDBReadOnlyAccess",
            "AWSPrivateCAUser", "AmazonSNSReadOnlyAccess", "AWSElementalMediaStoreReadOnly",
        ],
    },
    {
        "arn": BOB, "type": "User", "account": ORG_ACCOUNT,
        "user_id": "AIDABOBEXAMPLE0000002", "username": "bob",
        "tags": {"team": "platform"},
        "identity_policies": ["PowerUserAccess", "AmazonEC2ContainerRegistryFullAccess"],
        "permissions_boundary": "DevBoundary",
    },
    {
        "arn": CAROL, "type": "User", "account": ORG_ACCOUNT,
        "user_id": "AIDACAROLEXAMPLE00003", "username": "carol",
        "tags": {"team": "security", "role": "admin"},
        "identity_policies": ["AdministratorAccess", "DenyIAMWithoutMFA"],
    },
    {
        "arn": DAVE, "type": "User", "account": ORG_ACCOUNT,
        "user_id": "AIDADAVEEXAMPLE000004", "username": "dave",
        "tags": {"status": "quarantined"},
        "identity_policies": ["AdministratorAccess", "AWSDenyAll"],
    },
    {
        "arn": ERIN, "type": "User", "account": ORG_ACCOUNT,
        "user_id": "AIDAERINEXAMPLE000005", "username": "erin",
        "identity_policies": [],
    },
    {
        "arn": CI, "principal_arn": CI_ROLE, "type": "AssumedRole", "account": ORG_ACCOUNT,
        "user_id": "AROADEPLOYEXAMPLE0006:ci-42",
        "tags": {"team": "platform"},
        "identity_policies": [
            "AmazonS3FullAccess", "AmazonSQSFullAccess", "AmazonEC2ContainerRegistryReadOnly",
        ],
        "session_policies": ["CISessionPolicy"],
    },
    {
        "arn": BREAKGLASS, "principal_arn": BREAKGLASS_ROLE, "type": "AssumedRole",
        "account": ORG_ACCOUNT, "user_id": "AROABREAKGLASSEXAMP07:oncall-7",
        "identity_policies": ["AdministratorAccess"],
    },
    {
        "arn": AUDITOR, "principal_arn": AUDITOR_ROLE, "type": "AssumedRole",
        "account": EXTERNAL, "user_id": "AROAAUDITOREXAMPLE008:audit-2026",
        "tags": {"team": "audit"},
        "identity_policies": [
            "AmazonS3ReadOnlyAccess", "AWSKeyManagementServicePowerUser",
            "AmazonEC2ReadOnlyAccess", "AmazonRDSReadOnlyAccess",
            "AWSCloudTrail_ReadOnlyAccess", "IAMReadOnlyAccess",
        ],
    },
    {
        "arn": FRANK, "type": "User", "account": MISCONFIGURED,
        "user_id": "AIDAFRANKEXAMPLE00009", "username": "frank",
        "identity_policies": ["AdministratorAccess"],
    },
]

RESOURCES = [
    {"arn": BUCKET, "account": ORG_ACCOUNT, "policy": "ExampleBucketPolicy",
     "tags": {"stage": "prod", "data-class": "internal"}},
    {"arn": AUDIT_BUCKET, "account": EXTERNAL, "tags": {"stage": "prod"}},
    {"arn": KEY, "account": ORG_ACCOUNT, "policy": "ExampleKeyPolicy",
     "tags": {"stage": "prod", "team": "payments"}},
    {"arn": QUEUE, "account": ORG_ACCOUNT, "policy": "OrdersQueuePolicy",
     "tags": {"stage": "prod", "team": "payments"}},
    {"arn": TABLE, "account": ORG_ACCOUNT, "tags": {"team": "payments"}},
    {"arn": INSTANCE_PLATFORM, "account": ORG_ACCOUNT, "tags": {"team": "platform"}},
    {"arn": INSTANCE_PAYMENTS, "account": ORG_ACCOUNT, "tags": {"team": "payments"}},
]

ORGANIZATION = {
    "id": ORG_ID,
    "accounts": {
        # levels: root, OU "Workloads", the account itself
        ORG_ACCOUNT: {
            "scps": [["FullAWSAccess"], ["FullAWSAccess", "DenyLeaveOrgAndRegions"],
                     ["FullAWSAccess"]],
            "rcps": [["RCPEnforceOrgIdentities"]],
        },
        # OU level carries only a Deny-only SCP: nothing is allowed at that level.
        MISCONFIGURED: {
            "scps": [["FullAWSAccess"], ["DenyLeaveOrgAndRegions"]],
            "rcps": [["RCPEnforceOrgIdentities"]],
        },
    },
}

# --------------------------------------------------------------------------- requests
A, E, I = "Allow", "ExplicitDeny", "ImplicitDeny"
TLS = {"aws:SecureTransport": True}
NO_TLS = {"aws:SecureTransport": False}
T = "2026-11-22T10:00:00Z"


def ctx(region="us-east-1", **extra):
    c = {"aws:RequestedRegion": region, "aws:CurrentTime": T}
    c.update(extra)
    return c


def s3ctx(secure=True, region="us-east-1", **extra):
    c = ctx(region, **extra)
    c["aws:SecureTransport"] = secure
    return c


# (principal, action, resource, context, expected, reasoning, extra request fields)
R = []


FINE = set()   # 1-based numbers of requests that rest on a finer point of the docs


def req(principal, action, resource, context, expect, why, fine=False, **fields):
    R.append((principal, action, resource, context, expect, why, fields))
    if fine:
        FINE.add(len(R))


# alice: payments, S3 read, SQS full, logs/dynamodb read, IAM self-service, conditional policies
req(ALICE, "s3:GetObject", BUCKET + "/reports/q3.csv", s3ctx(), A,
    "AmazonS3ReadOnlyAccess allows s3:Get*; bucket policy denies only insecure transport; SCPs allow.")
req(ALICE, "s3:PutObject", BUCKET + "/reports/q4.csv", s3ctx(), I,
    "No identity or bucket statement allows s3:PutObject for alice.")
req(ALICE, "s3:GetObject", BUCKET + "/reports/q3.csv", s3ctx(secure=False), E,
    "Bucket policy DenyInsecureTransport: Bool aws:SecureTransport false matches.")
req(ALICE, "s3:ListAllMyBuckets", "*", ctx("ap-southeast-2"), A,
    "s3:ListAllMyBuckets is in the SCP's NotAction list, so the region deny does not apply; s3:List* allows.")
req(ALICE, "logs:GetLogEvents", "arn:aws:logs:sa-east-1:111122223333:log-group:/app/web:log-stream:a",
    ctx("sa-east-1"), E,
    "SCP DenyOutsideApprovedRegions: logs is not exempt, sa-east-1 not approved, alice is not BreakGlass.")
req(ALICE, "logs:GetLogEvents", "arn:aws:logs:eu-west-1:111122223333:log-group:/app/web:log-stream:a",
    ctx("eu-west-1"), A,
    "CloudWatchLogsReadOnlyAccess allows logs:Get*; eu-west-1 is approved by the SCP.")
req(ALICE, "iam:ChangePassword", ALICE, ctx(), A,
    "IAMUserChangePassword: arn:aws:iam::*:user/${aws:username} resolves to user/alice.")
req(ALICE, "iam:ChangePassword", BOB, ctx(), I,
    "${aws:username} is alice, so user/bob does not match; nothing else allows it.")
req(ALICE, "iam:CreateServiceSpecificCredential", ALICE, ctx(), A,
    "IAMSelfManageServiceSpecificCredentials allows it on user/${aws:username} = user/alice.")
req(ALICE, "sqs:PurgeQueue", QUEUE, ctx(), A,
    "AmazonSQSFullAccess allows sqs:*; queue Deny needs PrincipalTag/team != payments, alice is payments; RCP: alice is in the org.")
req(ALICE, "dynamodb:GetItem", TABLE, ctx(), A,
    "AmazonDynamoDBReadOnlyAccess lists dynamodb:GetItem on *.")
req(ALICE, "dynamodb:PutItem", TABLE, ctx(), I,
    "Read-only policy has no dynamodb:PutItem; the table has no resource policy.")
req(ALICE, "kms:Decrypt", KEY, ctx(), I,
    "Key policy only delegates to the account root (IAM must grant); alice has no kms identity permission.", fine=True)
req(ALICE, "acm-pca:IssueCertificate", CA,
    ctx(**{"acm-pca:TemplateArn": "arn:aws:acm-pca:::template/EndEntityCertificate/V1"}), A,
    "AWSPrivateCAUser: ArnLike template/EndEntityCertificate/V* matches (empty region/account match *); the ArnNotLike deny does not.", fine=True)
req(ALICE, "acm-pca:IssueCertificate", CA,
    ctx(**{"acm-pca:TemplateArn": "arn:aws:acm-pca:::template/SubordinateCACertificate_PathLen0/V1"}), E,
    "AWSPrivateCAUser Deny statement: ArnNotLike EndEntityCertificate/V* is true for a subordinate-CA template.")
req(ALICE, "sms-voice:DescribePhoneNumbers", "*", ctx(**{"aws:CalledViaLast": "sns.amazonaws.com"}), A,
    "AmazonSNSReadOnlyAccess SMSAccessViaSNS: StringEquals aws:CalledViaLast sns.amazonaws.com.")
req(ALICE, "sms-voice:DescribePhoneNumbers", "*", ctx(), I,
    "aws:CalledViaLast absent: StringEquals on a missing key is false; nothing else allows sms-voice.")
req(ALICE, "mediastore:ListContainers", "*", s3ctx(secure=False), I,
    "AWSElementalMediaStoreReadOnly requires Bool aws:SecureTransport true; false here, and it has no Deny.")

# bob: platform, PowerUserAccess under DevBoundary
req(BOB, "ec2:StartInstances", INSTANCE_PLATFORM, ctx(), A,
    "PowerUserAccess NotAction allows ec2:*; boundary AllowOwnTeamInstances: ResourceTag/team platform = ${aws:PrincipalTag/team}.")
req(BOB, "ec2:StartInstances", INSTANCE_PAYMENTS, ctx(), I,
    "Boundary condition fails (payments != platform) and ec2:StartInstances is not in AllowDevServices.")
req(BOB, "s3:DeleteBucket", BUCKET, s3ctx(), E,
    "Permissions boundary DenyBucketDestruction explicitly denies s3:DeleteBucket.")
req(BOB, "sqs:PurgeQueue", QUEUE, ctx(), E,
    "Queue policy OnlyPaymentsMayPurgeOrDelete: StringNotEquals PrincipalTag/team payments is true for platform.")
req(BOB, "sqs:SendMessage", QUEUE, ctx(), A,
    "PowerUserAccess and boundary sqs:* allow; queue Deny covers only purge/delete; RCP: bob is in the org.")
req(BOB, "lambda:ListFunctions", "*", ctx(), I,
    "PowerUserAccess allows it but the boundary has no lambda statement.")
req(BOB, "iam:CreateUser", f"arn:aws:iam::{ORG_ACCOUNT}:user/newhire", ctx(), I,
    "PowerUserAccess excludes iam:* (NotAction) except a few; boundary has no iam either.")
req(BOB, "kms:DescribeKey", KEY, ctx(), A,
    "Identity (kms:* via NotAction) and boundary (kms:Describe*) allow; key policy delegates to the account.")
req(BOB, "iam:CreateServiceLinkedRole", f"arn:aws:iam::{ORG_ACCOUNT}:role/aws-service-role/replication.ecr.amazonaws.com/AWSServiceRoleForECRReplication",
    ctx(**{"iam:AWSServiceName": "replication.ecr.amazonaws.com"}), I,
    "Both PowerUserAccess and AmazonEC2ContainerRegistryFullAccess allow it, but the boundary has no iam statement.")

# carol: admin, MFA required for IAM
req(CAROL, "iam:CreateUser", f"arn:aws:iam::{ORG_ACCOUNT}:user/newhire",
    ctx(**{"aws:MultiFactorAuthPresent": True}), A,
    "AdministratorAccess allows; DenyIAMWithoutMFA condition is false with MFA present; iam is exempt from the region SCP.")
req(CAROL, "iam:CreateUser", f"arn:aws:iam::{ORG_ACCOUNT}:user/newhire",
    ctx(**{"aws:MultiFactorAuthPresent": False}), E,
    "DenyIAMWithoutMFA: BoolIfExists aws:MultiFactorAuthPresent false matches.")
req(CAROL, "iam:CreateUser", f"arn:aws:iam::{ORG_ACCOUNT}:user/newhire", ctx(), E,
    "aws:MultiFactorAuthPresent absent: BoolIfExists is true for a missing key, so the Deny applies.")
req(CAROL, "ec2:RunInstances", f"arn:aws:ec2:ap-southeast-2:{ORG_ACCOUNT}:instance/*", ctx("ap-southeast-2"), E,
    "SCP DenyOutsideApprovedRegions: ap-southeast-2 not approved, ec2 not exempt, carol is not BreakGlass.")
req(CAROL, "ec2:RunInstances", f"arn:aws:ec2:eu-west-1:{ORG_ACCOUNT}:instance/*", ctx("eu-west-1"), A,
    "AdministratorAccess; eu-west-1 approved; FullAWSAccess allows at root, OU and account levels.")
req(CAROL, "organizations:LeaveOrganization", "*", ctx(), E,
    "SCP DenyLeaveOrganization.")
req(CAROL, "kms:ScheduleKeyDeletion", KEY, ctx(**{"aws:MultiFactorAuthPresent": True}), A,
    "AdministratorAccess + key policy EnableIAMPolicies; the MFA Deny condition is false.")
req(CAROL, "kms:ScheduleKeyDeletion", KEY, ctx(**{"aws:MultiFactorAuthPresent": False}), E,
    "Key policy RequireMFAForDestructiveKeyActions (Principal AWS *) with MFA false.")

# dave: admin, but AWSDenyAll attached
req(DAVE, "s3:ListAllMyBuckets", "*", ctx(), E,
    "AWSDenyAll denies * on *, overriding AdministratorAccess.")

# erin: no identity policies, only resource-policy grants
req(ERIN, "s3:GetObject", BUCKET + "/reports/q3.csv", s3ctx(**{"aws:SourceIp": "203.0.113.7"}), A,
    "Same-account bucket policy grants the user ARN directly (office IP matches); no identity policy is needed.")
req(ERIN, "s3:GetObject", BUCKET + "/reports/q3.csv", s3ctx(**{"aws:SourceIp": "198.51.100.9"}), I,
    "IpAddress 203.0.113.0/24 does not match 198.51.100.9; erin has no identity policy.")
req(ERIN, "s3:GetObject", BUCKET + "/private/salaries.csv", s3ctx(**{"aws:SourceIp": "203.0.113.7"}), I,
    "The grant covers reports/* only.")
req(ERIN, "sqs:ReceiveMessage", QUEUE, ctx(), A,
    "Queue policy ErinConsumes grants the user ARN; same account; RCP: erin is in the org.")
req(ERIN, "sqs:PurgeQueue", QUEUE, ctx(), E,
    "erin has no team tag: StringNotEquals on a missing key is true, so OnlyPaymentsMayPurgeOrDelete denies.")

# CI job: role session with a session policy
req(CI, "s3:PutObject", BUCKET + "/builds/app-1.2.3.zip", s3ctx(), A,
    "AmazonS3FullAccess and session policy BuildArtifacts (builds/*) both allow.")
req(CI, "s3:GetObject", BUCKET + "/reports/q3.csv", s3ctx(), I,
    "Session policy allows only builds/*; the bucket policy does not name the role.")
req(CI, "s3:ListBucket", BUCKET, s3ctx(**{"s3:prefix": "builds/2026/"}), A,
    "Session policy ListBuilds: StringLike s3:prefix builds/* matches; identity allows s3:*.")
req(CI, "s3:ListBucket", BUCKET, s3ctx(**{"s3:prefix": "reports/"}), I,
    "s3:prefix reports/ does not match builds/*; the session policy does not allow it.")
req(CI, "kms:Decrypt", KEY, ctx(), A,
    "Key policy grants role/Deploy (the role ARN) and the session policy allows kms:Decrypt; same account, so no identity grant is needed.", fine=True)
req(CI, "kms:Encrypt", KEY, ctx(), I,
    "Key policy grants role/Deploy, but a grant to the role ARN is limited by the session policy, which lacks kms:Encrypt.", fine=True)
req(CI, "sqs:SendMessage", QUEUE, ctx(), A,
    "AmazonSQSFullAccess; session policy SendUntilEndOf2026: DateLessThan 2027-01-01 holds at 2026-11-22.")
req(CI, "sqs:SendMessage", QUEUE, ctx(**{"aws:CurrentTime": "2027-02-01T09:00:00Z"}), I,
    "aws:CurrentTime 2027-02-01 fails DateLessThan 2027-01-01; no other session statement allows it.")
req(CI, "ecr:BatchGetImage", ECR_REPO, ctx(), A,
    "AmazonEC2ContainerRegistryReadOnly and session policy PullImages both allow.")
req(CI, "ecr:PutImage", ECR_REPO, ctx(), I,
    "Neither the read-only identity policy nor the session policy allows ecr:PutImage.")

# BreakGlass role session: exempt from the region SCP
req(BREAKGLASS, "ec2:RunInstances", f"arn:aws:ec2:ap-southeast-2:{ORG_ACCOUNT}:instance/*",
    ctx("ap-southeast-2"), A,
    "SCP region Deny has ArnNotLike aws:PrincipalARN role/BreakGlass, false for this session; AdministratorAccess allows.")
req(BREAKGLASS, "organizations:LeaveOrganization", "*", ctx(), E,
    "The BreakGlass exemption is only on the region statement; DenyLeaveOrganization still applies.")

# Auditor: role session in 444455556666 (outside the organization)
req(AUDITOR, "s3:GetObject", BUCKET + "/reports/q3.csv", s3ctx(), A,
    "Cross-account: identity (AmazonS3ReadOnlyAccess) and bucket policy (role ARN covers its sessions) both allow; no SCP for an account outside the org; RCP covers only kms/sqs.")
req(AUDITOR, "s3:ListBucket", BUCKET, s3ctx(), A,
    "Cross-account: s3:List* in identity and AuditorCrossAccountRead on the bucket ARN.")
req(AUDITOR, "s3:PutObject", BUCKET + "/reports/q5.csv", s3ctx(), I,
    "Neither the identity policy nor the bucket policy allows s3:PutObject.")
req(AUDITOR, "s3:GetObject", BUCKET + "/reports/q3.csv", s3ctx(secure=False), E,
    "Bucket policy DenyInsecureTransport applies to every principal.")
req(AUDITOR, "s3:GetObject", OTHER_BUCKET + "/data.csv", s3ctx(), I,
    "Cross-account bucket with no resource policy: the identity allow alone is not enough.",
    resource_account=ORG_ACCOUNT)
req(AUDITOR, "s3:GetObject", AUDIT_BUCKET + "/2026/11/log.gz", s3ctx(), A,
    "Own-account bucket without a policy: the identity policy suffices; no SCP or RCP applies outside the org.")
req(AUDITOR, "kms:DescribeKey", KEY, ctx(), E,
    "RCPEnforceOrgIdentities: principal has no aws:PrincipalOrgID (IfExists -> true) and is not an AWS service.", fine=True)
req(AUDITOR, "sqs:SendMessage", QUEUE, ctx(), E,
    "The queue policy grants the role, but the RCP denies sqs:* to identities outside the org.")
req(AUDITOR, "ec2:DescribeInstances", "*", ctx("ap-southeast-2"), A,
    "AmazonEC2ReadOnlyAccess; account 444455556666 is outside the org so the region SCP does not apply.")
req(AUDITOR, "devops-guru:SearchInsights", "*", ctx(**{"devops-guru:ServiceNames": ["RDS"]}), A,
    "AmazonRDSReadOnlyAccess: ForAllValues:StringEquals [RDS] holds and Null false holds.")
req(AUDITOR, "devops-guru:SearchInsights", "*", ctx(**{"devops-guru:ServiceNames": ["RDS", "EC2"]}), I,
    "ForAllValues fails: EC2 is not in [RDS].")
req(AUDITOR, "devops-guru:SearchInsights", "*", ctx(), I,
    "Key absent: ForAllValues would be true but Null devops-guru:ServiceNames false fails.")
req(AUDITOR, "iam:GetRole", AUDITOR_ROLE, ctx(), A,
    "IAMReadOnlyAccess allows iam:Get* in the auditor's own account.")

# frank: account whose OU level has only a Deny SCP
req(FRANK, "s3:ListAllMyBuckets", "*", ctx(), I,
    "OU level has only DenyLeaveOrgAndRegions (no Allow): the SCP chain implicitly denies everything.")
req(FRANK, "organizations:LeaveOrganization", "*", ctx(), E,
    "Explicit Deny in DenyLeaveOrgAndRegions wins over the implicit deny.")

# anonymous and unknown principals
req("*", "s3:GetObject", BUCKET + "/reports/q3.csv", s3ctx(), I,
    "Anonymous: the bucket policy grants nothing to *; SCPs do not apply to anonymous.")
req("*", "s3:GetObject", BUCKET + "/reports/q3.csv", s3ctx(secure=False), E,
    "DenyInsecureTransport has Principal *, which includes anonymous callers.")
req(GHOST, "s3:GetObject", BUCKET + "/reports/q3.csv", s3ctx(), I,
    "Unknown principal in 111122223333: no identity policies; bucket policy does not name it.")


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def main():
    policies = {}
    for name in MANAGED:
        policies[name] = load(os.path.join(POLICY_DIR, name + ".json"))
    for name, doc in HANDWRITTEN.items():
        assert name not in policies, name
        policies[name] = doc
    world = {
        "policies": policies,
        "principals": PRINCIPALS,
        "resources": RESOURCES,
        "organization": ORGANIZATION,
    }
    with open(os.path.join(HERE, "world.json"), "w", encoding="utf-8") as f:
        json.dump(world, f, indent=2, ensure_ascii=False)
        f.write("\n")

    with open(os.path.join(HERE, "requests.jsonl"), "w", encoding="utf-8") as rq, \
         open(os.path.join(HERE, "expected.jsonl"), "w", encoding="utf-8") as ex:
        for principal, action, resource, context, expect, _why, fields in R:
            line = {"principal": principal, "action": action, "resource": resource}
            line.update(fields)
            line["context"] = context
            rq.write(json.dumps(line, ensure_ascii=False) + "\n")
            ex.write(json.dumps({"decision": expect}) + "\n")

    short = {v: k for k, v in {
        "alice": ALICE, "bob": BOB, "carol": CAROL, "dave": DAVE, "erin": ERIN,
        "ci (Deploy/ci-42)": CI, "breakglass (BreakGlass/oncall-7)": BREAKGLASS,
        "auditor (444455556666 Auditor/audit-2026)": AUDITOR, "frank (777788889999)": FRANK,
        "anonymous": "*", "ghost (not in world)": GHOST}.items()}
    counts = {A: 0, E: 0, I: 0}
    lines = []
    for n, (principal, action, resource, context, expect, why, fields) in enumerate(R, 1):
        counts[expect] += 1
        mark = " (finer point, see above)" if n in FINE else ""
        lines.append(f"{n}. **{expect}**{mark} — {short[principal]} `{action}`: {why}")
    with open(os.path.join(HERE, "NOTES.md"), "w", encoding="utf-8") as f:
        f.write(NOTES_HEAD.format(n=len(R), a=counts[A], e=counts[E], i=counts[I],
                                  fine=", ".join(str(x) for x in sorted(FINE))))
        f.write("\n".join(lines) + "\n")
    print(f"{len(R)} requests: {counts}")


NOTES_HEAD = """# Example world: expected decisions

Generated by `generate.py` (edit it, not this file). {n} requests in `requests.jsonl`;
`expected.jsonl` line N is the decision for request N ({a} Allow, {e} ExplicitDeny,
{i} ImplicitDeny), reasoned from AWS's documented evaluation logic
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).

The world: account 111122223333 is a member of organization o-a1b2c3d4e5 with SCP levels
root `FullAWSAccess`, OU `FullAWSAccess` + `DenyLeaveOrgAndRegions`, account
`FullAWSAccess`, and RCP `RCPEnforceOrgIdentities` at the root (RCPFullAWSAccess is
implicit). Account 777788889999 is a member whose OU level has only the Deny SCP, so
nothing is allowed there. Account 444455556666 (role Auditor) is outside the organization.

Rules the cases rely on:
- Any applicable explicit Deny (identity, boundary, session, resource, SCP, RCP) wins.
- SCPs apply to principals of member accounts; RCPs to resources of member accounts; at
  every level some policy must allow. Neither applies outside the organization.
- Same account: an Allow in either the identity-based or the resource-based policy is
  enough; a resource policy naming an IAM user ARN is not limited by missing identity
  permissions. A grant to a role ARN is still limited by the session policy (and a
  boundary); a grant to the account (`:root`) only delegates to IAM policies.
- Cross account: both the identity-based policy and the resource-based policy must allow.
- A condition on a missing key is false, except for negated operators (true), `...IfExists`
  (true) and `Null`; `ForAllValues` is true on a missing key.

Requests {fine} rest on finer points: a key-policy grant to the account (`:root`)
only delegates to IAM policies (13); `ArnLike` compares the six ARN fields one by one, so
`*` matches the empty region and account of a PCA template ARN (14); a resource-policy
grant to a role ARN is limited by the session's session policy, but needs no identity
grant in the same account (the role-ARN vs session-ARN distinction in the evaluation
docs) (46, 47); `aws:PrincipalOrgID` is absent for a principal outside any organization,
and `aws:PrincipalIsAWSService`, absent or false, satisfies `BoolIfExists false` (60).

"""

if __name__ == "__main__":
    main()
