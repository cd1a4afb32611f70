// Minimal tar for `berth cp`: writing a local file tree as a (PAX) tar stream, and extracting a tar stream into a
// local directory the way docker's archive.Untar does for cp (no chown, existing files replaced, a directory never
// replaced by a file or the other way round, nothing written outside the destination).
import { createReadStream } from 'node:fs';
import { link, lstat, lutimes, mkdir, open, readdir, readlink, rm, symlink, utimes, chmod } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';

const BLOCK = 512;

export interface TarHeader {
  name: string;
  /** 0 file, 1 hard link, 2 symlink, 5 directory (tar's typeflag characters). */
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  linkname: string;
  uname?: string;
  gname?: string;
}

// ---- writing ----------------------------------------------------------------------------------------------------

function writeString(buf: Buffer, off: number, len: number, s: string): void {
  buf.write(s, off, Math.min(len, Buffer.byteLength(s)), 'utf8');
}

function writeOctal(buf: Buffer, off: number, len: number, n: number): void {
  writeString(
    buf,
    off,
    len,
    `${Math.max(0, Math.trunc(n))
      .toString(8)
      .padStart(len - 1, '0')}\0`,
  );
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}

function headerBlock(h: TarHeader, name: string, linkname: string): Buffer {
  const b = Buffer.alloc(BLOCK);
  writeString(b, 0, 100, name);
  writeOctal(b, 100, 8, h.mode & 0o7777);
  writeOctal(b, 108, 8, h.uid);
  writeOctal(b, 116, 8, h.gid);
  writeOctal(b, 124, 12, h.size);
  writeOctal(b, 136, 12, h.mtime);
  b.fill(' ', 148, 156);
  b.write(h.type, 156, 1, 'latin1');
  writeString(b, 157, 100, linkname);
  b.write('ustar\0' + '00', 257, 8, 'latin1');
  writeString(b, 265, 32, h.uname ?? '');
  writeString(b, 297, 32, h.gname ?? '');
  let sum = 0;
  for (const byte of b) sum += byte;
  writeString(b, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return b;
}

/** The header block(s) of an entry: a PAX header first when the name or link target does not fit. */
export function encodeHeader(h: TarHeader): Buffer {
  const long = Buffer.byteLength(h.name) > 100 || Buffer.byteLength(h.linkname) > 100;
  if (!long) return headerBlock(h, h.name, h.linkname);
  let records = '';
  if (Buffer.byteLength(h.name) > 100) records += paxRecord('path', h.name);
  if (Buffer.byteLength(h.linkname) > 100) records += paxRecord('linkpath', h.linkname);
  const data = Buffer.from(records);
  const pax = headerBlock(
    { ...h, type: 'x', size: data.length, mode: 0o644, linkname: '' },
    `PaxHeaders.0/${h.name.slice(0, 80)}`,
    '',
  );
  return Buffer.concat([
    pax,
    data,
    padding(data.length),
    headerBlock(h, h.name.slice(0, 100), h.linkname.slice(0, 100)),
  ]);
}

const padding = (size: number) => Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);

/**
 * A tar stream of `dir/base` and, for a directory, everything under it, entries named from `base` (or `rebase`
 * in its place), as docker's TarResourceRebase makes them.
 */
export function tarTree(dir: string, base: string, rebase?: string): Readable {
  const rename = (name: string) => {
    if (!rebase) return name;
    return name === base ? rebase : name.startsWith(`${base}/`) ? rebase + name.slice(base.length) : name;
  };
  async function* walk(path: string, name: string): AsyncGenerator<Buffer> {
    const st = await lstat(path);
    const h: TarHeader = {
      name: rename(name),
      type: '0',
      mode: st.mode,
      uid: st.uid,
      gid: st.gid,
      size: 0,
      mtime: Math.floor(st.mtimeMs / 1000),
      linkname: '',
    };
    if (st.isDirectory()) {
      yield encodeHeader({ ...h, type: '5', name: `${h.name}/` });
      for (const child of (await readdir(path)).sort()) yield* walk(join(path, child), `${name}/${child}`);
    } else if (st.isSymbolicLink()) {
      yield encodeHeader({ ...h, type: '2', linkname: await readlink(path) });
    } else if (st.isFile()) {
      yield encodeHeader({ ...h, size: st.size });
      let written = 0;
      for await (const chunk of createReadStream(path)) {
        const c = (chunk as Buffer).subarray(0, st.size - written);
        written += c.length;
        if (c.length > 0) yield c;
        if (written >= st.size) break;
      }
      if (written < st.size) yield Buffer.alloc(st.size - written);
      yield padding(st.size);
    }
    // Sockets, devices and fifos are left out.
  }
  async function* all(): AsyncGenerator<Buffer> {
    yield* walk(join(dir, base), base);
    yield Buffer.alloc(BLOCK * 2);
  }
  return Readable.from(all(), { objectMode: false });
}

