// Builds the OCI runtime spec for a container from its record, as moby's daemon/oci_linux.go does for Docker's
// defaults: namespaces, mounts, masked/read-only paths, capabilities, resources, rlimits, user and environment.
import type { ContainerConfig, HostConfig } from '../../api/index.js';
import { InvalidParameter } from '../../errdefs/index.js';
import type { IdentityMapping } from '../../lib/idmap.js';
import { RLIMIT_NAMES } from '../../runtime/rlimits.js';
import { containerSeccomp } from '../../runtime/seccomp/index.js';
import type { LinuxResources, LinuxSeccomp, Mount, Spec } from '../../runtime/spec.js';
import { containerCapabilities } from './capabilities.js';
import type { ContainerDevices } from './devices.js';
import { type NamespaceJoins, specNamespaces } from './namespaces.js';
import { parseSecurityOpts } from './security-opts.js';
import type { ResolvedUser } from './user.js';
import { withUserNamespace } from './userns.js';

export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;

export const MASKED_PATHS = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];
export const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

export interface SpecInputs {
  id: string;
  config: ContainerConfig;
  hostConfig: HostConfig;
  /** Entrypoint + Cmd, resolved. */
  args: string[];
  rootfs: string;
  user: ResolvedUser;
  /** Mounts from binds/tmpfs and the engine's own files (hostname, hosts, resolv.conf). */
  mounts: Mount[];
  /** 'new': a private network namespace; a path: join that one; 'host': the host's. */
  network: 'new' | 'host' | { path: string };
  cgroupsPath: string;
  cgroupVersion: 1 | 2;
  /** Where the init binary is on the host, for HostConfig.Init. */
  initPath?: string;
  /** From containerDevices(): --device, --device-cgroup-rule and --privileged's host devices. */
  devices?: ContainerDevices;
  /** The ipc/pid namespaces to join and the /dev/shm to mount (--ipc, --pid); a private tmpfs when absent. */
  joins?: NamespaceJoins;
  /** The container's user-namespace mapping (--userns-remap; see userns.ts). */
  idMapping?: IdentityMapping;
}

/**
 * The container's environment as moby's CreateDaemonEnvironment: PATH, HOSTNAME, TERM for a tty, then the configured
 * variables, which replace a default in place (a bare name unsets it) or are appended.
 */
export function containerEnv(config: ContainerConfig, hostname: string): string[] {
  const out: (string | undefined)[] = [DEFAULT_PATH, `HOSTNAME=${hostname}`, ...(config.Tty ? ['TERM=xterm'] : [])];
  const defaults = new Map(out.map((e, i) => [e?.split('=', 1)[0], i]));
  for (const kv of config.Env ?? []) {
    const i = defaults.get(kv.split('=', 1)[0]);
    if (i !== undefined) out[i] = kv.includes('=') ? kv : undefined;
    else if (kv.includes('=')) out.push(kv);
  }
  return out.filter((e): e is string => e !== undefined);
}

export function resourcesOf(hc: HostConfig): LinuxResources {
  const r: LinuxResources = {};
  const memory: NonNullable<LinuxResources['memory']> = {};
  if (hc.Memory) memory.limit = hc.Memory;
  if (hc.MemoryReservation) memory.reservation = hc.MemoryReservation;
  if (hc.MemorySwap) memory.swap = hc.MemorySwap;
  else if (hc.Memory) memory.swap = hc.Memory * 2; // Docker's default: as much swap as memory
  if (hc.MemorySwappiness !== undefined && hc.MemorySwappiness !== null && hc.MemorySwappiness >= 0) {
    memory.swappiness = hc.MemorySwappiness;
  }
  if (hc.OomKillDisable) memory.disableOOMKiller = true;
  if (Object.keys(memory).length > 0) r.memory = memory;
  const cpu: NonNullable<LinuxResources['cpu']> = {};
  if (hc.CpuShares) cpu.shares = hc.CpuShares;
  if (hc.NanoCpus) {
    cpu.period = 100_000;
    cpu.quota = Math.round((hc.NanoCpus * 100_000) / 1e9);
  }
  if (hc.CpuQuota) cpu.quota = hc.CpuQuota;
  if (hc.CpuPeriod) cpu.period = hc.CpuPeriod;
  if (hc.CpusetCpus) cpu.cpus = hc.CpusetCpus;
  if (hc.CpusetMems) cpu.mems = hc.CpusetMems;
  if (Object.keys(cpu).length > 0) r.cpu = cpu;
  if (hc.PidsLimit !== undefined && hc.PidsLimit !== null && hc.PidsLimit > 0) r.pids = { limit: hc.PidsLimit };
  if (hc.BlkioWeight) r.blockIO = { weight: hc.BlkioWeight };
  r.devices = hc.Privileged ? [{ allow: true, access: 'rwm' }] : [{ allow: false, access: 'rwm' }];
  return r;
}

/** moby's order: the default deny-all (or privileged allow-all) first, then the container's own rules. */
function withDeviceRules(r: LinuxResources, d: ContainerDevices | undefined): LinuxResources {
  return d?.rules.length ? { ...r, devices: [...(r.devices ?? []), ...d.rules] } : r;
}

