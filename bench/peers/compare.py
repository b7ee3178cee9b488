#!/usr/bin/env python3
"""bench/peers/compare.py: agreement between Arbiter and iam-simulate, every disagreement
listed and classified, and the side-by-side throughput table.

  python3 bench/peers/compare.py --world W.json --requests R.jsonl \
      --arbiter ARB.jsonl (arbiter eval --explain) --iam-simulate SIM.jsonl \
      --arbiter-bench BENCH.json --iam-simulate-stats SIM.json --cedar-stats CEDAR.json \
      --out-dir DIR

Writes DIR/disagreements.jsonl (one line per disagreement: line, request, both decisions,
both sets of deciding statements, class) and DIR/summary.md (the table and the classes), and
prints summary.md. The classes, and the AWS page that decides each, are in CLASSES below; a
disagreement no rule explains is "unexplained" and makes the exit code 1.
"""
import argparse
import json
import os
import re
import sys

# class -> (title, who is right, the AWS documentation page that decides, what it says)
CLASSES = {
    "session-arn-grant-vs-session-policy": (
        "Same-account resource policy grants the role *session* ARN; the session policy does not allow the action",
        "Arbiter (iam-simulate rule not supported by the docs)",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session",
        "\"A resource-based policy can specify the ARN of the session as a principal. In that case, "
        "the permissions from the resource-based policy are added after the session is created. "
        "The resource-based policy permissions are not limited by the session policy.\" (also the STS "
        "API reference, GetFederationToken/AssumeRole: a resource policy that \"specifically references the "
        "... session in the Principal element\" grants permissions \"in addition to the permissions that are "
        "granted by the session policies\"). "
        "iam-simulate denies whenever the session policy does not allow, whatever the resource policy names.",
    ),
    "wildcard-grant-vs-session-policy": (
        "Same-account resource policy grants Principal \"*\" (with a condition); the session policy does not allow the action",
        "Not decided by the docs: Arbiter treats a grant to \"*\" like a grant to the session ARN, iam-simulate like a grant to the role",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session",
        "The page decides only grants to the role ARN (limited by the session policy) and to the "
        "session ARN (not limited); it says nothing of \"*\". The evaluation-logic page "
        "(reference_policies_evaluation-logic_policy-eval-basics.html) likewise names only user and "
        "session ARNs. Arbiter's choice (reference/evaluator.cc step 5) is a reading, not a quote.",
    ),
    "arn-wildcard-inside-resource-type": (
        "Resource pattern with a wildcard inside the resource-type part (e.g. arn:aws:ec2:*:*:security-group*/*)",
        "Arbiter (iam-simulate rule not supported by the docs)",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html",
        "\"You can use wildcard characters (* and ?) within the individual segments of an ARN (the parts "
        "separated by colons)\" and \"The asterisk (*) character can expand to replace everything within a "
        "segment, including characters like a forward slash (/) that may otherwise appear to be a delimiter "
        "within a given service namespace.\" iam-simulate splits the resource part at '/' and compares the resource type "
        "without the wildcard (its explain says \"Product does not match\").",
    ),
    "sts-credential-limits": (
        "STS operations the caller's credentials decide, not its policies (GetSessionToken by a user or root; GetFederationToken/GetSessionToken by a role session; IAM/STS by a federated user; AssumeRole by root)",
        "Arbiter (iam-simulate evaluates the policies alone)",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_sts-comparison.html",
        "AssumeRole credentials \"Cannot call GetFederationToken or GetSessionToken\"; GetFederationToken "
        "credentials \"Cannot call IAM operations using the AWS CLI or AWS API\" and \"Cannot call AWS STS "
        "operations except GetCallerIdentity\"; AssumeRole is called by an \"IAM user or IAM role with existing "
        "temporary security credentials\". For GetSessionToken (id_credentials_temp_control-access_getsessiontoken.html): "
        "\"No permissions are required for a user to get a session token ... You cannot use policies to control "
        "authentication operations.\" (compiler/credentials.h)",
    ),
    "kms-key-not-in-world": (
        "KMS key that the world does not list (so no key policy is known): identity policy allows",
        "iam-simulate (the docs say a key policy must allow the account); the world/SPEC model gives such a key no policy",
        "https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html",
        "\"Every KMS key must have exactly one key policy\" and \"Unless the key policy explicitly allows "
        "it, you cannot use IAM policies to allow access to a KMS key\". Arbiter applies that rule only "
        "when the world attaches a key policy (reference/evaluator.cc, needs_policy); for a key the "
        "world does not list it lets IAM policies decide. See the suspected-bug note in README.md.",
    ),
    "service-prefix-wildcard": (
        "Action pattern with a wildcard in the service prefix (\"*:Delete*\" in the generator's Session-TeamScoped)",
        "Not decided by the docs: the pattern is outside the documented Action syntax; Arbiter matches it as a glob, iam-simulate never matches it (its validator rejects it: \"Service can only contain letters, numbers, and hyphens\")",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html",
        "\"You specify a value using a service namespace as an action prefix (iam, ec2, sqs, sns, s3, "
        "etc.) followed by the name of the action\"; wildcards are documented \"as part of the action "
        "name\" only. Arbiter's own tests/CONVENTIONS.md says bad-action covers a service prefix "
        "outside [a-z0-9-]+, yet `arbiter check` accepts \"*:Delete*\" silently.",
    ),
    "variable-with-no-value": (
        "A deciding statement holds a policy variable with no value for this caller (aws:username of a role session, a missing principal tag) in NotResource or under an inverted operator",
        "Arbiter (iam-simulate drops the statement, the older \"statement is invalid\" reading)",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-no-value",
        "\"Inverted condition operators like StringNotEquals or StringNotLike do match against a null value\" "
        "and \"If a variable that has no value in the authorization context is used as part of the Resource "
        "or NotResource element of a policy, the resource that includes a policy variable with no value will "
        "not match any resource.\" (tests/golden/22)",
    ),
    "unexplained": ("No rule explains it", "?", "", ""),
}


