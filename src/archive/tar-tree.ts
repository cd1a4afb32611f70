// The tar `docker cp` downloads (moby's TarWithOptions with a rebase): a directory as its rebased name and its tree
// in byte order, or one entry for anything else; symlinks archived as links; only security.capability among xattrs;
// second-precision times; later names of a multiply-linked inode as hard links to the first.
import { constants as fsc, type BigIntStats } from 'node:fs';
import { type FileHandle, open, readlink } from 'node:fs/promises';
import { errnoCode, System } from '../errdefs/index.js';
import { devMajor, devMinor, lgetxattr } from '../sys/ffi-libc.js';
import { END_OF_ARCHIVE, encodeHeader, padding, type TarEntryType, tarHeader, tarTypeOf } from './tar.js';
import { type Dir, type FsView, pathError } from './view.js';

const READ_CHUNK = 1 << 20;

/** What to archive: a directory (held; its tree follows) or one entry of a directory. */
export type TarRoot =
  | { kind: 'dir'; dir: Dir; name: string }
  | { kind: 'entry'; parent: Dir; name: string; archiveName: string };

/** The tar bytes of `root`. The caller owns `root`'s descriptors and the view. */
/** Owners as the archive should show them (a remapped container's host ids as its own). */
export type OwnerMap = (owner: { uid: number; gid: number }) => { uid: number; gid: number };

export async function* tarEntries(view: FsView, root: TarRoot, owners?: OwnerMap): AsyncGenerator<Buffer> {
  const w = new EntryWriter(view, owners);
  if (root.kind === 'entry') {
    const st = await view.lstat(root.parent, root.name);
    if (st) yield* w.entry(root.parent, root.name, root.archiveName, st);
  } else {
    // moby names the tree from the rebase: "etc" → etc/, etc/x; "." → ./, ./x; "/" (the root) → /, /x.
    const prefix = root.name === '/' ? '/' : `${root.name}/`;
    yield* w.dirEntry(root.dir, root.name);
    yield* w.tree(root.dir, prefix);
  }
  yield END_OF_ARCHIVE;
}

class EntryWriter {
  private readonly seen = new Map<string, string>();
  constructor(
    private readonly view: FsView,
    private readonly owners?: OwnerMap,
  ) {}

  async *tree(dir: Dir, prefix: string): AsyncGenerator<Buffer> {
    for (const name of await this.view.names(dir)) {
      const st = await this.view.lstat(dir, name);
      if (!st) continue; // gone since the listing (a running container)
      const archiveName = prefix + name;
      if (!st.isDirectory()) {
        yield* this.entry(dir, name, archiveName, st);
        continue;
      }
      const c = await this.view.child(dir, name);
      if (c.kind !== 'dir') continue; // changed kind since the lstat
      try {
        yield* this.dirEntry(c.dir, archiveName);
        yield* this.tree(c.dir, `${archiveName}/`);
      } finally {
        await c.dir.release();
      }
    }
  }

  async *dirEntry(dir: Dir, archiveName: string): AsyncGenerator<Buffer> {
    const st = await dir.fh.stat({ bigint: true });
    yield encodeHeader(this.header(archiveName, 'directory', st));
  }

  async *entry(parent: Dir, name: string, archiveName: string, lst: BigIntStats): AsyncGenerator<Buffer> {
    const type = tarTypeOf(lst);
    if (!type) return;
    const host = this.view.hostPath(parent, name);
    const ctr = parent.childCtr(name);
    if (type === 'directory') {
      // Only a mount point's directory reaches here through lstat (the walk opens directories itself).
      const d = await this.view.openDir(parent, name);
      try {
        yield* this.dirEntry(d, archiveName);
      } finally {
        await d.release();
      }
      return;
    }
    let fh: FileHandle | undefined;
    let st = lst;
    if (type === 'file') {
      // O_NONBLOCK: if a FIFO was swapped in since the lstat, the open must not hang; O_NOFOLLOW: nor a symlink.
      const follow = this.view.mountAt(ctr) ? 0 : fsc.O_NOFOLLOW;
      try {
        fh = await open(host, fsc.O_RDONLY | fsc.O_NONBLOCK | follow);
      } catch (e) {
        if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ELOOP') return;
        throw pathError(e, 'open', ctr);
      }
      st = await fh.stat({ bigint: true });
      if (!st.isFile()) {
        await fh.close();
        return;
      }
    }
    try {
      const h = this.header(archiveName, type, st);
      if (type === 'symlink')
        h.linkname = await readlink(host).catch((e: unknown) => Promise.reject(pathError(e, 'readlink', ctr)));
      if (type === 'char' || type === 'block') {
        h.devmajor = devMajor(st.rdev);
        h.devminor = devMinor(st.rdev);
      }
      if (type === 'file') {
        const cap = await capability(host);
        if (cap) h.xattrs.set('security.capability', cap);
      }
      if (st.nlink > 1n) {
        const key = `${st.dev}:${st.ino}`;
        const first = this.seen.get(key);
        if (first !== undefined) {
          yield encodeHeader({ ...h, type: 'link', linkname: first, size: 0 });
          return;
        }
        this.seen.set(key, archiveName);
      }
      if (!fh) {
        yield encodeHeader(h);
        return;
      }
      h.size = Number(st.size);
      yield encodeHeader(h);
      yield* content(fh, h.size, ctr);
      yield padding(h.size);
    } finally {
      await fh?.close();
    }
  }

  private header(name: string, type: TarEntryType, st: BigIntStats) {
    const owner = { uid: Number(st.uid), gid: Number(st.gid) };
    const { uid, gid } = this.owners ? this.owners(owner) : owner;
    return tarHeader({
      name,
      type,
      mode: Number(st.mode & 0o7777n),
      uid,
      gid,
      // Docker truncates times to seconds (plain ustar headers).
      mtime: Number(st.mtimeNs / 1_000_000_000n),
    });
  }
}

/** security.capability as Docker archives it: a revision-3 set (namespaced root uid) turned into revision 2. */
async function capability(host: string): Promise<Buffer | undefined> {
  const v = await lgetxattr(host, 'security.capability').catch(() => undefined);
  if (!v) return undefined;
  if (v.length >= 24 && v[3] === 3) {
    const out = Buffer.from(v.subarray(0, 20));
    out[3] = 2;
    return out;
  }
  return v;
}

async function* content(fh: FileHandle, size: number, ctr: string): AsyncGenerator<Buffer> {
  let left = size;
  while (left > 0) {
    const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, left));
    const { bytesRead } = await fh.read(buf, 0, buf.length, null);
    if (bytesRead === 0) throw new System(`archiving ${ctr}: the file shrank while it was being read`);
    left -= bytesRead;
    yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
  }
}
