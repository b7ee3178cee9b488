#!/usr/bin/env bash
# The main job: installs what is missing, builds, decides the example requests against
# the example world of real AWS managed policies and prints the decisions and a summary
# (checked against corpus/example/expected.jsonl); then decides a generated world of 60
# managed policies and 20 principals and measures it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh build >/dev/null
world=corpus/example/world.json
requests=corpus/example/requests.jsonl
out=$(mktemp)
trap 'rm -f "$out"' EXIT
build/cli/arbiter check "$world" | sed 's/^/check: /' || true
build/cli/arbiter eval --world "$world" --requests "$requests" --explain | tee "$out"
python3 - "$requests" "$out" corpus/example/expected.jsonl <<'PY'
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
got = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
want = [json.loads(l)["decision"] for l in open(sys.argv[3]) if l.strip()]
counts = {}
for g in got:
    counts[g.get("decision", "error")] = counts.get(g.get("decision", "error"), 0) + 1
agree = sum(1 for g, w in zip(got, want) if g.get("decision") == w)
print(f"\nsummary: {len(got)} requests: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
print(f"summary: {agree}/{len(want)} agree with corpus/example/expected.jsonl")
sys.exit(0 if agree == len(want) == len(got) else 1)
PY
# A generated world: 60 real AWS managed policies over 20 principals with SCP and RCP
# guardrails, boundaries and resource policies (corpus/generate.py, seed 1).
gen=build/generated-small
python3 corpus/generate.py --size small --seed 1 --out "$gen" >/dev/null
build/cli/arbiter eval --world "$gen/world.json" --requests "$gen/requests.jsonl" 2>/dev/null |
  sort | uniq -c | sed "s/^/generated small world: /"
build/cli/arbiter bench --world "$gen/world.json" --requests "$gen/requests.jsonl" --seconds 2 \
  2>/dev/null | sed "s/^/generated small world: /"
