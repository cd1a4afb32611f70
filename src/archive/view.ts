// The container's filesystem as `docker cp` sees it, walked from the host without ever leaving it: its root (the
// mounted read-write layer) plus its bind mounts, with every path resolved component by component through open
// directory descriptors (`/proc/self/fd/N/name`), symlinks followed by hand as inside the container. A running
// container can change its files while we walk; since each step opens one name relative to a directory already held
// (never following a symlink), a swapped-in symlink can at worst redirect us elsewhere inside the container, never
// to the host (the race of CVE-2018-15664).
import { constants as fsc, type BigIntStats } from 'node:fs';
import { type FileHandle, lstat, mkdir, open, readdir, readlink, rmdir, unlink } from 'node:fs/promises';
import { posix } from 'node:path';
import { errnoCode } from '../errdefs/index.js';

/** Linux's O_PATH (Node's fs.constants lacks it): a descriptor that only names a file, symlinks included. */
export const O_PATH = 0o10000000;
const DIR_FLAGS = fsc.O_RDONLY | fsc.O_DIRECTORY | fsc.O_NOFOLLOW;
const MAX_SYMLINKS = 40; // the kernel's limit

/** A path that would leave the directory it is resolved in (not an errno: berth's own refusal). */
export const ESCAPE = 'ESCAPE';

const ERRNO_TEXT: Record<string, string> = {
  [ESCAPE]: 'path escapes from parent',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a directory',
  ELOOP: 'too many levels of symbolic links',
  EISDIR: 'is a directory',
  EBUSY: 'device or resource busy',
  EEXIST: 'file exists',
  EXDEV: 'invalid cross-device link',
  EPERM: 'operation not permitted',
  EACCES: 'permission denied',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  ENOTEMPTY: 'directory not empty',
  EINVAL: 'invalid argument',
};

/**
 * A failed operation on an in-container path, worded as Go's os.PathError (`lstat /etc/x: not a directory`), so the
 * message names the path the user gave, never a host path.
 */
export class PathError extends Error {
  override name = 'PathError';
  constructor(
    readonly op: string,
    readonly path: string,
    readonly code: string,
  ) {
    super(`${op} ${path}: ${ERRNO_TEXT[code] ?? code.toLowerCase()}`);
  }
}

/** Turns a Node/libc error on a descriptor path into a PathError on the in-container path; others pass through. */
export function pathError(e: unknown, op: string, ctr: string): unknown {
  const code = errnoCode(e);
  return code && /^E[A-Z0-9]+$/.test(code) ? new PathError(op, ctr, code) : e;
}

/** A bind mount of the container: `dest` (resolved, in-container) shows the host's `source`. */
export interface ViewMount {
  dest: string;
  source: string;
  rw: boolean;
}

/** An open directory of the view. Reference-counted: the last release() closes the descriptor. */
export class Dir {
  private refs = 1;
  constructor(
    private readonly view: FsView,
    readonly fh: FileHandle,
    /** Its path inside the container (symlinks resolved). */
    readonly ctr: string,
    /** The bind mount it lies in, if any (undefined: the root filesystem). */
    readonly mount: ViewMount | undefined,
  ) {}

  /** A host path naming the directory itself (through the descriptor). */
  get path(): string {
    return `/proc/self/fd/${this.fh.fd}`;
  }

  /** A host path naming `name` inside the directory; the kernel resolves only that last name, from the descriptor. */
  child(name: string): string {
    return `/proc/self/fd/${this.fh.fd}/${name}`;
  }

  childCtr(name: string): string {
    return posix.join(this.ctr, name);
  }

  retain(): this {
    this.refs++;
    return this;
  }

  async release(): Promise<void> {
    if (--this.refs > 0) return;
    await this.view.closeDir(this);
  }
}

/** What one name inside a directory is. */
export type Child =
  | { kind: 'dir'; dir: Dir }
  | { kind: 'symlink'; target: string }
  | { kind: 'other'; st: BigIntStats }
  | { kind: 'missing' };

