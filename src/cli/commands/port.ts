// berth port: a container's published ports ("80/tcp -> 0.0.0.0:8080"), or the host addresses of one of them.
import type { ParsedFlags } from '../args/index.js';
import type { Cli } from './cli.js';
import { StatusError } from './cli.js';

const hostPort = (ip: string, port: string) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

// sortorder.NaturalLess: digit runs compare as numbers.
const natural = new Intl.Collator('en', { numeric: true });

export default async function port(cli: Cli, flags: ParsedFlags): Promise<number> {
  const [container = '', wanted] = flags.args;
  const c = await cli.client().containers.inspect(container);
  const ports = c.NetworkSettings?.Ports ?? {};
  const out: string[] = [];
  if (wanted !== undefined) {
    const [num = '', proto = 'tcp'] = wanted.split('/');
    if (!/^\d+$/.test(num) || Number(num) > 65535) {
      throw new StatusError(1, `Error: invalid port (${num}): strconv.ParseUint: parsing "${num}": invalid syntax`);
    }
    const frontends = ports[`${num}/${proto || 'tcp'}`];
    if (!frontends || frontends.length === 0) {
      throw new StatusError(1, `Error: No public port '${wanted}' published for ${container}`);
    }
    for (const f of frontends) out.push(hostPort(f.HostIp ?? '', f.HostPort ?? ''));
  } else {
    for (const [from, frontends] of Object.entries(ports)) {
      for (const f of frontends ?? []) out.push(`${from} -> ${hostPort(f.HostIp ?? '', f.HostPort ?? '')}`);
    }
  }
  if (out.length > 0) cli.out(`${out.sort(natural.compare).join('\n')}\n`);
  return 0;
}
