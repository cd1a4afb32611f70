// Applies a layer tar (plain or gzip) onto a directory: moby's UnpackLayer semantics, with whiteouts either turned
// into overlayfs' own markers (overlay2's diff dir) or carried out as deletions (vfs, applying onto a parent copy).
import { createHash } from 'node:crypto';
import { constants as fsc } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { errnoCode, InvalidParameter, System } from '../../errdefs/index.js';
import type { Digest } from '../../lib/digest.js';
import { LibcError, S_IFCHR } from '../../sys/ffi-libc.js';
import { type ApplyFs, promiseFs } from './apply-fs.js';
import {
  type Compression,
  cleanEntryName,
  decompress,
  deviceNode,
  writeBody,
  type LayerSource,
  readTar,
  ScopedResolver,
  type TarHeader,
} from '../../archive/index.js';

export type WhiteoutMode = 'overlay' | 'delete';

export interface ApplyOptions {
  /** 'overlay': whiteouts become 0:0 char devices and opaque xattrs; 'delete': they remove files from `target`. */
  whiteoutMode: WhiteoutMode;
  /** How files are written: Node's promise API by default; syncFs on a worker thread (apply-worker.ts). */
  fs?: ApplyFs;
}

export interface ApplyResult {
  /** Bytes of regular-file content written (moby's ApplyDiff size). */
  size: number;
  /** sha256 of the uncompressed tar: the layer's diffID. */
  diffId: Digest;
  compression: Compression;
}

export const WHITEOUT_PREFIX = '.wh.';
export const WHITEOUT_META_PREFIX = '.wh..wh.';
export const WHITEOUT_OPAQUE = '.wh..wh..opq';
export const OVERLAY_OPAQUE_XATTR = 'trusted.overlay.opaque';

/**
 * Applies the layer tar `source` onto `target` (which must exist). Entries can never write outside `target`: names
 * are cleaned as Docker does, directories are resolved by hand inside `target`, and entries that would escape
 * (relative paths climbing out, symlinks that point above the root, hard links to outside) are refused with
 * InvalidParameter naming the entry. Corrupt or truncated input is InvalidParameter too.
 */
