#!/usr/bin/env bash
# bench/peers/run.sh [--size small|medium] [--seed N] [--requests N] [--seconds S] [--cedar-sample N]
# Arbiter, iam-simulate and Cedar side by side on one generated world (see README.md here).
# Needs node and npm (the registry); not part of the test suite.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
size=small seed=1 nreq=10000 seconds=5 cedar_sample=1000
while [ $# -gt 0 ]; do
  case "$1" in
    --size) size="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --requests) nreq="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --cedar-sample) cedar_sample="$2"; shift 2 ;;
    -h|--help) sed -n 2,4p "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
scratch="${ARBITER_PEERS_DIR:-/tmp/arbiter-peers}"
work="$scratch/run-$size-$seed-$nreq"
mkdir -p "$scratch" "$work"

# (a) Arbiter
if [ ! -x "$root/build/cli/arbiter" ]; then (cd "$root" && scripts/build.sh build); fi
arbiter="$root/build/cli/arbiter"

# (b) the world and the requests
python3 "$root/corpus/generate.py" --size "$size" --seed "$seed" --out "$work/world" >/dev/null
head -n "$nreq" "$work/world/requests.jsonl" > "$work/requests.jsonl"

# (c) the peers, at the versions pinned in package.json, in the scratch folder
if ! cmp -s "$here/package.json" "$scratch/package.json" || [ ! -d "$scratch/node_modules/@cloud-copilot/iam-simulate" ] \
   || [ ! -d "$scratch/node_modules/@cedar-policy/cedar-wasm" ]; then
  cp "$here/package.json" "$scratch/package.json"
  npm install --prefix "$scratch" --no-audit --no-fund --loglevel=error >/dev/null
fi

echo "load before: $(uptime)" >&2
# (d) Arbiter: decisions (with the deciding statements) and throughput
"$arbiter" eval --world "$work/world/world.json" --requests "$work/requests.jsonl" --explain \
  > "$work/arbiter.jsonl" 2>/dev/null || true
"$arbiter" bench --world "$work/world/world.json" --requests "$work/requests.jsonl" --seconds "$seconds" --json \
  > "$work/arbiter-bench.json" 2>/dev/null
# (e) iam-simulate: decisions and throughput
node "$here/iam-simulate.mjs" --modules "$scratch/node_modules" --world "$work/world/world.json" \
  --requests "$work/requests.jsonl" --out "$work/iam-simulate.jsonl" --seconds "$seconds" \
  --public-sample 2000 > "$work/iam-simulate.json"
# (f) Cedar: throughput on the translated subset
node "$here/cedar.mjs" --modules "$scratch/node_modules" --world "$work/world/world.json" \
  --requests "$work/requests.jsonl" --sample "$cedar_sample" > "$work/cedar.json"
echo "load after: $(uptime)" >&2

# (g) the table, the disagreements and their classes
python3 "$here/compare.py" --world "$work/world/world.json" --requests "$work/requests.jsonl" \
  --arbiter "$work/arbiter.jsonl" --iam-simulate "$work/iam-simulate.jsonl" \
  --arbiter-bench "$work/arbiter-bench.json" --iam-simulate-stats "$work/iam-simulate.json" \
  --cedar-stats "$work/cedar.json" --out-dir "$work" \
  --command "bench/peers/run.sh --size $size --seed $seed --requests $nreq --seconds $seconds --cedar-sample $cedar_sample"
status=$?
echo "Every disagreement: $work/disagreements.jsonl" >&2
exit $status