function rlimits(hc: HostConfig): { type: string; hard: number; soft: number }[] {
  return (hc.Ulimits ?? []).map((u) => {
    const type = `RLIMIT_${u.Name.toUpperCase()}`;
    if (!(RLIMIT_NAMES as readonly string[]).includes(type))
      throw new InvalidParameter(`invalid ulimit type: ${u.Name}`);
    return { type, hard: u.Hard, soft: u.Soft };
  });
}

function defaultMounts(hc: HostConfig, shm: NamespaceJoins['shm']): Mount[] {
  const ro = hc.Privileged ? [] : ['ro'];
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    {
      destination: '/dev',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
    },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', ...ro] },
    {
      destination: '/sys/fs/cgroup',
      type: 'cgroup',
      source: 'cgroup',
      options: ['nosuid', 'noexec', 'nodev', 'relatime', ...ro],
    },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    ...shmMount(hc, shm),
  ];
}

/** /dev/shm: a private tmpfs, none (--ipc none), or a bind of the host's, a shareable one's or a donor's (moby). */
function shmMount(hc: HostConfig, shm: NamespaceJoins['shm']): Mount[] {
  if (shm === 'none') return [];
  if (shm !== 'own')
    return [{ destination: '/dev/shm', type: 'bind', source: shm.path, options: ['rbind', 'rprivate'] }];
  const size = hc.ShmSize && hc.ShmSize > 0 ? hc.ShmSize : DEFAULT_SHM_SIZE;
  return [
    {
      destination: '/dev/shm',
      type: 'tmpfs',
      source: 'shm',
      options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${size}`],
    },
  ];
}

/** Default mounts give way to user mounts on the same destination (or below /dev/shm etc.), as in moby. */
function mergeMounts(defaults: Mount[], user: Mount[]): Mount[] {
  const userDests = new Set(user.map((m) => m.destination.replace(/\/+$/, '')));
  return [...defaults.filter((m) => !userDests.has(m.destination)), ...user];
}

/**
 * moby's WithSeccomp: no filter when privileged or with `seccomp=unconfined`; the JSON profile the CLI sent with
 * `seccomp=<file>`; else Docker's default profile (`builtin`), resolved for the container's capabilities.
 */
export function seccompOf(hc: HostConfig, caps: readonly string[]): LinuxSeccomp | undefined {
  const profile = parseSecurityOpts(hc.SecurityOpt).seccomp;
  if (profile === 'unconfined' || hc.Privileged) return undefined;
  return containerSeccomp(caps, profile === undefined || profile === 'builtin' ? undefined : profile);
}

export function buildSpec(inp: SpecInputs): Spec {
  const { config, hostConfig: hc } = inp;
  const hostname = config.Hostname || inp.id.slice(0, 12);
  const caps = containerCapabilities(hc.CapAdd ?? [], hc.CapDrop ?? [], hc.Privileged === true);
  let args = inp.args;
  const mounts = mergeMounts(defaultMounts(hc, inp.joins?.shm ?? 'own'), inp.mounts);
  if (hc.Init && inp.initPath) {
    args = ['/sbin/docker-init', '--', ...args];
    mounts.push({
      destination: '/sbin/docker-init',
      type: 'bind',
      source: inp.initPath,
      options: ['rbind', 'ro', 'rprivate'],
    });
  }
  const namespaces = specNamespaces(hc, inp.network, inp.cgroupVersion, inp.joins);
  const utsHost = !namespaces.some((n) => n.type === 'uts');
  const sysctl = { ...(hc.Sysctls ?? {}) };
  const spec: Spec = {
    ociVersion: '1.0.2-dev',
    process: {
      terminal: config.Tty === true,
      user: { uid: inp.user.uid, gid: inp.user.gid, additionalGids: inp.user.additionalGids },
      args,
      env: containerEnv(config, hostname),
      cwd: config.WorkingDir || '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      rlimits: rlimits(hc),
      noNewPrivileges: parseSecurityOpts(hc.SecurityOpt).noNewPrivileges,
      oomScoreAdj: hc.OomScoreAdj || undefined,
    },
    root: { path: inp.rootfs, readonly: hc.ReadonlyRootfs === true },
    // With --uts=host the host's names stay (the container's own is only in HOSTNAME and /etc/hostname, as Docker).
    hostname: utsHost ? undefined : hostname,
    domainname: utsHost ? undefined : config.Domainname || undefined,
    mounts,
    linux: {
      namespaces,
      cgroupsPath: inp.cgroupsPath,
      devices: inp.devices?.devices ?? [],
      resources: withDeviceRules(resourcesOf(hc), inp.devices),
      sysctl,
      maskedPaths: hc.Privileged ? [] : (hc.MaskedPaths ?? MASKED_PATHS),
      readonlyPaths: hc.Privileged ? [] : (hc.ReadonlyPaths ?? READONLY_PATHS),
      rootfsPropagation: 'rprivate',
      seccomp: seccompOf(hc, caps),
    },
  };
  if (inp.idMapping) withUserNamespace(spec, inp.idMapping);
  return spec;
}