export async function applyLayer(target: string, source: LayerSource, options: ApplyOptions): Promise<ApplyResult> {
  const root = path.resolve(target);
  const overlay = options.whiteoutMode === 'overlay';
  const fs = options.fs ?? promiseFs;
  const { compression, stream } = await decompress(source);
  // Hashed as it is read (readTar drains the stream to its end, padding included, as Docker's layer store does).
  const hash = createHash('sha256');
  async function* hashed(): AsyncGenerator<Buffer> {
    for await (const chunk of stream) {
      hash.update(chunk);
      yield chunk;
    }
  }
  const resolver = new ScopedResolver(root, overlay, false, fs);
  // Real paths written by this layer and their ancestors: an opaque marker (in 'delete' mode) keeps these only.
  const unpacked = new Set<string>();
  const dirs: { real: string; header: TarHeader }[] = [];
  let size = 0;

  const markUnpacked = (real: string) => {
    for (let p = real; p.length > root.length && !unpacked.has(p); p = path.dirname(p)) unpacked.add(p);
  };

  const inflight = new InFlight();

  for await (const { header, body } of readTar(hashed())) {
    const rel = cleanEntryName(header.name);
    const entry = header.name;
    // AUFS metadata at the top (.wh..wh.plnk, .wh..wh.aufs) is skipped, as Docker does.
    if (rel.startsWith(WHITEOUT_META_PREFIX) && rel !== WHITEOUT_OPAQUE) continue;
    const base = path.posix.basename(rel);
    const parentRel = rel.includes('/') ? path.posix.dirname(rel) : '';

    // Only regular files in already-resolved directories run concurrently; everything else waits for them.
    const concurrent = header.type === 'file' && resolver.cached(parentRel) && !base.startsWith(WHITEOUT_PREFIX);
    if (!concurrent) await inflight.barrier();

    if (base.startsWith(WHITEOUT_PREFIX)) {
      const dir = await resolver.dir(parentRel, entry);
      if (base === WHITEOUT_OPAQUE) {
        if (overlay) await fs.lsetxattr(dir, OVERLAY_OPAQUE_XATTR, Buffer.from('y'));
        else await removeNotUnpacked(fs, dir, unpacked);
        resolver.invalidate();
        continue;
      }
      if (base.startsWith(WHITEOUT_META_PREFIX)) continue; // other metadata
      const victim = base.slice(WHITEOUT_PREFIX.length);
      if (victim === '' || victim === '.' || victim === '..') {
        throw new InvalidParameter(`invalid tar entry ${JSON.stringify(entry)}: bad whiteout name`);
      }
      const real = path.join(dir, victim);
      await fs.rm(real, { recursive: true, force: true });
      resolver.invalidate();
      if (overlay) {
        await fs.mknod(real, S_IFCHR, 0n);
        await fs.lchown(real, header.uid, header.gid);
      }
      continue;
    }

    if (rel === '') {
      if (header.type !== 'directory') {
        throw new InvalidParameter(`invalid tar entry ${JSON.stringify(entry)}: only a directory can be the root`);
      }
      await applyMetadata(fs, root, header, entry);
      dirs.push({ real: root, header });
      continue;
    }

    const dir = await resolver.dir(parentRel, entry);
    const real = path.join(dir, base);
    // Whatever is in the way goes (a directory stays for a directory entry). Regular files skip the lstat: their
    // exclusive create fails with EEXIST when something is there, which is rare in a fresh layer.
    const clear = async (): Promise<boolean> => {
      const existing = await fs.lstat(real).catch((e: unknown) => {
        if (errnoCode(e) === 'ENOENT') return undefined;
        throw e;
      });
      if (existing && !(existing.isDirectory() && header.type === 'directory')) {
        await fs.rm(real, { recursive: true, force: true });
        if (existing.isDirectory() || existing.isSymbolicLink()) resolver.invalidate();
      }
      return existing?.isDirectory() === true;
    };
    const isDir = header.type === 'file' ? false : await clear();

    switch (header.type) {
      case 'directory':
        if (!isDir) await fs.mkdir(real, 0o700);
        await applyMetadata(fs, real, header, entry);
        dirs.push({ real, header });
        break;
      case 'file':
        if (inflight.has(real)) await inflight.barrier(); // the same path twice in one tar
        if (header.size <= MAX_BUFFERED) {
          // Small files: take the content now and let the writes overlap with the next entries' (each fs call is a
          // thread-pool round trip; overlapping them is what makes many small files fast).
          const chunks: Buffer[] = [];
          for await (const c of body) chunks.push(c);
          await inflight.add(real, writeFile(fs, real, header, chunks, entry, clear));
        } else {
          await writeFile(fs, real, header, body, entry, clear);
        }
        size += header.size;
        break;
      case 'symlink': {
        // Docker's check: a relative target must not climb out of the root (lexically, from the link's directory).
        if (!header.linkname.startsWith('/')) {
          const lexical = path.posix.normalize(path.posix.join(parentRel, header.linkname));
          if (lexical === '..' || lexical.startsWith('../')) {
            throw new InvalidParameter(
              `invalid tar entry ${JSON.stringify(entry)}: symlink to ${JSON.stringify(header.linkname)} points outside the target directory`,
            );
          }
        }
        await fs.symlink(header.linkname, real);
        await applyMetadata(fs, real, header, entry);
        break;
      }
      case 'link': {
        const linkRel = cleanEntryName(header.linkname, 'hard link target');
        if (linkRel === '')
          throw new InvalidParameter(`invalid tar entry ${JSON.stringify(entry)}: hard link to the root`);
        const linkDir = await resolver.dir(linkRel.includes('/') ? path.posix.dirname(linkRel) : '', entry);
        const source = path.join(linkDir, path.posix.basename(linkRel));
        const st = await fs.lstat(source).catch(() => undefined);
        if (!st || st.isDirectory()) {
          throw new InvalidParameter(
            `invalid tar entry ${JSON.stringify(entry)}: hard link target ${JSON.stringify(header.linkname)} ${st ? 'is a directory' : 'does not exist'}`,
          );
        }
        // link(2) does not follow a symlink source on Linux, so this links exactly the entry found inside root.
        await fs.link(source, real);
        break;
      }
      case 'char':
      case 'block':
      case 'fifo': {
        const node = deviceNode(header);
        await fs.mknod(real, node.mode, node.dev).catch((e: unknown) => {
          throw wrap(e, entry);
        });
        await applyMetadata(fs, real, header, entry);
        break;
      }
    }
    markUnpacked(real);
  }
  await inflight.barrier();
  // Directory times last: creating entries inside them changed their mtimes (reverse order: children first).
  for (const { real, header } of dirs.reverse()) await fs.lutimes(real, header.mtime, header.mtime);
  return { size, diffId: `sha256:${hash.digest('hex')}`, compression };
}

