// From parsed `docker run` / `docker create` / `docker exec` / `docker update` flags to the Engine API request bodies,
// exactly as the docker CLI (v28) builds and sends them — field for field, zero values and key order included — so a
// daemon sees no difference between the two clients.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Ulimit } from '../../api/index.js';
import { InvalidParameter } from '../../errdefs/index.js';
import { parseIP, isLoopback, isValidMAC, ipString } from './ip.js';
import { type ParsedFlags, UsageError } from './parser.js';
import { quote } from './strconv.js';
import {
  addExposedPorts,
  convertToStandardNotation,
  dedupeEnv,
  absoluteSource,
  isCdiQualifiedName,
  isUserDefinedNetwork,
  kvStringsToMap,
  type LookupEnv,
  mountToWire,
  type NetworkAttachment,
  normalizeCapabilities,
  normalizePlatform,
  parseDevice,
  parseLoggingOpts,
  parsePortSpecs,
  parseRestartPolicy,
  parseSecurityOpts,
  parseStorageOpts,
  parseSystemPaths,
  parseTmpfs,
  type ReadFile,
  readKVStrings,
  splitVolumes,
  validateDevice,
  validateEnv,
  validatePullOpt,
  validCgroupnsMode,
  validPidMode,
  validUsernsMode,
  validUtsMode,
} from './values.js';
import type {
  CreateHostConfig,
  CreateRequestBody,
  DeviceMapping,
  DeviceRequest,
  EndpointSettings,
  ExecCreateBody,
  MountSpec,
  ThrottleDevice,
  UpdateRequestBody,
  WeightDevice,
} from './wire.js';

export * from './container-flags.js';

/** What building a request needs from the CLI's surroundings (all optional; defaults are the real process's). */
export interface CliContext {
  /** The CLI's environment, for `-e KEY`, env-file `KEY` lines and DOCKER_DEFAULT_PLATFORM. */
  env?: Record<string, string | undefined>;
  /** Relative `-v ./x:/y` and `--mount src=./x` paths resolve against this. */
  cwd?: string;
  /** Reads --env-file, --label-file and seccomp profiles (default: from disk, relative to `cwd`). */
  readFile?: ReadFile;
  /** [rows, columns] of the CLI's stdout when it is a terminal; the CLI sends [0, 0] otherwise. */
  consoleSize?: [number, number];
  /** detachKeys from the CLI's config file, used when --detach-keys is not given. */
  configDetachKeys?: string;
  /** The daemon endpoint ("unix:///run/berth/berth.sock"); --use-api-socket bind-mounts it. */
  daemonHost?: string;
}

export interface CreateOptions {
  /** ?name= */
  name?: string;
  /** ?platform= (normalised as the CLI sends it) */
  platform?: string;
  /** always | missing | never */
  pull: string;
  quiet: boolean;
  request: CreateRequestBody;
  /** run -d (always false for create). */
  detach: boolean;
  interactive: boolean;
  tty: boolean;
  rm: boolean;
  /** run --sig-proxy (false for create). */
  sigProxy: boolean;
  detachKeys: string;
  /** The streams to attach ("stdin", "stdout", "stderr"), as Config.Attach* say. */
  attach: string[];
  /** --cidfile: the caller writes the ID there (and refuses when the file exists, as docker does). */
  cidfile?: string;
  /**
   * --use-api-socket was given: the socket is already in Mounts; injecting registry credentials (DOCKER_CONFIG and a
   * config.json copied in after create) is left to the caller.
   */
  useApiSocket: boolean;
  /** Warnings the CLI prints itself, e.g. "Localhost DNS (127.0.0.1) may fail in containers." */
  warnings: string[];
}

const lookupIn =
  (env: Record<string, string | undefined>): LookupEnv =>
  (k) =>
    Object.hasOwn(env, k) ? env[k] : undefined;

/** A Go map as encoding/json writes it: keys sorted. */
function sorted<T>(m: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(m).sort()) out[k] = m[k]!;
  return out;
}

const orNull = <T>(a: T[]): T[] | null => (a.length > 0 ? a : null);

