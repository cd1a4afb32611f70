// Parsers for /proc/self/mountinfo (which v1 hierarchies are mounted where) and /proc/self/cgroup (our own cgroups).

export interface V1Mount {
  /** major:minor of the hierarchy's superblock; bind mounts of one hierarchy share it */
  dev: string;
  /** the cgroup of the hierarchy that is mounted (not "/" for bind mounts or inside a cgroup namespace) */
  root: string;
  mountpoint: string;
  subsystems: string[];
}

const V1_SUBSYSTEMS = new Set([
  'cpuset',
  'cpu',
  'cpuacct',
  'blkio',
  'memory',
  'devices',
  'freezer',
  'net_cls',
  'perf_event',
  'net_prio',
  'hugetlb',
  'pids',
  'rdma',
  'misc',
  'debug',
]);

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
function unescapeOctal(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
}

/** The cgroup v1 mounts, one per hierarchy (first seen, preferring a mount of the hierarchy's root). */
export function parseV1Mounts(mountinfo: string): V1Mount[] {
  const byDev = new Map<string, V1Mount>();
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const pre = line.slice(0, sep).split(' ');
    const [fstype, , superOpts = ''] = line.slice(sep + 3).split(' ');
    // A hybrid host also mounts the v2 hierarchy (e.g. /sys/fs/cgroup/unified): runc places containers there too.
    if (fstype !== 'cgroup' && fstype !== 'cgroup2') continue;
    const dev = pre[2];
    const root = pre[3];
    const mountpoint = pre[4];
    if (dev === undefined || root === undefined || mountpoint === undefined) continue;
    const subsystems =
      fstype === 'cgroup2' ? [] : superOpts.split(',').filter((o) => V1_SUBSYSTEMS.has(o) || o.startsWith('name='));
    if (fstype === 'cgroup' && subsystems.length === 0) continue;
    const m = { dev, root: unescapeOctal(root), mountpoint: unescapeOctal(mountpoint), subsystems };
    const seen = byDev.get(dev);
    if (!seen || (seen.root !== '/' && m.root === '/')) byDev.set(dev, m);
  }
  return [...byDev.values()];
}

/**
 * /proc/self/cgroup → controller list → path: "4:memory:/a" gives memory → /a, "9:name=systemd:/" gives
 * name=systemd → /, "3:cpu,cpuacct:/b" gives both cpu and cpuacct → /b, and "0::/c" gives "" → /c (v2).
 */
export function parseProcCgroup(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    const [, controllers = '', p = '/'] = m;
    if (controllers === '') out.set('', p);
    for (const c of controllers.split(',')) if (c !== '') out.set(c, p);
  }
  return out;
}
