// Go's net.ParseIP / IP.String / net.ParseMAC: what the docker CLI accepts for --dns, --add-host, -p's host IP and
// --mac-address, and the canonical text it sends (e.g. "0:0:0:0:0:0:0:1" → "::1", "::ffff:1.2.3.4" → "1.2.3.4").

/** net.ParseIP: 16 bytes (IPv4 as ::ffff:a.b.c.d), or undefined. No zones, no brackets, no leading zeros in IPv4. */
export function parseIP(s: string): Uint8Array | undefined {
  if (s.includes('.') && !s.includes(':')) {
    const v4 = parseIPv4(s);
    if (!v4) return undefined;
    return Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...v4]);
  }
  return parseIPv6(s);
}

function parseIPv4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p) || (p.length > 1 && p[0] === '0')) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

function parseIPv6(s: string): Uint8Array | undefined {
  const ip = new Uint8Array(16);
  let ellipsis = -1;
  if (s.startsWith('::')) {
    ellipsis = 0;
    s = s.slice(2);
    if (s === '') return ip;
  }
  let i = 0;
  while (i < 16) {
    const m = /^[0-9a-fA-F]{1,4}/.exec(s);
    if (!m) return undefined;
    // An embedded IPv4 address may end the address.
    if (s.length > m[0].length && s[m[0].length] === '.') {
      if (ellipsis < 0 && i !== 12) return undefined;
      if (i + 4 > 16) return undefined;
      const v4 = parseIPv4(s);
      if (!v4) return undefined;
      ip.set(v4, i);
      i += 4;
      s = '';
      break;
    }
    const n = Number.parseInt(m[0], 16);
    ip[i] = n >> 8;
    ip[i + 1] = n & 0xff;
    i += 2;
    s = s.slice(m[0].length);
    if (s === '') break;
    if (s[0] !== ':' || s.length === 1) return undefined;
    s = s.slice(1);
    if (s[0] === ':') {
      if (ellipsis >= 0) return undefined;
      ellipsis = i;
      s = s.slice(1);
      if (s === '') break;
    }
  }
  if (s !== '') return undefined;
  if (i < 16) {
    if (ellipsis < 0) return undefined;
    const n = 16 - i;
    for (let j = i - 1; j >= ellipsis; j--) ip[j + n] = ip[j]!;
    for (let j = ellipsis + n - 1; j >= ellipsis; j--) ip[j] = 0;
  } else if (ellipsis >= 0) {
    return undefined;
  }
  return ip;
}

const isV4Mapped = (ip: Uint8Array): boolean =>
  ip.slice(0, 10).every((b) => b === 0) && ip[10] === 0xff && ip[11] === 0xff;

/** IP.String(): dotted quad for IPv4 (and IPv4-mapped), RFC 5952 for IPv6. */
export function ipString(ip: Uint8Array): string {
  if (ip.length === 4) return Array.from(ip).join('.');
  if (isV4Mapped(ip)) return Array.from(ip.slice(12)).join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((ip[i]! << 8) | ip[i + 1]!);
  // The longest run of two or more zero groups is written as "::" (the first one on a tie).
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return groups.map((g) => g.toString(16)).join(':');
  const head = groups.slice(0, bestStart).map((g) => g.toString(16));
  const tail = groups.slice(bestStart + bestLen).map((g) => g.toString(16));
  return `${head.join(':')}::${tail.join(':')}`;
}

export const isIPv4 = (ip: Uint8Array): boolean => ip.length === 4 || isV4Mapped(ip);

export function isLoopback(ip: Uint8Array): boolean {
  if (isIPv4(ip)) return ip[ip.length - 4] === 127;
  return ip.slice(0, 15).every((b) => b === 0) && ip[15] === 1;
}

/** net.ParseMAC accepts 6, 8 or 20 octets as xx:xx…, xx-xx… or xxxx.xxxx…. */
export function isValidMAC(s: string): boolean {
  if (s.length < 14) return false;
  if (s[2] === ':' || s[2] === '-') {
    if ((s.length + 1) % 3 !== 0) return false;
    const n = (s.length + 1) / 3;
    if (n !== 6 && n !== 8 && n !== 20) return false;
    const sep = s[2]!;
    for (let i = 0; i < n; i++) {
      if (!/^[0-9a-fA-F]{2}$/.test(s.slice(3 * i, 3 * i + 2))) return false;
      if (i < n - 1 && s[3 * i + 2] !== sep) return false;
    }
    return true;
  }
  if (s[4] === '.') {
    if ((s.length + 1) % 5 !== 0) return false;
    const n = (2 * (s.length + 1)) / 5;
    if (n !== 6 && n !== 8 && n !== 20) return false;
    for (let i = 0; i < n / 2; i++) {
      if (!/^[0-9a-fA-F]{4}$/.test(s.slice(5 * i, 5 * i + 4))) return false;
      if (i < n / 2 - 1 && s[5 * i + 4] !== '.') return false;
    }
    return true;
  }
  return false;
}
