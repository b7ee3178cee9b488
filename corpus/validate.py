#!/usr/bin/env python3
"""Sanity-check the corpus: every file parses, every name a world refers to exists,
requests and expected decisions line up.   python3 corpus/validate.py"""
import glob
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DECISIONS = {"Allow", "ExplicitDeny", "ImplicitDeny"}
errors = []


def err(msg):
    errors.append(msg)


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def check_policy(name, doc):
    if not isinstance(doc, dict):
        return err(f"{name}: not an object")
    if doc.get("Version") not in ("2012-10-17", "2008-10-17"):
        err(f"{name}: Version {doc.get('Version')!r}")
    st = doc.get("Statement")
    st = [st] if isinstance(st, dict) else st
    if not isinstance(st, list) or not st:
        return err(f"{name}: no Statement")
    for i, s in enumerate(st):
        if s.get("Effect") not in ("Allow", "Deny"):
            err(f"{name}: statement {i} Effect {s.get('Effect')!r}")
        if ("Action" in s) == ("NotAction" in s):
            err(f"{name}: statement {i} needs exactly one of Action/NotAction")


# managed policies
sources = load(os.path.join(HERE, "SOURCES.json"))
files = sorted(glob.glob(os.path.join(HERE, "policies", "*.json")))
names = {os.path.basename(p)[:-5] for p in files}
if names != set(sources):
    err(f"policies/ and SOURCES.json differ: {sorted(names ^ set(sources))}")
for p in files:
    check_policy(os.path.basename(p), load(p))

# example world
ex = os.path.join(HERE, "example")
world = load(os.path.join(ex, "world.json"))
pol = world["policies"]
for n, d in pol.items():
    check_policy(n, d)
    if n in names and d != load(os.path.join(HERE, "policies", n + ".json")):
        err(f"world policy {n} differs from policies/{n}.json")


def ref(where, n):
    if n not in pol:
        err(f"{where}: unknown policy {n!r}")


arns = set()
for p in world["principals"]:
    arns.add(p["arn"])
    for n in p.get("identity_policies", []):
        ref(p["arn"], n)
    for n in p.get("session_policies", []):
        ref(p["arn"], n)
    if "permissions_boundary" in p:
        ref(p["arn"], p["permissions_boundary"])
for r in world["resources"]:
    if "policy" in r:
        ref(r["arn"], r["policy"])
for acct, a in world["organization"]["accounts"].items():
    for kind in ("scps", "rcps"):
        for level in a.get(kind, []):
            for n in level:
                ref(f"{acct} {kind}", n)

# requests / expected
with open(os.path.join(ex, "requests.jsonl"), encoding="utf-8") as f:
    reqs = [json.loads(line) for line in f if line.strip()]
with open(os.path.join(ex, "expected.jsonl"), encoding="utf-8") as f:
    exp = [json.loads(line) for line in f if line.strip()]
if len(reqs) != len(exp):
    err(f"{len(reqs)} requests but {len(exp)} expected lines")
for i, (r, e) in enumerate(zip(reqs, exp), 1):
    for k in ("principal", "action", "resource"):
        if not isinstance(r.get(k), str):
            err(f"request {i}: {k} missing")
    if e.get("decision") not in DECISIONS:
        err(f"expected {i}: {e}")
unknown = sorted({r["principal"] for r in reqs} - arns - {"*"})
counts = {d: sum(1 for e in exp if e.get("decision") == d) for d in sorted(DECISIONS)}

if errors:
    print("\n".join(errors))
    sys.exit(1)
print(f"ok: {len(files)} managed policies, {len(pol)} world policies, "
      f"{len(world['principals'])} principals, {len(reqs)} requests {counts}; "
      f"principals not in the world (intended): {unknown}")
