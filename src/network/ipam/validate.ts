// moby's ValidateIPAM: every subnet, ip-range, gateway and auxiliary address of a network create checked at once,
// the faults joined under "invalid network config:" in moby's words (Go's netip prints a bad prefix as "invalid Prefix").
import { InvalidParameter } from '../../errdefs/index.js';
import { contains, formatPrefix, isMasked, masked, overlaps, parseAddr, parsePrefix, type Prefix } from './addr.js';

export interface IpamConfigInput {
  Subnet?: string;
  IPRange?: string;
  Gateway?: string;
  AuxiliaryAddresses?: Record<string, string>;
}

const familyName = (p: Prefix) => (p.addr.family === 4 ? 'IPv4' : 'IPv6');

function addressFault(address: string, subnet: Prefix): string | undefined {
  if (address === '') return undefined;
  const a = parseAddr(address);
  if (!a) return 'invalid address';
  if (a.family !== subnet.addr.family) return `parent subnet is an ${familyName(subnet)} block`;
  if (!contains(subnet, a)) return `it should be within its parent subnet ${formatPrefix(subnet)}`;
  return undefined;
}

function rangeFault(ipRange: string, subnet: Prefix): string | undefined {
  if (ipRange === '') return undefined;
  const r = parsePrefix(ipRange);
  if (!r) return `invalid ip-range invalid Prefix: invalid CIDR address: ${ipRange}`;
  const shown = formatPrefix(r);
  if (!isMasked(r)) return `invalid ip-range ${shown}: it should be ${formatPrefix(masked(r))}`;
  if (r.addr.family !== subnet.addr.family)
    return `invalid ip-range ${shown}: parent subnet is an ${familyName(subnet)} block`;
  if (r.bits < subnet.bits || !contains(subnet, r.addr)) {
    return `invalid ip-range ${shown}: it should be within its parent subnet ${formatPrefix(subnet)}`;
  }
  return undefined;
}

/** Throws InvalidParameter listing every fault of `configs`, or returns their subnets, parsed. */
export function validateIpam(configs: readonly IpamConfigInput[], enableIPv6: boolean): Prefix[] {
  const faults: string[] = [];
  const subnets: Prefix[] = [];
  for (const cfg of configs) {
    const text = cfg.Subnet ?? '';
    const subnet = parsePrefix(text);
    if (!subnet) {
      faults.push(`invalid subnet invalid Prefix: invalid CIDR address: ${text}`);
      continue;
    }
    const shown = formatPrefix(subnet);
    if (!isMasked(subnet)) faults.push(`invalid subnet ${shown}: it should be ${formatPrefix(masked(subnet))}`);
    if (!enableIPv6 && subnet.addr.family === 6) faults.push(`invalid subnet ${shown}: IPv6 has not been enabled`);
    const r = rangeFault(cfg.IPRange ?? '', subnet);
    if (r) faults.push(r);
    const g = addressFault(cfg.Gateway ?? '', subnet);
    if (g) faults.push(`invalid gateway ${cfg.Gateway}: ${g}`);
    for (const [name, aux] of Object.entries(cfg.AuxiliaryAddresses ?? {})) {
      const f = addressFault(aux, subnet);
      if (f) faults.push(`invalid auxiliary address ${name}: ${f}`);
    }
    subnets.push(masked(subnet));
  }
  if (faults.length > 0) throw new InvalidParameter(`invalid network config:\n${faults.join('\n')}`);
  return subnets;
}

/** libnetwork's refusal of a subnet that overlaps one in use. */
export const POOL_OVERLAP = 'invalid pool request: Pool overlaps with other one on this address space';

/** Whether `p` overlaps any of `others` (CIDR strings; unparsable ones are skipped). */
export function overlapsAny(p: Prefix, others: Iterable<string>): boolean {
  for (const o of others) {
    const q = parsePrefix(o);
    if (q && overlaps(p, q)) return true;
  }
  return false;
}
