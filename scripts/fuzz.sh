#!/usr/bin/env bash
# fuzz.sh [SECONDS]: builds the libFuzzer targets with clang (ASan + UBSan) and runs each
# for SECONDS (default 30) from its seed corpus in fuzz/corpus/, failing on any crash,
# leak or engine-vs-reference difference. The seeds are copied: the repository is not
# modified. See fuzz/README.md for long runs.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
missing=()
for p in clang libclang-rt-14-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! CC=clang CXX=clang++ scripts/build.sh build-fuzz -DARBITER_BUILD_FUZZ=ON \
    -DARBITER_SANITIZE=address,undefined -DARBITER_BUILD_TESTS=OFF >"$work/build.log" 2>&1; then
  echo "fuzz build: FAILED"
  grep -E 'error|FAILED' "$work/build.log" | head -20
  exit 1
fi
status=0
for target in policy world request glob condition differential json jwt sigv4 gateway; do
  mkdir -p "$work/$target"
  cp fuzz/corpus/"$target"/* "$work/$target/"
  dict=()
  case "$target" in policy|world|request|differential|json) dict=(-dict=fuzz/iam.dict) ;; esac
  if build-fuzz/fuzz/"${target}"_fuzzer "$work/$target" "${dict[@]}" -max_total_time="$seconds" -print_final_stats=1 \
      -rss_limit_mb=2048 -timeout=20 -artifact_prefix="$work/" >"$work/$target.log" 2>&1; then
    echo "fuzz $target: ok ($(grep -o 'stat::number_of_executed_units: [0-9]*' "$work/$target.log" || \
      tail -1 "$work/$target.log"))"
  else
    echo "fuzz $target: FAILED"
    tail -40 "$work/$target.log"
    ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* 2>/dev/null | head
    status=1
  fi
done
exit $status
