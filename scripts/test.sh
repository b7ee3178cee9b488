#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, runs every test; then the same
# under AddressSanitizer + UndefinedBehaviorSanitizer. Set ARBITER_SKIP_SANITIZERS=1 to
# run the plain build only.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh build -DARBITER_BUILD_BENCH=ON
ctest --test-dir build --output-on-failure -j"$(nproc)"
if [ "${ARBITER_SKIP_SANITIZERS:-0}" != 1 ]; then
  scripts/build.sh build-asan -DARBITER_SANITIZE=address,undefined -DCMAKE_BUILD_TYPE=Debug
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j"$(nproc)"
fi