def load_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


def as_list(v):
    return v if isinstance(v, list) else [v]


def derive_principal(arn):
    """compiler/world.cc DerivePrincipal, enough to classify."""
    if arn == "*":
        return {"type": "Anonymous", "account": ""}
    p = arn.split(":")
    if len(p) < 6 or p[0] != "arn":
        return {"type": "AWSService", "account": ""}
    res = ":".join(p[5:])
    t = "User"
    if p[2] == "sts" and res.startswith("assumed-role/"):
        t = "AssumedRole"
    elif p[2] == "sts" and res.startswith("federated-user/"):
        t = "FederatedUser"
    elif p[2] == "iam" and res == "root":
        t = "Account"
    return {"type": t, "account": p[4]}


def glob_match(pattern, text):
    rx = "^" + re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".") + "$"
    return re.match(rx, text, re.I) is not None


class Classifier:
    def __init__(self, world):
        self.world = world
        self.policies = world["policies"]
        self.principals = {p["arn"]: p for p in world.get("principals", [])}

    def statement(self, reason):
        pol = self.policies.get(reason.get("policy"), {})
        sts = as_list(pol.get("Statement", []))
        i = reason.get("statement")
        return sts[i] if isinstance(i, int) and 0 <= i < len(sts) else {}

    def find_resource(self, arn):
        best = None
        for r in self.world.get("resources", []):
            a = r["arn"]
            if arn.startswith(a) and (len(arn) == len(a) or arn[len(a)] in "/:"):
                if best is None or len(a) > len(best["arn"]):
                    best = r
        return best

    def has_valueless_variable(self, st, principal, req):
        """NotResource, or an inverted operator's operand, naming a variable with no value."""
        texts = [v for v in as_list(st.get("NotResource", []))]
        for op, block in (st.get("Condition") or {}).items():
            if "Not" in op and isinstance(block, dict):
                for vals in block.values():
                    texts += [v for v in as_list(vals) if isinstance(v, str)]
        ctx = {k.lower() for k in (req.get("context") or {})}
        tags = {k.lower() for k in (principal.get("tags") or {})}
        ptype = principal.get("type") or derive_principal(req["principal"])["type"]
        for t in texts:
            for var in re.findall(r"\$\{([^},]+)\}", t):
                key = var.strip().lower()
                if key in ctx or key in ("*", "?", "$"):
                    continue
                if key == "aws:username" and ptype != "User":
                    return True
                if key.startswith("aws:principaltag/") and key[17:] not in tags:
                    return True
        return False

    def classify(self, req, arb, sim):
        a, s = arb["decision"], sim.get("decision")
        reasons = arb.get("reasons", [])
        action = req["action"]
        principal = self.principals.get(req["principal"]) or derive_principal(req["principal"])

        # A deciding statement whose Action has a wildcard in the service prefix.
        for r in reasons:
            st = self.statement(r)
            for pat in as_list(st.get("Action", [])):
                if ":" in pat and re.search(r"[*?]", pat.split(":")[0]) and glob_match(pat, action):
                    return "service-prefix-wildcard"
        # Same for a statement iam-simulate matched that Arbiter excluded through NotAction.
        # A deciding statement whose Resource has a wildcard inside the resource-type part.
        for r in reasons:
            st = self.statement(r)
            for pat in as_list(st.get("Resource", [])):
                parts = pat.split(":", 5)
                if len(parts) == 6:
                    rtype = re.split(r"[/:]", parts[5])[0]
                    if re.search(r"[*?]", rtype) and rtype not in ("*",) and "/" in parts[5]:
                        if glob_match(pat, req["resource"]):
                            return "arn-wildcard-inside-resource-type"
        # Resource-policy grant to the session ARN or "*" against a session policy.
        if a == "Allow" and s == "ImplicitDeny" and principal.get("session_policies"):
            kinds = set()
            for r in reasons:
                if r.get("kind") != "resource" or r.get("effect") != "Allow":
                    continue
                st = self.statement(r)
                pr = st.get("Principal")
                vals = []
                if pr == "*":
                    vals = ["*"]
                elif isinstance(pr, dict):
                    for v in pr.values():
                        vals += as_list(v)
                if req["principal"] in vals:
                    kinds.add("session")
                elif "*" in vals:
                    kinds.add("star")
            if "session" in kinds:
                return "session-arn-grant-vs-session-policy"
            if "star" in kinds:
                return "wildcard-grant-vs-session-policy"
        # A deciding statement with a variable that has no value for this caller.
        for r in reasons:
            st = self.statement(r)
            if self.has_valueless_variable(st, principal, req):
                return "variable-with-no-value"
        # What the credentials decide (compiler/credentials.h).
        ptype = principal.get("type") or derive_principal(req["principal"])["type"]
        name = action.lower()
        if name.startswith("sts:") or name.startswith("iam:"):
            limited = (
                (ptype in ("User", "Account") and name == "sts:getsessiontoken" and a == "Allow")
                or (ptype == "AssumedRole" and name in ("sts:getfederationtoken", "sts:getsessiontoken") and a != "Allow")
                or (ptype == "FederatedUser" and name != "sts:getcalleridentity" and a != "Allow")
                or (ptype == "Account" and name == "sts:assumerole" and a != "Allow")
            )
            if limited:
                return "sts-credential-limits"
        # KMS key the world does not list.
        if action.lower().startswith("kms:") and ":key/" in req["resource"] and a == "Allow" and s == "ImplicitDeny":
            res = self.find_resource(req["resource"])
            if not res or not res.get("policy"):
                return "kms-key-not-in-world"
        return "unexplained"


