// `GET /containers/{id}/stats`: samples the container's cgroup and the host's /proc once a second and yields Docker's
// stats frames (the JSON assembly is in stats-json.ts). Ends when the signal aborts or the container stops or goes.
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CgroupStats } from '../../runtime/cgroups/index.js';
import type { ContainerDeps } from './deps.js';
import type { ContainerRecord, ContainerStatus } from './model.js';
import {
  type PreviousFrame,
  type StatsResponseJson,
  parseMemTotal,
  parseProcStat,
  previousOf,
  rfc3339Nano,
  parseNetDev,
  statsResponse,
  zeroedResponse,
} from './stats-json.js';

/** The slice of ContainerDeps the sampler uses (a test passes a small object shaped like it). */
export interface StatsDeps {
  store: { find(ref: string): ContainerRecord | undefined };
  runtime: { readonly cgroupVersion: 1 | 2; stats(id: string): Promise<CgroupStats> };
}

/** The host side of sampling, replaceable in tests. */
export interface StatsEnv {
  /** /proc/stat, /proc/meminfo, or /proc/<pid>/net/dev. */
  readProcFile(path: string): Promise<string>;
  /** Wall-clock time, ns since the epoch. */
  now(): bigint;
  /** Between frames (dockerd's collector ticks once a second). */
  intervalMs: number;
}

export const defaultStatsEnv: StatsEnv = {
  readProcFile: (path) => readFile(path, 'utf8'),
  now: () => BigInt(Date.now()) * 1_000_000n,
  intervalMs: 1000,
};

export function containerStats(
  deps: ContainerDeps,
  rec: ContainerRecord,
  opts: { stream: boolean; oneShot: boolean; signal: AbortSignal },
): AsyncIterable<unknown> {
  return statsFrames(deps, rec, opts);
}

/** dockerd samples running and paused containers; the others (restarting included) get the empty frame. */
const sampled = (s: ContainerStatus): boolean => s === 'running' || s === 'paused';

type Sample = { kind: 'frame'; frame: StatsResponseJson } | { kind: 'not-running'; name: string } | { kind: 'gone' };

export async function* statsFrames(
  deps: StatsDeps,
  rec: ContainerRecord,
  opts: { stream: boolean; oneShot: boolean; signal: AbortSignal },
  env: StatsEnv = defaultStatsEnv,
): AsyncGenerator<StatsResponseJson> {
  const { signal } = opts;
  let hostMemory: number | undefined | null = null; // null: not read yet (once per response, as dockerd reads it once)
  let previous: PreviousFrame | undefined;

  const take = async (): Promise<Sample> => {
    const cur = deps.store.find(rec.id);
    if (!cur) return { kind: 'gone' };
    if (!sampled(cur.state.status)) return { kind: 'not-running', name: cur.name };
    let cgroup: CgroupStats;
    let procStat: string;
    let netDev: string | undefined;
    try {
      if (hostMemory === null) hostMemory = parseMemTotal(await env.readProcFile('/proc/meminfo'));
      [cgroup, procStat] = await Promise.all([deps.runtime.stats(rec.id), env.readProcFile('/proc/stat')]);
      // A container with a network namespace of its own (bridge networks, none) has per-interface counters there.
      const mode = cur.hostConfig?.NetworkMode ?? '';
      if (cur.state.pid > 0 && mode !== 'host' && !mode.startsWith('container:')) {
        netDev = await env.readProcFile(`/proc/${cur.state.pid}/net/dev`).catch(() => undefined);
      }
    } catch (e) {
      // The container may have stopped (and its cgroup gone) between the check and the read: that is not an error.
      const again = deps.store.find(rec.id);
      if (!again) return { kind: 'gone' };
      if (!sampled(again.state.status)) return { kind: 'not-running', name: again.name };
      throw e;
    }
    const frame = statsResponse({
      id: rec.id,
      name: cur.name,
      read: rfc3339Nano(env.now()),
      cgroup,
      version: deps.runtime.cgroupVersion,
      host: parseProcStat(procStat),
      hostMemory,
      previous,
      ...(netDev ? { networks: parseNetDev(netDev) } : {}),
    });
    return { kind: 'frame', frame };
  };
  /** The frame to send for a sample (an empty one when not running), remembered for the next one's pre* fields. */
  const toFrame = (s: Exclude<Sample, { kind: 'gone' }>): StatsResponseJson => {
    const f = s.kind === 'frame' ? s.frame : zeroedResponse(rec.id, s.name, previous);
    previous = previousOf(f);
    return f;
  };
  /** Waits one interval; false if aborted meanwhile (the timer is cleared, so nothing is left behind). */
  const tick = async (): Promise<boolean> => {
    try {
      await sleep(env.intervalMs, undefined, { signal });
      return true;
    } catch (e) {
      if (signal.aborted) return false;
      throw e;
    }
  };

  if (signal.aborted) return;
  const first = await take();
  if (signal.aborted) return;

  if (!opts.stream) {
    // One frame. Docker primes precpu with a sample a second earlier unless one-shot; a stopped container's frame is
    // the empty one, sent at once.
    if (first.kind === 'gone') {
      yield zeroedResponse(rec.id, rec.name, undefined);
      return;
    }
    if (first.kind === 'not-running' || opts.oneShot) {
      yield toFrame(first);
      return;
    }
    toFrame(first);
    if (!(await tick())) return;
    const second = await take();
    if (signal.aborted) return;
    yield second.kind === 'gone' ? zeroedResponse(rec.id, rec.name, previous) : toFrame(second);
    return;
  }

  // Streaming: a container that is not running gets empty frames (dockerd's) until it starts, is removed or the client
  // goes; one that was being sampled ends the stream when it stops.
  let wasSampled = false;
  let s = first;
  for (;;) {
    if (s.kind === 'gone' || (s.kind === 'not-running' && wasSampled)) return;
    if (s.kind === 'frame') wasSampled = true;
    yield toFrame(s);
    if (!(await tick())) return;
    s = await take();
    if (signal.aborted) return;
  }
}
