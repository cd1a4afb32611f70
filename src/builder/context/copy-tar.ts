// What COPY/ADD writes, as one tar to extract at '/' of the step's root filesystem (legacy builder's rules, moby's
// performCopyForInfo): a directory source gives its contents, a file lands at the destination or inside it, a local
// archive is unpacked (ADD), every copied entry is owned by root or the --chown user, modes kept unless --chmod.
import type { BigIntStats } from 'node:fs';
import { type FileHandle, open, readlink } from 'node:fs/promises';
import { constants as fsc } from 'node:fs';
import { posix } from 'node:path';
import {
  cleanEntryName,
  END_OF_ARCHIVE,
  encodeHeader,
  padding,
  readTar,
  type TarHeader,
  tarHeader,
  tarTypeOf,
} from '../../archive/index.js';
import { InvalidParameter, System } from '../../errdefs/index.js';
import { devMajor, devMinor, lgetxattr } from '../../sys/ffi-libc.js';
import { archiveStream, isArchive } from './local-archive.js';
import { walkSource } from './source-walk.js';
import type { CopySource, SourceTree } from './sources.js';

export interface CopyTarOptions {
  /** The destination as written in the instruction (after expansion): absolute, or relative to `workdir`. */
  dest: string;
  /** The image's WORKDIR ('/' if none). */
  workdir: string;
  /** --chown, resolved to numbers; root (0:0) otherwise. */
  chown?: { uid: number; gid: number };
  /** --chmod: the mode of every copied file and directory (not of symlinks). */
  chmod?: number;
  /** ADD: a local tar (plain, gzip, bzip2, xz, zstd) is unpacked at the destination instead of copied. */
  extractArchives: boolean;
  /** SOURCE_DATE_EPOCH: no entry's mtime is later than this (seconds). */
  mtime?: number;
  /** Whether the destination is an existing directory in the target root filesystem (symlinks followed). */
  destIsDir: boolean;
  /** The instruction, for messages ('COPY' unless told). */
  cmdName?: string;
}

/** moby's normalizeDest: relative to WORKDIR, a trailing '/' kept (it means "a directory"). */
export function normalizeDest(workdir: string, dest: string): { path: string; endsInSlash: boolean } {
  const endsInSlash = dest.endsWith('/');
  let p = dest.startsWith('/') ? dest : posix.join('/', workdir, dest);
  if (endsInSlash && !p.endsWith('/')) p += '/';
  return { path: p, endsInSlash: p.endsWith('/') };
}

/**
 * The tar of a COPY/ADD (entries named relative to '/'). Several sources need a destination ending in '/'
 * (Docker's message); a single file goes to `dest` itself unless it ends in '/' or is an existing directory.
 * Implied parent directories are left to the extraction (0755, root). Hard links inside a source stay links.
 */
export async function* copyTar(tree: SourceTree, sources: CopySource[], opts: CopyTarOptions): AsyncGenerator<Buffer> {
  const cmd = opts.cmdName ?? 'COPY';
  const dest = normalizeDest(opts.workdir, opts.dest);
  if (sources.length > 1 && !dest.endsInSlash) {
    throw new InvalidParameter(
      `When using ${cmd} with more than one source file, the destination must be a directory and end with a /`,
    );
  }
  const destRel = cleanEntryName(dest.path);
  const w = new EntryWriter(opts);
  for (const source of sources) {
    for await (const e of walkSource(tree, source)) {
      if (e.rel === '') {
        if (e.st.isDirectory()) {
          // The directory's contents go into dest, created 0755 (owned by the copy's owner) when it is new.
          if (!opts.destIsDir && destRel !== '') yield encodeHeader(w.header(destRel, 'directory', e.st, 0o755));
          continue;
        }
        if (opts.extractArchives && e.st.isFile() && (await isArchive(e.abs))) {
          yield* w.unpack(e.abs, destRel);
          continue;
        }
        const name = dest.endsInSlash || opts.destIsDir ? posix.join(destRel, source.name) : destRel;
        if (name === '') throw new InvalidParameter(`${cmd} failed: cannot copy a file to /`);
        yield* w.entry(e.abs, name, e.st);
        continue;
      }
      if (e.emit) yield* w.entry(e.abs, destRel ? `${destRel}/${e.rel}` : e.rel, e.st);
    }
  }
  yield END_OF_ARCHIVE;
}

