// berthd's configuration: dockerd's flag names and daemon.json keys, merged as dockerd merges them (a key set in
// both places is an error), with berth's embedded defaults.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { InvalidParameter } from '../../errdefs/index.js';
import { type RuntimesConfig, parseRuntimes } from './runtimes.js';

export interface DaemonConfig {
  hosts: string[];
  dataRoot: string;
  execRoot: string;
  storageDriver: string | undefined;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  debug: boolean;
  insecureRegistries: string[];
  registryMirrors: string[];
  /** Layer downloads / uploads at once per pull / push (dockerd's defaults: 3 and 5). */
  maxConcurrentDownloads: number;
  maxConcurrentUploads: number;
  liveRestore: boolean;
  tls: { verify: boolean; cacert?: string; cert?: string; key?: string };
  insecureTcp: boolean;
  /** `--authorization-plugin`: Docker's AuthZ plugins (a name, or `unix:///path.sock`), asked in order. */
  authorizationPlugins: string[];
  cgroupParent: string;
  logOpts: Record<string, string>;
  pidFile: string | undefined;
  /** The default bridge and containers' resolver defaults (dockerd's bip, fixed-cidr, mtu, ipv6, dns…). */
  network: {
    bip?: string;
    fixedCidr?: string;
    mtu?: number;
    ipv6: boolean;
    fixedCidrV6?: string;
    dns: string[];
    dnsSearch: string[];
    dnsOptions: string[];
  };
  /** --userns-remap: "" (off), `default`, `user[:group]` or `uid[:gid]` (see userns-remap.ts). */
  usernsRemap: string;
  /** Runtime commands besides berth's own, and the default's name. */
  runtimes: RuntimesConfig;
  version: boolean;
  help: boolean;
}

export const DEFAULTS = {
  dataRoot: '/var/lib/berth',
  execRoot: '/run/berth',
  host: 'unix:///run/berth/berth.sock',
  cgroupParent: 'berth',
};

const FLAGS = {
  host: { type: 'string', short: 'H', multiple: true },
  'data-root': { type: 'string' },
  'exec-root': { type: 'string' },
  'storage-driver': { type: 'string', short: 's' },
  'config-file': { type: 'string' },
  'log-level': { type: 'string', short: 'l' },
  'insecure-registry': { type: 'string', multiple: true },
  'registry-mirror': { type: 'string', multiple: true },
  'max-concurrent-downloads': { type: 'string' },
  'max-concurrent-uploads': { type: 'string' },
  'live-restore': { type: 'boolean' },
  debug: { type: 'boolean', short: 'D' },
  tlsverify: { type: 'boolean' },
  tlscacert: { type: 'string' },
  tlscert: { type: 'string' },
  tlskey: { type: 'string' },
  'insecure-tcp': { type: 'boolean' },
  'authorization-plugin': { type: 'string', multiple: true },
  'cgroup-parent': { type: 'string' },
  'log-opt': { type: 'string', multiple: true },
  pidfile: { type: 'string', short: 'p' },
  'add-runtime': { type: 'string', multiple: true },
  'default-runtime': { type: 'string' },
  bip: { type: 'string' },
  'fixed-cidr': { type: 'string' },
  mtu: { type: 'string' },
  ipv6: { type: 'boolean' },
  'fixed-cidr-v6': { type: 'string' },
  dns: { type: 'string', multiple: true },
  'dns-search': { type: 'string', multiple: true },
  'dns-opt': { type: 'string', multiple: true },
  'userns-remap': { type: 'string' },
  version: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** daemon.json key for each flag (dockerd's names). */
const JSON_KEYS: Record<string, string> = {
  host: 'hosts',
  'data-root': 'data-root',
  'exec-root': 'exec-root',
  'storage-driver': 'storage-driver',
  'log-level': 'log-level',
  'insecure-registry': 'insecure-registries',
  'registry-mirror': 'registry-mirrors',
  'max-concurrent-downloads': 'max-concurrent-downloads',
  'max-concurrent-uploads': 'max-concurrent-uploads',
  'live-restore': 'live-restore',
  debug: 'debug',
  tlsverify: 'tlsverify',
  tlscacert: 'tlscacert',
  tlscert: 'tlscert',
  tlskey: 'tlskey',
  'cgroup-parent': 'cgroup-parent',
  'authorization-plugin': 'authorization-plugins',
  'log-opt': 'log-opts',
  pidfile: 'pidfile',
  'add-runtime': 'runtimes',
  'default-runtime': 'default-runtime',
  bip: 'bip',
  'fixed-cidr': 'fixed-cidr',
  mtu: 'mtu',
  ipv6: 'ipv6',
  'fixed-cidr-v6': 'fixed-cidr-v6',
  dns: 'dns',
  'dns-search': 'dns-search',
  'dns-opt': 'dns-opts',
  'userns-remap': 'userns-remap',
};

const LEVELS = ['debug', 'info', 'warn', 'error', 'fatal'] as const;

export const USAGE = `Usage:	berthd [OPTIONS]

A self-sufficient runtime for containers, Docker-compatible.

Options:
      --config-file string          Daemon configuration file (default "/etc/berth/daemon.json")
      --add-runtime runtime         Register an additional OCI compatible runtime (name=path)
      --authorization-plugin list   Authorization plugins to load (a name, or unix:///path.sock)
      --bip string                  Specify network bridge IP (default 172.17.0.1/16)
      --cgroup-parent string        Parent cgroup for all containers (default "berth")
      --data-root string            Root directory of persistent state (default "/var/lib/berth")
  -D, --debug                       Enable debug mode
      --default-runtime string      Default OCI runtime for containers (default "berth")
      --dns list                    DNS server to use
      --dns-opt list                DNS options to use
      --dns-search list             DNS search domains to use
      --exec-root string            Root directory for execution state files (default "/run/berth")
      --fixed-cidr string           IPv4 subnet for fixed IPs
      --fixed-cidr-v6 string        IPv6 subnet for fixed IPs
  -H, --host list                   Daemon socket(s) to connect to
      --insecure-registry list      Enable insecure registry communication
      --insecure-tcp                Allow a tcp:// host without TLS
      --ipv6                        Enable IPv6 networking
      --live-restore                Keep containers running while the daemon is down
      --max-concurrent-downloads int  Set the max concurrent downloads (default 3)
      --max-concurrent-uploads int  Set the max concurrent uploads (default 5)
  -l, --log-level string            Set the logging level ("debug"|"info"|"warn"|"error"|"fatal") (default "info")
      --log-opt map                 Default log driver options for containers (max-size, max-file)
      --mtu int                     Set the containers network MTU (default 1500)
  -p, --pidfile string              Path to use for daemon PID file
      --registry-mirror list        Preferred registry mirror
  -s, --storage-driver string       Storage driver to use (overlay2, vfs)
      --tlscacert string            Trust certs signed only by this CA
      --tlscert string              Path to TLS certificate file
      --tlskey string               Path to TLS key file
      --tlsverify                   Use TLS and verify the remote
      --userns-remap string         User/Group setting for user namespaces
  -v, --version                     Print version information and quit
`;

/** A value as Go's %v prints it, for dockerd's conflict message: [a b], map[k:v], plain strings. */
function goValue(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1));
    return `map[${entries.map(([k, x]) => `${k}:${goValue(x)}`).join(' ')}]`;
  }
  return String(v);
}