def fmt_rate(x):
    return f"{x:,.0f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--world", required=True)
    ap.add_argument("--requests", required=True)
    ap.add_argument("--arbiter", required=True)
    ap.add_argument("--iam-simulate", required=True)
    ap.add_argument("--arbiter-bench", required=True)
    ap.add_argument("--iam-simulate-stats", required=True)
    ap.add_argument("--cedar-stats")
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--command", default="")
    args = ap.parse_args()

    world = json.load(open(args.world, encoding="utf-8"))
    reqs = load_jsonl(args.requests)
    arb = load_jsonl(args.arbiter)
    sim = load_jsonl(args.iam_simulate)
    if not (len(reqs) == len(arb) == len(sim)):
        sys.exit(f"length mismatch: {len(reqs)} requests, {len(arb)} arbiter, {len(sim)} iam-simulate")
    bench = json.load(open(args.arbiter_bench))
    sstats = json.load(open(args.iam_simulate_stats))
    cstats = json.load(open(args.cedar_stats)) if args.cedar_stats and os.path.exists(args.cedar_stats) else None

    cl = Classifier(world)
    dis = []
    for i, (q, a, s) in enumerate(zip(reqs, arb, sim)):
        if a.get("decision") != s.get("decision"):
            c = cl.classify(q, a, s)
            dis.append({"line": i + 1, "class": c, "request": q, "arbiter": a.get("decision"),
                        "iam_simulate": s.get("decision", s.get("error")),
                        "arbiter_reasons": a.get("reasons", []), "iam_simulate_reasons": s.get("reasons", []),
                        "iam_simulate_blocked_by": s.get("blockedBy")})
    n = len(reqs)
    by_class = {}
    for d in dis:
        by_class.setdefault(d["class"], []).append(d)
    explained = sum(len(v) for k, v in by_class.items() if k != "unexplained")
    raw = 100.0 * (n - len(dis)) / n
    after = 100.0 * (n - len(by_class.get("unexplained", []))) / n

    os.makedirs(args.out_dir, exist_ok=True)
    with open(os.path.join(args.out_dir, "disagreements.jsonl"), "w") as f:
        for d in dis:
            f.write(json.dumps(d) + "\n")

    arb_dps = bench["decisions_per_second"]
    rows = [("Arbiter (compiled engine, `arbiter bench`)", arb_dps, None, "-")]
    rows.append(("Arbiter reference evaluator (`arbiter bench` baseline)", bench.get("reference_decisions_per_second", 0), None, "-"))
    rows.append((f"iam-simulate {sstats['version']} core `authorize` (policies pre-parsed)", sstats["core"]["dps"],
                 None, f"{raw:.2f}% raw, {after:.2f}% after classification"))
    pe = sstats["public_api"]
    rows.append((f"iam-simulate {sstats['version']} public `runSimulation` (first {pe['decisions']} requests)", pe["dps"], None,
                 f"{100.0 * pe['agree_with_core'] / max(1, pe['decisions']):.1f}% of its answers equal the core path; {sum(pe['errors'].values())} refused"))
    if cstats:
        rows.append((f"Cedar {cstats['version']} (cedar-wasm, condition-free identity subset, see README)", cstats["dps"], None,
                     f"not comparable ({cstats['decisions']['allow']} allow / {cstats['decisions']['deny']} deny on its subset)"))

    out = []
    out.append(f"## Results ({n:,} requests)\n")
    if args.command:
        out.append(f"Command: `{args.command}`\n")
    out.append("| peer | decisions/s (1 thread) | Arbiter's ratio | agreement with iam-simulate |")
    out.append("|---|---:|---:|---|")
    for name, dps, _, agree in rows:
        ratio = "1x" if name.startswith("Arbiter (") else (f"{arb_dps / dps:,.0f}x" if dps else "-")
        out.append(f"| {name} | {fmt_rate(dps)} | {ratio} | {agree} |")
    out.append("")
    out.append(f"Decisions: Arbiter allow/explicit/implicit = {bench.get('allow')}/{bench.get('explicit_deny')}/{bench.get('implicit_deny')}; "
               f"iam-simulate = {sstats['decisions'].get('Allow')}/{sstats['decisions'].get('ExplicitDeny')}/{sstats['decisions'].get('ImplicitDeny')}"
               f" (errors {sstats['decisions'].get('error', 0)}).")
    if pe["errors"]:
        out.append(f"runSimulation refused: {json.dumps(pe['errors'])} (it validates policies, actions and resource types; the core path does not).")
    out.append("")
    out.append(f"Disagreements: {len(dis)} ({100.0 * len(dis) / n:.2f}%), explained {explained}, unexplained {len(by_class.get('unexplained', []))}.\n")
    out.append("| class | count | Arbiter -> iam-simulate | who is right | deciding page |")
    out.append("|---|---:|---|---|---|")
    for k in CLASSES:
        if k not in by_class:
            continue
        v = by_class[k]
        pairs = sorted({f"{d['arbiter']}->{d['iam_simulate']}" for d in v})
        title, right, page, _ = CLASSES[k]
        out.append(f"| `{k}`: {title} | {len(v)} | {', '.join(pairs)} | {right} | {page} |")
    out.append("")
    for k in CLASSES:
        if k not in by_class:
            continue
        d = by_class[k][0]
        out.append(f"- `{k}` (e.g. line {d['line']}): `{json.dumps(d['request'])[:400]}` Arbiter {d['arbiter']}, iam-simulate {d['iam_simulate']}. {CLASSES[k][3]}")
    text = "\n".join(out) + "\n"
    with open(os.path.join(args.out_dir, "summary.md"), "w") as f:
        f.write(text)
    print(text)
    return 1 if by_class.get("unexplained") else 0


if __name__ == "__main__":
    sys.exit(main())
