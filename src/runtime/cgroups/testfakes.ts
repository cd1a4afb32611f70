// For unit tests only: recording fakes shaped like a v1 hybrid host and a v2 host, for the unit tests of the cgroup managers.
import { RecordingCgroupFs } from '../../sys/index.js';
import type { V1Mount } from './mountinfo.js';

const UNLIMITED = '9223372036854771712';

/** The control files each v1 subsystem's kernel puts in a new cgroup (the ones berth reads or writes). */
const V1_FILES: Record<string, Record<string, string>> = {
  cpuset: { 'cpuset.cpus': '', 'cpuset.mems': '' },
  cpu: {
    'cpu.shares': '1024',
    'cpu.cfs_period_us': '100000',
    'cpu.cfs_quota_us': '-1',
    'cpu.stat': 'nr_periods 0\nnr_throttled 0\nthrottled_time 0\n',
  },
  cpuacct: { 'cpuacct.usage': '0', 'cpuacct.usage_percpu': '0 0 \n', 'cpuacct.stat': 'user 0\nsystem 0\n' },
  memory: {
    'memory.limit_in_bytes': UNLIMITED,
    'memory.memsw.limit_in_bytes': UNLIMITED,
    'memory.soft_limit_in_bytes': UNLIMITED,
    'memory.swappiness': '60',
    'memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\noom_kill 0\n',
    'memory.usage_in_bytes': '0',
    'memory.max_usage_in_bytes': '0',
    'memory.stat': 'cache 0\nrss 0\n',
  },
  devices: { 'devices.allow': '', 'devices.deny': '', 'devices.list': 'a *:* rwm\n' },
  freezer: { 'freezer.state': 'THAWED\n' },
  blkio: { 'blkio.bfq.weight': '100' },
  pids: { 'pids.max': 'max', 'pids.current': '0' },
  systemd: {},
};

export const V1_MOUNTS: V1Mount[] = [
  ...['cpu', 'cpuacct', 'cpuset', 'memory', 'devices', 'freezer', 'blkio', 'pids'].map((s, i) => ({
    dev: `0:${29 + i}`,
    root: '/',
    mountpoint: `/sys/fs/cgroup/${s}`,
    subsystems: [s],
  })),
  { dev: '0:37', root: '/', mountpoint: '/sys/fs/cgroup/systemd', subsystems: ['name=systemd'] },
];

export function fakeV1(opts: { without?: string[] } = {}): RecordingCgroupFs {
  const files = (dir: string): Record<string, string> => {
    const name = dir.split('/')[4] ?? '';
    const own = { ...(V1_FILES[name] ?? {}) };
    for (const f of opts.without ?? []) delete own[f];
    return { 'cgroup.procs': '', ...own };
  };
  const fs = new RecordingCgroupFs({ onMkdir: files });
  for (const m of V1_MOUNTS)
    for (const [f, c] of Object.entries(files(m.mountpoint))) fs.seed(`${m.mountpoint}/${f}`, c);
  fs.seed('/sys/fs/cgroup/cpuset/cpuset.cpus', '0-1\n');
  fs.seed('/sys/fs/cgroup/cpuset/cpuset.mems', '0\n');
  return fs;
}

/** Models the two v2 files whose writes the kernel interprets: "+c -d" edits and the freeze request. */
class FakeV2Fs extends RecordingCgroupFs {
  override async writeFile(p: string, data: string): Promise<void> {
    const before = this.content(p) ?? '';
    await super.writeFile(p, data);
    if (p.endsWith('/cgroup.subtree_control')) {
      const set = new Set(before.split(/\s+/).filter(Boolean));
      for (const w of data.split(/\s+/)) {
        if (w.startsWith('+')) set.add(w.slice(1));
        if (w.startsWith('-')) set.delete(w.slice(1));
      }
      this.seed(p, [...set].join(' '));
    }
    if (p.endsWith('/cgroup.freeze')) this.seed(p.replace(/freeze$/, 'events'), `populated 1\nfrozen ${data.trim()}\n`);
  }
}

/** A v2 host: a new cgroup's cgroup.controllers is its parent's cgroup.subtree_control, as in the kernel. */
export function fakeV2(opts: { controllers?: string; without?: string[] } = {}): RecordingCgroupFs {
  const controllerFiles: Record<string, string[]> = {
    cpu: ['cpu.weight', 'cpu.max'],
    cpuset: ['cpuset.cpus', 'cpuset.mems'],
    io: ['io.bfq.weight', 'io.weight'],
    memory: ['memory.max', 'memory.low', 'memory.swap.max', 'memory.high'],
    pids: ['pids.max'],
  };
  const fs: RecordingCgroupFs = new FakeV2Fs({
    onMkdir: (dir) => {
      const parent = dir.slice(0, dir.lastIndexOf('/'));
      const enabled = (fs.content(`${parent}/cgroup.subtree_control`) ?? '').split(/\s+/).filter(Boolean);
      const out: Record<string, string> = {
        'cgroup.procs': '',
        'cgroup.controllers': enabled.join(' '),
        'cgroup.subtree_control': '',
        'cgroup.type': 'domain',
        'cgroup.freeze': '0',
        'cgroup.events': 'populated 0\nfrozen 0\n',
        'cpu.stat': 'usage_usec 0\nuser_usec 0\nsystem_usec 0\n',
      };
      for (const c of enabled) for (const f of controllerFiles[c] ?? []) out[f] = '';
      for (const f of opts.without ?? []) delete out[f];
      return out;
    },
  });
  fs.seed('/sys/fs/cgroup/cgroup.controllers', opts.controllers ?? 'cpuset cpu io memory pids');
  fs.seed('/sys/fs/cgroup/cgroup.subtree_control', '');
  fs.seed('/sys/fs/cgroup/cgroup.procs', '1\n');
  return fs;
}
