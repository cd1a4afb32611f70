// Docker's stats payload (moby's StatsResponse, `GET /containers/{id}/stats`) assembled from berth's cgroup stats and
// the host's /proc/stat and /proc/meminfo text. Pure: the sampling loop that does the reading is in stats.ts.
import type { CgroupStats, CpuStats, MemoryStats, PidsStats } from '../../runtime/cgroups/index.js';
import { ZERO_TIME } from './model.js';

export interface CpuUsageJson {
  total_usage: number;
  /** v1 only (cpuacct.usage_percpu); left out when empty, as Go's omitempty does. */
  percpu_usage?: number[];
  usage_in_kernelmode: number;
  usage_in_usermode: number;
}

export interface CpuStatsJson {
  cpu_usage: CpuUsageJson;
  system_cpu_usage?: number;
  online_cpus?: number;
  throttling_data: { periods: number; throttled_periods: number; throttled_time: number };
}

export interface MemoryStatsJson {
  usage?: number;
  max_usage?: number;
  stats?: Record<string, number>;
  failcnt?: number;
  limit?: number;
}

export interface BlkioStatEntryJson {
  major: number;
  minor: number;
  op: string;
  value: number;
}

export type BlkioStatsJson = Record<
  | 'io_service_bytes_recursive'
  | 'io_serviced_recursive'
  | 'io_queue_recursive'
  | 'io_service_time_recursive'
  | 'io_wait_time_recursive'
  | 'io_merged_recursive'
  | 'io_time_recursive'
  | 'sectors_recursive',
  BlkioStatEntryJson[] | null
>;

/** Key order follows moby's struct, so the bytes read like dockerd's. */
export interface StatsResponseJson {
  read: string;
  preread: string;
  pids_stats: { current?: number; limit?: number };
  blkio_stats: BlkioStatsJson;
  num_procs: number;
  storage_stats: Record<string, never>;
  cpu_stats: CpuStatsJson;
  precpu_stats: CpuStatsJson;
  memory_stats: MemoryStatsJson;
  name: string;
  id: string;
  /** Per interface of the container's own network namespace (moby's omitempty: left out for the host network). */
  networks?: Record<string, NetworkStatsJson>;
}

export interface NetworkStatsJson {
  rx_bytes: number;
  rx_packets: number;
  rx_errors: number;
  rx_dropped: number;
  tx_bytes: number;
  tx_packets: number;
  tx_errors: number;
  tx_dropped: number;
}

/** /proc/<pid>/net/dev (the counters of that process's network namespace), loopback left out as dockerd does. */
export function parseNetDev(text: string): Record<string, NetworkStatsJson> {
  const out: Record<string, NetworkStatsJson> = {};
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const name = line.slice(0, colon).trim();
    const f = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (name === 'lo' || f.length < 16 || f.some((n) => !Number.isFinite(n))) continue;
    out[name] = {
      rx_bytes: f[0] ?? 0,
      rx_packets: f[1] ?? 0,
      rx_errors: f[2] ?? 0,
      rx_dropped: f[3] ?? 0,
      tx_bytes: f[8] ?? 0,
      tx_packets: f[9] ?? 0,
      tx_errors: f[10] ?? 0,
      tx_dropped: f[11] ?? 0,
    };
  }
  return out;
}

/** The host-wide figures sampled next to the container's: /proc/stat's. */
export interface HostCpu {
  /** nanoseconds (moby's getSystemCPUUsage) */
  systemUsage: number;
  onlineCpus: number;
}

/** What the previous frame leaves for the next one's pre* fields. */
export interface PreviousFrame {
  read: string;
  cpu: CpuStatsJson;
}

/** USER_HZ: the kernel ABI fixes /proc/stat's tick at 1/100 s (moby hard-codes it too). */
const NS_PER_TICK = 1e9 / 100;

/**
 * /proc/stat → system CPU time and online CPUs, as moby computes them: the "cpu" line's first seven fields (user, nice,
 * system, idle, iowait, irq, softirq; not steal/guest) in ns, and the count of "cpuN" lines.
 */
export function parseProcStat(text: string): HostCpu {
  let systemUsage: number | undefined;
  let onlineCpus = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('cpu')) break; // the cpu lines come first
    const fields = line.trim().split(/\s+/);
    if (fields[0] === 'cpu') {
      const values = fields.slice(1, 8);
      if (values.length < 7 || !values.every((v) => /^\d+$/.test(v))) {
        throw new Error(`/proc/stat: unexpected cpu line ${JSON.stringify(line)}`);
      }
      systemUsage = values.reduce((sum, v) => sum + Number(v), 0) * NS_PER_TICK;
    } else if (/^cpu\d+$/.test(fields[0] ?? '')) {
      onlineCpus++;
    }
  }
  if (systemUsage === undefined) throw new Error('/proc/stat: no cpu line');
  return { systemUsage, onlineCpus };
}

/** /proc/meminfo's MemTotal in bytes (dockerd's machineMemory); undefined if the line is missing. */
export function parseMemTotal(text: string): number | undefined {
  const m = /^MemTotal:\s+(\d+)\s*kB$/m.exec(text);
  return m?.[1] === undefined ? undefined : Number(m[1]) * 1024;
}

export const zeroCpuStats = (): CpuStatsJson => ({
  cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
  throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
});

