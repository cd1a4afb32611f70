// The Engine API's multiplexed stream (moby's stdcopy), used for logs, attach and exec without a TTY: each frame is
// an 8-byte header [stream, 0, 0, 0, payload length as u32 big-endian] and then the payload.
import { InvalidParameter } from '../errdefs/index.js';

/** 0 stdin, 1 stdout, 2 stderr; 3 is the daemon's own error text, sent when the stream itself fails. */
export type StdStreamId = 0 | 1 | 2 | 3;
export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const SYSTEMERR = 3;

export const FRAME_HEADER_LENGTH = 8;
const MAX_PAYLOAD = 0xffff_ffff;

export function frameHeader(stream: StdStreamId, length: number): Buffer {
  if (!Number.isInteger(length) || length < 0 || length > MAX_PAYLOAD) {
    throw new RangeError(`stdcopy: frame length out of range: ${length}`);
  }
  const header = Buffer.alloc(FRAME_HEADER_LENGTH);
  header[0] = stream;
  header.writeUInt32BE(length, 4);
  return header;
}

export function encodeFrame(stream: StdStreamId, payload: Uint8Array | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  return Buffer.concat([frameHeader(stream, body.length), body]);
}

export type FrameHandler = (stream: StdStreamId, payload: Buffer) => void;

/**
 * Push parser: feed it chunks as they arrive (split anywhere, headers included); it calls `onFrame` once per whole
 * frame, in order. A header naming an unknown stream throws InvalidParameter ("Unrecognized input header", as moby),
 * and so does every later push.
 */
export class StdDemuxer {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private frame: { stream: StdStreamId; length: number } | undefined;
  private failure: InvalidParameter | undefined;

  constructor(private readonly onFrame: FrameHandler) {}

  /** A payload may share memory with the chunk it came in. */
  push(chunk: Uint8Array): void {
    if (this.failure) throw this.failure;
    if (chunk.length === 0) return;
    const own = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    this.chunks.push(own);
    this.buffered += chunk.length;
    for (;;) {
      if (!this.frame) {
        if (this.buffered < FRAME_HEADER_LENGTH) break;
        const header = this.take(FRAME_HEADER_LENGTH);
        const stream = header[0]!;
        if (stream > SYSTEMERR) {
          this.failure = new InvalidParameter(`Unrecognized input header: ${stream}`);
          throw this.failure;
        }
        this.frame = { stream: stream as StdStreamId, length: header.readUInt32BE(4) };
      }
      if (this.buffered < this.frame.length) break;
      const { stream, length } = this.frame;
      this.frame = undefined;
      this.onFrame(stream, this.take(length));
    }
    // What stays buffered is copied, once, in case the caller reuses its chunk.
    const last = this.chunks.at(-1);
    if (last && last.buffer === own.buffer) this.chunks[this.chunks.length - 1] = Buffer.from(last);
  }

  /** Bytes of an unfinished frame. moby's StdCopy drops them quietly at the end of the stream; a caller may not. */
  get pending(): number {
    return this.buffered + (this.frame ? FRAME_HEADER_LENGTH : 0);
  }

  /** Consumes the first n buffered bytes (n <= buffered), copying only when they span chunks. */
  private take(n: number): Buffer {
    this.buffered -= n;
    const first = this.chunks[0];
    if (n === 0 || !first) return Buffer.alloc(0);
    if (first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length, n - filled);
      c.copy(out, filled, 0, k);
      filled += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    return out;
  }
}

/** A push parser calling `onFrame(stream, payload)` for each frame of a multiplexed stream. */
export function demux(onFrame: FrameHandler): StdDemuxer {
  return new StdDemuxer(onFrame);
}
