// Path safety for extracting into a tree nobody else writes meanwhile (a layer being applied): clean tar entry names
// the way Docker does, and resolve directories inside the target without ever letting the kernel follow a symlink
// (the walk resolves symlinks itself, with the target as `/`). By paths, not descriptors, and cached, because layer
// apply runs it per entry on a worker thread with direct syscalls; a live container's tree is walked by view.ts.
import type { Stats } from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { errnoCode, InvalidParameter, NotFound } from '../errdefs/index.js';
import { lsetxattr } from '../sys/ffi-libc.js';

/** The calls the resolver makes, so a worker can pass its synchronous ones (storage/archive/apply-fs.ts). */
export interface ResolverFs {
  lstat(p: string): Promise<Stats>;
  mkdir(p: string, mode: number): Promise<void>;
  readlink(p: string): Promise<string>;
  rm(p: string): Promise<void>;
  lsetxattr(p: string, name: string, value: Uint8Array): Promise<void>;
}

const promiseFs: ResolverFs = {
  lstat: (p) => fsp.lstat(p),
  mkdir: async (p, mode) => {
    await fsp.mkdir(p, { mode });
  },
  readlink: (p) => fsp.readlink(p),
  rm: (p) => fsp.rm(p),
  lsetxattr: (p, name, value) => lsetxattr(p, name, value),
};

/**
 * Docker's rule (`filepath.Clean`, then join under the root): an absolute name is taken relative to the root, and a
 * relative one that climbs out of it after cleaning (`../x`, `a/../../x`) is refused. Returns the cleaned relative
 * path, '' for the root itself.
 */
export function cleanEntryName(name: string, what = 'entry'): string {
  const cleaned = path.posix.normalize(`/${name}`); // leading '/' clamps '..' at the root only for absolute names…
  if (!name.startsWith('/')) {
    // …so judge relative names on their own: anything still starting with '..' escapes.
    const rel = path.posix.normalize(name);
    if (rel === '..' || rel.startsWith('../')) {
      throw new InvalidParameter(`invalid tar ${what} ${JSON.stringify(name)}: path escapes the target directory`);
    }
  }
  return cleaned.replace(/^\/+/, '').replace(/\/+$/, '');
}

const MAX_SYMLINKS = 40; // the kernel's limit

/** True for an overlay whiteout: a character device 0:0. */
export function isWhiteoutStat(st: { isCharacterDevice(): boolean; rdev: number | bigint }): boolean {
  return st.isCharacterDevice() && Number(st.rdev) === 0;
}

/**
 * Resolves directories of a layer being applied to real paths under `root` that contain no symlinks, creating
 * missing ones (0755, root-owned, like Docker's MkdirAll). Symlinks met on the way are followed by hand with `root`
 * as `/`; one that would climb above `root` is refused. Results are cached until `invalidate`.
 */
export class ScopedResolver {
  private readonly cache = new Map<string, string>();

  constructor(
    readonly root: string,
    /** In overlay mode a whiteout device in the way of a directory becomes an opaque directory. */
    private readonly overlay: boolean,
    /** Read-only: missing directories are not created and nothing is changed (a layer's files being read back). */
    private readonly readOnly = false,
    private readonly fs: ResolverFs = promiseFs,
  ) {
    this.cache.set('', root);
  }

  /** Real absolute path of the directory `rel` (cleaned, relative), created if missing. */
  async dir(rel: string, entry: string): Promise<string> {
    const hit = this.cache.get(rel);
    if (hit !== undefined) return hit;
    const real = await this.walk(rel, entry);
    this.cache.set(rel, real);
    return real;
  }

  /** True when `rel` resolves without touching the filesystem. */
  cached(rel: string): boolean {
    return this.cache.has(rel);
  }

  /** Forgets cached resolutions; called after a directory or symlink was removed or replaced (rare). */
  invalidate(): void {
    this.cache.clear();
    this.cache.set('', this.root);
  }

  private async walk(rel: string, entry: string): Promise<string> {
    const todo = rel === '' ? [] : rel.split('/');
    const done: string[] = []; // real components below root
    let links = 0;
    const refuse = (why: string) => new InvalidParameter(`invalid tar entry ${JSON.stringify(entry)}: ${why}`);
    while (todo.length > 0) {
      const comp = todo.shift()!;
      if (comp === '' || comp === '.') continue;
      if (comp === '..') {
        if (done.length === 0) throw refuse('a symlink on its path points outside the target directory');
        done.pop();
        continue;
      }
      const cur = path.join(this.root, ...done, comp);
      let st: Stats | undefined;
      try {
        st = await this.fs.lstat(cur);
      } catch (e) {
        if (errnoCode(e) !== 'ENOENT') throw e;
      }
      if (st === undefined) {
        if (this.readOnly) throw new NotFound(`${JSON.stringify(path.join(...done, comp))} does not exist`);
        await this.fs.mkdir(cur, 0o755);
      } else if (st.isSymbolicLink()) {
        if (++links > MAX_SYMLINKS) throw refuse('too many levels of symbolic links');
        const target = await this.fs.readlink(cur);
        if (target.startsWith('/')) done.length = 0;
        todo.unshift(...target.split('/'));
        continue;
      } else if (this.overlay && !this.readOnly && isWhiteoutStat(st)) {
        await this.fs.rm(cur);
        await this.fs.mkdir(cur, 0o755);
        await this.fs.lsetxattr(cur, 'trusted.overlay.opaque', Buffer.from('y'));
      } else if (!st.isDirectory()) {
        throw refuse(`${JSON.stringify(path.join(...done, comp))} is not a directory`);
      }
      done.push(comp);
    }
    return path.join(this.root, ...done);
  }
}