const emptyBlkio = (): BlkioStatsJson => ({
  io_service_bytes_recursive: null,
  io_serviced_recursive: null,
  io_queue_recursive: null,
  io_service_time_recursive: null,
  io_wait_time_recursive: null,
  io_merged_recursive: null,
  io_time_recursive: null,
  sectors_recursive: null,
});

/** A missing controller leaves its section zeroed, as dockerd does; system usage and CPUs come with every sample. */
export function cpuStatsJson(cpu: CpuStats | undefined, host: HostCpu): CpuStatsJson {
  const zero = zeroCpuStats();
  // Key order and omitempty as moby's structs: percpu, system usage and online CPUs are left out when empty.
  return {
    cpu_usage: cpu
      ? {
          total_usage: cpu.totalUsage,
          ...(cpu.percpuUsage.length > 0 ? { percpu_usage: [...cpu.percpuUsage] } : {}),
          usage_in_kernelmode: cpu.usageInKernelmode,
          usage_in_usermode: cpu.usageInUsermode,
        }
      : zero.cpu_usage,
    ...omitZero({ system_cpu_usage: host.systemUsage, online_cpus: host.onlineCpus }),
    throttling_data: cpu
      ? {
          periods: cpu.throttling.periods,
          throttled_periods: cpu.throttling.throttledPeriods,
          throttled_time: cpu.throttling.throttledTime,
        }
      : zero.throttling_data,
  };
}

/**
 * memory_stats: usage, memory.stat as read, failcnt, and the limit — the host's memory when unlimited or above it
 * (dockerd's machineMemory rule). max_usage only on v1: dockerd does not report v2's memory.peak.
 */
export function memoryStatsJson(
  mem: MemoryStats | undefined,
  version: 1 | 2,
  hostMemory: number | undefined,
): MemoryStatsJson {
  if (!mem) return {};
  let limit = mem.limit;
  if (hostMemory !== undefined && hostMemory > 0 && (limit === undefined || limit > hostMemory)) limit = hostMemory;
  return omitZero({
    usage: mem.usage,
    max_usage: version === 1 ? mem.maxUsage : undefined,
    stats: Object.keys(mem.stats).length > 0 ? { ...mem.stats } : undefined,
    failcnt: mem.failcnt,
    limit,
  });
}

/** pids_stats: no limit key when unlimited (Go's omitempty of v1's 0; v2's "max" is not representable in a double). */
export function pidsStatsJson(pids: PidsStats | undefined): StatsResponseJson['pids_stats'] {
  return pids ? omitZero({ current: pids.current, limit: pids.limit }) : {};
}

export interface SampleInput {
  id: string;
  /** Without the leading slash (the record's name). */
  name: string;
  /** RFC3339Nano time of the sample. */
  read: string;
  cgroup: CgroupStats;
  version: 1 | 2;
  host: HostCpu;
  hostMemory: number | undefined;
  /** The previous frame of this response; undefined for the first, whose pre* fields are zero. */
  previous: PreviousFrame | undefined;
  /** Its network namespace's interfaces (parseNetDev), when it has one of its own. */
  networks?: Record<string, NetworkStatsJson>;
}

export function statsResponse(s: SampleInput): StatsResponseJson {
  const out = frame(s.id, s.name, s.previous, {
    read: s.read,
    pids_stats: pidsStatsJson(s.cgroup.pids),
    cpu_stats: cpuStatsJson(s.cgroup.cpu, s.host),
    memory_stats: memoryStatsJson(s.cgroup.memory, s.version, s.hostMemory),
  });
  if (s.networks && Object.keys(s.networks).length > 0) out.networks = s.networks;
  return out;
}

/** A container that is not running: dockerd's empty frame (only name and id set, `read` the zero time). */
export function zeroedResponse(id: string, name: string, previous: PreviousFrame | undefined): StatsResponseJson {
  return frame(id, name, previous, { read: ZERO_TIME, pids_stats: {}, cpu_stats: zeroCpuStats(), memory_stats: {} });
}

/** The pre* fields the next frame gets from this one. */
export const previousOf = (f: StatsResponseJson): PreviousFrame => ({ read: f.read, cpu: f.cpu_stats });

function frame(
  id: string,
  name: string,
  previous: PreviousFrame | undefined,
  cur: Pick<StatsResponseJson, 'read' | 'pids_stats' | 'cpu_stats' | 'memory_stats'>,
): StatsResponseJson {
  return {
    read: cur.read,
    preread: previous?.read ?? ZERO_TIME,
    pids_stats: cur.pids_stats,
    blkio_stats: emptyBlkio(),
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cur.cpu_stats,
    precpu_stats: previous?.cpu ?? zeroCpuStats(),
    memory_stats: cur.memory_stats,
    name: `/${name}`,
    id,
  };
}

/** Go's RFC3339Nano in UTC: fraction to the nanosecond, trailing zeros (and a bare dot) trimmed. */
export function rfc3339Nano(epochNs: bigint): string {
  const ms = epochNs / 1_000_000n - (epochNs % 1_000_000n < 0n ? 1n : 0n);
  const ns = epochNs - ms * 1_000_000n; // 0..999999 within the millisecond
  const iso = new Date(Number(ms)).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  const fraction = (iso.slice(20, 23) + ns.toString().padStart(6, '0')).replace(/0+$/, '');
  return `${iso.slice(0, 19)}${fraction === '' ? '' : `.${fraction}`}Z`;
}

/** Drops undefined and 0 values, as Go's omitempty does for numbers. */
function omitZero<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== 0) out[k] = v;
  return out as T;
}
