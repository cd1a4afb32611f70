// Reading a layer's files ahead of the tar-split replay: replay asks for one file's content at a time, and each
// open/read/close waits on the disk in turn (most layer files are small). Knowing the order from the record, the
// next files are read in the background, within a memory budget, so the replay rarely waits.
import type { OpenContent } from '../archive/index.js';

export interface ReadAheadOptions {
  /** Bytes held in files read but not yet asked for (default 32 MiB). */
  maxBytes?: number;
  /** Files being read or held at once (default 64). */
  maxFiles?: number;
}

interface Pending {
  size: number;
  content: Promise<Buffer[]>;
}

/**
 * An OpenContent over `open` that reads `files` (the order replay asks for them) ahead. Files too large to hold are
 * streamed by `open` when asked for, while the files after them are read ahead. A name asked out of order is
 * simply opened. Read errors surface when that file is asked for.
 */
export function readAhead(
  open: OpenContent,
  files: readonly { name: string; size: number }[],
  opts: ReadAheadOptions = {},
): OpenContent {
  const maxBytes = opts.maxBytes ?? 32 << 20;
  const maxFiles = opts.maxFiles ?? 64;
  const large = maxBytes / 4;
  const pending = new Map<number, Pending>();
  let held = 0;
  let next = 0;
  let asked = 0;

  const read = async (name: string): Promise<Buffer[]> => {
    const chunks: Buffer[] = [];
    for await (const c of await open(name)) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
    return chunks;
  };
  const fill = () => {
    while (next < files.length && pending.size < maxFiles) {
      const f = files[next]!;
      if (f.size > large) {
        // Streamed by `open` when asked for; the files after it are read ahead meanwhile.
        next++;
        continue;
      }
      if (held + f.size > maxBytes && pending.size > 0) return;
      const content = read(f.name);
      content.catch(() => undefined); // reported when the file is asked for
      pending.set(next, { size: f.size, content });
      held += f.size;
      next++;
    }
  };
  fill();

  return async (name) => {
    const i = asked;
    if (files[i]?.name !== name) return open(name);
    asked++;
    const p = pending.get(i);
    pending.delete(i);
    if (p === undefined) {
      fill();
      return open(name);
    }
    held -= p.size;
    fill();
    return buffers(await p.content);
  };
}

async function* buffers(chunks: Buffer[]): AsyncGenerator<Buffer> {
  yield* chunks;
}
