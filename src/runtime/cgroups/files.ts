// Small helpers over CgroupFs shared by the v1 and v2 managers: writes that fail with a precise error, tolerant
// reads, the flat "key value" format, bounded polling and descendant-first removal.
import { errnoCode, InvalidParameter, NotImplemented, System } from '../../errdefs/index.js';
import type { CgroupDirEntry, CgroupFs } from '../../sys/index.js';

/** Writes `value`; returns the errno code on an errno failure (other errors are thrown). */
export async function tryWrite(fs: CgroupFs, path: string, value: string): Promise<string | undefined> {
  try {
    await fs.writeFile(path, value);
    return undefined;
  } catch (e) {
    const code = errnoCode(e);
    if (code === undefined) throw e;
    return code;
  }
}

/** The error for a failed write: a missing file means the kernel lacks that control (NotImplemented). */
export function writeError(path: string, value: string, code: string): Error {
  const msg = `cgroup: write ${JSON.stringify(value)} to ${path}: ${code}`;
  if (code === 'ENOENT') return new NotImplemented(`${msg} (controller not available on this host)`);
  if (code === 'EINVAL' || code === 'ERANGE') return new InvalidParameter(msg);
  return new System(msg);
}

export async function write(fs: CgroupFs, path: string, value: string): Promise<void> {
  const code = await tryWrite(fs, path, value);
  if (code !== undefined) throw writeError(path, value, code);
}

/** Reads a file; undefined if it does not exist. */
export async function readOptional(fs: CgroupFs, path: string): Promise<string | undefined> {
  try {
    return await fs.readFile(path);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return undefined;
    throw new System(`cgroup: read ${path}: ${errnoCode(e) ?? String(e)}`, { cause: e });
  }
}

/** "key value" lines (memory.stat, cpu.stat, memory.events, memory.oom_control) → numbers. */
export function parseFlatKeyed(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [key, value, extra] = line.trim().split(/\s+/);
    if (key && value !== undefined && extra === undefined && /^-?\d+$/.test(value)) out[key] = Number(value);
  }
  return out;
}

/** A single number, or undefined for "max" (v2) or the v1 "unlimited" sentinel (≥ 2^62). */
export function parseLimit(text: string): number | undefined {
  const t = text.trim();
  if (t === 'max' || t === '') return undefined;
  const n = Number(t);
  if (!Number.isFinite(n)) throw new System(`cgroup: unexpected limit ${JSON.stringify(t)}`);
  return n >= 2 ** 62 ? undefined : n;
}

export function parseNumber(text: string, what: string): number {
  const n = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(n)) throw new System(`cgroup: unexpected ${what} ${JSON.stringify(text)}`);
  return n;
}

/** cgroup.procs content → pids. */
export function parsePids(text: string): number[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => parseNumber(l, 'pid'));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` every `intervalMs` until it returns true or `timeoutMs` passes; returns the last result. */
export async function pollUntil(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 5): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}

/**
 * rmdir `dir` after its descendant cgroups; EBUSY (processes still exiting) is retried with backoff, like runc. Most
 * cgroups have no child cgroups: rmdir comes first, and the directory is read only when that is refused (a cgroup
 * directory lists dozens of control files; reading it was most of a container's removal here).
 */
export async function removeCgroupDir(fs: CgroupFs, dir: string, retries = 6): Promise<void> {
  if (await tryRmdir(fs, dir)) return;
  let entries: CgroupDirEntry[];
  try {
    entries = await fs.readdir(dir);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return;
    throw new System(`cgroup: readdir ${dir}: ${errnoCode(e) ?? String(e)}`, { cause: e });
  }
  for (const e of entries) if (e.isDirectory) await removeCgroupDir(fs, `${dir}/${e.name}`, retries);
  for (let attempt = 0, delay = 10; ; attempt++, delay *= 2) {
    if (await tryRmdir(fs, dir)) return;
    if (attempt >= retries) throw new System(`cgroup: rmdir ${dir}: EBUSY`);
    await sleep(delay);
  }
}

/** rmdir: true once the directory is gone, false while it is busy (child cgroups, processes still exiting). */
async function tryRmdir(fs: CgroupFs, dir: string): Promise<boolean> {
  try {
    await fs.rmdir(dir);
    return true;
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'ENOENT') return true;
    if (code === 'EBUSY' || code === 'ENOTEMPTY') return false;
    throw new System(`cgroup: rmdir ${dir}: ${code ?? String(e)}`, { cause: e });
  }
}

/** rmdir that leaves a directory still in use (EBUSY, ENOTEMPTY) or already gone alone. */
export async function removeIfEmpty(fs: CgroupFs, dir: string): Promise<void> {
  await fs.rmdir(dir).catch(() => {});
}

/** Validates a cgroupsPath: it must name a cgroup below the root, without "..". */
export function checkCgroupsPath(cgroupsPath: string): void {
  const parts = cgroupsPath.split('/');
  if (parts.includes('..') || !parts.some((p) => p !== '' && p !== '.')) {
    throw new InvalidParameter(`invalid cgroupsPath ${JSON.stringify(cgroupsPath)}`);
  }
}

/** Joins path pieces with single slashes, without a trailing slash. */
export function joinPath(...parts: string[]): string {
  const joined = parts.join('/').replace(/\/+/g, '/');
  return joined.length > 1 && joined.endsWith('/') ? joined.slice(0, -1) : joined;
}
