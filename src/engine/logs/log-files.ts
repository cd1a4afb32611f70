// The files of one json-file log: `path` (being written) and `path.1` … `path.{maxFiles-1}` (older, made by rotation).
// They are held open while read, so a rotation meanwhile moves names but not the bytes a reader has pinned.
import { type FileHandle, open } from 'node:fs/promises';
import { errnoCode } from '../../errdefs/index.js';

export interface LogFile {
  handle: FileHandle;
  dev: bigint;
  ino: bigint;
  /** Size when opened. */
  size: number;
}

export const sameFile = (a: { dev: bigint; ino: bigint }, b: { dev: bigint; ino: bigint }): boolean =>
  a.dev === b.dev && a.ino === b.ino;

export const rotatedName = (path: string, n: number): string => `${path}.${n}`;

/** Opens a file of the set; undefined if it does not exist (not yet written, or renamed away by a rotation). */
export async function openLogFile(name: string): Promise<LogFile | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(name, 'r');
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const st = await handle.stat({ bigint: true });
    return { handle, dev: st.dev, ino: st.ino, size: Number(st.size) };
  } catch (e) {
    await handle.close();
    throw e;
  }
}

export interface LogSet {
  /** Oldest first; the last one is `live` when `path` existed. */
  files: LogFile[];
  /** The file that was at `path`. */
  live: LogFile | undefined;
}

/**
 * Opens the whole set newest first. A rotation during this shows up as one file met under two names (dropped the
 * second time), so the order stays right: every file opened later is older.
 */
export async function openLogSet(path: string, maxFiles: number): Promise<LogSet> {
  const live = await openLogFile(path);
  const newestFirst = live ? [live] : [];
  for (let n = 1; n < maxFiles; n++) {
    const file = await openLogFile(rotatedName(path, n));
    if (!file) continue; // a gap: a rotation is renaming, or there were fewer rotations
    if (newestFirst.some((f) => sameFile(f, file))) await file.handle.close();
    else newestFirst.push(file);
  }
  return { files: newestFirst.reverse(), live };
}

/**
 * After `path` was found replaced: the rotated files newer than `last` (the file read so far; undefined if none was),
 * oldest first, which a reader missed when more than one rotation happened between two looks.
 */
export async function openMissedFiles(
  path: string,
  maxFiles: number,
  last: LogFile | undefined,
  newLive: LogFile,
): Promise<LogFile[]> {
  const newestFirst: LogFile[] = [];
  for (let n = 1; n < maxFiles; n++) {
    const file = await openLogFile(rotatedName(path, n));
    if (!file) continue;
    if (last && sameFile(file, last)) {
      await file.handle.close();
      break;
    }
    if (sameFile(file, newLive) || newestFirst.some((f) => sameFile(f, file))) await file.handle.close();
    else newestFirst.push(file);
  }
  return newestFirst.reverse();
}
