// tar-split for layers (vbatts/tar-split, as moby's layer store uses it): while a layer tar streams into register,
// record every byte that is not file content (headers, PAX and GNU records, padding, the end blocks) and each file's
// name, size and CRC-64; export replays the record with the contents read back from the layer's files, giving the
// original tar byte for byte, whatever wrote it. The record is tar-split's own format (JSON lines, gzip-compressed).
import { closeSync, constants as fsc, fstatSync, openSync, readSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { InvalidParameter, System } from '../../errdefs/index.js';
import { WHITEOUT_META_PREFIX, WHITEOUT_OPAQUE, WHITEOUT_PREFIX } from './apply.js';
import { syncFs } from './apply-fs.js';
import { Crc64 } from './crc64.js';
import {
  CHECKSUM_MISMATCH,
  cleanEntryName,
  decompress,
  readTar,
  ScopedResolver,
  type TarHeader,
  UNEXPECTED_END,
} from '../../archive/index.js';

/** moby's name for the record, beside a layer's other metadata in layerdb/sha256/<chain>/. */
export const TAR_SPLIT_FILE = 'tar-split.json.gz';

/** tar-split's entry types: a file whose content is read back (its payload is the CRC-64), and raw bytes. */
const FILE_TYPE = 1;
const SEGMENT_TYPE = 2;

/** One line of the record, with tar-split's JSON field names (payloads are base64, as Go encodes []byte). */
interface SplitEntry {
  type: number;
  name?: string;
  name_raw?: string;
  size?: number;
  payload: string | null;
  position: number;
}

export type TarSplitResult =
  /** `record` is the gzip-compressed record to store. */
  | { reproducible: true; record: Buffer }
  /** Why this tar cannot be replayed from the layer's files (e.g. a path written twice, the first content lost). */
  | { reproducible: false; reason: string };

// Content kept in the record itself (whiteouts' and other entries' data that never reaches the disk); past this the
// layer is declared not reproducible rather than growing the record without bound.
const MAX_INLINE = 1 << 20;
// JSON text compressed per batch; the gzip members are concatenated (gzip readers, Go's included, take them all).
const BATCH = 256 << 10;

/**
 * Records a layer tar as it passes through `wrap` (which yields the same bytes, unchanged). Parse problems are not
 * its business: it stops recording and passes the rest through, so the consumer (applyLayer) reports them.
 */
export class TarSplitRecorder {
  private position = 0;
  private seg: Buffer[] = [];
  private segLen = 0;
  private lines: string[] = [];
  private linesLen = 0;
  private readonly members: Promise<Buffer>[] = [];
  private compressError: unknown;
  private failed: string | undefined;
  private ended = false;
  private inline = 0;
  /** Paths whose content the record reads back, and all their ancestors: a later entry must not replace them. */
  private readonly contentPaths = new Set<string>();
  private readonly contentDirs = new Set<string>();

  /** The bytes of `source`, unchanged, recorded on the way. Read it to its end before calling finish(). */
  async *wrap(source: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
    // readTar parses the stream and reports its non-content bytes; the chunks it pulls from the source are passed on
    // as they are, so whatever it fails on or leaves unread still reaches the consumer, which reports it.
    const it = source[Symbol.asyncIterator]();
    const pulled: Buffer[] = [];
    let sourceEnded = false;
    const tee: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => ({
        next: async () => {
          const r = await it.next();
          if (r.done) sourceEnded = true;
          else pulled.push(toBuffer(r.value));
          return r;
        },
      }),
    };
    function* passOn(): Generator<Buffer> {
      while (pulled.length > 0) yield pulled.shift()!;
    }
    try {
      for await (const { header: h, body } of readTar(tee, { raw: (b: Buffer) => this.segment(b) })) {
        yield* passOn();
        const onDisk = this.track(h);
        if (this.failed !== undefined) break;
        this.flushSegment();
        if (h.type === 'file' && onDisk && h.size > 0) {
          // File content: read back from the layer's files at export, checked against this CRC.
          const crc = new Crc64();
          for await (const b of body) {
            crc.update(b);
            yield* passOn();
          }
          this.entry(fileEntry(h.name, h.size, crc.digest(), this.position++));
        } else {
          // No content on disk (directories, links, devices, whiteouts, metadata): any data the entry carries stays
          // in the record, like the headers.
          this.entry(fileEntry(h.name, 0, null, this.position++));
          if (h.size > 0) {
            this.inline += h.size;
            if (this.inline > MAX_INLINE) {
              this.fail(`more than ${MAX_INLINE} bytes of content are not stored as files`);
              break;
            }
          }
          for await (const b of body) {
            this.segment(b);
            yield* passOn();
          }
        }
      }
    } catch (e) {
      this.fail(reasonOf(e));
    }
    yield* passOn();
    // Not recording any more (or at the end already): pass the rest through as it comes.
    while (!sourceEnded) {
      const r = await it.next();
      if (r.done) break;
      yield toBuffer(r.value);
    }
    this.ended = true;
  }

  /** The record, once wrap() has been read to its end. */
  async finish(): Promise<TarSplitResult> {
    if (!this.ended) this.fail('the archive was not read to its end');
    if (this.failed !== undefined) return { reproducible: false, reason: this.failed };
    this.flushSegment();
    this.flushLines();
    const members = await Promise.all(this.members);
    if (this.compressError !== undefined) {
      throw new System(`compressing the tar-split record: ${String(this.compressError)}`, {
        cause: this.compressError,
      });
    }
    return { reproducible: true, record: Buffer.concat(members) };
  }

  /**
   * What the entry does to paths written earlier in this tar (applyLayer's rules), and whether its content lands on
   * disk under its own name. An entry that replaces content written earlier makes the tar unreproducible: the first
   * content is gone from the layer's files.
   */
  private track(h: TarHeader): boolean {
    let rel: string;
    try {
      rel = cleanEntryName(h.name);
    } catch (e) {
      this.fail(e instanceof Error ? e.message : String(e));
      return false;
    }
    if (rel.startsWith(WHITEOUT_META_PREFIX) && rel !== WHITEOUT_OPAQUE) return false; // skipped by apply
    const base = path.posix.basename(rel);
    const parent = rel.includes('/') ? path.posix.dirname(rel) : '';
    if (base.startsWith(WHITEOUT_PREFIX)) {
      if (!base.startsWith(WHITEOUT_META_PREFIX)) {
        this.replaces(path.posix.join(parent, base.slice(WHITEOUT_PREFIX.length)), true);
      }
      return false;
    }
    if (rel === '') return false;
    // A directory entry keeps a directory in its place; anything else removes what was there, subtree and all.
    this.replaces(rel, h.type !== 'directory');
    if (h.type !== 'file' || h.size === 0) return false;
    this.contentPaths.add(rel);
    for (let d = parent; d !== '' && !this.contentDirs.has(d); d = d.includes('/') ? path.posix.dirname(d) : '') {
      this.contentDirs.add(d);
    }
    return true;
  }

  private replaces(rel: string, subtree: boolean): void {
    if (this.contentPaths.has(rel) || (subtree && this.contentDirs.has(rel))) {
      this.fail(
        `${JSON.stringify(rel)} is replaced by a later entry, so its first content is not in the layer's files`,
      );
    }
  }

  private fail(reason: string): void {
    if (this.failed !== undefined) return;
    this.failed = reason;
    this.seg = [];
    this.lines = [];
  }

  private segment(b: Buffer): void {
    if (this.failed !== undefined || b.length === 0) return;
    this.seg.push(b);
    this.segLen += b.length;
  }

  private flushSegment(): void {
    if (this.segLen === 0) return;
    const payload = Buffer.concat(this.seg, this.segLen).toString('base64');
    this.seg = [];
    this.segLen = 0;
    this.entry({ type: SEGMENT_TYPE, payload, position: this.position++ });
  }

  private entry(e: SplitEntry): void {
    if (this.failed !== undefined) return;
    const line = `${JSON.stringify(e)}\n`;
    this.lines.push(line);
    this.linesLen += line.length;
    if (this.linesLen >= BATCH) this.flushLines();
  }

  private flushLines(): void {
    if (this.linesLen === 0) return;
    const text = this.lines.join('');
    this.lines = [];
    this.linesLen = 0;
    this.members.push(
      gzipAsync(text).catch((e: unknown) => {
        this.compressError ??= e;
        return Buffer.alloc(0);
      }),
    );
  }
}