/** A zero EndpointSettings with the given fields, in Go's field order. */
function endpoint(fields: Partial<EndpointSettings>): EndpointSettings {
  return {
    IPAMConfig: null,
    Links: null,
    Aliases: null,
    MacAddress: '',
    DriverOpts: null,
    GwPriority: 0,
    NetworkID: '',
    EndpointID: '',
    Gateway: '',
    IPAddress: '',
    IPPrefixLen: 0,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    DNSNames: null,
    ...fields,
  };
}

const isEmptyEndpoint = (e: EndpointSettings): boolean => JSON.stringify(e) === JSON.stringify(endpoint({}));

// The CLI's parseNetworkOpts: --network (possibly several, possibly long syntax) plus --network-alias, --link, --ip,
// --ip6, --mac-address, --link-local-ip on the first one.
function endpointsConfig(p: ParsedFlags): Record<string, EndpointSettings> {
  const nets = p.get<NetworkAttachment[]>('network');
  const aliases = p.list('network-alias');
  const links = p.list('link');
  const ip = p.string('ip');
  const ip6 = p.string('ip6');
  const mac = p.string('mac-address');
  const linkLocal = p.list('link-local-ip');

  const apply = (n: NetworkAttachment): NetworkAttachment => {
    const conflict = (what: string) => new InvalidParameter(`conflicting options: cannot specify both ${what}`);
    if (n.aliases.length > 0 && aliases.length > 0) throw conflict('--network-alias and per-network alias');
    if (n.links.length > 0 && links.length > 0) throw conflict('--link and per-network links');
    if (n.ipv4Address !== '' && ip !== '') throw conflict('--ip and per-network IPv4 address');
    if (n.ipv6Address !== '' && ip6 !== '') throw conflict('--ip6 and per-network IPv6 address');
    if (n.macAddress !== '' && mac !== '') throw conflict('--mac-address and per-network MAC address');
    if (n.linkLocalIPs.length > 0 && linkLocal.length > 0) {
      throw conflict('--link-local-ip and per-network link-local IP addresses');
    }
    const out = { ...n };
    if (aliases.length > 0) out.aliases = [...aliases];
    if (isUserDefinedNetwork(n.target) && links.length > 0) out.links = [...links];
    if (ip !== '') out.ipv4Address = ip;
    if (ip6 !== '') out.ipv6Address = ip6;
    if (mac !== '') out.macAddress = mac;
    if (linkLocal.length > 0) out.linkLocalIPs = [...linkLocal];
    return out;
  };

  const toEndpoint = (n: NetworkAttachment): EndpointSettings => {
    if (n.target.trim() === '') throw new InvalidParameter('no name set for network');
    if (!isUserDefinedNetwork(n.target)) {
      if (n.aliases.length > 0) {
        throw new InvalidParameter('network-scoped aliases are only supported for user-defined networks');
      }
      if (n.links.length > 0) throw new InvalidParameter('links are only supported for user-defined networks');
    }
    const e = endpoint({ GwPriority: n.gwPriority });
    if (n.aliases.length > 0) e.Aliases = [...n.aliases];
    if (n.driverOpts && Object.keys(n.driverOpts).length > 0) e.DriverOpts = sorted(n.driverOpts);
    if (n.links.length > 0) e.Links = [...n.links];
    if (n.ipv4Address !== '' || n.ipv6Address !== '' || n.linkLocalIPs.length > 0) {
      e.IPAMConfig = {
        ...(n.ipv4Address ? { IPv4Address: n.ipv4Address } : {}),
        ...(n.ipv6Address ? { IPv6Address: n.ipv6Address } : {}),
        ...(n.linkLocalIPs.length > 0 ? { LinkLocalIPs: n.linkLocalIPs } : {}),
      };
    }
    if (n.macAddress !== '') {
      if (!isValidMAC(n.macAddress.trim())) throw new InvalidParameter(`${n.macAddress} is not a valid mac address`);
      e.MacAddress = n.macAddress;
    }
    return e;
  };

  const endpoints: Record<string, EndpointSettings> = {};
  if (nets.length === 0) {
    endpoints.default = toEndpoint(apply(blankAttachment('default')));
  }
  let userDefined = false;
  let nonUserDefined = false;
  nets.forEach((n, i) => {
    if (isUserDefinedNetwork(n.target)) userDefined = true;
    else nonUserDefined = true;
    const att = i === 0 ? apply(n) : n;
    const ep = toEndpoint(att);
    if (Object.hasOwn(endpoints, att.target)) {
      throw new InvalidParameter(`network ${quote(att.target)} is specified multiple times`);
    }
    // A single network without options is left to the daemon (the CLI omits its endpoint).
    if (i === 0 && nets.length === 1 && isEmptyEndpoint(ep)) return;
    endpoints[att.target] = ep;
  });
  if (userDefined && nonUserDefined) {
    throw new InvalidParameter(
      'conflicting options: cannot attach both user-defined and non-user-defined network-modes',
    );
  }
  return sorted(endpoints);
}

