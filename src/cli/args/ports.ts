// -p/--publish and --expose as the docker CLI reads them (go-connections nat.ParsePortSpecs and the CLI's long-syntax
// conversion): "8080:80", "127.0.0.1:9000-9001:9000-9001/udp", "[::1]:53:53/udp", "published=80,target=8080".
import { InvalidParameter } from '../../errdefs/index.js';
import type { PortBinding } from '../../api/index.js';
import { parseIP, ipString } from './ip.js';
import { NumError, parseUint64 } from './strconv.js';

export type PortSet = Record<string, Record<string, never>>;
export type PortMap = Record<string, PortBinding[]>;

/** nat.ParsePortRange: "80" or "8000-8010" → [start, end]. Errors are Go's strconv errors or the range message. */
export function parsePortRange(ports: string): [number, number] {
  if (ports === '') throw new InvalidParameter('empty string specified for ports');
  if (!ports.includes('-')) {
    const p = parseUint64(ports, 10, 16);
    return [p, p];
  }
  const parts = ports.split('-');
  const start = parseUint64(parts[0]!, 10, 16);
  const end = parseUint64(parts[1]!, 10, 16);
  if (end < start) throw new InvalidParameter(`invalid range specified for port: ${ports}`);
  return [start, end];
}

/** nat.SplitProtoPort: "53/udp" → ["udp", "53"]; the protocol defaults to tcp. */
export function splitProtoPort(raw: string): [string, string] {
  const parts = raw.split('/');
  if (raw.length === 0 || parts[0]!.length === 0) return ['', ''];
  if (parts.length === 1) return ['tcp', raw];
  if (parts[1]!.length === 0) return ['tcp', parts[0]!];
  return [parts[1]!, parts[0]!];
}

/** nat.NewPort: "80/tcp" or "8000-8010/tcp". */
export function newPort(proto: string, port: string): string {
  const [start, end] = port === '' ? [0, 0] : parsePortRange(port);
  return start === end ? `${start}/${proto}` : `${start}-${end}/${proto}`;
}

function splitParts(raw: string): [string, string, string] {
  const parts = raw.split(':');
  const n = parts.length;
  const containerPort = parts[n - 1]!;
  if (n === 1) return ['', '', containerPort];
  if (n === 2) return ['', parts[0]!, containerPort];
  if (n === 3) return [parts[0]!, parts[1]!, containerPort];
  return [parts.slice(0, n - 2).join(':'), parts[n - 2]!, containerPort];
}

export interface PortMapping {
  port: string;
  binding: PortBinding;
}

/** nat.ParsePortSpec: one -p value → one mapping per container port. */
export function parsePortSpec(rawPort: string): PortMapping[] {
  let [ip, hostPort, containerPort] = splitParts(rawPort);
  let proto: string;
  [proto, containerPort] = splitProtoPort(containerPort);
  if (ip !== '' && ip[0] === '[') {
    // net.SplitHostPort(ip + ":") keeps what is inside the brackets.
    const close = ip.indexOf(']');
    if (close < 0 || close !== ip.length - 1) {
      const why = close < 0 ? "missing ']' in address" : 'missing port in address';
      throw new InvalidParameter(`invalid IP address ${ip}: address ${ip}:: ${why}`);
    }
    ip = ip.slice(1, -1);
  }
  if (ip !== '' && !parseIP(ip)) throw new InvalidParameter(`invalid IP address: ${ip}`);
  if (containerPort === '') throw new InvalidParameter(`no port specified: ${rawPort}<empty>`);
  let start: number;
  let end: number;
  try {
    [start, end] = parsePortRange(containerPort);
  } catch {
    throw new InvalidParameter(`invalid containerPort: ${containerPort}`);
  }
  let startHost = 0;
  let endHost = 0;
  if (hostPort.length > 0) {
    try {
      [startHost, endHost] = parsePortRange(hostPort);
    } catch {
      throw new InvalidParameter(`invalid hostPort: ${hostPort}`);
    }
  }
  if (hostPort !== '' && end - start !== endHost - startHost && end !== start) {
    throw new InvalidParameter(
      `invalid ranges specified for container and host Ports: ${containerPort} and ${hostPort}`,
    );
  }
  if (!['tcp', 'udp', 'sctp'].includes(proto.toLowerCase())) throw new InvalidParameter(`invalid proto: ${proto}`);
  const out: PortMapping[] = [];
  for (let i = 0; i <= end - start; i++) {
    let hp = hostPort.length > 0 ? String(startHost + i) : hostPort;
    // A single container port with a host range: the daemon picks one port from the range.
    if (start === end && startHost !== endHost) hp = `${hp}-${endHost}`;
    out.push({ port: newPort(proto.toLowerCase(), String(start + i)), binding: { HostIp: ip, HostPort: hp } });
  }
  return out;
}

/** nat.ParsePortSpecs: ExposedPorts and PortBindings for a list of -p values (standard notation). */
export function parsePortSpecs(ports: string[]): { exposed: PortSet; bindings: PortMap } {
  const exposed: PortSet = {};
  const bindings: PortMap = {};
  for (const raw of ports) {
    for (const m of parsePortSpec(raw)) {
      exposed[m.port] = {};
      bindings[m.port] ??= [];
      bindings[m.port]!.push(m.binding);
    }
  }
  return { exposed, bindings };
}

/**
 * The CLI's convertToStandardNotation: a long-syntax -p value ("published=80,target=8080,protocol=udp") becomes
 * "80:8080/udp"; others pass through. Error: `invalid publish opts format (should be name=value but got 'x')`.
 */
export function convertToStandardNotation(ports: string[]): string[] {
  return ports.map((publish) => {
    if (!publish.includes('=')) return publish;
    const params: Record<string, string> = { protocol: 'tcp' };
    for (const param of publish.split(',')) {
      const i = param.indexOf('=');
      if (i <= 0) throw new InvalidParameter(`invalid publish opts format (should be name=value but got '${param}')`);
      params[param.slice(0, i)] = param.slice(i + 1);
    }
    return `${params.published ?? ''}:${params.target ?? ''}/${params.protocol ?? ''}`;
  });
}

/**
 * --expose values merged into `exposed` ("80", "7000-7010/udp"). Errors: `invalid port format for --expose: x`,
 * `invalid range format for --expose: x, error: …`.
 */
export function addExposedPorts(exposed: PortSet, expose: string[]): void {
  for (const e of expose) {
    if (e.includes(':')) throw new InvalidParameter(`invalid port format for --expose: ${e}`);
    const [proto, port] = splitProtoPort(e);
    let start: number;
    let end: number;
    try {
      [start, end] = parsePortRange(port);
    } catch (err) {
      const why = err instanceof NumError || err instanceof Error ? err.message : String(err);
      throw new InvalidParameter(`invalid range format for --expose: ${e}, error: ${why}`);
    }
    for (let i = start; i <= end; i++) exposed[newPort(proto, String(i))] ??= {};
  }
}

/** The canonical text of a host IP in a binding (as the daemon reports it). */
export const canonicalHostIp = (ip: string): string => {
  const p = parseIP(ip);
  return p ? ipString(p) : ip;
};
