// What a container asks to publish, from the API's HostConfig.PortBindings, PublishAllPorts and the image's
// ExposedPorts (`-P`): one request per (container port, host address), the host port fixed, a range, or any.
import { isIP } from 'node:net';
import { InvalidParameter } from '../../errdefs/index.js';

export type Proto = 'tcp' | 'udp' | 'sctp';

/** The API's PortBinding (HostConfig.PortBindings["80/tcp"][i]). */
export interface PortBinding {
  HostIp?: string;
  HostPort?: string;
}
export type PortMap = Record<string, PortBinding[] | null | undefined>;

/** One port to allocate: hostPortStart..hostPortEnd inclusive; 0..0 means any free port of the ephemeral range. */
export interface PortRequest {
  proto: Proto;
  containerPort: number;
  /** '' for every local address of both families, '0.0.0.0' / '::' for one family's, or one address. */
  hostIp: string;
  hostPortStart: number;
  hostPortEnd: number;
}

/** `80/tcp` (the CLI expands container-side ranges, so keys are single ports), proto tcp when left out. */
export function parsePortKey(key: string): { proto: Proto; port: number } {
  const [p, proto = 'tcp', extra] = key.split('/');
  if (extra !== undefined || (proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp')) {
    throw new InvalidParameter(`invalid proto '${proto}'`);
  }
  const port = parsePort(p ?? '', key);
  if (port === 0) throw new InvalidParameter(`invalid port specification: "${key}"`);
  return { proto, port };
}

function parsePort(s: string, spec: string): number {
  const n = Number(s);
  if (!/^\d+$/.test(s) || n > 65535) throw new InvalidParameter(`invalid port specification: "${spec}"`);
  return n;
}

/** `""` (any), `"8080"`, or `"8000-8010"`. */
export function parseHostPort(s: string): { start: number; end: number } {
  if (s === '') return { start: 0, end: 0 };
  const [a = '', b, extra] = s.split('-');
  if (extra !== undefined) throw new InvalidParameter(`invalid port specification: "${s}"`);
  const start = parsePort(a, s);
  const end = b === undefined ? start : parsePort(b, s);
  if (end < start || (start === 0 && end !== 0)) throw new InvalidParameter(`invalid port specification: "${s}"`);
  return { start, end };
}

/**
 * The ports a container publishes: its PortBindings, plus (PublishAllPorts) every exposed port without one, on any
 * host port. Sorted by proto and port, as Docker lists them.
 */
export function portRequests(
  portBindings: PortMap | undefined,
  publishAll: boolean,
  exposedPorts: Record<string, unknown> | undefined,
): PortRequest[] {
  const out: PortRequest[] = [];
  const bound = new Set<string>();
  for (const [key, list] of Object.entries(portBindings ?? {})) {
    const { proto, port } = parsePortKey(key);
    bound.add(`${port}/${proto}`);
    for (const b of list ?? []) {
      const hostIp = b.HostIp ?? '';
      if (hostIp !== '' && isIP(hostIp) === 0) throw new InvalidParameter(`invalid IP address: ${hostIp}`);
      const { start, end } = parseHostPort(b.HostPort ?? '');
      out.push({ proto, containerPort: port, hostIp, hostPortStart: start, hostPortEnd: end });
    }
  }
  if (publishAll) {
    for (const key of Object.keys(exposedPorts ?? {})) {
      const { proto, port } = parsePortKey(key);
      if (bound.has(`${port}/${proto}`)) continue;
      bound.add(`${port}/${proto}`);
      out.push({ proto, containerPort: port, hostIp: '', hostPortStart: 0, hostPortEnd: 0 });
    }
  }
  return out.sort((a, b) => a.proto.localeCompare(b.proto) || a.containerPort - b.containerPort);
}