/** Where a path led: to a directory (held), or to an entry of a directory (which may not exist). */
export type Resolved =
  | { kind: 'dir'; dir: Dir }
  | { kind: 'entry'; parent: Dir; name: string }
  | { kind: 'missing'; ctr: string };

export interface ResolveOptions {
  /** Follow a symlink in the last component (a trailing `/` or `/.` asks for it, as for the kernel). */
  followFinal: boolean;
  /**
   * `..` above the base: stay at the base ('clamp', as `/..` is `/`), or fail ('refuse': a relative climb out of the
   * base; after an absolute symlink, which restarts at the base as its `/`, `..` clamps there as well).
   */
  above: 'clamp' | 'refuse';
  /** Missing directories on the way: fail with ENOENT, create them (then `created` is told), or stop ('lenient'). */
  missing: 'fail' | 'create' | 'lenient';
  /** With 'create': whether a directory may be made in `parent` (false: EROFS), and what to do once it is. */
  mayCreate?: (parent: Dir) => boolean;
  created?: (dir: Dir) => Promise<void>;
  /** The path as the user gave it, for error messages. */
  shown: string;
}

/** A bind mount's source, opened once for the whole operation (an O_PATH descriptor). */
interface OpenMount {
  mount: ViewMount;
  fh: FileHandle;
  isDir: boolean;
}

export class FsView {
  private readonly held = new Set<Dir>();
  private readonly mounts = new Map<string, OpenMount>();
  private rootDir: Dir | undefined;

  private constructor() {}

  /**
   * Opens the view of the filesystem rooted at the host directory `root` with the given bind mounts. A source that
   * does not exist is left out. Sources are opened once, here: one nested in another bind's source (which the
   * container can write) is kept only if no symlink was followed below that other source — else the container
   * could have swapped a directory there for a link to anywhere on the host.
   */
  static async open(root: string, mounts: readonly ViewMount[]): Promise<FsView> {
    const view = new FsView();
    try {
      view.rootDir = new Dir(view, await open(root, fsc.O_RDONLY | fsc.O_DIRECTORY), '/', undefined);
      view.held.add(view.rootDir);
      const opened: (OpenMount & { lexical: string; real: string })[] = [];
      try {
        for (const m of mounts) {
          let fh: FileHandle;
          try {
            fh = await open(m.source, O_PATH);
          } catch (e) {
            if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') continue;
            throw e;
          }
          const o = { mount: m, fh, isDir: false, lexical: posix.normalize(m.source), real: '' };
          opened.push(o);
          o.real = await readlink(`/proc/self/fd/${fh.fd}`);
          o.isDir = (await fh.stat()).isDirectory();
        }
      } catch (e) {
        await Promise.all(opened.map((o) => o.fh.close().catch(() => {})));
        throw e;
      }
      const under = (p: string, dir: string) => (p.startsWith(`${dir}/`) ? p.slice(dir.length) : undefined);
      for (const o of opened) {
        const tampered = opened.some((outer) => {
          if (outer === o) return false;
          const rest = under(o.lexical, outer.lexical) ?? under(o.lexical, outer.real);
          return rest !== undefined && o.real !== outer.real + rest;
        });
        if (tampered) await o.fh.close();
        else view.mounts.set(o.mount.dest, o);
      }
      return view;
    } catch (e) {
      await view.close();
      throw e;
    }
  }

  /** The container's `/`, held by the view (do not release). */
  get root(): Dir {
    if (!this.rootDir) throw new Error('view is closed');
    return this.rootDir;
  }

  mountAt(ctr: string): ViewMount | undefined {
    return this.mounts.get(ctr)?.mount;
  }

  /** Closes every descriptor still open, whoever holds it (the view's users are done). */
  async close(): Promise<void> {
    const all = [...this.held].map((d) => d.fh);
    for (const m of this.mounts.values()) all.push(m.fh);
    this.held.clear();
    this.mounts.clear();
    this.rootDir = undefined;
    await Promise.all(all.map((fh) => fh.close().catch(() => {})));
  }