const blankAttachment = (target: string): NetworkAttachment => ({
  target,
  aliases: [],
  links: [],
  ipv4Address: '',
  ipv6Address: '',
  linkLocalIPs: [],
  macAddress: '',
  gwPriority: 0,
});

/**
 * Builds what `docker run` / `docker create` send for `parsed` (flags from RUN_FLAGS or CREATE_FLAGS; args = IMAGE
 * [COMMAND] [ARG...]): the create body plus the query and client-side options. Errors are the CLI's texts (those it
 * prints as "docker: <text>\n\nRun 'docker run --help' …", exit status 125).
 */
export function toCreateRequest(parsed: ParsedFlags, ctx: CliContext = {}): CreateOptions {
  // An arity error (exit status 1); callers normally catch it earlier with checkArgs.
  if (parsed.args.length === 0) {
    throw new InvalidParameter(`'docker ${parsed.has('detach') ? 'run' : 'create'}' requires at least 1 argument`);
  }
  let built: ReturnType<typeof buildCreate>;
  try {
    built = buildCreate(parsed, ctx);
  } catch (e) {
    if (e instanceof InvalidParameter && !(e instanceof UsageError)) throw new UsageError(e.message, { cause: e });
    throw e;
  }
  return finishCreate(parsed, ctx, built);
}

const readerFor = (ctx: CliContext, cwd: string): ReadFile => ctx.readFile ?? ((p) => readFileSync(resolve(cwd, p)));