const gzipAsync = promisify(gzip);

const toBuffer = (b: Uint8Array): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.length));

/** The reason recorded for a parse error: readTar's message, in the recorder's words where they differ. */
function reasonOf(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  if (message === UNEXPECTED_END) return 'the archive is truncated';
  if (message === CHECKSUM_MISMATCH) return 'invalid tar header: checksum mismatch';
  return message;
}

function fileEntry(name: string, size: number, crc: Buffer | null, position: number): SplitEntry {
  const e: SplitEntry = { type: FILE_TYPE, name, payload: crc === null ? null : crc.toString('base64'), position };
  if (size > 0) e.size = size;
  return e;
}

/** Opens the content of a file named in the record (its tar name, uncleaned). */
export type OpenContent = (name: string) => Promise<AsyncIterable<Uint8Array>>;

/**
 * The tar a record describes, rebuilt from the record (gzip-compressed bytes) and the files' contents. A file whose
 * size or CRC-64 differs from what was recorded fails the stream with a System error naming it (the layer's files
 * were changed); a record that cannot be parsed fails it with a System error too.
 */
export async function* replayTarSplit(
  record: AsyncIterable<Uint8Array> | Uint8Array,
  openContent: OpenContent,
): AsyncGenerator<Buffer> {
  const { stream } = await decompress(record instanceof Uint8Array ? [record] : record);
  let out: Buffer[] = [];
  let outLen = 0;
  const flush = () => {
    const b = out.length === 1 ? out[0]! : Buffer.concat(out, outLen);
    out = [];
    outLen = 0;
    return b;
  };
  for await (const e of splitEntries(stream)) {
    if (e.type === SEGMENT_TYPE) {
      if (typeof e.payload !== 'string') throw corrupt('a segment without payload');
      const b = Buffer.from(e.payload, 'base64');
      out.push(b);
      outLen += b.length;
    } else if (e.type === FILE_TYPE) {
      const size = e.size ?? 0;
      if (!Number.isSafeInteger(size) || size < 0) throw corrupt(`file size ${size}`);
      if (size === 0) continue;
      const name = e.name ?? (typeof e.name_raw === 'string' ? Buffer.from(e.name_raw, 'base64').toString() : '');
      if (name === '' || typeof e.payload !== 'string') throw corrupt('a file without name or checksum');
      const want = Buffer.from(e.payload, 'base64');
      let content: AsyncIterable<Uint8Array>;
      try {
        content = await openContent(name);
      } catch (err) {
        throw new System(`layer content ${JSON.stringify(name)} cannot be read: ${(err as Error).message}`, {
          cause: err,
        });
      }
      const crc = new Crc64();
      let got = 0;
      for await (const chunk of content) {
        got += chunk.length;
        if (got > size) break;
        const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
        crc.update(b);
        if (b.length >= 64 << 10) {
          // Large enough to pass on as it is, rather than copied into a batch.
          if (outLen > 0) yield flush();
          yield b;
          continue;
        }
        out.push(b);
        outLen += b.length;
        if (outLen >= 1 << 20) yield flush();
      }
      if (got !== size) {
        throw new System(
          `layer content ${JSON.stringify(name)} was modified: it has ${got > size ? `more than ${size}` : got} bytes, the layer recorded ${size}`,
        );
      }
      if (!crc.digest().equals(want)) {
        throw new System(
          `layer content ${JSON.stringify(name)} was modified: its checksum differs from the one recorded when the layer was registered`,
        );
      }
    } else {
      throw corrupt(`entry type ${String(e.type)}`);
    }
    if (outLen >= 64 << 10) yield flush();
  }
  if (outLen > 0) yield flush();
}

