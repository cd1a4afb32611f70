// LinuxResources → cgroup v1 control files, following runc's libcontainer/cgroups/fs rules and write order
// (cpuset, devices, memory, cpu, pids, blkio).
import { InvalidParameter, NotImplemented } from '../../errdefs/index.js';
import type { CgroupFs } from '../../sys/index.js';
import type { LinuxDeviceCgroup, LinuxResources } from '../spec.js';
import { parseNumber, tryWrite, write, writeError } from './files.js';

type Paths = Readonly<Record<string, string>>;

function dirOf(paths: Paths, subsystem: string, what: string): string {
  const dir = paths[subsystem];
  if (dir === undefined) throw new NotImplemented(`cgroup: cannot set ${what}: the ${subsystem} cgroup is not mounted`);
  return dir;
}

const set = (n: number | undefined): n is number => n !== undefined && n !== 0;

export async function applyV1(fs: CgroupFs, paths: Paths, r: LinuxResources): Promise<void> {
  if (r.unified && Object.keys(r.unified).length > 0) {
    throw new InvalidParameter('cgroup: unified resources cannot be used on cgroup v1');
  }
  // Each controller lives in its own hierarchy: apply them concurrently (container start waits on this).
  await Promise.all([
    applyCpuset(fs, paths, r),
    r.devices && applyDevices(fs, dirOf(paths, 'devices', 'device rules'), r.devices),
    applyMemory(fs, paths, r),
    applyCpu(fs, paths, r),
    r.pids &&
      write(fs, `${dirOf(paths, 'pids', 'pids limit')}/pids.max`, r.pids.limit > 0 ? String(r.pids.limit) : 'max'),
    applyBlkio(fs, paths, r),
  ]);
}

async function applyCpuset(fs: CgroupFs, paths: Paths, r: LinuxResources): Promise<void> {
  const { cpus, mems } = r.cpu ?? {};
  if (cpus) await write(fs, `${dirOf(paths, 'cpuset', 'cpus')}/cpuset.cpus`, cpus);
  if (mems) await write(fs, `${dirOf(paths, 'cpuset', 'mems')}/cpuset.mems`, mems);
}

/** One devices-cgroup rule line: "c 1:3 rwm", "a *:* rwm". */
export function deviceRule(d: LinuxDeviceCgroup): string {
  const num = (n: number | null | undefined) => (n === undefined || n === null || n < 0 ? '*' : String(n));
  return `${d.type ?? 'a'} ${num(d.major)}:${num(d.minor)} ${d.access ?? 'rwm'}`;
}

/** Deny everything, then replay the rules in order (runc's v1 behaviour before its emulator). */
async function applyDevices(fs: CgroupFs, dir: string, rules: LinuxDeviceCgroup[]): Promise<void> {
  await write(fs, `${dir}/devices.deny`, 'a');
  // Order matters only where allow and deny alternate: rules of one kind in a row are written concurrently.
  for (let i = 0; i < rules.length; ) {
    const allow = rules[i]?.allow;
    let j = i;
    while (j < rules.length && rules[j]?.allow === allow) j++;
    const file = `${dir}/${allow ? 'devices.allow' : 'devices.deny'}`;
    await Promise.all(rules.slice(i, j).map((rule) => write(fs, file, deviceRule(rule))));
    i = j;
  }
}

