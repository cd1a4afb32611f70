// Writing a tar as a sequence of buffers, for streaming through Readable.from (which pulls, so backpressure holds).
import { createReadStream } from 'node:fs';
import { System } from '../../errdefs/index.js';
import { encodeHeader, padding, type TarEntryType, tarHeader } from '../../archive/index.js';

export interface EntryOptions {
  mtime?: number;
  mode?: number;
}

/** A directory entry. */
export function* dirEntry(name: string, opts: EntryOptions = {}): Generator<Buffer> {
  yield encodeHeader(tarHeader({ name, type: 'directory', mtime: opts.mtime ?? 0, mode: opts.mode ?? 0o755 }));
}

/** A regular file from memory. */
export function* fileEntry(name: string, data: string | Buffer, opts: EntryOptions = {}): Generator<Buffer> {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  yield encodeHeader(
    tarHeader({ name, type: 'file', size: buf.length, mtime: opts.mtime ?? 0, mode: opts.mode ?? 0o644 }),
  );
  yield buf;
  yield padding(buf.length);
}

/** A symbolic (or hard) link. */
export function* linkEntry(name: string, target: string, type: TarEntryType = 'symlink'): Generator<Buffer> {
  yield encodeHeader(tarHeader({ name, type, linkname: target, mode: 0o777 }));
}

/** A regular file streamed from disk; `size` must be its exact size. */
export async function* diskFileEntry(
  name: string,
  path: string,
  size: number,
  opts: EntryOptions = {},
): AsyncGenerator<Buffer> {
  yield encodeHeader(tarHeader({ name, type: 'file', size, mtime: opts.mtime ?? 0, mode: opts.mode ?? 0o644 }));
  let written = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 16 })) {
    written += (chunk as Buffer).length;
    yield chunk as Buffer;
  }
  if (written !== size) throw new System(`${path} changed size while being archived`);
  yield padding(size);
}

/**
 * A regular file whose content is streamed from `source`, which must yield exactly `size` bytes (`what` names it in
 * the error otherwise). The header goes first, so nothing is buffered; the consumer's pace is the source's.
 */
export async function* streamedFileEntry(
  name: string,
  source: AsyncIterable<Uint8Array>,
  size: number,
  what: string,
  opts: EntryOptions = {},
): AsyncGenerator<Buffer> {
  yield encodeHeader(tarHeader({ name, type: 'file', size, mtime: opts.mtime ?? 0, mode: opts.mode ?? 0o644 }));
  let written = 0;
  for await (const chunk of source) {
    written += chunk.length;
    if (written > size) break;
    yield Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
  }
  if (written !== size) {
    throw new System(`${what} has ${written > size ? `more than ${size}` : written} bytes, not the ${size} recorded`);
  }
  yield padding(size);
}
