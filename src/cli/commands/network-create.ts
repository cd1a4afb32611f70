// berth network create: the docker CLI's request from its flags, with its client-side IPAM checks (every gateway,
// ip-range and aux-address must fall in a --subnet), then the new network's ID.
import type { IPAMConfig, NetworkCreateRequest } from '../../api/networks.js';
import { kvStringsToMap, type ParsedFlags } from '../args/index.js';
import type { Cli } from './cli.js';

interface Cidr {
  family: 4 | 6;
  start: bigint;
  end: bigint;
}

/** Go's net.ParseCIDR, as far as matching needs it (the network's range). */
function parseCidr(s: string): Cidr {
  const [addr = '', bitsText = ''] = s.split('/');
  const ip = parseIp(addr);
  const width = ip?.family === 4 ? 32 : 128;
  const bits = /^\d+$/.test(bitsText) ? Number(bitsText) : -1;
  if (!ip || bits < 0 || bits > width) throw new Error(`invalid CIDR address: ${s}`);
  const host = (1n << BigInt(width - bits)) - 1n;
  return { family: ip.family, start: ip.value & ~host, end: (ip.value & ~host) | host };
}

function parseIp(s: string): { family: 4 | 6; value: bigint } | undefined {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(s)) {
    const parts = s.split('.').map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return { family: 4, value: parts.reduce((v, p) => (v << 8n) | BigInt(p), 0n) };
  }
  if (!s.includes(':')) return undefined;
  const [head = '', tail] = s.split('::');
  const groups = (t: string | undefined) => (t ? t.split(':') : []);
  const h = groups(head);
  const t = groups(tail);
  const all = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  if (all.length !== 8 || all.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return { family: 6, value: all.reduce((v, g) => (v << 16n) | BigInt(`0x${g}`), 0n) };
}

const within = (c: Cidr, ip: { family: 4 | 6; value: bigint }) =>
  c.family === ip.family && ip.value >= c.start && ip.value <= c.end;

/** The docker CLI's consolidateIpam: one IPAMConfig per subnet with its range, gateway and aux addresses. */
export function consolidateIpam(
  subnets: string[],
  ranges: string[],
  gateways: string[],
  aux: Record<string, string>,
): IPAMConfig[] {
  if (subnets.length < ranges.length || subnets.length < gateways.length) {
    throw new Error('every ip-range or gateway must have a corresponding subnet');
  }
  const configs: IPAMConfig[] = [];
  const parsed: Cidr[] = [];
  for (const s of subnets) {
    // Overlap among the subnets is checked only when there are several (the CLI parses them for that).
    if (subnets.length > 1) {
      const c = parseCidr(s);
      if (parsed.some((p) => p.family === c.family && p.start <= c.end && c.start <= p.end)) {
        throw new Error('multiple overlapping subnet configuration is not supported');
      }
      parsed.push(c);
    }
    configs.push({ Subnet: s, AuxiliaryAddresses: {} });
  }
  for (const r of ranges) {
    const rc = parseCidr(r);
    const cfg = configs.find((c) => {
      const sc = parseCidr(c.Subnet ?? '');
      return sc.family === rc.family && rc.start >= sc.start && rc.end <= sc.end;
    });
    if (!cfg) throw new Error(`no matching subnet for range ${r}`);
    if (cfg.IPRange)
      throw new Error(`cannot configure multiple ranges (${r}, ${cfg.IPRange}) on the same subnet (${cfg.Subnet})`);
    cfg.IPRange = r;
  }
  const matching = (what: string, ip: string) => {
    const a = parseIp(ip);
    const cfg = a && configs.find((c) => within(parseCidr(c.Subnet ?? ''), a));
    if (!cfg) throw new Error(`no matching subnet for ${what} ${ip}`);
    return cfg;
  };
  for (const g of gateways) {
    const cfg = matching('gateway', g);
    if (cfg.Gateway)
      throw new Error(`cannot configure multiple gateways (${g}, ${cfg.Gateway}) for the same subnet (${cfg.Subnet})`);
    cfg.Gateway = g;
  }
  for (const [name, ip] of Object.entries(aux)) {
    const cfg = matching('aux-address', ip);
    cfg.AuxiliaryAddresses = { ...cfg.AuxiliaryAddresses, [name]: ip };
  }
  return configs;
}

export default async function networkCreate(cli: Cli, flags: ParsedFlags): Promise<number> {
  const config = consolidateIpam(
    flags.list('subnet'),
    flags.list('ip-range'),
    flags.list('gateway'),
    flags.map('aux-address'),
  );
  const req: NetworkCreateRequest = {
    Name: flags.args[0] ?? '',
    Driver: flags.string('driver'),
    Options: flags.map('opt'),
    IPAM: { Driver: flags.string('ipam-driver'), Config: config, Options: flags.map('ipam-opt') },
    Internal: flags.bool('internal'),
    Attachable: flags.bool('attachable'),
    Ingress: flags.bool('ingress'),
    Scope: flags.string('scope'),
    ConfigOnly: flags.bool('config-only'),
    Labels: kvStringsToMap(flags.list('label')),
  };
  if (flags.changed('ipv6')) req.EnableIPv6 = flags.bool('ipv6');
  if (flags.string('config-from') !== '') req.ConfigFrom = { Network: flags.string('config-from') };
  const r = await cli.client().networks.create(req);
  cli.out(`${r.Id}\n`);
  return 0;
}
