// Reads the lines of an open log file forward from a position, in chunks, keeping a torn last line until its "\n"
// arrives; the position is kept across calls so a follower can read again as the file grows.
import type { FileHandle } from 'node:fs/promises';

const CHUNK = 64 * 1024;
// Far above the longest json-file line (a 16 KiB piece escaped as \u00XX is under 100 KiB): anything longer is junk
// and is dropped up to its newline instead of growing without bound.
const MAX_LINE = 1024 * 1024;

export class LineReader {
  /** Offset of the next byte to read. */
  position: number;
  private partial: Buffer[] = [];
  private partialLength = 0;
  private discarding = false;
  private readonly buf = Buffer.allocUnsafe(CHUNK);

  constructor(
    private readonly handle: FileHandle,
    start: number,
  ) {
    this.position = start;
  }

  /**
   * The complete lines (without "\n") from the position to the current end of the file. A yielded Buffer is valid
   * only until the next one is asked for. Bytes after the last "\n" are kept for the next call.
   */
  async *lines(): AsyncGenerator<Buffer, void, undefined> {
    for (;;) {
      const { bytesRead } = await this.handle.read(this.buf, 0, CHUNK, this.position);
      if (bytesRead === 0) return;
      this.position += bytesRead;
      const chunk = this.buf.subarray(0, bytesRead);
      let from = 0;
      for (;;) {
        const nl = chunk.indexOf(0x0a, from);
        if (nl < 0) {
          this.keep(chunk.subarray(from));
          break;
        }
        const piece = chunk.subarray(from, nl);
        from = nl + 1;
        if (this.discarding) {
          this.discarding = false;
          continue;
        }
        if (this.partialLength === 0) {
          yield piece;
        } else {
          const line = Buffer.concat([...this.partial, piece]);
          this.partial = [];
          this.partialLength = 0;
          yield line;
        }
      }
    }
  }

  /** Starts again from the beginning of the file (it was truncated). */
  restart(): void {
    this.position = 0;
    this.partial = [];
    this.partialLength = 0;
    this.discarding = false;
  }

  private keep(bytes: Buffer): void {
    if (this.discarding || bytes.length === 0) return;
    if (this.partialLength + bytes.length > MAX_LINE) {
      this.partial = [];
      this.partialLength = 0;
      this.discarding = true;
      return;
    }
    this.partial.push(Buffer.from(bytes)); // a copy: the read buffer is reused
    this.partialLength += bytes.length;
  }
}