  async closeDir(d: Dir): Promise<void> {
    if (d === this.rootDir || !this.held.delete(d)) return;
    await d.fh.close();
  }

  private adopt(fh: FileHandle, ctr: string, mount: ViewMount | undefined): Dir {
    const d = new Dir(this, fh, ctr, mount);
    this.held.add(d);
    return d;
  }

  /**
   * A host path for `name` in `parent` that the kernel resolves without following a symlink in `name`; for a mount
   * point, its source's descriptor link (which leads to the source itself).
   */
  hostPath(parent: Dir, name: string): string {
    const m = this.mounts.get(parent.childCtr(name));
    return m ? `/proc/self/fd/${m.fh.fd}` : parent.child(name);
  }

  /** lstat of `name` in `parent` (a mount point: its source); undefined when missing. */
  async lstat(parent: Dir, name: string): Promise<BigIntStats | undefined> {
    const m = this.mounts.get(parent.childCtr(name));
    if (m) return m.fh.stat({ bigint: true });
    try {
      return await lstat(parent.child(name), { bigint: true });
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return undefined;
      throw pathError(e, 'lstat', parent.childCtr(name));
    }
  }

  /** What `name` in `parent` is, opening it when it is a directory (the caller releases it). */
  async child(parent: Dir, name: string): Promise<Child> {
    const ctr = parent.childCtr(name);
    const m = this.mounts.get(ctr);
    if (m) {
      if (!m.isDir) return { kind: 'other', st: await m.fh.stat({ bigint: true }) };
      const fh = await open(`/proc/self/fd/${m.fh.fd}`, fsc.O_RDONLY | fsc.O_DIRECTORY);
      return { kind: 'dir', dir: this.adopt(fh, ctr, m.mount) };
    }
    // A name can change kind between the lstat and the open (a running container); then look again.
    for (let attempt = 0; ; attempt++) {
      const st = await this.lstat(parent, name);
      if (!st) return { kind: 'missing' };
      if (st.isSymbolicLink()) {
        try {
          return { kind: 'symlink', target: await readlink(parent.child(name)) };
        } catch (e) {
          if (attempt < 3 && (errnoCode(e) === 'EINVAL' || errnoCode(e) === 'ENOENT')) continue;
          throw pathError(e, 'readlink', ctr);
        }
      }
      if (!st.isDirectory()) return { kind: 'other', st };
      try {
        return { kind: 'dir', dir: this.adopt(await open(parent.child(name), DIR_FLAGS), ctr, parent.mount) };
      } catch (e) {
        const code = errnoCode(e);
        if (attempt < 3 && (code === 'ENOTDIR' || code === 'ELOOP' || code === 'ENOENT')) continue;
        throw pathError(e, 'open', ctr);
      }
    }
  }

  /** Opens `name` in `parent`, which must be a directory (not a symlink to one). */
  async openDir(parent: Dir, name: string): Promise<Dir> {
    const c = await this.child(parent, name);
    if (c.kind === 'dir') return c.dir;
    throw new PathError('open', parent.childCtr(name), c.kind === 'missing' ? 'ENOENT' : 'ENOTDIR');
  }

