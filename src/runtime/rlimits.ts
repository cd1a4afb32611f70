// RLIMIT_* names → resource numbers (asm-generic/resource.h), and the host's current limits for error messages.
import { readFile } from 'node:fs/promises';
import { InvalidParameter } from '../errdefs/index.js';

export const RLIMIT_NAMES = [
  'RLIMIT_CPU',
  'RLIMIT_FSIZE',
  'RLIMIT_DATA',
  'RLIMIT_STACK',
  'RLIMIT_CORE',
  'RLIMIT_RSS',
  'RLIMIT_NPROC',
  'RLIMIT_NOFILE',
  'RLIMIT_MEMLOCK',
  'RLIMIT_AS',
  'RLIMIT_LOCKS',
  'RLIMIT_SIGPENDING',
  'RLIMIT_MSGQUEUE',
  'RLIMIT_NICE',
  'RLIMIT_RTPRIO',
  'RLIMIT_RTTIME',
] as const;

/** Order of the rows in /proc/<pid>/limits, which is the resource number order. */
const LIMITS_ROWS = RLIMIT_NAMES.length;

export function rlimitNumber(type: string): number {
  const n = (RLIMIT_NAMES as readonly string[]).indexOf(type.toUpperCase());
  if (n < 0) throw new InvalidParameter(`unknown rlimit type "${type}"`);
  return n;
}

/** The OCI spec carries limits as numbers; 2^64-1 (and -1) mean unlimited. */
export function rlimitValue(v: number | bigint): bigint {
  const b = BigInt(v);
  return b < 0n || b >= 0xffffffffffffffffn ? -1n : b;
}

/** Hard limits of a process as /proc/<pid>/limits shows them (-1n = unlimited), indexed by resource number. */
export async function hardLimits(pid: number | 'self' = 'self'): Promise<bigint[]> {
  const text = await readFile(`/proc/${pid}/limits`, 'utf8');
  const rows = text.split('\n').slice(1, 1 + LIMITS_ROWS);
  return rows.map((row) => {
    const hard = row.slice(26).trim().split(/\s+/)[1] ?? 'unlimited';
    return hard === 'unlimited' ? -1n : BigInt(hard);
  });
}
