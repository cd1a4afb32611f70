#!/usr/bin/env bash
# berth's main job, from a fresh Debian machine: install, build, make a busybox bundle from Debian's busybox-static
# (no registry needed) and run a container in it with berth-runtime.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
[ -d node_modules ] || npm install --no-audit --no-fund
npm run build --silent
bundle=/var/lib/berth-demo/busybox
if [ ! -x "$bundle/rootfs/bin/busybox" ]; then
  mkdir -p "$bundle/rootfs/bin" "$bundle/rootfs/etc"
  cp /bin/busybox "$bundle/rootfs/bin/busybox"
  for applet in $(/bin/busybox --list); do [ "$applet" = busybox ] || ln -sf busybox "$bundle/rootfs/bin/$applet"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$bundle/rootfs/etc/passwd"
fi
rm -f "$bundle/config.json"
bin/berth-runtime spec --bundle "$bundle"
node -e '
  const fs = require("fs"); const p = process.argv[1]; const s = JSON.parse(fs.readFileSync(p));
  s.process.terminal = false; s.hostname = "berth";
  s.process.args = ["sh", "-c", "echo hello from a berth container; hostname; id; ps"];
  fs.writeFileSync(p, JSON.stringify(s, null, 2));' "$bundle/config.json"
exec bin/berth-runtime run --bundle "$bundle" "demo-$$"