async function applyMemory(fs: CgroupFs, paths: Paths, r: LinuxResources): Promise<void> {
  const m = r.memory;
  if (!m) return;
  const needed = set(m.limit) || set(m.swap) || set(m.reservation) || m.disableOOMKiller === true;
  const usesSwappiness = m.swappiness !== undefined && m.swappiness !== -1;
  if (!needed && !usesSwappiness) return;
  const dir = dirOf(paths, 'memory', 'memory limits');
  const limitFile = `${dir}/memory.limit_in_bytes`;
  const swapFile = `${dir}/memory.memsw.limit_in_bytes`;
  const limit = m.limit ?? 0;
  // memory -1 without an explicit swap means "both unlimited" (runc).
  let swap = m.swap ?? 0;
  if (limit === -1 && swap === 0 && (await fs.exists(swapFile))) swap = -1;

  const setLimit = async () => {
    if (limit !== 0) await write(fs, limitFile, String(limit));
  };
  const setSwap = async () => {
    if (swap === 0) return;
    const code = await tryWrite(fs, swapFile, String(swap));
    // No swap accounting: "unlimited" is already true, anything else cannot be honoured.
    if (code !== undefined && !(code === 'ENOENT' && swap === -1)) throw writeError(swapFile, String(swap), code);
  };
  // The kernel keeps memory ≤ memory+swap at every step, so the order depends on the current limit (runc).
  if (limit !== 0 && swap !== 0) {
    const current = parseNumber(await fs.readFile(limitFile), 'memory.limit_in_bytes');
    if (swap === -1 || current < swap) {
      await setSwap();
      await setLimit();
    } else {
      await setLimit();
      await setSwap();
    }
  } else {
    await setLimit();
    await setSwap();
  }
  if (m.disableOOMKiller === true) await write(fs, `${dir}/memory.oom_control`, '1');
  if (usesSwappiness) {
    const s = m.swappiness ?? 0;
    if (!Number.isInteger(s) || s < 0 || s > 100) {
      throw new InvalidParameter(`invalid memory swappiness ${s}: the valid range is 0-100`);
    }
    await write(fs, `${dir}/memory.swappiness`, String(s));
  }
  if (set(m.reservation)) await write(fs, `${dir}/memory.soft_limit_in_bytes`, String(m.reservation));
}

async function applyCpu(fs: CgroupFs, paths: Paths, r: LinuxResources): Promise<void> {
  const c = r.cpu;
  if (!c) return;
  const { shares, quota, period, realtimePeriod, realtimeRuntime } = c;
  if (!set(shares) && !set(quota) && !set(period) && !set(realtimePeriod) && !set(realtimeRuntime)) return;
  const dir = dirOf(paths, 'cpu', 'cpu limits');
  if (set(shares)) {
    await write(fs, `${dir}/cpu.shares`, String(shares));
    // The kernel clamps silently; report it the way runc does.
    const got = parseNumber(await fs.readFile(`${dir}/cpu.shares`), 'cpu.shares');
    if (shares > got) throw new InvalidParameter(`the maximum allowed cpu-shares is ${got}`);
    if (shares < got) throw new InvalidParameter(`the minimum allowed cpu-shares is ${got}`);
  }
  let pendingPeriod: string | undefined;
  if (set(period)) {
    const code = await tryWrite(fs, `${dir}/cpu.cfs_period_us`, String(period));
    // A smaller period can exceed the parent's bandwidth with the old quota: retry after setting the quota.
    if (code === 'EINVAL' && set(quota)) pendingPeriod = String(period);
    else if (code !== undefined) throw writeError(`${dir}/cpu.cfs_period_us`, String(period), code);
  }
  if (set(quota)) {
    await write(fs, `${dir}/cpu.cfs_quota_us`, String(quota));
    if (pendingPeriod !== undefined) await write(fs, `${dir}/cpu.cfs_period_us`, pendingPeriod);
  }
  if (set(realtimePeriod)) await write(fs, `${dir}/cpu.rt_period_us`, String(realtimePeriod));
  if (set(realtimeRuntime)) await write(fs, `${dir}/cpu.rt_runtime_us`, String(realtimeRuntime));
}

/** blkio.bfq.weight where BFQ is built in, else blkio.weight (CFQ); neither means unsupported: skipped. */
async function applyBlkio(fs: CgroupFs, paths: Paths, r: LinuxResources): Promise<void> {
  const weight = r.blockIO?.weight;
  const dir = paths.blkio;
  if (!set(weight) || dir === undefined) return;
  for (const file of ['blkio.bfq.weight', 'blkio.weight']) {
    const code = await tryWrite(fs, `${dir}/${file}`, String(weight));
    if (code === undefined) return;
    if (code !== 'ENOENT') throw writeError(`${dir}/${file}`, String(weight), code);
  }
}
