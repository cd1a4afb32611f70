// A container's device nodes and device cgroup rules from HostConfig.Devices, DeviceCgroupRules and Privileged, as
// moby's WithDevices does (oci.DevicesFromPath for --device, containerd's HostDevices for --privileged).
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostConfig } from '../../api/index.js';
import { errnoCode, InvalidParameter, System } from '../../errdefs/index.js';
import type { LinuxDevice, LinuxDeviceCgroup } from '../../runtime/spec.js';
import { devMajor, devMinor } from '../../sys/ffi-libc.js';

export interface ContainerDevices {
  /** Nodes to create in the container's /dev (spec linux.devices). */
  devices: LinuxDevice[];
  /** Rules appended after the default deny-all (spec linux.resources.devices); [] when privileged (allow-all). */
  rules: LinuxDeviceCgroup[];
}

const S_IFMT = 0o170000;
const TYPES = new Map<number, LinuxDevice['type']>([
  [0o060000, 'b'],
  [0o020000, 'c'],
  [0o010000, 'p'],
]);

/** Not a device node (moby's devices.ErrNotADevice). */
class NotADevice extends Error {}

/** runc's DeviceFromPath: lstat, so a symlink is not a device. */
async function deviceFromPath(path: string): Promise<LinuxDevice> {
  const st = await lstat(path, { bigint: true });
  const type = TYPES.get(Number(st.mode) & S_IFMT);
  if (type === undefined) throw new NotADevice(path);
  return {
    path,
    type,
    major: devMajor(st.rdev),
    minor: devMinor(st.rdev),
    fileMode: Number(st.mode) & 0o7777,
    uid: Number(st.uid),
    gid: Number(st.gid),
  };
}

function allowRule(d: LinuxDevice, access: string): LinuxDeviceCgroup[] {
  // The device cgroup knows only block and char devices: a fifo needs no rule.
  if (d.type !== 'b' && d.type !== 'c') return [];
  return [{ allow: true, type: d.type, major: d.major ?? null, minor: d.minor ?? null, access }];
}

/** moby's isValidDeviceMode: a non-empty combination of r, w and m, each at most once. */
export function validDeviceMode(mode: string): boolean {
  return mode !== '' && /^[rwm]+$/.test(mode) && new Set(mode).size === mode.length;
}

/** Every file below `dir` (depth first, as filepath.Walk, in name order); unreadable directories are skipped. */
async function walk(dir: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = (await readdir(dir)).sort();
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const name of entries) {
    const path = join(dir, name);
    out.push(path);
    const st = await lstat(path).catch(() => undefined);
    if (st?.isDirectory()) out.push(...(await walk(path)));
  }
  return out;
}

/**
 * moby's oci.DevicesFromPath: a device node (a symlink resolved first), or a directory of them mapped recursively
 * below `pathInContainer`; anything else is Docker's "error gathering device information" error.
 */
export async function devicesFromPath(
  pathOnHost: string,
  pathInContainer: string,
  permissions: string,
): Promise<ContainerDevices> {
  let resolved = pathOnHost;
  if ((await lstat(pathOnHost).catch(() => undefined))?.isSymbolicLink()) {
    resolved = await realpath(pathOnHost).catch(() => pathOnHost);
  }
  let cause: unknown;
  try {
    const d = { ...(await deviceFromPath(resolved)), path: pathInContainer };
    return { devices: [d], rules: allowRule(d, permissions) };
  } catch (e) {
    cause = e;
  }
  const out: ContainerDevices = { devices: [], rules: [] };
  if (cause instanceof NotADevice && (await stat(resolved).catch(() => undefined))?.isDirectory()) {
    for (const path of await walk(resolved)) {
      const d = await deviceFromPath(path).catch(() => undefined);
      if (!d) continue;
      d.path = path.replace(resolved, pathInContainer);
      out.devices.push(d);
      out.rules.push(...allowRule(d, permissions));
    }
  }
  if (out.devices.length > 0) return out;
  const reason = cause instanceof NotADevice ? 'not a device node' : describe(cause);
  throw new InvalidParameter(
    `error gathering device information while adding custom device ${JSON.stringify(pathOnHost)}: ${reason}`,
    { cause },
  );
}

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  ENOTDIR: 'not a directory',
  ELOOP: 'too many levels of symbolic links',
};