// ---- reading ----------------------------------------------------------------------------------------------------

function readString(b: Buffer, off: number, len: number): string {
  const slice = b.subarray(off, off + len);
  const nul = slice.indexOf(0);
  return (nul < 0 ? slice : slice.subarray(0, nul)).toString('utf8');
}

function readNumber(b: Buffer, off: number, len: number): number {
  if ((b[off]! & 0x80) !== 0) {
    let n = 0;
    for (let i = off + 1; i < off + len; i++) n = n * 256 + b[i]!;
    return n;
  }
  const s = readString(b, off, len).trim();
  return s === '' ? 0 : Number.parseInt(s, 8);
}

export function decodeHeader(b: Buffer): TarHeader {
  let name = readString(b, 0, 100);
  const magic = b.subarray(257, 263).toString('latin1');
  if (magic.startsWith('ustar')) {
    const prefix = readString(b, 345, 155);
    if (prefix !== '') name = `${prefix}/${name}`;
  }
  return {
    name,
    mode: readNumber(b, 100, 8),
    uid: readNumber(b, 108, 8),
    gid: readNumber(b, 116, 8),
    size: readNumber(b, 124, 12),
    mtime: readNumber(b, 136, 12),
    type: String.fromCharCode(b[156]!) === '\0' ? '0' : String.fromCharCode(b[156]!),
    linkname: readString(b, 157, 100),
  };
}

function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let off = 0;
  while (off < data.length) {
    const space = data.indexOf(0x20, off);
    if (space < 0) break;
    const len = Number(data.subarray(off, space).toString('latin1'));
    if (!Number.isFinite(len) || len <= 0) break;
    const record = data.subarray(space + 1, off + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    off += len;
  }
  return out;
}

/** Reads a tar stream entry by entry: `onEntry` gets each header and an iterator over its data. */
export async function readTar(
  source: AsyncIterable<Buffer | string>,
  onEntry: (h: TarHeader, data: AsyncIterable<Buffer>) => Promise<void>,
): Promise<void> {
  const it = source[Symbol.asyncIterator]();
  let pending: Buffer = Buffer.alloc(0);
  let ended = false;
  const fill = async (n: number): Promise<boolean> => {
    while (pending.length < n && !ended) {
      const r = await it.next();
      if (r.done) ended = true;
      else pending = Buffer.concat([pending, typeof r.value === 'string' ? Buffer.from(r.value) : r.value]);
    }
    return pending.length >= n;
  };
  const take = (n: number) => {
    const out = pending.subarray(0, n);
    pending = pending.subarray(n);
    return out;
  };
  // The current entry's unread data: a handler may read it or not; what it leaves is skipped.
  let left = 0;
  const nextChunk = async (): Promise<Buffer | undefined> => {
    if (left === 0) return undefined;
    if (pending.length === 0 && !(await fill(1))) throw new Error('unexpected EOF');
    const c = take(Math.min(left, pending.length));
    left -= c.length;
    return c;
  };
  const data: AsyncIterable<Buffer> = {
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        const value = await nextChunk();
        return value ? { value, done: false as const } : { value: undefined, done: true as const };
      },
    }),
  };
  const skipPadding = async (size: number) => {
    const n = padding(size).length;
    await fill(n);
    take(n);
  };
  const readAllBody = async (size: number) => {
    left = size;
    const parts: Buffer[] = [];
    for await (const c of data) parts.push(c);
    await skipPadding(size);
    return Buffer.concat(parts);
  };
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  for (;;) {
    if (!(await fill(BLOCK))) {
      if (pending.length === 0) return;
      throw new Error('unexpected EOF');
    }
    const block = take(BLOCK);
    if (block.every((x) => x === 0)) return;
    const h = decodeHeader(block);
    if (h.type === 'x') {
      pax = parsePax(await readAllBody(h.size));
      continue;
    }
    if (h.type === 'g') {
      await readAllBody(h.size);
      continue;
    }
    if (h.type === 'L' || h.type === 'K') {
      const text = readString(await readAllBody(h.size), 0, h.size);
      if (h.type === 'L') longName = text;
      else longLink = text;
      continue;
    }
    if (pax.path !== undefined) h.name = pax.path;
    if (pax.linkpath !== undefined) h.linkname = pax.linkpath;
    if (pax.size !== undefined) h.size = Number(pax.size);
    if (pax.mtime !== undefined) h.mtime = Number(pax.mtime);
    if (longName !== undefined) h.name = longName;
    if (longLink !== undefined) h.linkname = longLink;
    pax = {};
    longName = longLink = undefined;
    const size = h.type === '5' || h.type === '2' || h.type === '1' ? 0 : h.size;
    left = size;
    await onEntry(h, data);
    while (left > 0) await nextChunk();
    await skipPadding(size);
  }
}