  /**
   * Resolves `path` from `base` as the kernel would inside the container: `..` pops what was walked (never the
   * filesystem's own `..`), an absolute symlink restarts at `base`, a relative one continues where it is.
   */
  async resolve(base: Dir, path: string, opts: ResolveOptions): Promise<Resolved> {
    const todo = path.split('/').filter((c) => c !== '' && c !== '.');
    const stack: Dir[] = [base.retain()];
    const releaseAll = async (keep?: Dir) => {
      for (const d of stack) if (d !== keep) await d.release();
      stack.length = 0;
    };
    let links = 0;
    // Like moby's resolution in os.Root: `..` may not climb above the base through relative steps, but once an
    // absolute symlink made the base the root, it clamps there as `/..` does.
    let rooted = opts.above === 'clamp';
    try {
      while (todo.length > 0) {
        const comp = todo.shift()!;
        const top = stack.at(-1)!;
        if (comp === '..') {
          if (stack.length > 1) await stack.pop()!.release();
          else if (!rooted) throw new PathError('open', opts.shown, ESCAPE);
          continue;
        }
        const last = todo.length === 0;
        if (last && !opts.followFinal) {
          await releaseAll(top);
          return { kind: 'entry', parent: top, name: comp };
        }
        let c = await this.child(top, comp);
        if (c.kind === 'missing' && opts.missing === 'create') {
          if (opts.mayCreate && !opts.mayCreate(top)) throw new PathError('mkdir', top.childCtr(comp), 'EROFS');
          await mkdir(top.child(comp), { mode: 0o755 }).catch((e: unknown) => {
            if (errnoCode(e) !== 'EEXIST') throw pathError(e, 'mkdir', top.childCtr(comp));
          });
          c = await this.child(top, comp);
          if (c.kind === 'dir') await opts.created?.(c.dir);
        }
        switch (c.kind) {
          case 'missing':
            if (last) {
              await releaseAll(top);
              return { kind: 'entry', parent: top, name: comp };
            }
            if (opts.missing === 'lenient') {
              const ctr = posix.join(top.ctr, comp, ...todo);
              await releaseAll();
              return { kind: 'missing', ctr };
            }
            throw new PathError('lstat', opts.shown, 'ENOENT');
          case 'other':
            if (last) {
              await releaseAll(top);
              return { kind: 'entry', parent: top, name: comp };
            }
            throw new PathError('lstat', opts.shown, 'ENOTDIR');
          case 'symlink': {
            if (++links > MAX_SYMLINKS) throw new PathError('lstat', opts.shown, 'ELOOP');
            if (c.target.startsWith('/')) {
              for (const d of stack.splice(1)) await d.release();
              rooted = true;
            }
            todo.unshift(...c.target.split('/').filter((x) => x !== '' && x !== '.'));
            break;
          }
          case 'dir':
            stack.push(c.dir);
            break;
        }
      }
      const top = stack.at(-1)!;
      await releaseAll(top);
      return { kind: 'dir', dir: top };
    } catch (e) {
      await releaseAll();
      throw e;
    }
  }

  /**
   * Names in a directory, in byte order (as Go's ReadDir, so archives list entries as Docker's do), with the bind
   * mounts whose mount point is not there yet (a container never started).
   */
  async names(dir: Dir): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(dir.path);
    } catch (e) {
      throw pathError(e, 'readdir', dir.ctr);
    }
    for (const dest of this.mounts.keys()) {
      if (dest !== '/' && posix.dirname(dest) === dir.ctr && !names.includes(posix.basename(dest))) {
        names.push(posix.basename(dest));
      }
    }
    return names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  }

  /** Removes `name` from `parent` and everything under it, never following a symlink (moby's RemoveAll). */
  async removeAll(parent: Dir, name: string): Promise<void> {
    const ctr = parent.childCtr(name);
    if (this.mounts.has(ctr)) throw new PathError('unlinkat', ctr, 'EBUSY');
    const c = await this.child(parent, name);
    if (c.kind === 'missing') return;
    if (c.kind !== 'dir') {
      await unlink(parent.child(name)).catch((e: unknown) => {
        if (errnoCode(e) !== 'ENOENT') throw pathError(e, 'unlinkat', ctr);
      });
      return;
    }
    try {
      for (const n of await this.names(c.dir)) await this.removeAll(c.dir, n);
    } finally {
      await c.dir.release();
    }
    await rmdir(parent.child(name)).catch((e: unknown) => {
      if (errnoCode(e) !== 'ENOENT') throw pathError(e, 'unlinkat', ctr);
    });
  }
}