function asStringList(v: unknown, key: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
    throw new InvalidParameter(`invalid daemon.json: "${key}" must be a list of strings`);
  }
  return v;
}

export async function loadDaemonConfig(
  argv: string[],
  defaultConfigFile = '/etc/berth/daemon.json',
): Promise<DaemonConfig> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof FLAGS; strict: true; allowPositionals: false }>>;
  try {
    parsed = parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: false });
  } catch (e) {
    throw new InvalidParameter((e as Error).message.replace(/^Unknown option '(.*)'.*$/s, 'unknown flag: $1'));
  }
  const flags = parsed.values as Record<string, unknown>;
  const configFile = (flags['config-file'] as string | undefined) ?? defaultConfigFile;
  let file: Record<string, unknown> = {};
  let text: string | undefined;
  try {
    text = await readFile(configFile, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || flags['config-file'] !== undefined) {
      throw new InvalidParameter(`unable to configure the daemon with file ${configFile}: ${(e as Error).message}`);
    }
  }
  if (text !== undefined && text.trim() !== '') {
    try {
      file = JSON.parse(text) as Record<string, unknown>;
    } catch (e) {
      throw new InvalidParameter(`unable to configure the daemon with file ${configFile}: ${(e as Error).message}`);
    }
    if (file === null || typeof file !== 'object' || Array.isArray(file)) {
      throw new InvalidParameter(`unable to configure the daemon with file ${configFile}: not a JSON object`);
    }
    const known = new Set(Object.values(JSON_KEYS));
    const unknown = Object.keys(file).filter((k) => !known.has(k));
    if (unknown.length > 0) {
      throw new InvalidParameter(
        `the following directives don't match any configuration option: ${unknown.join(', ')}`,
      );
    }
    const conflicts = Object.entries(JSON_KEYS)
      .filter(([flag, key]) => flags[flag] !== undefined && file[key] !== undefined)
      .map(([flag, key]) => `${key}: (from flag: ${goValue(flags[flag])}, from file: ${goValue(file[key])})`);
    if (conflicts.length > 0) {
      throw new InvalidParameter(
        `the following directives are specified both as a flag and in the configuration file: ${conflicts.join(', ')}`,
      );
    }
  }
  const pick = <T>(flag: string): T | undefined => (flags[flag] ?? file[JSON_KEYS[flag] ?? '']) as T | undefined;
  const logOpts: Record<string, string> = {};
  for (const kv of (flags['log-opt'] as string[] | undefined) ?? []) {
    const eq = kv.indexOf('=');
    if (eq < 1) throw new InvalidParameter(`invalid log-opt: ${kv}: must be key=value`);
    logOpts[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  Object.assign(logOpts, (file['log-opts'] as Record<string, string> | undefined) ?? {});
  const debug = pick<boolean>('debug') === true;
  const level = (pick<string>('log-level') ?? (debug ? 'debug' : 'info')) as DaemonConfig['logLevel'];
  if (!LEVELS.includes(level)) throw new InvalidParameter(`unable to parse logging level: ${level}`);
  const hosts = (flags.host as string[] | undefined) ?? asStringList(file.hosts, 'hosts');
  const cfg: DaemonConfig = {
    hosts: hosts.length > 0 ? hosts : [DEFAULTS.host],
    dataRoot: pick<string>('data-root') ?? DEFAULTS.dataRoot,
    execRoot: pick<string>('exec-root') ?? DEFAULTS.execRoot,
    storageDriver: pick<string>('storage-driver'),
    logLevel: level,
    debug,
    insecureRegistries:
      (flags['insecure-registry'] as string[] | undefined) ??
      asStringList(file['insecure-registries'], 'insecure-registries'),
    registryMirrors:
      (flags['registry-mirror'] as string[] | undefined) ?? asStringList(file['registry-mirrors'], 'registry-mirrors'),
    maxConcurrentDownloads: positiveInt(pick('max-concurrent-downloads'), 'max-concurrent-downloads', 3),
    maxConcurrentUploads: positiveInt(pick('max-concurrent-uploads'), 'max-concurrent-uploads', 5),
    liveRestore: pick<boolean>('live-restore') === true,
    tls: {
      verify: pick<boolean>('tlsverify') === true,
      cacert: pick<string>('tlscacert'),
      cert: pick<string>('tlscert'),
      key: pick<string>('tlskey'),
    },
    insecureTcp: flags['insecure-tcp'] === true,
    authorizationPlugins:
      (flags['authorization-plugin'] as string[] | undefined) ??
      asStringList(file['authorization-plugins'], 'authorization-plugins'),
    cgroupParent: pick<string>('cgroup-parent') ?? DEFAULTS.cgroupParent,
    logOpts,
    pidFile: pick<string>('pidfile'),
    network: networkConfig(pick, flags, file),
    usernsRemap: pick<string>('userns-remap') ?? '',
    runtimes: parseRuntimes(
      (flags['add-runtime'] as string[] | undefined) ?? [],
      file.runtimes,
      pick<string>('default-runtime'),
    ),
    version: flags.version === true,
    help: flags.help === true,
  };
  validateHosts(cfg);
  return cfg;
}

function networkConfig(
  pick: <T>(flag: string) => T | undefined,
  flags: Record<string, unknown>,
  file: Record<string, unknown>,
): DaemonConfig['network'] {
  const list = (flag: string, key: string) => (flags[flag] as string[] | undefined) ?? asStringList(file[key], key);
  const mtuRaw = pick<string | number>('mtu');
  let mtu: number | undefined;
  if (mtuRaw !== undefined) {
    mtu = Number(mtuRaw);
    if (!Number.isInteger(mtu) || mtu < 68 || mtu > 65535) throw new InvalidParameter(`invalid MTU: ${mtuRaw}`);
  }
  const out: DaemonConfig['network'] = {
    ipv6: pick<boolean>('ipv6') === true,
    dns: list('dns', 'dns'),
    dnsSearch: list('dns-search', 'dns-search'),
    dnsOptions: list('dns-opt', 'dns-opts'),
  };
  const bip = pick<string>('bip');
  const fixedCidr = pick<string>('fixed-cidr');
  const fixedCidrV6 = pick<string>('fixed-cidr-v6');
  if (bip) out.bip = bip;
  if (fixedCidr) out.fixedCidr = fixedCidr;
  if (fixedCidrV6) out.fixedCidrV6 = fixedCidrV6;
  if (mtu !== undefined) out.mtu = mtu;
  return out;
}

/** A count from a flag (a string) or daemon.json (a number); dockerd refuses anything below 1. */
function positiveInt(v: unknown, key: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
    throw new InvalidParameter(`invalid max concurrent ${key.slice('max-concurrent-'.length)}: ${String(v)}`);
  }
  return n;
}

/** unix:// always; tcp:// only with full TLS verification, or explicitly insecure. */
function validateHosts(cfg: DaemonConfig): void {
  for (const h of cfg.hosts) {
    if (h.startsWith('unix://')) continue;
    if (h.startsWith('tcp://')) {
      const tlsComplete = cfg.tls.verify && cfg.tls.cacert && cfg.tls.cert && cfg.tls.key;
      if (!tlsComplete && !cfg.insecureTcp) {
        throw new InvalidParameter(
          `refusing to listen on ${h} without TLS: give --tlsverify --tlscacert --tlscert --tlskey, or --insecure-tcp to accept the risk`,
        );
      }
      continue;
    }
    throw new InvalidParameter(`invalid host: ${h}: only unix:// and tcp:// are supported`);
  }
}
