#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, runs every test; then the same
# under AddressSanitizer + UndefinedBehaviorSanitizer; builds examples/embed against the
# installed package; runs the concurrent tests under ThreadSanitizer; then every fuzz
# target for 30 s.
# ARBITER_SKIP_SANITIZERS=1 / ARBITER_SKIP_FUZZ=1 skip those passes. The last line sums
# everything up: "all: N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
scripts/install-deps.sh
scripts/build.sh build -DARBITER_BUILD_BENCH=ON
ctest --test-dir build --output-on-failure -j"$(nproc)" | tee -a "$log"
if [ "${ARBITER_SKIP_SANITIZERS:-0}" != 1 ]; then
  scripts/build.sh build-asan -DARBITER_SANITIZE=address,undefined -DCMAKE_BUILD_TYPE=Debug
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j"$(nproc)" | tee -a "$log"
fi
# Embedding: install the package, build examples/embed against it with find_package, and
# check its decisions on the example world.
prefix=$(mktemp -d)
trap 'rm -f "$log"; rm -rf "$prefix"' EXIT
cmake --install build --prefix "$prefix" >/dev/null
cmake -S examples/embed -B build-embed -G Ninja -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build build-embed >/dev/null
if build-embed/embed corpus/example/world.json corpus/example/requests.jsonl 2>/dev/null |
    diff -q - corpus/example/expected.jsonl >/dev/null; then
  echo "embed: ok" | tee -a "$log"
else
  echo "embed: FAILED (examples/embed built against the installed package)"
  exit 1
fi
# ThreadSanitizer: everything concurrent (cache, snapshots, parallel batches, the embedding
# API, usage-plan counters). scripts/tsan.supp explains its suppressions.
if [ "${ARBITER_SKIP_SANITIZERS:-0}" != 1 ]; then
  cmake -S . -B build-tsan -G Ninja -DARBITER_SANITIZE=thread -DCMAKE_BUILD_TYPE=Debug >/dev/null
  cmake --build build-tsan -j"$(nproc)" --target decider_test parallel_test api_test gateway_test
  for t in engine/decider_test engine/parallel_test api/api_test gateway/gateway_test; do
    if TSAN_OPTIONS="halt_on_error=1 suppressions=$PWD/scripts/tsan.supp" build-tsan/$t \
        >build-tsan/tsan.log 2>&1; then
      echo "tsan $(basename "$t"): ok" | tee -a "$log"
    else
      echo "tsan $(basename "$t"): FAILED"
      tail -60 build-tsan/tsan.log
      exit 1
    fi
  done
fi
if [ "${ARBITER_SKIP_FUZZ:-0}" != 1 ]; then
  scripts/fuzz.sh "${ARBITER_FUZZ_SECONDS:-30}" | tee -a "$log"
fi
passed=$(grep -oE 'tests passed, 0 tests failed out of [0-9]+' "$log" | grep -oE '[0-9]+$' |
         paste -sd+ - | bc)
fuzzed=$(grep -c '^fuzz [a-z0-9]*: ok' "$log" || true)
others=$(grep -cE '^(embed|tsan [a-z_]+): ok' "$log" || true)
echo "all: $((passed + fuzzed + others)) passed, 0 failed"
