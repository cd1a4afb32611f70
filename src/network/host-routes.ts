// The subnets of the host's routes (connected ones included, so its interfaces' subnets too), read from procfs, for
// IPAM to keep automatically picked subnets clear of them. Default routes are left out (everything overlaps them).
// procfs reads never wait on a device; they are async here only because they are cheap either way.
import { readFile } from 'node:fs/promises';

function hexToV4(hex: string): string {
  // /proc/net/route prints addresses in host (little-endian) byte order.
  const n = Number.parseInt(hex, 16);
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff].join('.');
}

function maskBits(hex: string): number {
  let n = Number.parseInt(hex, 16) >>> 0;
  let bits = 0;
  while (n) {
    bits += n & 1;
    n >>>= 1;
  }
  return bits;
}

/** IPv4 route subnets from /proc/net/route's text. */
export function parseRoutesV4(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const bits = maskBits(f[7] ?? '0');
    if (bits === 0) continue;
    out.push(`${hexToV4(f[1] ?? '0')}/${bits}`);
  }
  return out;
}

/** IPv6 route subnets from /proc/net/ipv6_route's text (link-local, multicast and default routes left out). */
export function parseRoutesV6(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 2 || !f[0] || f[0].length !== 32) continue;
    const bits = Number.parseInt(f[1] ?? '0', 16);
    if (bits === 0 || /^fe[89ab]|^ff/.test(f[0])) continue;
    const groups = f[0].match(/.{4}/g) ?? [];
    out.push(`${groups.join(':')}/${bits}`);
  }
  return out;
}

/** The host's route subnets, IPv4 and IPv6 (a missing file, IPv6 disabled, reads as none). */
export async function hostRouteSubnets(): Promise<string[]> {
  const read = (p: string) => readFile(p, 'utf8').catch(() => '');
  const [v4, v6] = await Promise.all([read('/proc/net/route'), read('/proc/net/ipv6_route')]);
  return [...parseRoutesV4(v4), ...parseRoutesV6(v6)];
}
