#!/usr/bin/env bash
# berth's main job, from a fresh Debian machine: install, build, start berthd with its embedded defaults
# (/var/lib/berth, /run/berth, /run/berth/berth.sock), make a local `busybox` image from Debian's busybox-static when
# there is none (no registry is reachable), and run a container through the Engine API.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build --silent
export DOCKER_HOST=unix:///run/berth/berth.sock
cli=bin/berth
[ -x "$cli" ] || cli=docker
if ! curl -sf --unix-socket /run/berth/berth.sock http://berth/_ping >/dev/null 2>&1; then
  mkdir -p /var/log
  nohup bin/berthd >>/var/log/berthd.log 2>&1 &
  for _ in $(seq 1 100); do
    curl -sf --unix-socket /run/berth/berth.sock http://berth/_ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  echo "berthd started (log: /var/log/berthd.log; stop it with: kill $(pgrep -f dist/bin/berthd.cjs | head -1))"
fi
if ! "$cli" image inspect busybox:latest >/dev/null 2>&1; then
  rootfs=$(mktemp -d)
  mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp" "$rootfs/root"
  cp /bin/busybox "$rootfs/bin/busybox"
  for applet in $(/bin/busybox --list); do [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
  tar -C "$rootfs" -cf - . | "$cli" import -c 'CMD ["sh"]' - busybox:latest
  rm -rf "$rootfs"
fi
exec "$cli" run --rm busybox sh -c 'echo hello from a berth container; hostname; id; ps'