// The CLI's runRun/runCreate up to and including parse(): errors here are reported with a pointer to --help.
function buildCreate(parsed: ParsedFlags, ctx: CliContext) {
  const env = ctx.env ?? process.env;
  const lookup = lookupIn(env);
  const cwd = ctx.cwd ?? process.cwd();
  const readFile = readerFor(ctx, cwd);
  const p = parsed;
  const isRun = p.has('detach');

  validatePullOpt(p.string('pull'));
  const [image = '', ...cmdArgs] = p.args;

  // runRun/runCreate: -e values through the proxy-config map (duplicates collapse; bare KEYs stay bare).
  const envOverrides = dedupeEnv(p.list('env').map((e) => validateEnv(e, lookup)));

  // ---- parse() ----
  const attachList = p.list('attach');
  const mac = p.string('mac-address');
  if (mac !== '' && !isValidMAC(mac.trim())) throw new InvalidParameter(`${mac} is not a valid mac address`);
  const attachStdin = attachList.includes('stdin') || p.bool('interactive');
  let attachStdout = attachList.includes('stdout');
  let attachStderr = attachList.includes('stderr');
  if (attachList.length === 0) {
    attachStdout = true;
    attachStderr = true;
  }

  const swappiness = p.number('memory-swappiness');
  if (swappiness !== -1 && (swappiness < 0 || swappiness > 100)) {
    throw new InvalidParameter(`invalid value: ${swappiness}. Valid memory swappiness range is 0-100`);
  }

  const { binds, volumes } = splitVolumes(p.list('volume'), cwd);
  const tmpfs = parseTmpfs(p.list('tmpfs'));

  let entrypoint: string[] | null = null;
  if (p.string('entrypoint') !== '') entrypoint = [p.string('entrypoint')];
  else if (p.changed('entrypoint')) entrypoint = [''];

  const { exposed, bindings } = parsePortSpecs(convertToStandardNotation(p.list('publish')));
  addExposedPorts(exposed, p.list('expose'));

  const devices: DeviceMapping[] = [];
  const cdiDevices: string[] = [];
  for (const d of p.list('device')) {
    if (isCdiQualifiedName(d)) cdiDevices.push(d);
    else devices.push(parseDevice(validateDevice(d)));
  }

  const envVars = readKVStrings(p.list('env-file'), envOverrides, lookup, readFile);
  const labels = readKVStrings(p.list('label-file'), p.list('label'), undefined, readFile);

  if (!validPidMode(p.string('pid'))) throw new InvalidParameter('--pid: invalid PID mode');
  if (!validUtsMode(p.string('uts'))) throw new InvalidParameter('--uts: invalid UTS mode');
  if (!validUsernsMode(p.string('userns'))) throw new InvalidParameter('--userns: invalid USER mode');
  if (!validCgroupnsMode(p.string('cgroupns'))) throw new InvalidParameter('--cgroupns: invalid CGROUP mode');

  const restartPolicy = parseRestartPolicy(p.string('restart'));
  const logConfig = parseLoggingOpts(p.string('log-driver'), p.list('log-opt'));
  const system = parseSystemPaths(parseSecurityOpts(p.list('security-opt'), readFile));
  const storageOpts = parseStorageOpts(p.list('storage-opt'));
  const healthcheck = healthConfig(p);

  const deviceRequests: DeviceRequest[] = [...p.get<DeviceRequest[]>('gpus')];
  if (cdiDevices.length > 0) {
    deviceRequests.push({ Driver: 'cdi', Count: 0, DeviceIDs: cdiDevices, Capabilities: null, Options: null });
  }

  const mounts = p
    .get<MountSpec[]>('mount')
    .map((m) => mountToWire(m.Source !== undefined ? { ...m, Source: absoluteSource(m.Source, cwd) } : m));

  const ulimits = Object.values(p.get<Record<string, Ulimit>>('ulimit')).sort((a, b) =>
    a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0,
  );

  const networks = p.get<NetworkAttachment[]>('network');
  const hostConfig: CreateHostConfig = {
    Binds: binds,
    ContainerIDFile: p.string('cidfile'),
    LogConfig: { Type: p.string('log-driver'), Config: sorted(logConfig) },
    NetworkMode: networks[0]?.target ?? 'default',
    PortBindings: sorted(bindings),
    RestartPolicy: restartPolicy,
    AutoRemove: p.bool('rm'),
    VolumeDriver: p.string('volume-driver'),
    VolumesFrom: orNull(p.list('volumes-from')),
    ConsoleSize: ctx.consoleSize ?? [0, 0],
    ...(Object.keys(p.map('annotation')).length > 0 ? { Annotations: sorted(p.map('annotation')) } : {}),
    CapAdd: normalizeCapabilities(p.list('cap-add')),
    CapDrop: normalizeCapabilities(p.list('cap-drop')),
    CgroupnsMode: p.string('cgroupns'),
    Dns: [...p.list('dns')],
    DnsOptions: [...p.list('dns-option')],
    DnsSearch: [...p.list('dns-search')],
    ExtraHosts: orNull(p.list('add-host')),
    GroupAdd: orNull(p.list('group-add')),
    IpcMode: p.string('ipc'),
    Cgroup: '',
    Links: orNull(p.list('link')),
    OomScoreAdj: p.number('oom-score-adj'),
    PidMode: p.string('pid'),
    Privileged: p.bool('privileged'),
    PublishAllPorts: p.bool('publish-all'),
    ReadonlyRootfs: p.bool('read-only'),
    SecurityOpt: orNull(system.securityOpts),
    ...(Object.keys(storageOpts).length > 0 ? { StorageOpt: sorted(storageOpts) } : {}),
    ...(Object.keys(tmpfs).length > 0 ? { Tmpfs: sorted(tmpfs) } : {}),
    UTSMode: p.string('uts'),
    UsernsMode: p.string('userns'),
    ShmSize: p.number('shm-size'),
    ...(Object.keys(p.map('sysctl')).length > 0 ? { Sysctls: sorted(p.map('sysctl')) } : {}),
    ...(p.string('runtime') !== '' ? { Runtime: p.string('runtime') } : {}),
    Isolation: p.string('isolation'),
    // Resources
    CpuShares: p.number('cpu-shares'),
    Memory: p.number('memory'),
    NanoCpus: p.get<number>('cpus') ?? 0,
    CgroupParent: p.string('cgroup-parent'),
    BlkioWeight: p.number('blkio-weight'),
    BlkioWeightDevice: [...p.get<WeightDevice[]>('blkio-weight-device')],
    BlkioDeviceReadBps: [...p.get<ThrottleDevice[]>('device-read-bps')],
    BlkioDeviceWriteBps: [...p.get<ThrottleDevice[]>('device-write-bps')],
    BlkioDeviceReadIOps: [...p.get<ThrottleDevice[]>('device-read-iops')],
    BlkioDeviceWriteIOps: [...p.get<ThrottleDevice[]>('device-write-iops')],
    CpuPeriod: p.number('cpu-period'),
    CpuQuota: p.number('cpu-quota'),
    CpuRealtimePeriod: p.number('cpu-rt-period'),
    CpuRealtimeRuntime: p.number('cpu-rt-runtime'),
    CpusetCpus: p.string('cpuset-cpus'),
    CpusetMems: p.string('cpuset-mems'),
    Devices: devices,
    DeviceCgroupRules: orNull(p.list('device-cgroup-rule')),
    DeviceRequests: orNull(deviceRequests),
    // KernelMemory is dropped by the API client for API >= 1.42.
    MemoryReservation: p.number('memory-reservation'),
    MemorySwap: p.get<number>('memory-swap') ?? 0,
    MemorySwappiness: swappiness,
    OomKillDisable: p.bool('oom-kill-disable'),
    PidsLimit: p.number('pids-limit'),
    Ulimits: ulimits,
    CpuCount: p.number('cpu-count'),
    CpuPercent: p.number('cpu-percent'),
    IOMaximumIOps: p.number('io-maxiops'),
    IOMaximumBandwidth: p.number('io-maxbandwidth'),
    ...(mounts.length > 0 ? { Mounts: mounts } : {}),
    MaskedPaths: system.maskedPaths,
    ReadonlyPaths: system.readonlyPaths,
    ...(p.changed('init') ? { Init: p.bool('init') } : {}),
  };

  const request: CreateRequestBody = {
    Hostname: p.string('hostname'),
    Domainname: p.string('domainname'),
    User: p.string('user'),
    AttachStdin: attachStdin,
    AttachStdout: attachStdout,
    AttachStderr: attachStderr,
    ...(Object.keys(exposed).length > 0 ? { ExposedPorts: sorted(exposed) } : {}),
    Tty: p.bool('tty'),
    OpenStdin: p.bool('interactive'),
    StdinOnce: false,
    Env: orNull(envVars),
    Cmd: cmdArgs.length > 0 ? cmdArgs : null,
    ...(healthcheck ? { Healthcheck: healthcheck } : {}),
    Image: image,
    Volumes: sorted(volumes),
    WorkingDir: p.string('workdir'),
    Entrypoint: entrypoint,
    OnBuild: null,
    Labels: sorted(kvStringsToMap(labels)),
    ...(p.string('stop-signal') !== '' ? { StopSignal: p.string('stop-signal') } : {}),
    ...(p.changed('stop-timeout') ? { StopTimeout: p.number('stop-timeout') } : {}),
    HostConfig: hostConfig,
    NetworkingConfig: { EndpointsConfig: {} },
  };

  if (p.bool('rm') && !(restartPolicy.Name === 'no' || restartPolicy.Name === '')) {
    throw new InvalidParameter('conflicting options: cannot specify both --restart and --rm');
  }
  if (request.OpenStdin && request.AttachStdin) request.StdinOnce = true;
  request.NetworkingConfig = { EndpointsConfig: endpointsConfig(p) };

  return { request, attachList, isRun };
}

