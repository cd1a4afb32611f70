// Network namespaces made ahead of the container (the CNI model): berth-helper creates one with loopback up, pinned by
// a bind mount on a file under the exec root; the container's spec joins it by path, and later the bridge driver moves
// a veth into the same path. Each call is one short-lived helper process (docs/helper-protocol.md).
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { System } from '../errdefs/index.js';

/** Runs `berth-helper <verb> <path>`; a failure's `error <errno> <message>` line becomes a System error. */
function runHelper(helperPath: string, verb: string, path: string, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(helperPath, [verb, path], (err, _stdout, stderr) => {
      if (!err) return resolve();
      const text = String(stderr).trim();
      const detail = /^error -?\d+ (.*)$/m.exec(text)?.[1] ?? (text || err.message);
      reject(new System(`${what}: ${detail}`, { cause: err }));
    });
  });
}

/**
 * A new network namespace with `lo` up (127.0.0.1 and ::1), bind-mounted on `path`, a file the helper creates (its
 * directory must exist; a leftover plain file is reused, a path that still holds a namespace is an error).
 */
export function createNetns(helperPath: string, path: string): Promise<void> {
  return runHelper(helperPath, 'netns-create', path, 'creating network namespace');
}

/**
 * Unmounts and removes what createNetns made; a path that is missing or not mounted is not an error. Removing the file
 * also detaches the copies that mount namespaces cloned since then hold, so none of them keeps the namespace alive.
 */
export function deleteNetns(helperPath: string, path: string): Promise<void> {
  return runHelper(helperPath, 'netns-delete', path, 'deleting network namespace');
}

/**
 * Creates `dir` (with parents) and makes it a private mount (bound onto itself first): namespaces mounted there then
 * never propagate to the host through a shared parent mount, e.g. when berthd runs in a copy of the host's mount
 * namespace. (`ip netns` and CNI make their directory shared instead, so that deletes reach copies in other mount
 * namespaces; deleteNetns's unlink already does that.) Call it before the first createNetns; repeating it is harmless.
 */
export async function prepareNetnsDir(helperPath: string, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o755 });
  await runHelper(helperPath, 'make-private-mount', dir, 'preparing the network namespace directory');
}