const MAX_BUFFERED = 1 << 20;
const MAX_INFLIGHT = 16;

/** Writes of small files still running, keyed by path; at most MAX_INFLIGHT; the first failure is rethrown. */
class InFlight {
  private readonly tasks = new Map<string, Promise<void>>();
  private error: unknown;

  has(real: string): boolean {
    return this.tasks.has(real);
  }

  async add(real: string, task: Promise<unknown>): Promise<void> {
    const p = task.then(
      () => undefined,
      (e: unknown) => {
        this.error ??= e;
      },
    );
    this.tasks.set(
      real,
      p.finally(() => this.tasks.delete(real)),
    );
    if (this.tasks.size >= MAX_INFLIGHT) await Promise.race(this.tasks.values());
    this.check();
  }

  async barrier(): Promise<void> {
    while (this.tasks.size > 0) await Promise.all(this.tasks.values());
    this.check();
  }

  private check(): void {
    if (this.error !== undefined) throw this.error;
  }
}

function wrap(e: unknown, entry: string): Error {
  if (e instanceof LibcError)
    return new System(`applying tar entry ${JSON.stringify(entry)}: ${e.message}`, { cause: e });
  return e instanceof Error ? e : new System(String(e));
}

let umask: Promise<number> | undefined;
/** The process umask, read once from /proc (process.umask() without arguments is deprecated). */
function getUmask(): Promise<number> {
  umask ??= readFile('/proc/self/status', 'utf8').then((s) =>
    Number.parseInt(/^Umask:\s*([0-7]+)/m.exec(s)?.[1] ?? '777', 8),
  );
  return umask;
}

async function writeFile(
  fs: ApplyFs,
  real: string,
  h: TarHeader,
  body: AsyncIterable<Buffer> | Iterable<Buffer>,
  entry: string,
  clear: () => Promise<unknown>,
): Promise<number> {
  const flags = fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW;
  // Created with its final permissions when the umask leaves them alone: one chmod fewer per file.
  const needsChmod = (h.mode & 0o7000) !== 0 || (h.mode & (await getUmask())) !== 0;
  const fh = await fs.open(real, flags, h.mode & 0o777).catch(async (e: unknown) => {
    if (errnoCode(e) !== 'EEXIST') throw e;
    await clear();
    return fs.open(real, flags, h.mode & 0o777);
  });
  let written = 0;
  try {
    written = await writeBody(fh, body);
    // chown before xattrs (it clears security.capability) and before chmod (it clears setuid/setgid).
    await fh.chown(h.uid, h.gid);
    await setXattrs(fs, real, h, entry);
    if (needsChmod) await fh.chmod(h.mode & 0o7777);
    await fh.utimes(h.mtime, h.mtime);
  } finally {
    await fh.close();
  }
  return written;
}

async function setXattrs(fs: ApplyFs, real: string, h: TarHeader, entry: string): Promise<void> {
  for (const [name, value] of h.xattrs) {
    // A layer must not steer overlayfs (redirects, opaque markers come from whiteouts only).
    if (name.startsWith('trusted.overlay.')) continue;
    await fs.lsetxattr(real, name, value).catch((e: unknown) => {
      throw wrap(e, entry);
    });
  }
}

async function applyMetadata(fs: ApplyFs, real: string, h: TarHeader, entry: string): Promise<void> {
  await fs.lchown(real, h.uid, h.gid);
  await setXattrs(fs, real, h, entry);
  if (h.type === 'symlink') {
    await fs.lutimes(real, h.mtime, h.mtime);
    return;
  }
  await fs.chmod(real, h.mode & 0o7777);
  // Directory times are set at the end; other entries now.
  if (h.type !== 'directory') await fs.lutimes(real, h.mtime, h.mtime);
}

/** 'delete' mode's opaque directory: removes everything below `dir` this layer did not write. */
async function removeNotUnpacked(fs: ApplyFs, dir: string, unpacked: Set<string>): Promise<void> {
  for (const ent of await fs.readdir(dir)) {
    const p = path.join(dir, ent.name);
    if (!unpacked.has(p)) await fs.rm(p, { recursive: true, force: true });
    else if (ent.isDirectory()) await removeNotUnpacked(fs, p, unpacked);
  }
}
