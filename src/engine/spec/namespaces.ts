// A container's ipc, pid, uts and cgroup namespace modes (--ipc, --pid, --uts, --cgroupns), checked at create and
// resolved at start into the spec's namespaces, as moby's daemon does (adaptContainerSettings, getIpcContainer).
import type { ContainerConfig, HostConfig } from '../../api/index.js';
import { Conflict, InvalidParameter } from '../../errdefs/index.js';
import type { NamespaceType } from '../../runtime/spec.js';

export type IpcMode =
  | { kind: 'private' }
  | { kind: 'shareable' }
  | { kind: 'host' }
  | { kind: 'none' }
  | { kind: 'container'; ref: string };
export type PidMode = { kind: 'private' } | { kind: 'host' } | { kind: 'container'; ref: string };

/** Docker 20.10's default-ipc-mode. */
export const DEFAULT_IPC_MODE = 'private';

const containerRef = (mode: string): string | undefined =>
  mode.startsWith('container:') && mode.length > 'container:'.length ? mode.slice('container:'.length) : undefined;

/** HostConfig.IpcMode; '' is the daemon's default (filled in at create). */
export function parseIpcMode(mode: string | undefined): IpcMode {
  const m = mode || DEFAULT_IPC_MODE;
  if (m === 'private' || m === 'shareable' || m === 'host' || m === 'none') return { kind: m };
  const ref = containerRef(m);
  if (ref !== undefined) return { kind: 'container', ref };
  throw new InvalidParameter(`Invalid IPC mode: ${m}`);
}

/** HostConfig.PidMode ('' is private). dockerd 20.10 takes any other word for private; berth refuses it. */
export function parsePidMode(mode: string | undefined): PidMode {
  const m = mode ?? '';
  if (m === '' || m === 'private') return { kind: 'private' };
  if (m === 'host') return { kind: 'host' };
  const ref = containerRef(m);
  if (ref !== undefined) return { kind: 'container', ref };
  throw new InvalidParameter(`invalid PID mode: ${m}`);
}

/** HostConfig.UTSMode: '' (private) or host. */
export function utsIsHost(mode: string | undefined): boolean {
  const m = mode ?? '';
  if (m === 'host') return true;
  if (m === '' || m === 'private') return false;
  throw new InvalidParameter(`invalid UTS mode: ${m}`);
}

/** HostConfig.CgroupnsMode: private or host ('' is the daemon's default, filled in at create). */
export function cgroupnsIsPrivate(mode: string | undefined, cgroupVersion: 1 | 2): boolean {
  const m = mode || defaultCgroupnsMode(cgroupVersion);
  if (m === 'private') return true;
  if (m === 'host') return false;
  throw new InvalidParameter(`invalid cgroup namespace mode: ${m}`);
}

/** dockerd's default: host on cgroup v1, private on v2. */
export const defaultCgroupnsMode = (cgroupVersion: 1 | 2): 'host' | 'private' =>
  cgroupVersion === 2 ? 'private' : 'host';

/** What a container being created may name in `container:<ref>` (NotFound when none). */
export type ContainerLookup = (ref: string) => { id: string } | undefined;

/**
 * The create-time part (moby's adaptContainerSettings and verifyPlatformContainerSettings): the modes parsed, the
 * daemon's defaults written into the HostConfig (inspect shows them), the containers named by `container:` found,
 * and a hostname refused with --uts=host.
 */
export function checkNamespaceModes(
  config: Pick<ContainerConfig, 'Hostname'>,
  hc: HostConfig,
  cgroupVersion: 1 | 2,
  lookup: ContainerLookup,
): void {
  hc.IpcMode = hc.IpcMode || DEFAULT_IPC_MODE;
  hc.CgroupnsMode = hc.CgroupnsMode || defaultCgroupnsMode(cgroupVersion);
  const ipc = parseIpcMode(hc.IpcMode);
  const pid = parsePidMode(hc.PidMode);
  cgroupnsIsPrivate(hc.CgroupnsMode, cgroupVersion);
  if (utsIsHost(hc.UTSMode) && config.Hostname) {
    throw new InvalidParameter('conflicting options: hostname and the UTS mode');
  }
  for (const mode of [ipc, pid]) {
    // A 400 as dockerd's (a 404 would have the CLI pull the image instead).
    if (mode.kind === 'container' && !lookup(mode.ref)) throw new InvalidParameter(`No such container: ${mode.ref}`);
  }
}