/** Go's syscall.Errno text, as Docker's message shows it. */
function describe(e: unknown): string {
  const code = errnoCode(e);
  return (code && ERRNO_TEXT[code]) ?? (e instanceof Error ? e.message : String(e));
}

// containerd's HostDevices skips these directories of /dev, its console and every fifo.
const SKIPPED_DIRS = new Set(['pts', 'shm', 'fd', 'mqueue', '.lxc', '.lxd-mounts', '.udev']);

/** containerd's HostDevices: every char and block device node under `dir` (/dev), symlinks not followed. */
export async function hostDevices(dir = '/dev'): Promise<LinuxDevice[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    throw new System(`reading ${dir}: ${errnoCode(e) ?? String(e)}`, { cause: e });
  }
  const found = await Promise.all(
    entries.map(async (entry): Promise<LinuxDevice[]> => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : hostDevices(path);
      if (entry.name === 'console' || (!entry.isCharacterDevice() && !entry.isBlockDevice())) return [];
      // Gone between readdir and lstat: skip it, as containerd does.
      const d = await deviceFromPath(path).catch(() => undefined);
      return d ? [d] : [];
    }),
  );
  return found.flat();
}

const DEVICE_CGROUP_RULE = /^([acb]) ([0-9]+|\*):([0-9]+|\*) ([rwm]{1,3})$/;

/** moby's AppendDevicePermissionsFromCgroupRules: "c 1:3 rwm", "a *:* rwm", "b 8:* r" → allow rules. */
export function parseDeviceCgroupRule(rule: string): LinuxDeviceCgroup {
  const m = DEVICE_CGROUP_RULE.exec(rule);
  if (!m) throw new InvalidParameter(`invalid device cgroup rule format: '${rule}'`);
  const [, type, major, minor, access] = m as unknown as [string, string, string, string, string];
  const num = (s: string, what: string) => {
    if (s === '*') return -1;
    const n = Number(s);
    if (!Number.isSafeInteger(n)) {
      throw new InvalidParameter(`invalid ${what} value in device cgroup rule format: '${rule}'`);
    }
    return n;
  };
  return { allow: true, type, major: num(major, 'major'), minor: num(minor, 'minor'), access };
}

/**
 * The devices and rules for a container. Privileged: every host device, the --device mappings at their own paths
 * with rwm (a mapping onto the same path is already there), and no extra rule (the cgroup allows all); else each
 * --device with its permissions, then each --device-cgroup-rule.
 */
export async function containerDevices(hc: HostConfig): Promise<ContainerDevices> {
  const mappings = hc.Devices ?? [];
  if (hc.Privileged) {
    const extra = await Promise.all(
      mappings
        .filter((m) => m.PathOnHost !== m.PathInContainer)
        .map((m) => devicesFromPath(m.PathOnHost, m.PathInContainer || m.PathOnHost, 'rwm')),
    );
    // /dev/ptmx stays the runtime's link to the container's own pts/ptmx, as runc makes it.
    const host = (await hostDevices()).filter((d) => d.path !== '/dev/ptmx');
    return { devices: [...host, ...extra.flatMap((x) => x.devices)], rules: [] };
  }
  for (const m of mappings) {
    const mode = m.CgroupPermissions || 'rwm';
    if (!validDeviceMode(mode)) throw new InvalidParameter(`invalid device mode: ${mode}`);
  }
  const rules = (hc.DeviceCgroupRules ?? []).map(parseDeviceCgroupRule);
  const mapped = await Promise.all(
    mappings.map((m) => devicesFromPath(m.PathOnHost, m.PathInContainer || m.PathOnHost, m.CgroupPermissions || 'rwm')),
  );
  return {
    devices: mapped.flatMap((x) => x.devices),
    rules: [...mapped.flatMap((x) => x.rules), ...rules],
  };
}