// runContainer's and createContainer's part: errors here are printed plain (exit status 1).
function finishCreate(
  p: ParsedFlags,
  ctx: CliContext,
  { request, attachList, isRun }: ReturnType<typeof buildCreate>,
): CreateOptions {
  const env = ctx.env ?? process.env;
  const hostConfig = request.HostConfig;
  // ---- runContainer (run only) ----
  const detach = isRun && p.bool('detach');
  if (detach) {
    if (attachList.length !== 0) {
      throw new InvalidParameter('conflicting options: cannot specify both --attach and --detach');
    }
    request.AttachStdin = request.AttachStdout = request.AttachStderr = false;
    request.StdinOnce = false;
  }

  // ---- createContainer ----
  if (p.bool('use-api-socket')) {
    const host = ctx.daemonHost ?? '';
    if (!host.startsWith('unix://')) {
      throw new InvalidParameter(
        `flag --use-api-socket can only be used with unix sockets: docker endpoint ${host} incompatible`,
      );
    }
    const mount: MountSpec = {
      Type: 'bind',
      Source: host.slice('unix://'.length),
      Target: '/var/run/docker.sock',
      BindOptions: {},
    };
    hostConfig.Mounts = [...(hostConfig.Mounts ?? []), mount];
    // Go's field order puts Mounts before MaskedPaths; re-insert those after it.
    for (const k of ['MaskedPaths', 'ReadonlyPaths', 'Init'] as const) {
      if (Object.hasOwn(hostConfig, k)) {
        const v = hostConfig[k];
        delete hostConfig[k];
        (hostConfig as Record<string, unknown>)[k] = v;
      }
    }
  }
  const platformFlag = p.changed('platform')
    ? p.string('platform')
    : (env.DOCKER_DEFAULT_PLATFORM ?? p.string('platform'));
  const platform = platformFlag !== '' ? normalizePlatform(platformFlag) : undefined;
  const warnings: string[] = [];
  for (const dns of hostConfig.Dns ?? []) {
    const ip = parseIP(dns);
    if (ip && isLoopback(ip)) {
      warnings.push(`Localhost DNS (${ipString(ip)}) may fail in containers.`);
      break;
    }
  }

  const streams: string[] = [];
  if (request.AttachStdin) streams.push('stdin');
  if (request.AttachStdout) streams.push('stdout');
  if (request.AttachStderr) streams.push('stderr');
  return {
    ...(p.string('name') !== '' ? { name: p.string('name') } : {}),
    ...(platform ? { platform } : {}),
    pull: p.string('pull'),
    quiet: p.bool('quiet'),
    request,
    detach,
    interactive: p.bool('interactive'),
    tty: p.bool('tty'),
    rm: p.bool('rm'),
    sigProxy: isRun && p.bool('sig-proxy'),
    detachKeys: isRun && p.string('detach-keys') !== '' ? p.string('detach-keys') : (ctx.configDetachKeys ?? ''),
    attach: streams,
    ...(p.string('cidfile') !== '' ? { cidfile: p.string('cidfile') } : {}),
    useApiSocket: p.bool('use-api-socket'),
    warnings,
  };
}

