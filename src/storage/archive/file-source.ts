// A layer tar that is a whole file (a load's spooled layer): iterable like any LayerSource, and recognised by the
// apply pool, which hands the path to the worker so it reads the file itself (no copies through this thread).
import { createReadStream } from 'node:fs';

/** Chunk size for reading a layer file: few, large reads (each asynchronous read is a thread-pool round trip). */
export const FILE_CHUNK = 1 << 20;

export class FileSource implements AsyncIterable<Buffer> {
  constructor(readonly path: string) {}

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return createReadStream(this.path, { highWaterMark: FILE_CHUNK })[Symbol.asyncIterator]();
  }
}
