// A small tar codec (ustar + PAX + GNU long names), byte-exact for PAX records.
//
// Why not tar-stream: its PAX decoder turns every record into a UTF-8 string, so binary xattr values such as
// security.capability (`SCHILY.xattr.security.capability`) come out corrupted (0x80 → EF BF BD), and its encoder
// only writes strings; it also ignores PAX uid/gid/mtime. Layers need all of these exactly, so berth reads and writes
// the format itself: it is a few hundred lines and lets errors say precisely what is wrong.
import type { BigIntStats } from 'node:fs';
import { InvalidParameter, NotImplemented } from '../errdefs/index.js';

export type TarEntryType = 'file' | 'link' | 'symlink' | 'char' | 'block' | 'directory' | 'fifo';

export interface TarHeader {
  /** Path as stored (no cleaning); directories may end with '/'. */
  name: string;
  type: TarEntryType;
  /** Permission bits including setuid/setgid/sticky (07777). */
  mode: number;
  uid: number;
  gid: number;
  /** Bytes of content (regular files only). */
  size: number;
  /** Seconds since the epoch (may be fractional when a PAX mtime said so). */
  mtime: number;
  /** Target of a symlink or hard link. */
  linkname: string;
  uname: string;
  gname: string;
  devmajor: number;
  devminor: number;
  /** Extended attributes (from `SCHILY.xattr.<name>` PAX records), raw bytes. */
  xattrs: Map<string, Buffer>;
}

const BLOCK = 512;
const MAX_SPECIAL = 1 << 20; // Go's limit on PAX and GNU long-name payloads.
const XATTR_PREFIX = 'SCHILY.xattr.';

const TYPE_TO_FLAG: Record<TarEntryType, string> = {
  file: '0',
  link: '1',
  symlink: '2',
  char: '3',
  block: '4',
  directory: '5',
  fifo: '6',
};

