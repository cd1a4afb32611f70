#!/usr/bin/env bash
# Debian packages berth builds and runs with: a C compiler, static glibc and musl for berth-helper, busybox-static
# for the busybox image, the kernel tools the runtime uses. With --test, also what the tests and benchmarks compare
# against or drive: runc and crun (reference runtimes, and berthd's --add-runtime tests), docker.io (reference
# engine, run sandboxed by test/fixtures/dockerd.ts, which never touches a system dockerd), tmux and hyperfine, plus
# skopeo and docker-registry (the registry tests' client and reference server), openssl (the TLS tests' certificates);
# passwd gives useradd, which --userns-remap=default uses.
set -euo pipefail
pkgs=(build-essential libc6-dev musl-tools busybox-static iproute2 nftables util-linux procps curl passwd)
if [ "${1:-}" = "--test" ]; then pkgs+=(runc crun docker.io tmux hyperfine skopeo docker-registry docker-compose openssl); fi
missing=()
for p in "${pkgs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