const corrupt = (what: string) => new System(`corrupt tar-split record: ${what}`);

async function* splitEntries(stream: AsyncIterable<Buffer>): AsyncGenerator<SplitEntry> {
  let rest = '';
  const parse = (line: string): SplitEntry => {
    try {
      const e = JSON.parse(line) as SplitEntry;
      if (typeof e !== 'object' || e === null) throw new Error('not an object');
      return e;
    } catch {
      throw corrupt(`line ${JSON.stringify(line.slice(0, 80))}`);
    }
  };
  try {
    for await (const chunk of stream) {
      const text = rest + chunk.toString('utf8');
      const lines = text.split('\n');
      rest = lines.pop()!;
      for (const line of lines) if (line !== '') yield parse(line);
    }
  } catch (e) {
    if (e instanceof InvalidParameter) throw new System(`corrupt tar-split record: ${e.message}`, { cause: e });
    throw e;
  }
  if (rest.trim() !== '') yield parse(rest);
}

/**
 * Opens contents from a layer's directory (a driver's diffDir), resolving names as applyLayer placed them: symlinks
 * on the way are followed with the directory as `/`, the file itself must be a regular file (never followed).
 */
export function contentFromDir(root: string): OpenContent {
  const resolver = new ScopedResolver(root, false, true);
  return async (name) => {
    const rel = cleanEntryName(name);
    const dir = await resolver.dir(rel.includes('/') ? path.posix.dirname(rel) : '', name);
    const fh = await open(path.join(dir, path.posix.basename(rel)), fsc.O_RDONLY | fsc.O_NOFOLLOW);
    let size: number;
    try {
      const st = await fh.stat();
      if (!st.isFile()) throw new System('not a regular file');
      size = st.size;
    } catch (e) {
      await fh.close();
      throw e;
    }
    if (size > WHOLE_READ_MAX) return fh.createReadStream({ highWaterMark: 1 << 20 });
    // Most layer files are small: one buffer of the file's size (a stream allocates its highWaterMark per read, then
    // copies what it got into a buffer of the right size), read in one call
    // that asks for a byte more, to see the file has not grown.
    try {
      return inHand(await readWhole(fh, size));
    } finally {
      await fh.close();
    }
  };
}

