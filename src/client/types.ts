// Response shapes the client needs that src/api/ does not declare (yet), with Docker's field casing.
import type { ContainerSummary } from '../api/containers.js';
import type { ImageSummary } from '../api/images.js';

export interface IdResponse {
  Id: string;
}

export interface WarningsResponse {
  Warnings: string[] | null;
}

/** `GET /containers/{id}/stats` (moby's StatsJSON): the commonly read fields, the rest as they come. */
export interface ContainerStats {
  name?: string;
  id?: string;
  read: string;
  preread: string;
  pids_stats: { current?: number; limit?: number };
  num_procs: number;
  cpu_stats: CpuStats;
  precpu_stats: CpuStats;
  memory_stats: { usage?: number; max_usage?: number; limit?: number; stats?: Record<string, number> };
  blkio_stats: Record<string, unknown>;
  networks?: Record<string, Record<string, number>>;
  storage_stats?: Record<string, unknown>;
}

export interface CpuStats {
  cpu_usage: { total_usage: number; percpu_usage?: number[]; usage_in_kernelmode: number; usage_in_usermode: number };
  system_cpu_usage?: number;
  online_cpus?: number;
  throttling_data: { periods: number; throttled_periods: number; throttled_time: number };
}

/** `GET /system/df`. */
export interface DiskUsage {
  LayersSize: number;
  Images: ImageSummary[] | null;
  Containers: ContainerSummary[] | null;
  Volumes: unknown[] | null;
  BuildCache: unknown[] | null;
}
