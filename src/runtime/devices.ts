// The device nodes and /dev links every container gets (runc's default set), whatever the spec lists.
import type { LinuxDevice, LinuxDeviceCgroup } from './spec.js';

export const DEFAULT_DEVICES: readonly LinuxDevice[] = [
  { path: '/dev/null', type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/zero', type: 'c', major: 1, minor: 5, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/full', type: 'c', major: 1, minor: 7, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/random', type: 'c', major: 1, minor: 8, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/urandom', type: 'c', major: 1, minor: 9, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/tty', type: 'c', major: 5, minor: 0, fileMode: 0o666, uid: 0, gid: 0 },
];

/** [target, link path] */
export const DEFAULT_DEV_LINKS: readonly [string, string][] = [
  ['/proc/self/fd', '/dev/fd'],
  ['/proc/self/fd/0', '/dev/stdin'],
  ['/proc/self/fd/1', '/dev/stdout'],
  ['/proc/self/fd/2', '/dev/stderr'],
  ['pts/ptmx', '/dev/ptmx'],
];

const S_IFIFO = 0o010000;
const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;

/** st_mode for mknod(2): file type bits | permission bits. */
export function deviceMode(d: LinuxDevice): number {
  const type = d.type === 'b' ? S_IFBLK : d.type === 'p' ? S_IFIFO : S_IFCHR;
  return type | ((d.fileMode ?? 0o666) & 0o7777);
}

/** Device cgroup rules every container gets after the spec's own (runc's AllowedDevices). */
export const DEFAULT_DEVICE_RULES: readonly LinuxDeviceCgroup[] = [
  { allow: true, type: 'c', major: null, minor: null, access: 'm' },
  { allow: true, type: 'b', major: null, minor: null, access: 'm' },
  ...DEFAULT_DEVICES.map((d) => ({ allow: true, type: 'c', major: d.major, minor: d.minor, access: 'rwm' })),
  { allow: true, type: 'c', major: 5, minor: 2, access: 'rwm' }, // /dev/ptmx
  { allow: true, type: 'c', major: 136, minor: null, access: 'rwm' }, // /dev/pts/*
  { allow: true, type: 'c', major: 5, minor: 1, access: 'rwm' }, // /dev/console
];

const wild = (n: number | null | undefined) => n === undefined || n === null || n < 0;

/** Whether `rule` names device `d` (its type and numbers, wildcards included), whatever it allows. */
function names(rule: LinuxDeviceCgroup, d: LinuxDevice): boolean {
  const type = d.type === 'u' ? 'c' : d.type;
  return (
    (rule.type === undefined || rule.type === 'a' || rule.type === type) &&
    (wild(rule.major) || rule.major === d.major) &&
    (wild(rule.minor) || rule.minor === d.minor)
  );
}

/**
 * The spec's device rules, an allow rule for each created char/block device no spec rule names (so `--device
 * x:y:r` keeps its "r" and a privileged allow-all needs no per-device rule), then the defaults.
 */
export function deviceRules(spec: {
  resources?: { devices?: LinuxDeviceCgroup[] };
  devices?: LinuxDevice[];
}): LinuxDeviceCgroup[] {
  const own = spec.resources?.devices ?? [];
  const named = own.filter((r) => r.allow);
  const created = (spec.devices ?? [])
    .filter((d) => d.type !== 'p' && !named.some((r) => names(r, d)))
    .map((d) => ({
      allow: true,
      type: d.type === 'u' ? 'c' : d.type,
      major: d.major ?? null,
      minor: d.minor ?? null,
      access: 'rwm',
    }));
  return [...own, ...created, ...DEFAULT_DEVICE_RULES];
}
