// The one interface berth's runtime uses for a container's cgroup, whatever the host's cgroup version.
import type { LinuxResources } from '../spec.js';

export interface Cgroup {
  readonly version: 1 | 2;
  /** cgroup.procs files to write the container's init pid into (one per v1 hierarchy incl. name=systemd; one for v2). */
  readonly procsFiles: string[];
  /** Directory per controller: v1 subsystem name ('memory', 'name=systemd') → dir; v2 '' → the one dir (runc's GetPaths). */
  readonly paths: Readonly<Record<string, string>>;
  /** Where the OOM-kill counter lives (a flat "key value" file); undefined when the memory controller is absent. */
  readonly oomCounter: { path: string; key: string } | undefined;
  /** mkdir in every hierarchy (idempotent); on v1 seeds cpuset.cpus/mems, on v2 enables controllers in ancestors. */
  create(): Promise<void>;
  /** Writes limits (also used by `update`). Throws NotImplemented when a requested controller is missing. */
  apply(r: LinuxResources): Promise<void>;
  /** The controllers usable in this cgroup (v1: mounted subsystems; v2: its cgroup.controllers). */
  controllers(): Promise<string[]>;
  /** Pids in the cgroup itself (not its descendants). */
  pids(): Promise<number[]>;
  /** Freezes every process and waits (bounded) until the kernel reports the cgroup frozen. */
  freeze(): Promise<void>;
  thaw(): Promise<void>;
  frozen(): Promise<boolean>;
  stats(): Promise<CgroupStats>;
  /**
   * rmdir in every hierarchy (descendants first, EBUSY retried a bounded number of times); missing is fine. With
   * `parentIfEmpty`, the parent directory goes too when nothing else is left in it (a one-shot runtime's parent).
   */
  destroy(opts?: { parentIfEmpty?: boolean }): Promise<void>;
}

/** A v1 hierarchy, for mounting cgroupfs inside containers. */
export interface V1Hierarchy {
  mountpoint: string;
  /** e.g. ['cpu'], ['cpu', 'cpuacct'] or ['name=systemd'] */
  subsystems: string[];
}

export interface CgroupDriver {
  readonly version: 1 | 2;
  /** runc's cgroupfs rule: an absolute path is relative to each hierarchy's root, a relative one to berth's own cgroup. */
  open(cgroupsPath: string): Cgroup;
  /** v1 hierarchies; [] on v2. */
  hierarchies(): V1Hierarchy[];
}

/** Docker's stats vocabulary (memory_stats, cpu_stats, pids_stats), camelCased. A section is absent if its controller is. */
export interface CgroupStats {
  memory?: MemoryStats;
  cpu?: CpuStats;
  pids?: PidsStats;
}

export interface MemoryStats {
  /** bytes in use (v1 memory.usage_in_bytes, v2 memory.current) */
  usage: number;
  /** peak bytes (v1 memory.max_usage_in_bytes, v2 memory.peak); undefined if the kernel does not track it */
  maxUsage?: number;
  /** bytes; undefined = unlimited */
  limit?: number;
  /** v1 memory.failcnt (times the limit was hit); v2 memory.events oom, as dockerd reports it. Undefined if unread. */
  failcnt?: number;
  /** page cache bytes (v1 memory.stat cache, v2 memory.stat file) */
  cache: number;
  /** memory.stat as read */
  stats: Record<string, number>;
}

export interface CpuStats {
  /** nanoseconds */
  totalUsage: number;
  usageInUsermode: number;
  usageInKernelmode: number;
  /** nanoseconds per CPU; [] on v2, which does not account per CPU */
  percpuUsage: number[];
  throttling: { periods: number; throttledPeriods: number /** ns */; throttledTime: number };
}

export interface PidsStats {
  current: number;
  /** undefined = unlimited */
  limit?: number;
}