/** A container another one names in `--ipc container:` or `--pid container:`, as start sees it. */
export interface NamespaceDonor {
  id: string;
  /** Running (or paused) and not restarting. */
  running: boolean;
  pid: number;
  /** Its /dev/shm on the host, when it has one others may share (IpcMode shareable, host, or joined to such). */
  shmPath?: string;
}

/** The namespaces a container joins and the /dev/shm it mounts, resolved at start. */
export interface NamespaceJoins {
  ipc?: string;
  pid?: string;
  /** /dev/shm: 'own' (a private tmpfs), 'none' (no mount), or a host directory to bind (host's, shared, a donor's). */
  shm: 'own' | 'none' | { path: string };
}

/**
 * moby's getIpcContainer/getPidContainer: the donor must run, and for IPC must have a shareable /dev/shm. `ownShm`
 * is the host-side /dev/shm a shareable container gets (mounted by the caller).
 */
export function resolveNamespaceJoins(
  hc: HostConfig,
  donor: (ref: string) => NamespaceDonor,
  ownShm: string | undefined,
): NamespaceJoins {
  const joins: NamespaceJoins = { shm: 'own' };
  const ipc = parseIpcMode(hc.IpcMode);
  if (ipc.kind === 'none') joins.shm = 'none';
  else if (ipc.kind === 'host') joins.shm = { path: '/dev/shm' };
  else if (ipc.kind === 'shareable' && ownShm) joins.shm = { path: ownShm };
  else if (ipc.kind === 'container') {
    const found = donor(ipc.ref);
    const what = `can't join IPC of container ${found.id}`; // dockerd names the full id
    const d = running(found, what);
    if (!d.shmPath) {
      throw new Conflict(`${what}: non-shareable IPC (hint: use IpcMode:shareable for the donor container)`);
    }
    joins.ipc = `/proc/${d.pid}/ns/ipc`;
    joins.shm = { path: d.shmPath };
  }
  const pid = parsePidMode(hc.PidMode);
  if (pid.kind === 'container') joins.pid = `/proc/${running(donor(pid.ref)).pid}/ns/pid`;
  return joins;
}

function running(d: NamespaceDonor, what?: string): NamespaceDonor {
  if (d.running) return d;
  const msg = `container ${d.id} is not running`;
  throw new Conflict(what ? `${what}: ${msg}` : msg);
}

/**
 * The spec's namespaces: mount always; pid, ipc, uts new unless host (or joined by path); the network as decided by
 * the sandbox; cgroup when private (unshared by the runtime after the cgroup placement).
 */
export function specNamespaces(
  hc: HostConfig,
  network: 'new' | 'host' | { path: string },
  cgroupVersion: 1 | 2,
  joins: Pick<NamespaceJoins, 'ipc' | 'pid'> = {},
): { type: NamespaceType; path?: string }[] {
  const out: { type: NamespaceType; path?: string }[] = [];
  const pid = parsePidMode(hc.PidMode);
  if (pid.kind === 'container') out.push({ type: 'pid', path: need(joins.pid, 'pid') });
  else if (pid.kind === 'private') out.push({ type: 'pid' });
  const ipc = parseIpcMode(hc.IpcMode);
  if (ipc.kind === 'container') out.push({ type: 'ipc', path: need(joins.ipc, 'ipc') });
  else if (ipc.kind !== 'host') out.push({ type: 'ipc' });
  if (!utsIsHost(hc.UTSMode)) out.push({ type: 'uts' });
  out.push({ type: 'mount' });
  if (network === 'new') out.push({ type: 'network' });
  else if (network !== 'host') out.push({ type: 'network', path: network.path });
  if (cgroupnsIsPrivate(hc.CgroupnsMode, cgroupVersion)) out.push({ type: 'cgroup' });
  return out;
}

function need(path: string | undefined, type: string): string {
  if (!path) throw new InvalidParameter(`the ${type} namespace to join was not resolved`);
  return path;
}