async function* inHand(b: Buffer): AsyncGenerator<Buffer> {
  yield b;
}

/** Files up to this size are read whole into one buffer; larger ones are streamed in 1 MiB chunks. */
const WHOLE_READ_MAX = 4 << 20;

/** The file's content, expected to be `size` bytes; a file that grew meanwhile yields more (replay reports it). */
async function readWhole(fh: FileHandle, size: number): Promise<Buffer> {
  // One spare byte, so a file that grew since stat() reads past `size` and fails replay's size check.
  const buf = Buffer.allocUnsafeSlow(size + 1);
  let n = 0;
  for (;;) {
    const want = buf.length - n;
    const { bytesRead } = await fh.read(buf, n, want, null);
    n += bytesRead;
    // A regular file's read comes back short only at its end.
    if (bytesRead < want || n === buf.length) break;
  }
  return n === size ? buf.subarray(0, n) : Buffer.from(buf.subarray(0, n));
}

/**
 * contentFromDir with direct synchronous calls, for a worker thread (replay-worker.ts): it blocks the thread it runs
 * on, and spares the thread-pool round trip each of the four calls per file (open, fstat, read, close) costs.
 */
export function contentFromDirSync(root: string): OpenContent {
  const resolver = new ScopedResolver(root, false, true, syncFs);
  return async (name) => {
    const rel = cleanEntryName(name);
    const dir = await resolver.dir(rel.includes('/') ? path.posix.dirname(rel) : '', name);
    const fd = openSync(path.join(dir, path.posix.basename(rel)), fsc.O_RDONLY | fsc.O_NOFOLLOW);
    let size: number;
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) throw new System('not a regular file');
      size = st.size;
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    if (size > WHOLE_READ_MAX) return readChunksSync(fd);
    try {
      return inHand(readWholeSync(fd, size));
    } finally {
      closeSync(fd);
    }
  };
}

/** A large file's bytes in 1 MiB buffers of their own (a worker may transfer them); closes `fd` at the end. */
async function* readChunksSync(fd: number): AsyncGenerator<Buffer> {
  try {
    for (;;) {
      const buf = Buffer.allocUnsafeSlow(1 << 20);
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) return;
      yield buf.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

/** readWhole with readSync. */
function readWholeSync(fd: number, size: number): Buffer {
  const buf = Buffer.allocUnsafeSlow(size + 1);
  let n = 0;
  for (;;) {
    const want = buf.length - n;
    const got = readSync(fd, buf, n, want, null);
    n += got;
    if (got < want || n === buf.length) break;
  }
  return n === size ? buf.subarray(0, n) : Buffer.from(buf.subarray(0, n));
}
