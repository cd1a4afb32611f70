// The networks every daemon has: `bridge` (the default, on berth0, 172.17.0.0/16 unless bip/fixed-cidr say otherwise,
// with the options dockerd shows for docker0), `host` and `none`.
import type { IPAMConfig } from '../../api/networks.js';
import { InvalidParameter } from '../../errdefs/index.js';
import { formatAddr, formatPrefix, masked, parsePrefix } from '../../network/ipam/index.js';
import type { NetworkRecord } from './model.js';

export interface DefaultBridgeOptions {
  /** `--bip`: the bridge's address with its prefix (`10.10.0.1/24`): the gateway and the subnet. */
  bip?: string;
  /** `--fixed-cidr`: the range containers' addresses come from, within the subnet. */
  fixedCidr?: string;
  /** `--mtu` (default 1500). */
  mtu?: number;
  /** The interface (default berth0). */
  bridgeName?: string;
  /** `--ipv6` with `--fixed-cidr-v6`: the default bridge is dual-stack on that subnet. */
  ipv6?: boolean;
  fixedCidrV6?: string;
}

export const DEFAULT_BRIDGE = 'berth0';
export const PREDEFINED = ['bridge', 'host', 'none'] as const;

/** The default bridge's IPAM config, from the daemon's options. */
export function defaultBridgeIpam(o: DefaultBridgeOptions): IPAMConfig {
  let subnet = '172.17.0.0/16';
  let gateway = '172.17.0.1';
  if (o.bip) {
    const p = parsePrefix(o.bip);
    if (!p) throw new InvalidParameter(`invalid bip: ${o.bip}`);
    subnet = formatPrefix(masked(p));
    gateway = formatAddr(p.addr);
  }
  const cfg: IPAMConfig = { Subnet: subnet };
  if (o.fixedCidr) {
    const r = parsePrefix(o.fixedCidr);
    if (!r) throw new InvalidParameter(`invalid fixed-cidr: ${o.fixedCidr}`);
    cfg.IPRange = formatPrefix(masked(r));
  }
  cfg.Gateway = gateway;
  return cfg;
}

/** The default bridge's IPv6 subnet (`--fixed-cidr-v6`), its gateway the subnet's first address. */
function defaultBridgeIpamV6(cidr: string): IPAMConfig {
  const p = parsePrefix(cidr);
  if (!p || p.addr.family !== 6) throw new InvalidParameter(`invalid fixed-cidr-v6: ${cidr}`);
  const m = masked(p);
  return { Subnet: formatPrefix(m), Gateway: formatAddr({ family: 6, value: m.addr.value + 1n }) };
}

/** A predefined network's record. */
export function predefinedRecord(
  name: (typeof PREDEFINED)[number],
  id: string,
  o: DefaultBridgeOptions,
): NetworkRecord {
  const base = {
    id,
    name,
    created: new Date().toISOString(),
    scope: 'local' as const,
    enableIPv6: false,
    internal: false,
    attachable: false,
    ingress: false,
    labels: {},
    predefined: true,
  };
  if (name === 'bridge') {
    const bridgeName = o.bridgeName ?? DEFAULT_BRIDGE;
    const v6 = o.ipv6 && o.fixedCidrV6 ? defaultBridgeIpamV6(o.fixedCidrV6) : undefined;
    return {
      ...base,
      enableIPv6: v6 !== undefined,
      driver: 'bridge',
      ipam: { driver: 'default', options: null, config: v6 ? [defaultBridgeIpam(o), v6] : [defaultBridgeIpam(o)] },
      options: {
        'com.docker.network.bridge.default_bridge': 'true',
        'com.docker.network.bridge.enable_icc': 'true',
        'com.docker.network.bridge.enable_ip_masquerade': 'true',
        'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
        'com.docker.network.bridge.name': bridgeName,
        'com.docker.network.driver.mtu': String(o.mtu ?? 1500),
      },
      bridgeName,
    };
  }
  return {
    ...base,
    driver: name === 'host' ? 'host' : 'null',
    ipam: { driver: 'default', options: null, config: [] },
    options: {},
  };
}
