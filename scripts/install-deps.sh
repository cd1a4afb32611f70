#!/usr/bin/env bash
# Debian packages berth builds and tests with: a C compiler, static glibc and musl for berth-helper, busybox-static for
# test images, runc as the reference runtime, and the kernel tools the runtime and tests use.
set -euo pipefail
pkgs=(build-essential libc6-dev musl-tools busybox-static runc iproute2 util-linux procps tmux hyperfine)
missing=()
for p in "${pkgs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
