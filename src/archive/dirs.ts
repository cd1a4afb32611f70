// Directories a container start makes: its missing WORKDIR (inside its root filesystem) and the missing sources of
// its `-v /host:/ctr` binds (on the host).
import { chown, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode, InvalidParameter } from '../errdefs/index.js';
import { resolveInRoot } from './resolve-in-root.js';

/** Docker's WORKDIR at start: created (owned by the container's user) when missing; a non-directory is refused. */
export async function ensureDirInRoot(root: string, dir: string, owner: { uid: number; gid: number }): Promise<void> {
  const host = join(root, await resolveInRoot(root, dir));
  try {
    if (!(await stat(host)).isDirectory()) throw new InvalidParameter(`Cannot mkdir: ${dir} is not a directory`);
    return;
  } catch (e) {
    if (errnoCode(e) !== 'ENOENT') throw e;
  }
  await mkdir(host, { recursive: true, mode: 0o755 });
  if (owner.uid !== 0 || owner.gid !== 0) await chown(host, owner.uid, owner.gid);
}

/**
 * A `-v` bind's host source, as moby's MkdirAll: a missing one becomes a directory; anything already there — a
 * directory, or a file for a single-file bind — is left as it is (mkdir -p alone fails on a file with EEXIST).
 */
export async function ensureBindSource(source: string): Promise<void> {
  try {
    await mkdir(source, { recursive: true, mode: 0o755 });
  } catch (e) {
    if (errnoCode(e) !== 'EEXIST') throw e;
  }
}
