// Inspect and list: the container record seen through Docker's API shapes (ContainerInspect, ContainerSummary).
import type {
  ContainerInspect,
  ContainerState,
  ContainerSummary,
  EndpointSettings,
  NetworkSettings,
} from '../../api/index.js';
import type { ContainerDeps } from './deps.js';
import { emptyEndpoint, parseNetworkMode } from './network-config.js';
import { containerFiles } from './files.js';
import type { ContainerRecord } from './model.js';

export function stateView(rec: ContainerRecord): ContainerState {
  const s = rec.state;
  const out: ContainerState = {
    Status: s.status,
    Running: s.status === 'running' || s.status === 'paused',
    Paused: s.status === 'paused',
    Restarting: s.status === 'restarting',
    OOMKilled: s.oomKilled,
    Dead: s.status === 'dead',
    Pid: s.pid,
    ExitCode: s.exitCode,
    Error: s.error,
    StartedAt: s.startedAt,
    FinishedAt: s.finishedAt,
  };
  if (s.health) out.Health = s.health;
  return out;
}

/** The networks a container is attached to (a record from before networks were kept: the default bridge's). */
export function networksOf(rec: ContainerRecord): Record<string, EndpointSettings> {
  if (rec.networks) return rec.networks;
  const mode = rec.hostConfig.NetworkMode || 'default';
  if (mode.startsWith('container:')) return {};
  return { [mode === 'default' ? 'bridge' : mode]: emptyEndpoint('', null) };
}

/** NetworkSettings as Docker shows it: the top-level address fields are the default bridge's endpoint's. */
function networkSettings(rec: ContainerRecord, sandboxKey: string): NetworkSettings {
  const networks = networksOf(rec);
  const bridge = networks.bridge;
  const running = rec.state.status === 'running' || rec.state.status === 'paused';
  return {
    Bridge: '',
    SandboxID: running ? rec.id : '',
    SandboxKey: sandboxKey,
    Ports: running ? (rec.ports ?? {}) : {},
    HairpinMode: false,
    LinkLocalIPv6Address: '',
    LinkLocalIPv6PrefixLen: 0,
    SecondaryIPAddresses: null,
    SecondaryIPv6Addresses: null,
    EndpointID: bridge?.EndpointID ?? '',
    Gateway: bridge?.Gateway ?? '',
    GlobalIPv6Address: bridge?.GlobalIPv6Address ?? '',
    GlobalIPv6PrefixLen: bridge?.GlobalIPv6PrefixLen ?? 0,
    IPAddress: bridge?.IPAddress ?? '',
    IPPrefixLen: bridge?.IPPrefixLen ?? 0,
    IPv6Gateway: bridge?.IPv6Gateway ?? '',
    MacAddress: bridge?.MacAddress ?? '',
    Networks: networks,
  };
}

export function inspectView(deps: ContainerDeps, rec: ContainerRecord, execIds: string[]): ContainerInspect {
  const files = containerFiles(deps.store.dir(rec.id));
  const running = rec.state.status === 'running' || rec.state.status === 'paused';
  // A bridge network's namespace is pinned under the exec root; `none` gets the one the runtime makes with the
  // container, reachable through its init while that runs (`nsenter --net=<SandboxKey>` works either way).
  const mode = parseNetworkMode(rec.hostConfig.NetworkMode).kind;
  const sandboxKey = !running
    ? ''
    : mode === 'bridge'
      ? deps.sandboxes.netnsPath(rec.id)
      : mode === 'none' && rec.state.pid > 0
        ? `/proc/${rec.state.pid}/ns/net`
        : '';
  const rw = deps.layers.listRW().find((l) => l.containerId === rec.id);
  return {
    Id: rec.id,
    Created: rec.created,
    Path: rec.path,
    Args: rec.args,
    State: stateView(rec),
    Image: rec.image,
    ResolvConfPath: files.resolvConfPath,
    HostnamePath: files.hostnamePath,
    HostsPath: files.hostsPath,
    LogPath: `${deps.store.dir(rec.id)}/${rec.id}-json.log`,
    Name: `/${rec.name}`,
    RestartCount: rec.restartCount,
    Driver: rec.driver,
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: execIds.length > 0 ? execIds : null,
    HostConfig: hostConfigView(rec),
    GraphDriver: { Name: rec.driver, Data: rw ? { MountId: rw.mountId } : null },
    Mounts: rec.mounts,
    Config: { ...rec.config, Hostname: rec.config.Hostname || rec.id.slice(0, 12) },
    NetworkSettings: networkSettings(rec, sandboxKey),
  };
}

