// Crash-safe file writes: temp file + fsync + rename, so readers see the old or the new content, never half of it.
import { closeSync, openSync, renameSync, writeFileSync } from 'node:fs';
import { open, readFile, rename, statfs, unlink } from 'node:fs/promises';

export interface AtomicWriteOptions {
  mode?: number;
  /**
   * fsync before the rename (default). Pointless on tmpfs (/run), whose files do not outlive the machine anyway:
   * see `isTmpfs`.
   */
  durable?: boolean;
}

let counter = 0;
/**
 * Unique among writers on this machine: pid + counter (+ a random part against pid reuse). Not node:crypto, whose
 * loading alone costs a one-shot command ~5 ms.
 */
export function uniqueSuffix(): string {
  return `${process.pid}-${++counter}-${Math.random().toString(36).slice(2, 8)}`;
}

export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  { mode = 0o644, durable = true }: AtomicWriteOptions = {},
): Promise<void> {
  const tmp = `${path}.${uniqueSuffix()}.tmp`;
  const fh = await open(tmp, 'wx', mode);
  try {
    await fh.writeFile(data);
    if (durable) await fh.sync();
  } catch (e) {
    await fh.close();
    await unlink(tmp).catch(() => {});
    throw e;
  }
  await fh.close();
  await rename(tmp, path);
}

/**
 * The same write with direct syscalls, for files on tmpfs only: there a write never waits on a device, and the four
 * thread-pool round trips of the async version cost more than the work (~1 ms on a container-start path).
 */
export function writeFileAtomicTmpfs(path: string, data: string | Uint8Array, mode = 0o644): void {
  const tmp = `${path}.${uniqueSuffix()}.tmp`;
  const fd = openSync(tmp, 'wx', mode);
  try {
    writeFileSync(fd, data);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export async function writeJsonAtomic(path: string, value: unknown, opts?: AtomicWriteOptions): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value), opts);
}

const TMPFS_MAGIC = 0x01021994;

/** Whether `path` lives on tmpfs (false when it cannot be told). */
export async function isTmpfs(path: string): Promise<boolean> {
  try {
    return (await statfs(path)).type === TMPFS_MAGIC;
  } catch {
    return false;
  }
}

/** Reads a JSON file; undefined when it does not exist. */
export async function readJsonIfExists<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}
