// moby's stdcopy: the stdout/stderr framing of attach, logs and exec streams without a TTY. Each frame is an 8-byte
// header [stream, 0, 0, 0, length as u32 big-endian] and then `length` bytes of payload.

// The wire format's constants are api/stdcopy.ts's; this decoder differs from its StdDemuxer on purpose: it passes
// payload on as it arrives instead of holding a whole frame (a client prints a large log frame as it streams in).
import {
  FRAME_HEADER_LENGTH as HEADER_LEN,
  STDERR,
  STDIN,
  STDOUT,
  type StdStreamId,
  SYSTEMERR,
} from '../api/stdcopy.js';

export { STDERR, STDIN, STDOUT, SYSTEMERR };

export interface FramePiece {
  stream: StdStreamId;
  data: Buffer;
}

/**
 * Incremental decoder: feed it chunks as they arrive (frames may be split anywhere, headers included); it returns the
 * payload pieces ready so far. Payloads are passed on as they come rather than held back until a frame is whole.
 */
export class FrameDecoder {
  private readonly header = Buffer.alloc(HEADER_LEN);
  private headerFill = 0;
  private remaining = 0;
  private stream: FramePiece['stream'] = STDOUT;

  push(chunk: Buffer): FramePiece[] {
    const out: FramePiece[] = [];
    let off = 0;
    while (off < chunk.length) {
      if (this.remaining === 0) {
        const n = Math.min(HEADER_LEN - this.headerFill, chunk.length - off);
        chunk.copy(this.header, this.headerFill, off, off + n);
        this.headerFill += n;
        off += n;
        if (this.headerFill < HEADER_LEN) break;
        this.headerFill = 0;
        const stream = this.header[0]!;
        if (stream > SYSTEMERR) throw new Error(`stdcopy: unrecognized stream: ${stream}`);
        this.stream = stream as FramePiece['stream'];
        this.remaining = this.header.readUInt32BE(4);
        continue;
      }
      const n = Math.min(this.remaining, chunk.length - off);
      out.push({ stream: this.stream, data: chunk.subarray(off, off + n) });
      this.remaining -= n;
      off += n;
    }
    return out;
  }

  /** True between frames (nothing half-read). */
  get atBoundary(): boolean {
    return this.remaining === 0 && this.headerFill === 0;
  }
}

export type Sink = (chunk: Buffer) => void | Promise<void>;

/**
 * Reads a multiplexed stream to its end, handing stdout payload (and stdin's, as moby does) to `onStdout` and stderr
 * payload to `onStderr`; a sink's promise is awaited before reading on, so slow sinks apply backpressure. Rejects
 * with the daemon's text on a system-error frame. A stream cut mid-frame ends quietly, as with moby's StdCopy.
 */
export async function demux(readable: AsyncIterable<Buffer | string>, onStdout: Sink, onStderr: Sink): Promise<void> {
  const decoder = new FrameDecoder();
  let systemErr: Buffer[] = [];
  for await (const chunk of readable) {
    const pieces = decoder.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    for (const { stream, data } of pieces) {
      if (stream === SYSTEMERR) systemErr.push(data);
      else if (stream === STDERR) await onStderr(data);
      else await onStdout(data);
    }
    if (systemErr.length > 0 && decoder.atBoundary) {
      const text = Buffer.concat(systemErr).toString('utf8');
      systemErr = [];
      throw new Error(`error from daemon in stream: ${text}`);
    }
  }
}