class EntryWriter {
  private readonly links = new Map<string, string>();
  constructor(private readonly opts: CopyTarOptions) {}

  private time(sec: number): number {
    return this.opts.mtime !== undefined ? Math.min(sec, this.opts.mtime) : sec;
  }

  header(name: string, type: TarHeader['type'], st: BigIntStats, mode?: number): TarHeader {
    const own = this.opts.chown ?? { uid: 0, gid: 0 };
    const keep = Number(st.mode & 0o7777n);
    return tarHeader({
      name,
      type,
      mode: mode ?? (type === 'symlink' ? keep : (this.opts.chmod ?? keep)),
      uid: own.uid,
      gid: own.gid,
      mtime: this.time(Number(st.mtimeNs / 1_000_000_000n)),
    });
  }

  async *entry(abs: string, name: string, st: BigIntStats): AsyncGenerator<Buffer> {
    const type = tarTypeOf(st);
    if (!type) return; // sockets are not copied
    const h = this.header(name, type, st);
    if (type === 'directory') {
      yield encodeHeader(h);
      return;
    }
    if (st.nlink > 1n) {
      const key = `${st.dev}:${st.ino}`;
      const first = this.links.get(key);
      if (first !== undefined) {
        yield encodeHeader({ ...h, type: 'link', linkname: first });
        return;
      }
      this.links.set(key, name);
    }
    if (type === 'symlink') h.linkname = await readlink(abs);
    if (type === 'char' || type === 'block') {
      h.devmajor = devMajor(st.rdev);
      h.devminor = devMinor(st.rdev);
    }
    if (type !== 'file') {
      yield encodeHeader(h);
      return;
    }
    // O_NOFOLLOW | O_NONBLOCK: what was a file at the walk must still be one (never a link or a FIFO now).
    const fh = await open(abs, fsc.O_RDONLY | fsc.O_NOFOLLOW | fsc.O_NONBLOCK);
    try {
      const now = await fh.stat({ bigint: true });
      if (!now.isFile()) throw new System(`copying ${name}: the file changed while it was being read`);
      const cap = await lgetxattr(abs, 'security.capability').catch(() => undefined);
      if (cap) h.xattrs.set('security.capability', cap);
      h.size = Number(now.size);
      yield encodeHeader(h);
      yield* content(fh, h.size, name);
      yield padding(h.size);
    } finally {
      await fh.close();
    }
  }

  /** A local archive's entries under `destRel`, their own owners and modes kept (moby's UntarPath). */
  async *unpack(abs: string, destRel: string): AsyncGenerator<Buffer> {
    const under = (n: string) => {
      const rel = cleanEntryName(n);
      return rel === '' ? destRel : destRel ? `${destRel}/${rel}` : rel;
    };
    for await (const { header, body } of readTar(await archiveStream(abs))) {
      const name = under(header.name);
      if (name === destRel) continue; // the archive's own "./": dest is made as an implied directory
      const h: TarHeader = { ...header, name, mtime: this.time(header.mtime) };
      if (h.type === 'link') h.linkname = under(header.linkname);
      if (h.type !== 'file') h.size = 0;
      yield encodeHeader(h);
      if (h.type !== 'file') continue;
      for await (const chunk of body) yield chunk;
      yield padding(h.size);
    }
  }
}

async function* content(fh: FileHandle, size: number, name: string): AsyncGenerator<Buffer> {
  let left = size;
  while (left > 0) {
    const buf = Buffer.allocUnsafe(Math.min(1 << 20, left));
    const { bytesRead } = await fh.read(buf, 0, buf.length, null);
    if (bytesRead === 0) throw new System(`copying ${name}: the file shrank while it was being read`);
    left -= bytesRead;
    yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
  }
}