/** Fills in defaults for a header being written. */
export function tarHeader(h: Partial<TarHeader> & Pick<TarHeader, 'name' | 'type'>): TarHeader {
  return {
    mode: h.type === 'directory' ? 0o755 : 0o644,
    uid: 0,
    gid: 0,
    size: 0,
    mtime: 0,
    linkname: '',
    uname: '',
    gname: '',
    devmajor: 0,
    devminor: 0,
    xattrs: new Map(),
    ...h,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Reading

function cString(buf: Buffer, start: number, len: number): Buffer {
  const slice = buf.subarray(start, start + len);
  const nul = slice.indexOf(0);
  return nul < 0 ? slice : slice.subarray(0, nul);
}

function parseNumber(buf: Buffer, start: number, len: number, field: string): number {
  const b = buf.subarray(start, start + len);
  if (b[0] !== undefined && b[0] & 0x80) {
    // GNU base-256: big-endian two's complement with the top bit as the marker.
    let v = BigInt(b[0] & 0x7f);
    for (let i = 1; i < b.length; i++) v = (v << 8n) | BigInt(b[i]!);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new InvalidParameter(`invalid tar header: ${field} out of range`);
    return Number(v);
  }
  const s = b
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .replace(/^[ \0]+/, '');
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new InvalidParameter(`invalid tar header: bad ${field} field ${JSON.stringify(s)}`);
  return Number.parseInt(s, 8);
}

function checksumOk(block: Buffer): boolean {
  const stored = parseNumber(block, 148, 8, 'checksum');
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const c = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += c;
    signed += c > 127 ? c - 256 : c;
  }
  return stored === unsigned || stored === signed;
}

/** Parses `len key=value\n` records, keeping values as raw bytes. */
function parsePaxRecords(data: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let off = 0;
  while (off < data.length) {
    if (data[off] === 0) break; // padding
    const sp = data.indexOf(0x20, off);
    if (sp < 0) throw new InvalidParameter('invalid tar header: malformed PAX record');
    const len = Number(data.toString('latin1', off, sp));
    if (!Number.isInteger(len) || len <= sp - off + 1 || off + len > data.length || data[off + len - 1] !== 0x0a) {
      throw new InvalidParameter('invalid tar header: malformed PAX record');
    }
    const rec = data.subarray(sp + 1, off + len - 1);
    const eq = rec.indexOf(0x3d);
    if (eq <= 0) throw new InvalidParameter('invalid tar header: malformed PAX record');
    out.set(rec.toString('utf8', 0, eq), Buffer.from(rec.subarray(eq + 1)));
    off += len;
  }
  return out;
}

/** Pulls exact byte counts out of an async stream of chunks, copying only when a read spans chunks. */
class ByteReader {
  private chunk: Buffer = Buffer.alloc(0);
  private ended = false;
  constructor(private readonly it: AsyncIterator<Uint8Array>) {}

  private async fill(): Promise<boolean> {
    while (this.chunk.length === 0) {
      if (this.ended) return false;
      const r = await this.it.next();
      if (r.done) {
        this.ended = true;
        return false;
      }
      this.chunk = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value.buffer, r.value.byteOffset, r.value.length);
    }
    return true;
  }

  /** Exactly n bytes, or fewer only if the stream ended (the caller decides whether that is an error). */
  async read(n: number): Promise<Buffer> {
    if (!(await this.fill())) return Buffer.alloc(0);
    if (this.chunk.length >= n) {
      const out = this.chunk.subarray(0, n);
      this.chunk = this.chunk.subarray(n);
      return out;
    }
    const parts: Buffer[] = [];
    let got = 0;
    while (got < n && (await this.fill())) {
      const take = Math.min(n - got, this.chunk.length);
      parts.push(this.chunk.subarray(0, take));
      this.chunk = this.chunk.subarray(take);
      got += take;
    }
    return Buffer.concat(parts, got);
  }

  /** Up to n bytes as they come (no copying); empty at end of stream. */
  async readSome(n: number): Promise<Buffer> {
    if (!(await this.fill())) return Buffer.alloc(0);
    const take = Math.min(n, this.chunk.length);
    const out = this.chunk.subarray(0, take);
    this.chunk = this.chunk.subarray(take);
    return out;
  }

  /** Skips n bytes (handing them to `seen`, if given); false if the stream ended first. */
  async skip(n: number, seen?: (bytes: Buffer) => void): Promise<boolean> {
    let left = n;
    while (left > 0) {
      const b = await this.readSome(left);
      if (b.length === 0) return false;
      left -= b.length;
      seen?.(b);
    }
    return true;
  }

  /** Skips up to `n` bytes; how many there were before the stream ended. */
  async skipUpTo(n: number, seen?: (bytes: Buffer) => void): Promise<number> {
    let left = n;
    while (left > 0) {
      const b = await this.readSome(left);
      if (b.length === 0) break;
      left -= b.length;
      seen?.(b);
    }
    return n - left;
  }

  /** Reads and discards everything left (so a digest over the source covers it all), handing it to `seen`. */
  async drain(seen?: (bytes: Buffer) => void): Promise<void> {
    for (let b = await this.readSome(1 << 20); b.length > 0; b = await this.readSome(1 << 20)) seen?.(b);
  }
}

const pad = (n: number) => (BLOCK - (n % BLOCK)) % BLOCK;

export const UNEXPECTED_END = 'unexpected end of archive';
export const CHECKSUM_MISMATCH = 'invalid tar header: checksum mismatch (corrupt archive, or compressed data?)';

export interface TarEntry {
  header: TarHeader;
  /** The content (regular files); must be consumed, or it is skipped when the next entry is requested. */
  body: AsyncIterable<Buffer>;
}

/**
 * Sees the bytes of a tar stream that are not file content, as readTar passes them: with the content each entry's body
 * yields, in stream order, they are the whole stream (what tar-split records).
 */
export interface TarObserver {
  /**
   * Header blocks (special ones with their data and padding), data carried by entries other than regular files,
   * content padding, and the end-of-archive block with everything after it. The buffers are the stream's own (not
   * copied). Content a consumer leaves unread is skipped without being reported.
   */
  raw(bytes: Buffer): void;
}