/** Renames entries whose first path component is `oldBase` (archive.RebaseArchiveEntries). */
export function rebaseName(name: string, oldBase: string, newBase: string): string {
  const trimmed = name.replace(/^\.\//, (m) => (oldBase === '.' ? m : ''));
  if (trimmed === oldBase || trimmed === `${oldBase}/`) return newBase + trimmed.slice(oldBase.length);
  if (trimmed.startsWith(`${oldBase}/`)) return newBase + trimmed.slice(oldBase.length);
  return name;
}

/**
 * Extracts a tar stream into `dest` (archive.Untar with NoLchown and NoOverwriteDirNonDir), entries renamed by
 * `rename`. Returns the bytes of file data written.
 */
export async function extractTar(
  source: AsyncIterable<Buffer | string>,
  dest: string,
  rename: (name: string) => string = (n) => n,
): Promise<number> {
  const root = resolve(dest);
  const dirTimes: [string, number][] = [];
  let total = 0;
  await readTar(source, async (h, data) => {
    const name = rename(h.name).replace(/\/+$/, '');
    const path = resolve(root, name);
    if (path !== root && !path.startsWith(root + sep))
      throw new Error(`${JSON.stringify(h.name)} is outside of ${JSON.stringify(root)}`);
    if (!['0', '7', '5', '2', '1'].includes(h.type)) return;
    const existing = await lstat(path).catch(() => undefined);
    if (existing) {
      if (existing.isDirectory() && h.type !== '5') {
        throw new Error(`cannot overwrite directory "${path}" with non-directory "${name}"`);
      }
      if (!existing.isDirectory() && h.type === '5') {
        throw new Error(`cannot overwrite non-directory "${path}" with directory "${name}"`);
      }
      if (!existing.isDirectory()) await rm(path, { force: true });
    }
    const parent = resolve(path, '..');
    if (relative(root, parent).startsWith('..'))
      throw new Error(`${JSON.stringify(h.name)} is outside of ${JSON.stringify(root)}`);
    await mkdir(parent, { recursive: true });
    switch (h.type) {
      case '5':
        if (!existing) await mkdir(path, { mode: h.mode & 0o7777 });
        await chmod(path, h.mode & 0o7777);
        dirTimes.push([path, h.mtime]);
        return;
      case '2':
        await symlink(h.linkname, path);
        await lutimes(path, h.mtime, h.mtime).catch(() => {});
        return;
      case '1': {
        const target = resolve(root, rename(h.linkname));
        if (!target.startsWith(root + sep)) throw new Error(`invalid hardlink "${h.linkname}" -> "${h.name}"`);
        await link(target, path);
        return;
      }
      default: {
        const fh = await open(path, 'w', h.mode & 0o7777);
        try {
          for await (const chunk of data) {
            await fh.write(chunk);
            total += chunk.length;
          }
        } finally {
          await fh.close();
        }
        await chmod(path, h.mode & 0o7777);
        await utimes(path, h.mtime, h.mtime);
      }
    }
  });
  for (const [path, mtime] of dirTimes.reverse()) await utimes(path, mtime, mtime).catch(() => {});
  return total;
}
