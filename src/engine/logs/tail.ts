// Where the last N entries of a rotated log set begin, found by reading backwards in chunks from the end of the newest
// file into older ones, so `--tail` costs what it shows, not the size of the set.
import type { FileHandle } from 'node:fs/promises';

export interface TailFile {
  handle: FileHandle;
  size: number;
}

/** A place in a file set: file index (oldest first) and byte offset. */
export interface SetPosition {
  index: number;
  offset: number;
}

const CHUNK = 64 * 1024;

/**
 * The start of the last `n` lines of `files` (oldest first), counting lines that end in "\n" and are not empty, as
 * Docker counts entries (a corrupt line counts; a torn last line does not, it is not an entry yet). With n = 0, the
 * end of the last complete line of the newest file. Fewer than n lines: the start of the oldest file.
 */
export async function findTailStart(files: readonly TailFile[], n: number, chunkSize = CHUNK): Promise<SetPosition> {
  if (files.length === 0) return { index: 0, offset: 0 };
  let wanted = n;
  for (let index = files.length - 1; index >= 0; index--) {
    const found = await scanBack(files[index]!, wanted, index === files.length - 1 && n === 0, chunkSize);
    if (found.offset !== undefined) return { index, offset: found.offset };
    wanted -= found.count;
  }
  return { index: 0, offset: 0 };
}

/**
 * Scans one file from its end. Returns the offset where the `wanted`-th complete line from the end starts, or (if the
 * file holds fewer) how many it holds. `endOnly` asks for the end of the last complete line.
 */
async function scanBack(
  file: TailFile,
  wanted: number,
  endOnly: boolean,
  chunkSize: number,
): Promise<{ offset?: number; count: number }> {
  const buf = Buffer.allocUnsafe(Math.min(chunkSize, Math.max(file.size, 1)));
  let count = 0;
  let lastNewline: number | undefined; // the "\n" ending the line being looked at
  let end = file.size;
  while (end > 0) {
    const start = Math.max(0, end - buf.length);
    const { bytesRead } = await file.handle.read(buf, 0, end - start, start);
    if (bytesRead < end - start) break; // truncated under us: what is left is gone
    let at = bytesRead - 1;
    while (at >= 0) {
      const nl = buf.lastIndexOf(0x0a, at);
      if (nl < 0) break;
      const pos = start + nl;
      at = nl - 1;
      if (lastNewline === undefined) {
        if (endOnly) return { offset: pos + 1, count };
      } else if (lastNewline - pos > 1) {
        count++;
        if (count === wanted) return { offset: pos + 1, count };
      }
      lastNewline = pos;
    }
    end = start;
  }
  if (endOnly) return { offset: 0, count };
  // The first line of the file has no "\n" before it.
  if (lastNewline !== undefined && lastNewline > 0) {
    count++;
    if (count === wanted) return { offset: 0, count };
  }
  return { count };
}
