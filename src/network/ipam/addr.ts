// IP addresses and prefixes as (family, bigint) pairs: parsing as Go's net/netip does (no zone, no leading zeros in
// IPv4 octets), printing as Go does (RFC 5952 for IPv6), and the prefix arithmetic IPAM needs.

export type Family = 4 | 6;

export interface Addr {
  family: Family;
  value: bigint;
}

export interface Prefix {
  /** The address as written (not masked: `10.0.0.1/16` keeps its host bits; see `masked`). */
  addr: Addr;
  bits: number;
}

export const familyBits = (f: Family): number => (f === 4 ? 32 : 128);

function parseV4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

function parseV6(s: string): bigint | undefined {
  let text = s;
  let tail: bigint[] = [];
  // An embedded IPv4 address makes the last two groups.
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = parseV4(text.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail = [v4 >> 16n, v4 & 0xffffn];
    text = text.slice(0, lastColon + 1);
    if (!text.endsWith('::')) text = text.slice(0, -1);
    if (text === '') return undefined;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): bigint[] | undefined => {
    if (h === '') return [];
    const out: bigint[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(BigInt(`0x${g}`));
    }
    return out;
  };
  const head = groups(halves[0] ?? '');
  const rest = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (!head || !rest) return undefined;
  const written = [...head, ...rest, ...tail];
  let all: bigint[];
  if (halves.length === 2) {
    const zeros = 8 - written.length;
    if (zeros < 1) return undefined;
    all = [...head, ...Array<bigint>(zeros).fill(0n), ...rest, ...tail];
  } else {
    if (written.length !== 8) return undefined;
    all = written;
  }
  return all.reduce((v, g) => (v << 16n) | g, 0n);
}

/** An IPv4 or IPv6 address, or undefined when `s` is not one. */
export function parseAddr(s: string): Addr | undefined {
  if (s.includes(':')) {
    const v = parseV6(s);
    return v === undefined ? undefined : { family: 6, value: v };
  }
  const v = parseV4(s);
  return v === undefined ? undefined : { family: 4, value: v };
}

export function formatAddr(a: Addr): string {
  if (a.family === 4) {
    return [24n, 16n, 8n, 0n].map((sh) => String((a.value >> sh) & 0xffn)).join('.');
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((a.value >> BigInt(i * 16)) & 0xffffn));
  // RFC 5952: the longest run of two or more zero groups (the first of equals) becomes "::".
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(':');
  if (bestAt < 0) return hex(groups);
  return `${hex(groups.slice(0, bestAt))}::${hex(groups.slice(bestAt + bestLen))}`;
}

/** `addr/bits`, or undefined when `s` is not a CIDR. */
export function parsePrefix(s: string): Prefix | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const addr = parseAddr(s.slice(0, slash));
  const bitsText = s.slice(slash + 1);
  if (!addr || !/^(0|[1-9]\d*)$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  if (bits > familyBits(addr.family)) return undefined;
  return { addr, bits };
}

export function formatPrefix(p: Prefix): string {
  return `${formatAddr(p.addr)}/${p.bits}`;
}

const hostMask = (p: Prefix): bigint => (1n << BigInt(familyBits(p.addr.family) - p.bits)) - 1n;

/** The prefix with its host bits cleared (`10.0.0.1/16` → `10.0.0.0/16`). */
export function masked(p: Prefix): Prefix {
  return { addr: { family: p.addr.family, value: p.addr.value & ~hostMask(p) }, bits: p.bits };
}

export const isMasked = (p: Prefix): boolean => (p.addr.value & hostMask(p)) === 0n;

/** The first and last addresses of the (masked) prefix. */
export function bounds(p: Prefix): { first: bigint; last: bigint } {
  const first = masked(p).addr.value;
  return { first, last: first | hostMask(p) };
}

export function contains(p: Prefix, a: Addr): boolean {
  if (p.addr.family !== a.family) return false;
  const { first, last } = bounds(p);
  return a.value >= first && a.value <= last;
}

export function overlaps(p: Prefix, q: Prefix): boolean {
  if (p.addr.family !== q.addr.family) return false;
  const a = bounds(p);
  const b = bounds(q);
  return a.first <= b.last && b.first <= a.last;
}

export const sameAddr = (a: Addr, b: Addr): boolean => a.family === b.family && a.value === b.value;
