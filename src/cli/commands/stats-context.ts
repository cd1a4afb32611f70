// The docker CLI's stats arithmetic (CPU % from the cpu_stats/precpu_stats deltas, memory without the inactive file
// cache, block and network I/O summed) and its statsContext columns.
import type { ContainerStats } from '../../client/index.js';
import { FormatContext } from './format-context.js';
import { bytesSize, humanSize, truncateId } from './humanize.js';

export const STATS_HEADERS: Record<string, string> = {
  Container: 'CONTAINER',
  Name: 'NAME',
  ID: 'CONTAINER ID',
  CPUPerc: 'CPU %',
  MemUsage: 'MEM USAGE / LIMIT',
  MemPerc: 'MEM %',
  NetIO: 'NET I/O',
  BlockIO: 'BLOCK I/O',
  PIDs: 'PIDS',
};

export interface StatsEntry {
  container: string;
  name: string;
  id: string;
  cpuPercentage: number;
  memory: number;
  memoryLimit: number;
  memoryPercentage: number;
  networkRx: number;
  networkTx: number;
  blockRead: number;
  blockWrite: number;
  pidsCurrent: number;
  /** No sample could be read: the columns show "--". */
  invalid: boolean;
}

export function invalidEntry(container: string, id = container): StatsEntry {
  return {
    container,
    name: '',
    id,
    cpuPercentage: 0,
    memory: 0,
    memoryLimit: 0,
    memoryPercentage: 0,
    networkRx: 0,
    networkTx: 0,
    blockRead: 0,
    blockWrite: 0,
    pidsCurrent: 0,
    invalid: true,
  };
}

/** One sample as the CLI's collect() turns it into a row. */
export function statsEntry(container: string, v: ContainerStats): StatsEntry {
  const cpuDelta = (v.cpu_stats?.cpu_usage?.total_usage ?? 0) - (v.precpu_stats?.cpu_usage?.total_usage ?? 0);
  const systemDelta = (v.cpu_stats?.system_cpu_usage ?? 0) - (v.precpu_stats?.system_cpu_usage ?? 0);
  let online = v.cpu_stats?.online_cpus ?? 0;
  if (online === 0) online = v.cpu_stats?.cpu_usage?.percpu_usage?.length ?? 0;
  const cpuPercentage = systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * online * 100 : 0;

  const mem = v.memory_stats ?? {};
  const usage = mem.usage ?? 0;
  const stats = mem.stats ?? {};
  let memory = usage;
  if (stats.total_inactive_file !== undefined && stats.total_inactive_file < usage)
    memory = usage - stats.total_inactive_file;
  else if ((stats.inactive_file ?? 0) < usage) memory = usage - (stats.inactive_file ?? 0);
  const memoryLimit = mem.limit ?? 0;

  let blockRead = 0;
  let blockWrite = 0;
  const blkio = (v.blkio_stats?.io_service_bytes_recursive ?? []) as { op?: string; value?: number }[];
  for (const e of blkio) {
    const op = (e.op ?? '')[0];
    if (op === 'r' || op === 'R') blockRead += e.value ?? 0;
    else if (op === 'w' || op === 'W') blockWrite += e.value ?? 0;
  }
  let networkRx = 0;
  let networkTx = 0;
  for (const n of Object.values(v.networks ?? {})) {
    networkRx += n.rx_bytes ?? 0;
    networkTx += n.tx_bytes ?? 0;
  }
  return {
    container,
    name: v.name ?? '',
    id: v.id ?? '',
    cpuPercentage,
    memory,
    memoryLimit,
    memoryPercentage: memoryLimit !== 0 ? (memory / memoryLimit) * 100 : 0,
    networkRx,
    networkTx,
    blockRead,
    blockWrite,
    pidsCurrent: v.pids_stats?.current ?? 0,
    invalid: false,
  };
}

const percent = (v: number) => `${v.toFixed(2)}%`;

export class StatsContext extends FormatContext {
  readonly #s: StatsEntry;
  readonly #trunc: boolean;
  constructor(s: StatsEntry, trunc: boolean) {
    super();
    this.#s = s;
    this.#trunc = trunc;
  }
  get [Symbol.toStringTag](): string {
    return '*formatter.statsContext';
  }
  Container(): string {
    return this.#s.container;
  }
  Name(): string {
    return this.#s.name.length > 1 ? this.#s.name.slice(1) : '--';
  }
  ID(): string {
    return this.#trunc ? truncateId(this.#s.id) : this.#s.id;
  }
  CPUPerc(): string {
    return this.#s.invalid ? '--' : percent(this.#s.cpuPercentage);
  }
  MemUsage(): string {
    return this.#s.invalid ? '-- / --' : `${bytesSize(this.#s.memory)} / ${bytesSize(this.#s.memoryLimit)}`;
  }
  MemPerc(): string {
    return this.#s.invalid ? '--' : percent(this.#s.memoryPercentage);
  }
  NetIO(): string {
    return this.#s.invalid ? '--' : `${humanSize(this.#s.networkRx, 3)} / ${humanSize(this.#s.networkTx, 3)}`;
  }
  BlockIO(): string {
    return this.#s.invalid ? '--' : `${humanSize(this.#s.blockRead, 3)} / ${humanSize(this.#s.blockWrite, 3)}`;
  }
  PIDs(): string {
    return this.#s.invalid ? '--' : String(this.#s.pidsCurrent);
  }
}
