// What the firewall is told: the bridge networks and the published ports, as plain data, validated here before any of
// it is written into an nft script (names and addresses go into the script's text, so nothing unchecked may).
import { isIP, isIPv4 } from 'node:net';
import { InvalidParameter } from '../../errdefs/index.js';

export type Proto = 'tcp' | 'udp' | 'sctp';

/** One bridge network as the firewall sees it. */
export interface FirewallNetwork {
  /** The bridge interface, e.g. `berth0`. */
  bridge: string;
  /** The network's subnets in CIDR form, IPv4 and/or IPv6 (`172.17.0.0/16`, `fd00::/64`). */
  subnets: string[];
  /** `--internal`: no way out of the bridge, and no way in. */
  internal: boolean;
  /** `com.docker.network.bridge.enable_icc`: containers on the bridge may talk to each other. */
  icc: boolean;
  /** `com.docker.network.bridge.enable_ip_masquerade`: the subnet is masqueraded going out other interfaces. */
  masquerade: boolean;
}

/** One published port: traffic to (hostIp, proto, hostPort) goes to (containerIp, containerPort). */
export interface PublishedPort {
  proto: Proto;
  /** A local address, or `0.0.0.0` / `::` / `` for every local address of the container address's family. */
  hostIp: string;
  hostPort: number;
  containerIp: string;
  containerPort: number;
}

/** Everything berth's rules are made of; `Firewall.init` makes the kernel's table match it. */
export interface FirewallState {
  networks: FirewallNetwork[];
  ports: PublishedPort[];
}

const IFNAME = /^[A-Za-z0-9_.-]{1,15}$/;
const PROTOS: readonly string[] = ['tcp', 'udp', 'sctp'];

export function isWildcard(hostIp: string): boolean {
  return hostIp === '' || hostIp === '0.0.0.0' || hostIp === '::';
}

/** The address family (4 or 6) a published port lives in: its container address's. */
export function portFamily(p: PublishedPort): 4 | 6 {
  return isIPv4(p.containerIp) ? 4 : 6;
}

function checkCidr(cidr: string): void {
  const [addr, len, extra] = cidr.split('/');
  const family = isIP(addr ?? '');
  const bits = Number(len);
  if (extra !== undefined || family === 0 || !/^\d+$/.test(len ?? '') || bits > (family === 4 ? 32 : 128)) {
    throw new InvalidParameter(`invalid CIDR address: ${cidr}`);
  }
}

export function checkNetwork(n: FirewallNetwork): void {
  if (!IFNAME.test(n.bridge)) throw new InvalidParameter(`invalid bridge name: ${JSON.stringify(n.bridge)}`);
  for (const s of n.subnets) checkCidr(s);
}

export function checkPort(p: PublishedPort): void {
  const where = `${p.hostIp}:${p.hostPort}->${p.containerIp}:${p.containerPort}/${p.proto}`;
  if (!PROTOS.includes(p.proto)) throw new InvalidParameter(`invalid proto '${p.proto}'`);
  for (const port of [p.hostPort, p.containerPort]) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidParameter(`invalid port: ${where}`);
  }
  const family = isIP(p.containerIp);
  if (family === 0) throw new InvalidParameter(`invalid container IP: ${where}`);
  if (!isWildcard(p.hostIp) && isIP(p.hostIp) !== family) {
    throw new InvalidParameter(`host IP and container IP are not of the same family: ${where}`);
  }
  if ((p.hostIp === '0.0.0.0' && family !== 4) || (p.hostIp === '::' && family !== 6)) {
    throw new InvalidParameter(`host IP and container IP are not of the same family: ${where}`);
  }
}

/** Go's strconv.ParseBool, as the bridge driver parses its options. */
function parseBool(key: string, value: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  throw new InvalidParameter(`invalid value for ${key}: strconv.ParseBool: parsing "${value}": invalid syntax`);
}

/** icc and masquerade from a network's driver options (`docker network create -o ...`); both default to true. */
export function bridgeOptions(options: Record<string, string>): { icc: boolean; masquerade: boolean } {
  const get = (key: string) => {
    const v = options[key];
    return v === undefined ? true : parseBool(key, v);
  };
  return {
    icc: get('com.docker.network.bridge.enable_icc'),
    masquerade: get('com.docker.network.bridge.enable_ip_masquerade'),
  };
}
