// The environment variables Docker 20.10 gives a container for each legacy `--link name:alias`
// (moby's daemon/links.Link.ToEnv): ALIAS_NAME, ALIAS_PORT, ALIAS_PORT_<n>_<PROTO>[_ADDR|_PORT|_PROTO|_START|_END…],
// ALIAS_ENV_<X>.

export interface LinkEnvOptions {
  /** The link's full name, `/<this container>/<alias>`; the alias names the variables. */
  name: string;
  /** The linked container's address on the default bridge. */
  ip: string;
  /** The linked container's Config.Env (`KEY=value`). */
  env?: readonly string[];
  /** The linked container's exposed ports, Config.ExposedPorts' keys: `80/tcp`, `53/udp`, `8080` (tcp). */
  exposedPorts?: readonly string[];
}

interface Port {
  num: number;
  proto: string;
}

function parsePort(spec: string): Port {
  const slash = spec.indexOf('/');
  const proto = slash === -1 ? 'tcp' : spec.slice(slash + 1) || 'tcp';
  return { num: Number.parseInt(slash === -1 ? spec : spec.slice(0, slash), 10), proto };
}

/** Docker's order: by number, tcp first for the same number (other protocols by name, for a stable result). */
function byNumberTcpFirst(a: Port, b: Port): number {
  if (a.num !== b.num) return a.num - b.num;
  if (a.proto === b.proto) return 0;
  if (a.proto.toLowerCase() === 'tcp') return -1;
  if (b.proto.toLowerCase() === 'tcp') return 1;
  return a.proto < b.proto ? -1 : 1;
}

/**
 * The index ending the run of consecutive numbers that starts at `index` (moby's nextContiguous; like it, two
 * protocols on one number count as consecutive).
 */
function nextContiguous(ports: readonly Port[], value: number, index: number): number {
  if (index + 1 === ports.length) return index;
  let v = value;
  for (let i = index + 1; i < ports.length; i++) {
    if ((ports[i]?.num ?? 0) > v + 1) return i - 1;
    v++;
  }
  return ports.length - 1;
}

export function linkEnv(opts: LinkEnvOptions): string[] {
  const alias = (opts.name.split('/').pop() ?? '').toUpperCase().replaceAll('-', '_');
  const ip = opts.ip;
  const ports = (opts.exposedPorts ?? []).map(parsePort).sort(byNumberTcpFirst);
  const env: string[] = [];
  const first = ports[0];
  if (first) env.push(`${alias}_PORT=${first.proto}://${ip}:${first.num}`);

  for (let i = 0; i < ports.length; ) {
    const p = ports[i] as Port;
    const j = nextContiguous(ports, p.num, i);
    if (j > i + 1) {
      const q = ports[j] as Port;
      const pre = `${alias}_PORT_${p.num}`;
      env.push(`${pre}_${p.proto.toUpperCase()}_START=${p.proto}://${ip}:${p.num}`);
      env.push(`${pre}_${p.proto.toUpperCase()}_ADDR=${ip}`);
      env.push(`${pre}_${p.proto.toUpperCase()}_PROTO=${p.proto}`);
      env.push(`${pre}_${p.proto.toUpperCase()}_PORT_START=${p.num}`);
      env.push(`${pre}_${q.proto.toUpperCase()}_END=${q.proto}://${ip}:${q.num}`);
      env.push(`${pre}_${q.proto.toUpperCase()}_PORT_END=${q.num}`);
      i = j + 1;
    } else {
      i++;
    }
  }
  for (const p of ports) {
    const pre = `${alias}_PORT_${p.num}_${p.proto.toUpperCase()}`;
    env.push(
      `${pre}=${p.proto}://${ip}:${p.num}`,
      `${pre}_ADDR=${ip}`,
      `${pre}_PORT=${p.num}`,
      `${pre}_PROTO=${p.proto}`,
    );
  }

  env.push(`${alias}_NAME=${opts.name}`);
  for (const kv of opts.env ?? []) {
    const eq = kv.indexOf('=');
    if (eq === -1) continue;
    const key = kv.slice(0, eq);
    // Docker skips these two (set by every image build, meaningless for the linking container); HOSTNAME is not in
    // a container's Config.Env in the first place (the runtime adds it).
    if (key === 'HOME' || key === 'PATH') continue;
    env.push(`${alias}_ENV_${key}=${kv.slice(eq + 1)}`);
  }
  return env;
}
