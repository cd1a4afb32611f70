// PTR query names (RFC 1035 in-addr.arpa, RFC 3596 ip6.arpa) back to the address they stand for.
import { SocketAddress } from 'node:net';

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const NIBBLE = /^[0-9a-f]$/;

/**
 * `4.3.2.1.in-addr.arpa` → `1.2.3.4`; 32 nibbles `….ip6.arpa` → the address in its canonical form (`fd00::1`).
 * `name` is lowercased, without the trailing dot. Partial names (a whole /24's zone) and anything else: undefined.
 */
export function parseReverseName(name: string): string | undefined {
  if (name.endsWith('.in-addr.arpa')) {
    const labels = name.slice(0, -'.in-addr.arpa'.length).split('.');
    if (labels.length !== 4 || !labels.every((l) => OCTET.test(l))) return undefined;
    return labels.reverse().join('.');
  }
  if (name.endsWith('.ip6.arpa')) {
    const nibbles = name.slice(0, -'.ip6.arpa'.length).split('.');
    if (nibbles.length !== 32 || !nibbles.every((n) => NIBBLE.test(n))) return undefined;
    const hex = nibbles.reverse().join('');
    const groups = hex.match(/.{4}/g) ?? [];
    // SocketAddress parses with inet_pton and prints with inet_ntop: the canonical, compressed form.
    return new SocketAddress({ address: groups.join(':'), family: 'ipv6' }).address;
  }
  return undefined;
}