/** HostConfig as Docker echoes it: what was asked for, with the defaults it fills in. */
function hostConfigView(rec: ContainerRecord): ContainerInspect['HostConfig'] {
  const hc = rec.hostConfig;
  return {
    ...hc,
    Binds: hc.Binds ?? null,
    LogConfig: { Type: hc.LogConfig?.Type || 'json-file', Config: hc.LogConfig?.Config ?? {} },
    NetworkMode: hc.NetworkMode || 'bridge',
    RestartPolicy: {
      Name: hc.RestartPolicy?.Name || 'no',
      MaximumRetryCount: hc.RestartPolicy?.MaximumRetryCount ?? 0,
    },
    AutoRemove: hc.AutoRemove ?? false,
    CapAdd: hc.CapAdd ?? null,
    CapDrop: hc.CapDrop ?? null,
    Privileged: hc.Privileged ?? false,
    ReadonlyRootfs: hc.ReadonlyRootfs ?? false,
    ShmSize: hc.ShmSize || 67108864,
    Memory: hc.Memory ?? 0,
    MemorySwap: hc.MemorySwap ?? 0,
    MemoryReservation: hc.MemoryReservation ?? 0,
    NanoCpus: hc.NanoCpus ?? 0,
    CpuShares: hc.CpuShares ?? 0,
    CpuPeriod: hc.CpuPeriod ?? 0,
    CpuQuota: hc.CpuQuota ?? 0,
    CpusetCpus: hc.CpusetCpus ?? '',
    CpusetMems: hc.CpusetMems ?? '',
    PidsLimit: hc.PidsLimit ?? null,
    OomKillDisable: hc.OomKillDisable ?? null,
    Init: hc.Init ?? null,
    Ulimits: hc.Ulimits ?? null,
    Tmpfs: hc.Tmpfs ?? undefined,
  };
}

/** Docker's "Up 5 minutes" / "Exited (0) 2 seconds ago" / "Created". */
export function statusText(rec: ContainerRecord, now = Date.now()): string {
  const s = rec.state;
  switch (s.status) {
    case 'created':
      return 'Created';
    case 'running':
    case 'paused': {
      const up = `Up ${humanDuration(now - Date.parse(s.startedAt))}`;
      const health = s.health && s.health.Status !== 'none' ? ` (${healthWord(s.health.Status)})` : '';
      return s.status === 'paused' ? `${up} (Paused)` : `${up}${health}`;
    }
    case 'restarting':
      return `Restarting (${s.exitCode}) ${humanDuration(now - Date.parse(s.finishedAt))} ago`;
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
    default:
      if (s.finishedAt.startsWith('0001')) return 'Created';
      return `Exited (${s.exitCode}) ${humanDuration(now - Date.parse(s.finishedAt))} ago`;
  }
}

const healthWord = (s: string) => (s === 'starting' ? 'health: starting' : s);

/** go-units HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(minutes / 60);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(ms / 3_600_000 / 24 / 365)} years`; // from whole hours, not the rounded ones
}

export function summaryView(rec: ContainerRecord): ContainerSummary {
  return {
    Id: rec.id,
    Names: [`/${rec.name}`],
    Image: rec.imageRef,
    ImageID: rec.image,
    // As moby's view: an argument holding a space is shown in single quotes.
    Command: [rec.path, ...rec.args.map((a) => (a.includes(' ') ? `'${a}'` : a))].join(' '),
    Created: Math.floor(Date.parse(rec.created) / 1000),
    Ports: portsList(rec),
    Labels: rec.config.Labels ?? {},
    State: rec.state.status,
    Status: statusText(rec),
    HostConfig: { NetworkMode: rec.hostConfig.NetworkMode || 'bridge' },
    NetworkSettings: { Networks: networksOf(rec) },
    Mounts: rec.mounts,
  };
}

/** The list's Ports: each host binding of a running container, and its exposed ports not published. */
function portsList(rec: ContainerRecord): ContainerSummary['Ports'] {
  if (rec.state.status !== 'running' && rec.state.status !== 'paused') return [];
  const out: ContainerSummary['Ports'] = [];
  for (const [key, bindings] of Object.entries(rec.ports ?? {})) {
    const [port = '0', type = 'tcp'] = key.split('/');
    if (!bindings?.length) out.push({ PrivatePort: Number(port), Type: type });
    for (const b of bindings ?? []) {
      out.push({ IP: b.HostIp ?? '', PrivatePort: Number(port), PublicPort: Number(b.HostPort), Type: type });
    }
  }
  return out;
}
