// Layer diffs as tar streams: an overlay upper dir as it is (whiteout devices → `.wh.` files, opaque xattr →
// `.wh..wh..opq`), or a list of changes against the layer's tree (moby's ExportChanges). Output is deterministic:
// entries in walk order, second-precision mtimes, sorted xattrs, whiteouts dated at the epoch; the diffID (sha256
// of the uncompressed tar) is computed while streaming.
import type { BigIntStats } from 'node:fs';
import { lstat, open, readlink } from 'node:fs/promises';
import * as path from 'node:path';
import { pipeline, Readable } from 'node:stream';
import { DigestStream } from '../../lib/digest.js';
import { errnoCode, System } from '../../errdefs/index.js';
import { devMajor, devMinor, lgetxattr } from '../../sys/ffi-libc.js';
import { WHITEOUT_OPAQUE, WHITEOUT_PREFIX } from './apply.js';
import { type Change, ChangeKind } from './changes.js';
import {
  comparePaths,
  END_OF_ARCHIVE,
  encodeHeader,
  isWhiteoutStat,
  padding,
  readXattrs,
  tarHeader,
  tarTypeOf,
  walkTree,
} from '../../archive/index.js';

/**
 * A layer tar being produced. Read it like any stream; once it has ended, `digest()` is the diffID and `size` the
 * tar's length. Errors (a file vanishing mid-export, I/O failures) destroy the stream with the error.
 */
export type DiffStream = DigestStream;

const READ_CHUNK = 1 << 20;

/** Emits entries, turning later names of a multiply-linked inode into hard links to the first. */
class EntryWriter {
  private readonly seen = new Map<string, string>();

  async *entry(abs: string, rel: string, st: BigIntStats): AsyncGenerator<Buffer> {
    const type = tarTypeOf(st);
    if (!type) return;
    const h = tarHeader({
      name: rel,
      type,
      mode: Number(st.mode & 0o7777n),
      uid: Number(st.uid),
      gid: Number(st.gid),
      mtime: Number(st.mtimeNs / 1_000_000_000n),
      xattrs: await readXattrs(abs),
    });
    if (type === 'symlink') h.linkname = await readlink(abs);
    if (type === 'char' || type === 'block') {
      h.devmajor = devMajor(st.rdev);
      h.devminor = devMinor(st.rdev);
    }
    if (type !== 'directory' && st.nlink > 1n) {
      const key = `${st.dev}:${st.ino}`;
      const first = this.seen.get(key);
      if (first !== undefined) {
        yield encodeHeader({ ...h, type: 'link', linkname: first, size: 0, xattrs: new Map() });
        return;
      }
      this.seen.set(key, rel);
    }
    if (type !== 'file') {
      yield encodeHeader(h);
      return;
    }
    h.size = Number(st.size);
    yield encodeHeader(h);
    yield* fileContent(abs, h.size, rel);
    yield padding(h.size);
  }
}

async function* fileContent(abs: string, size: number, rel: string): AsyncGenerator<Buffer> {
  const fh = await open(abs, 'r');
  try {
    let left = size;
    while (left > 0) {
      const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, left));
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) throw new System(`exporting ${rel}: file shrank while being archived`);
      left -= bytesRead;
      yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}

function whiteout(rel: string, uid = 0, gid = 0, mode = 0o600): Buffer {
  return encodeHeader(tarHeader({ name: rel, type: 'file', mode, uid, gid, mtime: 0 }));
}

function stream(gen: AsyncGenerator<Buffer>): DiffStream {
  const out = new DigestStream();
  pipeline(Readable.from(gen, { objectMode: false }), out, () => {
    // Errors destroy `out`, which is how the consumer sees them.
  });
  return out;
}

/** The tar of an overlay upper dir (moby's overlay2 Diff with the overlay whiteout format). */
export function overlayDiff(upperDir: string): DiffStream {
  return stream(overlayEntries(upperDir));
}

async function* overlayEntries(upperDir: string): AsyncGenerator<Buffer> {
  const w = new EntryWriter();
  for await (const { rel, abs, st } of walkTree(upperDir)) {
    if (isWhiteoutStat(st)) {
      const dir = path.posix.dirname(rel);
      const name = `${dir === '.' ? '' : `${dir}/`}${WHITEOUT_PREFIX}${path.posix.basename(rel)}`;
      yield whiteout(name, Number(st.uid), Number(st.gid));
      continue;
    }
    yield* w.entry(abs, rel, st);
    if (st.isDirectory() && (await lgetxattr(abs, 'trusted.overlay.opaque'))?.toString() === 'y') {
      yield whiteout(`${rel}/${WHITEOUT_OPAQUE}`, Number(st.uid), Number(st.gid), Number(st.mode & 0o777n));
    }
  }
  yield END_OF_ARCHIVE;
}

/** The tar of `changes` (from changesDirs) taken from the layer tree `dir` (moby's ExportChanges). */
export function exportChanges(dir: string, changes: readonly Change[]): DiffStream {
  return stream(changeEntries(dir, changes));
}

async function* changeEntries(dir: string, changes: readonly Change[]): AsyncGenerator<Buffer> {
  const w = new EntryWriter();
  const sorted = [...changes].sort((a, b) => comparePaths(a.path, b.path));
  for (const c of sorted) {
    const rel = c.path.replace(/^\/+/, '');
    if (c.kind === ChangeKind.Delete) {
      const d = path.posix.dirname(rel);
      yield whiteout(`${d === '.' ? '' : `${d}/`}${WHITEOUT_PREFIX}${path.posix.basename(rel)}`);
      continue;
    }
    const abs = path.join(dir, rel);
    let st: BigIntStats;
    try {
      st = await lstat(abs, { bigint: true });
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') throw new System(`exporting ${c.path}: it vanished during the export`);
      throw e;
    }
    yield* w.entry(abs, rel, st);
  }
  yield END_OF_ARCHIVE;
}
