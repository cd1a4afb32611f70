// Compiles the spec's mounts, the cgroup filesystem and /dev into MOUNT/MKNOD/SYMLINK ops (runc's mountToRootfs rules).
import { DEFAULT_DEV_LINKS, DEFAULT_DEVICES, deviceMode } from '../devices.js';
import {
  MS_BIND,
  MS_NODEV,
  MS_NOEXEC,
  MS_NOSUID,
  MS_RDONLY,
  MS_REC,
  MS_REMOUNT,
  parseMountOptions,
} from '../mount-options.js';
import type { LinuxDevice, Mount } from '../spec.js';
import type { CreateMode, PlanOp } from './ops.js';

/** A cgroup v1 hierarchy as mounted on the host. */
export interface V1Hierarchy {
  mountpoint: string;
  subsystems: string[];
}

export interface CgroupMountInfo {
  version: 1 | 2;
  hierarchies: V1Hierarchy[];
  /** The container's own cgroup directory in each hierarchy (v1) or the single v2 directory, for bind mounts. */
  ownDirs: string[];
  /** Whether the container gets its own cgroup namespace (then cgroupfs is mounted, not bound). */
  privateNamespace: boolean;
}

export interface MountContext {
  /** Host bind-mount sources by mount destination: what kind of target to create. */
  bindKinds: ReadonlyMap<string, CreateMode>;
  /** Absolute host sources by mount destination (relative sources resolved against the bundle). */
  bindSources: ReadonlyMap<string, string>;
  cgroup: CgroupMountInfo;
  /**
   * sysfs cannot be mounted: the container is in a user namespace that does not own its network namespace (joined,
   * or the host's), and sysfs needs CAP_SYS_ADMIN over the latter. /sys is bound from the host instead, as runc does.
   */
  sysfsBind?: boolean;
}

export function isBindMount(m: Mount): boolean {
  return m.type === 'bind' || (m.options ?? []).some((o) => o === 'bind' || o === 'rbind');
}

export function compileMounts(mounts: readonly Mount[], ctx: MountContext): PlanOp[] {
  const ops: PlanOp[] = [];
  for (const m of mounts) {
    if (m.type === 'cgroup') ops.push(...cgroupMountOps(m, ctx.cgroup));
    else if (isBindMount(m)) ops.push(...bindMountOps(m, ctx));
    else if (m.type === 'sysfs' && ctx.sysfsBind) ops.push(...sysfsBindOps(m));
    else ops.push(...fsMountOps(m));
  }
  return ops;
}

function fsMountOps(m: Mount): PlanOp[] {
  const { flags, propagation, data } = parseMountOptions(m.options);
  const fstype = m.type ?? '';
  const ops: PlanOp[] = [
    { op: 'mount', source: m.source ?? fstype, target: m.destination, fstype, flags, data, create: 'dir' },
  ];
  for (const p of propagation) ops.push(propagationOp(m.destination, p));
  return ops;
}

function sysfsBindOps(m: Mount): PlanOp[] {
  const { flags } = parseMountOptions(m.options);
  return bindOwnDir('/sys', m.destination, flags & ~(MS_BIND | MS_REC));
}

function bindMountOps(m: Mount, ctx: MountContext): PlanOp[] {
  const { flags, propagation } = parseMountOptions(m.options);
  const source = ctx.bindSources.get(m.destination) ?? m.source ?? '';
  const create = ctx.bindKinds.get(m.destination) ?? 'dir';
  const ops: PlanOp[] = [
    { op: 'mount', source, target: m.destination, fstype: '', flags: flags & (MS_BIND | MS_REC), data: '', create },
  ];
  // A bind mount ignores every flag but MS_BIND|MS_REC: the others take a second, remounting call.
  const extra = flags & ~(MS_BIND | MS_REC);
  if (extra !== 0) ops.push(remountOp(m.destination, extra | MS_BIND));
  for (const p of propagation) ops.push(propagationOp(m.destination, p));
  return ops;
}

function cgroupMountOps(m: Mount, cg: CgroupMountInfo): PlanOp[] {
  const { flags } = parseMountOptions(m.options);
  const dest = m.destination;
  if (cg.version === 2) {
    if (cg.privateNamespace) {
      return [{ op: 'mount', source: 'cgroup2', target: dest, fstype: 'cgroup2', flags, data: '', create: 'dir' }];
    }
    return bindOwnDir(cg.ownDirs[0] ?? '/sys/fs/cgroup', dest, flags);
  }
  // v1: a tmpfs holding one mount per hierarchy, made read-only last (runc's layout).
  const tmpfsFlags = MS_NOSUID | MS_NOEXEC | MS_NODEV;
  const ops: PlanOp[] = [
    { op: 'mount', source: 'tmpfs', target: dest, fstype: 'tmpfs', flags: tmpfsFlags, data: 'mode=755', create: 'dir' },
  ];
  cg.hierarchies.forEach((h, i) => {
    // A hybrid host's v2 hierarchy holds the container too, but runc shows only the v1 ones inside: so does berth.
    if (h.subsystems.length === 0) return;
    const target = `${dest}/${h.mountpoint.split('/').pop()}`;
    if (cg.privateNamespace) {
      ops.push({
        op: 'mount',
        source: 'cgroup',
        target,
        fstype: 'cgroup',
        flags,
        data: h.subsystems.join(','),
        create: 'dir',
      });
    } else {
      ops.push(...bindOwnDir(cg.ownDirs[i] ?? h.mountpoint, target, flags));
    }
  });
  if (flags & MS_RDONLY) ops.push(remountOp(dest, tmpfsFlags | MS_RDONLY));
  return ops;
}

function bindOwnDir(source: string, target: string, flags: number): PlanOp[] {
  return [
    { op: 'mount', source, target, fstype: '', flags: MS_BIND | MS_REC, data: '', create: 'dir' },
    remountOp(target, flags | MS_BIND),
  ];
}

function remountOp(target: string, flags: number): PlanOp {
  return { op: 'mount', source: '', target, fstype: '', flags: flags | MS_REMOUNT, data: '', create: '' };
}

function propagationOp(target: string, flags: number): PlanOp {
  return { op: 'mount', source: '', target, fstype: '', flags, data: '', create: '' };
}

/** Device nodes: mknod, or — in a user namespace, where mknod is refused — bind mounts of the host's nodes. */
export function compileDevices(specDevices: readonly LinuxDevice[], userNamespace: boolean): PlanOp[] {
  const wanted = new Map<string, LinuxDevice>();
  for (const d of [...DEFAULT_DEVICES, ...specDevices]) wanted.set(d.path, d);
  const ops: PlanOp[] = [];
  for (const d of wanted.values()) {
    if (userNamespace) {
      ops.push({ op: 'mount', source: d.path, target: d.path, fstype: '', flags: MS_BIND, data: '', create: 'file' });
      continue;
    }
    ops.push({
      op: 'mknod',
      path: d.path,
      mode: deviceMode(d),
      major: d.major ?? 0,
      minor: d.minor ?? 0,
      uid: d.uid ?? 0,
      gid: d.gid ?? 0,
    });
  }
  for (const [target, linkpath] of DEFAULT_DEV_LINKS) ops.push({ op: 'symlink', target, linkpath });
  return ops;
}