/**
 * Iterates the entries of a tar stream. Truncated or corrupt input throws InvalidParameter ("unexpected end of
 * archive", "invalid tar header …"); entry types layers never carry (sparse, multi-volume) throw NotImplemented.
 * Like Go's archive/tar, a stream that ends cleanly between entries without the zero blocks is accepted.
 * An `observer` is told of every byte that is not file content (see TarObserver) before the parser acts on it.
 */
export async function* readTar(source: AsyncIterable<Uint8Array>, observer?: TarObserver): AsyncGenerator<TarEntry> {
  const r = new ByteReader(source[Symbol.asyncIterator]());
  const seen = observer && ((b: Buffer) => observer.raw(b));
  let pax = new Map<string, Buffer>();
  let globalPax = new Map<string, Buffer>();
  let longName: string | undefined;
  let longLink: string | undefined;
  for (;;) {
    const block = await r.read(BLOCK);
    if (block.length === 0) {
      if (pax.size || longName !== undefined || longLink !== undefined) throw new InvalidParameter(UNEXPECTED_END);
      return;
    }
    if (block.length < BLOCK) throw new InvalidParameter(UNEXPECTED_END);
    seen?.(block);
    if (block.every((b) => b === 0)) {
      // End of archive (one zero block is enough, as for Go); the rest (the second zero block, a writer's record
      // padding) is read to the end of the stream.
      await r.drain(seen);
      return;
    }
    if (!checksumOk(block)) throw new InvalidParameter(CHECKSUM_MISMATCH);
    const flag = String.fromCharCode(block[156]!);
    const size = parseNumber(block, 124, 12, 'size');
    if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
      if (size > MAX_SPECIAL) throw new InvalidParameter(`invalid tar header: ${flag} header of ${size} bytes`);
      const data = await r.read(size);
      if (data.length > 0) seen?.(data);
      if (data.length < size || !(await r.skip(pad(size), seen))) throw new InvalidParameter(UNEXPECTED_END);
      if (flag === 'x') pax = new Map([...pax, ...parsePaxRecords(data)]);
      else if (flag === 'g') globalPax = new Map([...globalPax, ...parsePaxRecords(data)]);
      else if (flag === 'L') longName = cString(data, 0, data.length).toString('utf8');
      else longLink = cString(data, 0, data.length).toString('utf8');
      continue;
    }
    const header = decodeHeader(block, flag, size, new Map([...globalPax, ...pax]), longName, longLink);
    pax = new Map();
    longName = undefined;
    longLink = undefined;

    let left = header.type === 'file' ? header.size : 0;
    // Other types may still claim a size (hard links in some writers): their data is skipped.
    const skipAfter = header.type === 'file' ? pad(header.size) : header.size + pad(header.size);
    let consumed = false;
    const body: AsyncIterable<Buffer> = {
      async *[Symbol.asyncIterator]() {
        if (consumed) return;
        consumed = true;
        while (left > 0) {
          const b = await r.readSome(left);
          if (b.length === 0) throw new InvalidParameter(UNEXPECTED_END);
          left -= b.length;
          yield b;
        }
      },
    };
    yield { header, body };
    consumed = true;
    if (left > 0 && !(await r.skip(left))) throw new InvalidParameter(UNEXPECTED_END);
    if (header.type === 'file') {
      // Go's reader ends the archive quietly when the stream stops right after the last file's content, padding
      // and trailer missing (the docker CLI's `build -f -` context ends so); a partial padding is still an error.
      const skipped = await r.skipUpTo(skipAfter, seen);
      if (skipped !== skipAfter && skipped !== 0) throw new InvalidParameter(UNEXPECTED_END);
    } else if (skipAfter > 0 && !(await r.skip(skipAfter, seen))) throw new InvalidParameter(UNEXPECTED_END);
  }
}

