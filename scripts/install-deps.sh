#!/usr/bin/env bash
# Installs the Debian 12 packages Arbiter builds with, skipping what is already there.
set -euo pipefail
packages=(build-essential cmake ninja-build pkg-config libabsl-dev libsimdjson-dev libssl-dev
          libtbb-dev libgtest-dev libgmock-dev libbenchmark-dev python3 bc)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
