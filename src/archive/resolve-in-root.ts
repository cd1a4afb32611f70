// Where a path inside a container's root filesystem leads, before anything is mounted there, and small reads there.
// berth-helper resolves every in-root path with RESOLVE_IN_ROOT, so nothing can land outside the root; this check
// turns the one case an honest image never has — a relative symlink climbing above "/" — into a clear error.
import { lstat, readFile, readlink } from 'node:fs/promises';
import { posix } from 'node:path';
import { InvalidParameter } from '../errdefs/index.js';

const MAX_SYMLINKS = 40;

/** What one in-root path is: a symlink (its target), something else (null), or missing (undefined). */
type Entry = string | null | undefined;

/**
 * Lookups shared between the walks of one container's mounts: they mostly start with the same few directories
 * (/dev, /etc, /sys), and each lstat is a thread-pool round trip on the container-start path.
 */
export type RootLookups = Map<string, Promise<Entry>>;

async function lookup(root: string, here: string): Promise<Entry> {
  try {
    if (!(await lstat(posix.join(root, here))).isSymbolicLink()) return null;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  return readlink(posix.join(root, here));
}

/**
 * Resolves `path` (absolute, inside the container) against the directory `root` the way the kernel would inside the
 * container, and returns the resolved in-root path. Missing components end the walk (they will be created).
 */
export async function resolveInRoot(root: string, path: string, lookups: RootLookups = new Map()): Promise<string> {
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
    let entry = lookups.get(here);
    if (entry === undefined) {
      entry = lookup(root, here);
      lookups.set(here, entry);
    }
    const target = await entry;
    if (target === undefined) return `/${[...done, name, ...pending].join('/')}`;
    if (target === null) {
      done.push(name);
      continue;
    }
    if (++links > MAX_SYMLINKS) throw new InvalidParameter(`${path}: too many levels of symbolic links`);
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

/**
 * The text of the file `path` names inside the container whose root filesystem is `root` (its /etc/passwd, say),
 * symlinks followed inside the root; undefined when it is missing or unreadable.
 */
export async function readFileInRoot(root: string, path: string): Promise<string | undefined> {
  try {
    return await readFile(posix.join(root, await resolveInRoot(root, path)), 'utf8');
  } catch {
    return undefined;
  }
}
