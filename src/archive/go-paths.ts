// The small pieces of Go that `docker cp` answers are made of: path.Clean/Base, moby's trailing `/.` rule, os.FileMode
// bits and time.Time's JSON form, so PathStat headers and archive names come out as Docker's do.
import type { BigIntStats } from 'node:fs';
import { posix } from 'node:path';

/** Go's filepath.Clean for absolute or relative '/' paths (no trailing slash except for the root). */
export function goClean(p: string): string {
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

/** Go's filepath.Base: the last element, trailing slashes ignored; "/" for only slashes, "." for an empty path. */
export function goBase(p: string): string {
  if (p === '') return '.';
  const t = p.replace(/\/+$/, '');
  if (t === '') return '/';
  return t.slice(t.lastIndexOf('/') + 1);
}

const specifiesCurrentDir = (p: string) => goBase(p) === '.';

/** moby's archive.PreserveTrailingDotOrSeparator: keeps the `/.` or `/` that cleaning `original` removed. */
export function preserveTrailingDotOrSeparator(cleaned: string, original: string): string {
  let out = cleaned;
  if (!specifiesCurrentDir(out) && specifiesCurrentDir(original)) {
    if (!out.endsWith('/')) out += '/';
    out += '.';
  }
  if (!out.endsWith('/') && original.endsWith('/')) out += '/';
  return out;
}

/** Whether a path asserts a directory (ends with `/`, `/.` or `/..`): the kernel then follows a final symlink. */
export function assertsDirectory(p: string): boolean {
  const base = goBase(p);
  return p.endsWith('/') || base === '.' || base === '..';
}

// Go's os.FileMode type bits (io/fs): the permission bits stay in the low 9.
const MODE_DIR = 2 ** 31;
const MODE_SYMLINK = 2 ** 27;
const MODE_DEVICE = 2 ** 26;
const MODE_NAMED_PIPE = 2 ** 25;
const MODE_SOCKET = 2 ** 24;
const MODE_SETUID = 2 ** 23;
const MODE_SETGID = 2 ** 22;
const MODE_CHAR_DEVICE = 2 ** 21;
const MODE_STICKY = 2 ** 20;

/** Go's os.FileMode of a stat (what PathStat.mode carries). Arithmetic, not bit operators: bit 31 is the sign in JS. */
export function goFileMode(st: Pick<BigIntStats, 'mode'>): number {
  const mode = Number(st.mode);
  let m = mode & 0o777;
  switch (mode & 0o170000) {
    case 0o040000:
      m += MODE_DIR;
      break;
    case 0o120000:
      m += MODE_SYMLINK;
      break;
    case 0o060000:
      m += MODE_DEVICE;
      break;
    case 0o020000:
      m += MODE_DEVICE + MODE_CHAR_DEVICE;
      break;
    case 0o010000:
      m += MODE_NAMED_PIPE;
      break;
    case 0o140000:
      m += MODE_SOCKET;
      break;
  }
  if (mode & 0o4000) m += MODE_SETUID;
  if (mode & 0o2000) m += MODE_SETGID;
  if (mode & 0o1000) m += MODE_STICKY;
  return m;
}

/** Whether a Go FileMode is a directory. */
export const isGoDir = (mode: number): boolean => mode >= MODE_DIR;

/** time.Time's JSON (RFC 3339 with nanoseconds, trailing zeros dropped), in UTC. */
export function goTimeJSON(ns: bigint): string {
  const billion = 1_000_000_000n;
  let sec = ns / billion;
  let frac = ns % billion;
  if (frac < 0n) {
    frac += billion;
    sec -= 1n;
  }
  const iso = new Date(Number(sec) * 1000).toISOString().slice(0, 19);
  const digits = frac === 0n ? '' : `.${frac.toString().padStart(9, '0').replace(/0+$/, '')}`;
  return `${iso}${digits}Z`;
}
