// Docker's default address pools for networks created without a subnet: 172.17.0.0/16 … 172.31.0.0/16, then
// 192.168.0.0/16 cut into /20s; the first candidate overlapping nothing in use (networks, host routes) is taken.
// IPv6 has no such default in dockerd before 27; berth takes /64s from a fixed ULA /48 of its own.
import { Unavailable } from '../../errdefs/index.js';
import { familyBits, formatPrefix, masked, overlaps, parsePrefix, type Prefix } from './addr.js';

export interface AddressPoolSpec {
  /** The range candidates are cut from. */
  base: string;
  /** The prefix length of each candidate. */
  size: number;
}

export const DEFAULT_ADDRESS_POOLS: readonly AddressPoolSpec[] = [
  { base: '172.17.0.0/16', size: 16 },
  { base: '172.18.0.0/16', size: 16 },
  { base: '172.19.0.0/16', size: 16 },
  { base: '172.20.0.0/14', size: 16 },
  { base: '172.24.0.0/14', size: 16 },
  { base: '172.28.0.0/14', size: 16 },
  { base: '192.168.0.0/16', size: 20 },
];

/** berth's IPv6 default: /64s of fd42:6572:7468::/48 (a ULA; the global ID spells "Berth"). */
export const DEFAULT_ADDRESS_POOLS_V6: readonly AddressPoolSpec[] = [{ base: 'fd42:6572:7468::/48', size: 64 }];

/** Docker's text when every default pool is taken. */
const EXHAUSTED = (v: 4 | 6) =>
  `could not find an available, non-overlapping IPv${v} address pool among the defaults to assign to the network`;

/**
 * The first candidate subnet of `pools` that overlaps none of `inUse` (CIDRs). Steps over a used range by its size,
 * so a /48 of /64s is never enumerated.
 */
export function pickSubnet(pools: readonly AddressPoolSpec[], inUse: readonly string[]): string {
  let family: 4 | 6 = 4;
  for (const pool of pools) {
    const base = parsePrefix(pool.base);
    if (!base) continue;
    family = base.addr.family;
    const width = BigInt(familyBits(family) - pool.size);
    const step = 1n << width;
    const end = base.addr.value + (1n << BigInt(familyBits(family) - base.bits));
    let v = base.addr.value;
    while (v < end) {
      const candidate: Prefix = { addr: { family, value: v }, bits: pool.size };
      const clash = firstOverlap(candidate, inUse);
      if (!clash) return formatPrefix(candidate);
      // Skip past the clashing subnet when it is larger than a candidate.
      const clashEnd = clash.addr.value + (1n << BigInt(familyBits(family) - clash.bits));
      v = clashEnd > v + step ? ((clashEnd + step - 1n) / step) * step : v + step;
    }
  }
  throw new Unavailable(EXHAUSTED(family));
}

function firstOverlap(p: Prefix, inUse: readonly string[]): Prefix | undefined {
  for (const o of inUse) {
    const q = parsePrefix(o);
    if (q && overlaps(p, q)) return masked(q);
  }
  return undefined;
}
