// Where a registry domain is reached (Docker's registry service): Docker Hub's API host behind `docker.io`, the
// configured mirrors before it for pulls, and whether plain HTTP is allowed (`insecure-registries`, and loopback,
// which Docker treats as insecure by default: 127.0.0.0/8).
import { isIP } from 'node:net';
import { DEFAULT_DOMAIN } from '../image/reference.js';

export const DOCKER_HUB_API = 'registry-1.docker.io';
/** The index Docker Hub's search and login answer on. */
export const DOCKER_HUB_INDEX = 'index.docker.io';

export interface RegistryHosts {
  /** `host[:port]` or CIDRs (daemon.json's insecure-registries). */
  insecureRegistries: readonly string[];
  /** URLs of Docker Hub mirrors (registry-mirrors), tried first for pulls from docker.io. */
  registryMirrors: readonly string[];
}

export interface Endpoint {
  /** `host[:port]` to connect to. */
  host: string;
  /** Plain HTTP allowed: tried after HTTPS (without certificate checks), as Docker does for insecure registries. */
  insecure: boolean;
  /** A mirror: a failure there moves on to the next endpoint. */
  mirror: boolean;
  /** The scheme a mirror URL names (mirrors are given as URLs). */
  scheme?: 'http' | 'https';
}

/** The endpoints for `domain`, in the order they are tried; push (`forPush`) never uses mirrors. */
export function endpointsFor(domain: string, hosts: RegistryHosts, forPush = false): Endpoint[] {
  if (domain === DEFAULT_DOMAIN) {
    const mirrors: Endpoint[] = forPush
      ? []
      : hosts.registryMirrors.flatMap((m) => {
          try {
            const u = new URL(m);
            const scheme = u.protocol === 'http:' ? 'http' : 'https';
            return [{ host: u.host, insecure: isInsecure(u.host, hosts), mirror: true, scheme }];
          } catch {
            return [];
          }
        });
    return [...mirrors, { host: DOCKER_HUB_API, insecure: false, mirror: false }];
  }
  return [{ host: domain, insecure: isInsecure(domain, hosts), mirror: false }];
}

/** Whether `host[:port]` may be spoken to over plain HTTP. */
export function isInsecure(host: string, hosts: RegistryHosts): boolean {
  const name = hostname(host);
  if (name === 'localhost' || inCidr(name, '127.0.0.0/8') || name === '::1') return true;
  for (const entry of hosts.insecureRegistries) {
    if (entry === host || entry === name) return true;
    if (entry.includes('/') && inCidr(name, entry)) return true;
  }
  return false;
}

/** The host without its port (and without IPv6 brackets). */
export function hostname(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const colon = host.lastIndexOf(':');
  return colon > 0 && host.indexOf(':') === colon ? host.slice(0, colon) : host;
}

/** IPv4 CIDR membership (an IPv6 CIDR or a name matches nothing). */
function inCidr(addr: string, cidr: string): boolean {
  const [net, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  if (isIP(addr) !== 4 || !net || isIP(net) !== 4 || !Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  const toInt = (a: string) => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  const mask = bits === 0 ? 0 : 2 ** 32 - 2 ** (32 - bits);
  return (toInt(addr) & mask) >>> 0 === (toInt(net) & mask) >>> 0;
}
