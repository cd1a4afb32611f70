// Checks where a path inside a container's root filesystem leads, before anything is mounted there.
// berth-helper resolves every in-root path with RESOLVE_IN_ROOT, so nothing can land outside the root; this check
// turns the one case an honest image never has — a relative symlink climbing above "/" — into a clear error.
import { lstat, readlink } from 'node:fs/promises';
import { posix } from 'node:path';
import { InvalidParameter } from '../errdefs/index.js';

const MAX_SYMLINKS = 40;

/**
 * Resolves `path` (absolute, inside the container) against the directory `root` the way the kernel would inside the
 * container, and returns the resolved in-root path. Missing components end the walk (they will be created).
 */
export async function resolveInRoot(root: string, path: string): Promise<string> {
  const pending = posix.normalize(`/${path}`).split('/').filter(Boolean);
  const done: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const name = pending.shift() as string;
    if (name === '.') continue;
    if (name === '..') {
      done.pop();
      continue;
    }
    const here = `/${[...done, name].join('/')}`;
    let isLink = false;
    try {
      isLink = (await lstat(posix.join(root, here))).isSymbolicLink();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      return `/${[...done, name, ...pending].join('/')}`;
    }
    if (!isLink) {
      done.push(name);
      continue;
    }
    if (++links > MAX_SYMLINKS) throw new InvalidParameter(`${path}: too many levels of symbolic links`);
    const target = await readlink(posix.join(root, here));
    if (target.startsWith('/')) {
      done.length = 0;
    } else if (climbsAbove(done.length, target)) {
      throw new InvalidParameter(
        `${path} escapes the container's root filesystem through the symbolic link ${here} -> ${target}`,
      );
    }
    pending.unshift(...target.split('/').filter(Boolean));
  }
  return `/${done.join('/')}`;
}

/** Whether a relative link target, followed from a directory `depth` levels below the root, goes above it. */
function climbsAbove(depth: number, target: string): boolean {
  let d = depth;
  for (const part of target.split('/')) {
    if (part === '..') d--;
    else if (part !== '' && part !== '.') d++;
    if (d < 0) return true;
  }
  return false;
}
