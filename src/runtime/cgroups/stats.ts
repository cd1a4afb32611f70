// Reading usage counters into CgroupStats: v1 (memory, cpuacct, cpu, pids hierarchies) and v2 (one directory).
import type { CgroupFs } from '../../sys/index.js';
import { parseFlatKeyed, parseLimit, parseNumber, readOptional } from './files.js';
import type { CgroupStats, CpuStats, MemoryStats, PidsStats } from './types.js';

/** cpuacct.stat counts in USER_HZ ticks, which the kernel ABI fixes at 100 per second. */
const NS_PER_USER_HZ_TICK = 1e9 / 100;

export async function readV1Stats(fs: CgroupFs, paths: Readonly<Record<string, string>>): Promise<CgroupStats> {
  const [memory, cpu, pids] = await Promise.all([
    paths.memory === undefined ? undefined : v1Memory(fs, paths.memory),
    paths.cpuacct === undefined ? undefined : v1Cpu(fs, paths.cpuacct, paths.cpu),
    paths.pids === undefined ? undefined : readPids(fs, paths.pids),
  ]);
  return dropUndefined({ memory, cpu, pids });
}

export async function readV2Stats(fs: CgroupFs, dir: string): Promise<CgroupStats> {
  const [memory, cpu, pids] = await Promise.all([v2Memory(fs, dir), v2Cpu(fs, dir), readPids(fs, dir)]);
  return dropUndefined({ memory, cpu, pids });
}

function dropUndefined(s: { memory: MemoryStats | undefined; cpu: CpuStats | undefined; pids: PidsStats | undefined }) {
  const out: CgroupStats = {};
  if (s.memory) out.memory = s.memory;
  if (s.cpu) out.cpu = s.cpu;
  if (s.pids) out.pids = s.pids;
  return out;
}

async function v1Memory(fs: CgroupFs, dir: string): Promise<MemoryStats | undefined> {
  const [usage, maxUsage, limit, stat, failcnt] = await Promise.all(
    [
      'memory.usage_in_bytes',
      'memory.max_usage_in_bytes',
      'memory.limit_in_bytes',
      'memory.stat',
      'memory.failcnt',
    ].map((f) => readOptional(fs, `${dir}/${f}`)),
  );
  if (usage === undefined) return undefined;
  const stats = parseFlatKeyed(stat ?? '');
  const out: MemoryStats = { usage: parseNumber(usage, 'memory usage'), cache: stats.cache ?? 0, stats };
  if (maxUsage !== undefined) out.maxUsage = parseNumber(maxUsage, 'memory max usage');
  if (failcnt !== undefined) out.failcnt = parseNumber(failcnt, 'memory.failcnt');
  const l = limit === undefined ? undefined : parseLimit(limit);
  if (l !== undefined) out.limit = l;
  return out;
}

async function v1Cpu(fs: CgroupFs, cpuacctDir: string, cpuDir: string | undefined): Promise<CpuStats | undefined> {
  const [usage, percpu, stat, cpuStat] = await Promise.all([
    readOptional(fs, `${cpuacctDir}/cpuacct.usage`),
    readOptional(fs, `${cpuacctDir}/cpuacct.usage_percpu`),
    readOptional(fs, `${cpuacctDir}/cpuacct.stat`),
    cpuDir === undefined ? undefined : readOptional(fs, `${cpuDir}/cpu.stat`),
  ]);
  if (usage === undefined) return undefined;
  const ticks = parseFlatKeyed(stat ?? '');
  const throttle = parseFlatKeyed(cpuStat ?? '');
  return {
    totalUsage: parseNumber(usage, 'cpuacct.usage'),
    usageInUsermode: (ticks.user ?? 0) * NS_PER_USER_HZ_TICK,
    usageInKernelmode: (ticks.system ?? 0) * NS_PER_USER_HZ_TICK,
    percpuUsage: (percpu ?? '')
      .trim()
      .split(/\s+/)
      .filter((s) => s !== '')
      .map((s) => parseNumber(s, 'cpuacct.usage_percpu')),
    throttling: {
      periods: throttle.nr_periods ?? 0,
      throttledPeriods: throttle.nr_throttled ?? 0,
      throttledTime: throttle.throttled_time ?? 0,
    },
  };
}

async function v2Memory(fs: CgroupFs, dir: string): Promise<MemoryStats | undefined> {
  const [usage, peak, max, stat, events] = await Promise.all(
    ['memory.current', 'memory.peak', 'memory.max', 'memory.stat', 'memory.events'].map((f) =>
      readOptional(fs, `${dir}/${f}`),
    ),
  );
  if (usage === undefined) return undefined;
  const stats = parseFlatKeyed(stat ?? '');
  const out: MemoryStats = { usage: parseNumber(usage, 'memory.current'), cache: stats.file ?? 0, stats };
  if (peak !== undefined) out.maxUsage = parseNumber(peak, 'memory.peak');
  // v2 has no failcnt; dockerd reports memory.events' oom count in its place.
  const oom = events === undefined ? undefined : parseFlatKeyed(events).oom;
  if (oom !== undefined) out.failcnt = oom;
  const l = max === undefined ? undefined : parseLimit(max);
  if (l !== undefined) out.limit = l;
  return out;
}

/** cpu.stat exists in every v2 cgroup (usage from the core); the throttling keys only with the cpu controller. */
async function v2Cpu(fs: CgroupFs, dir: string): Promise<CpuStats | undefined> {
  const text = await readOptional(fs, `${dir}/cpu.stat`);
  if (text === undefined) return undefined;
  const s = parseFlatKeyed(text);
  return {
    totalUsage: (s.usage_usec ?? 0) * 1000,
    usageInUsermode: (s.user_usec ?? 0) * 1000,
    usageInKernelmode: (s.system_usec ?? 0) * 1000,
    percpuUsage: [],
    throttling: {
      periods: s.nr_periods ?? 0,
      throttledPeriods: s.nr_throttled ?? 0,
      throttledTime: (s.throttled_usec ?? 0) * 1000,
    },
  };
}

async function readPids(fs: CgroupFs, dir: string): Promise<PidsStats | undefined> {
  const [current, max] = await Promise.all([
    readOptional(fs, `${dir}/pids.current`),
    readOptional(fs, `${dir}/pids.max`),
  ]);
  if (current === undefined) return undefined;
  const out: PidsStats = { current: parseNumber(current, 'pids.current') };
  const l = max === undefined ? undefined : parseLimit(max);
  if (l !== undefined) out.limit = l;
  return out;
}