// The CLI's health-check assembly: --no-healthcheck → Test ["NONE"]; any --health-* → a HealthConfig (durations ns).
function healthConfig(p: ParsedFlags) {
  const cmd = p.string('health-cmd');
  const interval = p.number('health-interval');
  const timeout = p.number('health-timeout');
  const startPeriod = p.number('health-start-period');
  const startInterval = p.number('health-start-interval');
  const retries = p.number('health-retries');
  const have =
    cmd !== '' || interval !== 0 || timeout !== 0 || startPeriod !== 0 || retries !== 0 || startInterval !== 0;
  if (p.bool('no-healthcheck')) {
    if (have) throw new InvalidParameter('--no-healthcheck conflicts with --health-* options');
    return { Test: ['NONE'] };
  }
  if (!have) return undefined;
  if (interval < 0) throw new InvalidParameter('--health-interval cannot be negative');
  if (timeout < 0) throw new InvalidParameter('--health-timeout cannot be negative');
  if (retries < 0) throw new InvalidParameter('--health-retries cannot be negative');
  if (startPeriod < 0) throw new InvalidParameter('--health-start-period cannot be negative');
  if (startInterval < 0) throw new InvalidParameter('--health-start-interval cannot be negative');
  return {
    ...(cmd !== '' ? { Test: ['CMD-SHELL', cmd] } : {}),
    ...(interval ? { Interval: interval } : {}),
    ...(timeout ? { Timeout: timeout } : {}),
    ...(startPeriod ? { StartPeriod: startPeriod } : {}),
    ...(startInterval ? { StartInterval: startInterval } : {}),
    ...(retries ? { Retries: retries } : {}),
  };
}

export interface ExecOptions {
  container: string;
  request: ExecCreateBody;
  detach: boolean;
  interactive: boolean;
  tty: boolean;
}