function decodeHeader(
  block: Buffer,
  flag: string,
  rawSize: number,
  pax: Map<string, Buffer>,
  longName: string | undefined,
  longLink: string | undefined,
): TarHeader {
  let type: TarEntryType;
  switch (flag) {
    case '0':
    case '\0':
    case '7':
      type = 'file';
      break;
    case '1':
      type = 'link';
      break;
    case '2':
      type = 'symlink';
      break;
    case '3':
      type = 'char';
      break;
    case '4':
      type = 'block';
      break;
    case '5':
      type = 'directory';
      break;
    case '6':
      type = 'fifo';
      break;
    default:
      throw new NotImplemented(`unsupported tar entry type ${JSON.stringify(flag)}`);
  }
  const magic = block.toString('latin1', 257, 263);
  let name = cString(block, 0, 100).toString('utf8');
  if (magic === 'ustar\0') {
    const prefix = cString(block, 345, 155).toString('utf8');
    if (prefix) name = `${prefix}/${name}`;
  }
  // Old tars mark directories with a trailing slash on a regular-file type.
  if (type === 'file' && flag === '\0' && name.endsWith('/')) type = 'directory';
  const h: TarHeader = {
    name: longName ?? name,
    type,
    mode: parseNumber(block, 100, 8, 'mode') & 0o7777,
    uid: parseNumber(block, 108, 8, 'uid'),
    gid: parseNumber(block, 116, 8, 'gid'),
    size: rawSize,
    mtime: parseNumber(block, 136, 12, 'mtime'),
    linkname: longLink ?? cString(block, 157, 100).toString('utf8'),
    uname: cString(block, 265, 32).toString('utf8'),
    gname: cString(block, 297, 32).toString('utf8'),
    devmajor: parseNumber(block, 329, 8, 'devmajor'),
    devminor: parseNumber(block, 337, 8, 'devminor'),
    xattrs: new Map(),
  };
  const num = (key: string, v: Buffer) => {
    const s = v.toString('latin1');
    if (!/^-?\d+(\.\d+)?$/.test(s)) throw new InvalidParameter(`invalid tar header: PAX ${key}=${JSON.stringify(s)}`);
    return Number(s);
  };
  for (const [key, v] of pax) {
    if (key === 'path') h.name = v.toString('utf8');
    else if (key === 'linkpath') h.linkname = v.toString('utf8');
    else if (key === 'size') h.size = num(key, v);
    else if (key === 'uid') h.uid = num(key, v);
    else if (key === 'gid') h.gid = num(key, v);
    else if (key === 'mtime') h.mtime = num(key, v);
    else if (key === 'uname') h.uname = v.toString('utf8');
    else if (key === 'gname') h.gname = v.toString('utf8');
    else if (key.startsWith(XATTR_PREFIX)) h.xattrs.set(key.slice(XATTR_PREFIX.length), v);
    else if (key.startsWith('GNU.sparse')) throw new NotImplemented('sparse tar entries are not supported');
  }
  if (!Number.isSafeInteger(h.size) || h.size < 0) throw new InvalidParameter(`invalid tar header: size ${h.size}`);
  if (h.name === '') throw new InvalidParameter('invalid tar header: empty name');
  if (h.name.includes('\0') || h.linkname.includes('\0')) throw new InvalidParameter('invalid tar header: NUL in name');
  return h;
}

// ---------------------------------------------------------------------------------------------------------------
// Writing (Go's archive/tar choices: USTAR when it fits, else PAX; PAX records sorted by key)

const isAscii = (s: string) => /^[\x20-\x7e]*$/.test(s);
const MAX_OCTAL_8 = 0o7777777;
const MAX_OCTAL_12 = 0o77777777777;

function writeString(buf: Buffer, s: string, start: number, len: number): void {
  buf.write(s, start, len, 'utf8');
}

function writeOctal(buf: Buffer, n: number, start: number, len: number): void {
  buf.write(
    Math.trunc(n)
      .toString(8)
      .padStart(len - 1, '0'),
    start,
    len - 1,
    'latin1',
  );
  buf[start + len - 1] = 0;
}

/** Splits a long name into ustar prefix/name, as Go's splitUSTARPath; undefined when it cannot. */
function splitUstar(name: string): [string, string] | undefined {
  if (name.length <= 100) return ['', name];
  const max = Math.min(name.length - 1, 156);
  const i = name.lastIndexOf('/', max - 1);
  if (i <= 0) return undefined;
  const prefix = name.slice(0, i);
  const rest = name.slice(i + 1);
  if (prefix.length > 155 || rest.length === 0 || rest.length > 100) return undefined;
  return [prefix, rest];
}

function paxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')]);
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return Buffer.concat([Buffer.from(String(len)), body]);
}

function encodeBlock(h: TarHeader, flag: string, name: string, prefix: string, linkname: string): Buffer {
  const b = Buffer.alloc(BLOCK);
  writeString(b, name, 0, 100);
  writeOctal(b, h.mode & 0o7777, 100, 8);
  writeOctal(b, h.uid <= MAX_OCTAL_8 ? h.uid : 0, 108, 8);
  writeOctal(b, h.gid <= MAX_OCTAL_8 ? h.gid : 0, 116, 8);
  writeOctal(b, h.size <= MAX_OCTAL_12 ? h.size : 0, 124, 12);
  writeOctal(b, h.mtime >= 0 && h.mtime <= MAX_OCTAL_12 ? h.mtime : 0, 136, 12);
  b[156] = flag.charCodeAt(0);
  writeString(b, linkname, 157, 100);
  b.write('ustar\u000000', 257, 8, 'latin1');
  writeString(b, h.uname, 265, 32);
  writeString(b, h.gname, 297, 32);
  writeOctal(b, h.devmajor, 329, 8);
  writeOctal(b, h.devminor, 337, 8);
  writeString(b, prefix, 345, 155);
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += b[i]!;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
  return b;
}

/** The bytes of one entry's header (a PAX header first when needed); content and padding are the caller's. */
export function encodeHeader(h: TarHeader): Buffer {
  const name = h.type === 'directory' && !h.name.endsWith('/') ? `${h.name}/` : h.name;
  const flag = TYPE_TO_FLAG[h.type];
  const records: [string, Buffer][] = [];
  let split = isAscii(name) ? splitUstar(name) : undefined;
  if (!split) {
    records.push(['path', Buffer.from(name)]);
    split = ['', name.slice(0, 100)];
  }
  let linkname = h.linkname;
  if (!isAscii(linkname) || Buffer.byteLength(linkname) > 100) {
    records.push(['linkpath', Buffer.from(linkname)]);
    linkname = '';
  }
  if (h.uid > MAX_OCTAL_8) records.push(['uid', Buffer.from(String(h.uid))]);
  if (h.gid > MAX_OCTAL_8) records.push(['gid', Buffer.from(String(h.gid))]);
  if (h.size > MAX_OCTAL_12) records.push(['size', Buffer.from(String(h.size))]);
  if (!Number.isInteger(h.mtime) || h.mtime < 0 || h.mtime > MAX_OCTAL_12) {
    records.push(['mtime', Buffer.from(String(h.mtime))]);
  }
  for (const [k, v] of h.xattrs) records.push([XATTR_PREFIX + k, v]);
  const block = encodeBlock(h, flag, split[1], split[0], linkname);
  if (records.length === 0) return block;
  records.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const data = Buffer.concat(records.map(([k, v]) => paxRecord(k, v)));
  const slash = name.replace(/\/$/, '').lastIndexOf('/');
  const dir = slash < 0 ? '.' : name.slice(0, slash);
  const base = name.replace(/\/$/, '').slice(slash + 1);
  // The PAX header's own name only needs to be ASCII and ≤ 100 bytes; readers ignore it.
  const paxName = isAscii(`${dir}/PaxHeaders.0/${base}`) ? `${dir}/PaxHeaders.0/${base}`.slice(0, 100) : 'PaxHeaders.0';
  const named = encodeBlock(
    tarHeader({ name: paxName, type: 'file', size: data.length, mode: 0 }),
    'x',
    paxName,
    '',
    '',
  );
  return Buffer.concat([named, data, Buffer.alloc(pad(data.length)), block]);
}

/** Zero padding after `size` bytes of content. */
export function padding(size: number): Buffer {
  return Buffer.alloc(pad(size));
}

/** The end-of-archive marker: two zero blocks. */
export const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK);

/** The tar entry type of a file, or undefined for what is not archived (sockets, as Docker). */
export function tarTypeOf(st: BigIntStats): TarEntryType | undefined {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  if (st.isFIFO()) return 'fifo';
  return undefined; // sockets are not archived (as Docker)
}