/**
 * Builds what `docker exec` sends for `parsed` (flags from EXEC_FLAGS; args = CONTAINER COMMAND [ARG...]): the exec
 * create body (its Env keeps the order given; `-e KEY` is looked up in the CLI's environment).
 */
export function toExecCreateRequest(parsed: ParsedFlags, ctx: CliContext = {}): ExecOptions {
  const env = ctx.env ?? process.env;
  const lookup = lookupIn(env);
  const [container, ...cmd] = parsed.args;
  if (container === undefined || cmd.length === 0) {
    throw new InvalidParameter("'docker exec' requires at least 2 arguments");
  }
  const tty = parsed.bool('tty');
  const detach = parsed.bool('detach');
  const interactive = parsed.bool('interactive');
  const envVars = readKVStrings(
    parsed.list('env-file'),
    parsed.list('env').map((e) => validateEnv(e, lookup)),
    lookup,
    readerFor(ctx, ctx.cwd ?? process.cwd()),
  );
  const request: ExecCreateBody = {
    User: parsed.string('user'),
    Privileged: parsed.bool('privileged'),
    Tty: tty,
    ...(tty ? { ConsoleSize: ctx.consoleSize ?? [0, 0] } : {}),
    AttachStdin: !detach && interactive,
    AttachStderr: !detach,
    AttachStdout: !detach,
    Detach: detach,
    DetachKeys: parsed.string('detach-keys') || (ctx.configDetachKeys ?? ''),
    Env: orNull(envVars),
    WorkingDir: parsed.string('workdir'),
    Cmd: cmd,
  };
  return { container, request, detach, interactive, tty };
}

/** The exec start body the CLI sends after creating the exec. */
export function toExecStartRequest(exec: ExecOptions): {
  Detach: boolean;
  Tty: boolean;
  ConsoleSize?: [number, number];
} {
  return {
    Detach: exec.detach,
    Tty: exec.tty,
    ...(exec.request.ConsoleSize ? { ConsoleSize: exec.request.ConsoleSize } : {}),
  };
}

/**
 * Builds what `docker update` sends for `parsed` (flags from UPDATE_FLAGS). Error `you must provide one or more flags
 * when using this command` when none was given.
 */
export function toUpdateRequest(parsed: ParsedFlags): { containers: string[]; request: UpdateRequestBody } {
  const p = parsed;
  if (p.nFlag === 0) throw new InvalidParameter('you must provide one or more flags when using this command');
  const restart =
    p.string('restart') !== '' ? parseRestartPolicy(p.string('restart')) : { Name: '', MaximumRetryCount: 0 };
  const kernelMemory = p.number('kernel-memory');
  const request: UpdateRequestBody = {
    CpuShares: p.number('cpu-shares'),
    Memory: p.number('memory'),
    NanoCpus: p.get<number>('cpus') ?? 0,
    CgroupParent: '',
    BlkioWeight: p.number('blkio-weight'),
    BlkioWeightDevice: null,
    BlkioDeviceReadBps: null,
    BlkioDeviceWriteBps: null,
    BlkioDeviceReadIOps: null,
    BlkioDeviceWriteIOps: null,
    CpuPeriod: p.number('cpu-period'),
    CpuQuota: p.number('cpu-quota'),
    CpuRealtimePeriod: p.number('cpu-rt-period'),
    CpuRealtimeRuntime: p.number('cpu-rt-runtime'),
    CpusetCpus: p.string('cpuset-cpus'),
    CpusetMems: p.string('cpuset-mems'),
    Devices: null,
    DeviceCgroupRules: null,
    DeviceRequests: null,
    ...(kernelMemory ? { KernelMemory: kernelMemory } : {}),
    MemoryReservation: p.number('memory-reservation'),
    MemorySwap: p.get<number>('memory-swap') ?? 0,
    MemorySwappiness: null,
    OomKillDisable: null,
    PidsLimit: p.number('pids-limit') !== 0 ? p.number('pids-limit') : null,
    Ulimits: null,
    CpuCount: 0,
    CpuPercent: 0,
    IOMaximumIOps: 0,
    IOMaximumBandwidth: 0,
    RestartPolicy: restart,
  };
  return { containers: [...p.args], request };
}
