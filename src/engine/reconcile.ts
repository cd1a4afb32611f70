// What berthd does at start with what the last run left (moby's daemon.restore), in two parts. Before the API serves,
// the records alone: creates a crash cut short are removed. Then, in the background while the API serves, each
// container under its lock (operations on it wait; reads show its state as found): one whose process lives is
// adopted (live restore) or stopped; one whose process is gone gets the exit its shim recorded; whatever its resource
// journal still lists is released. Leftovers without a container (runtime state, bundles, netns mounts, read-write
// layers) go last, then restart policies that apply at daemon start are honoured.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerDeps } from './container/deps.js';
import type { ContainerLifecycle } from './container/lifecycle.js';
import { type ContainerRecord, isRunning } from './container/model.js';
import { parseRestartPolicy } from './container/restart.js';
import { isUnavailable } from '../errdefs/index.js';

export interface ReconcileReport {
  adopted: string[];
  exited: string[];
  killed: string[];
  /** Containers not running whose journal still listed resources (a start or an exit cut short), released. */
  released: string[];
  removedIncomplete: string[];
  removedOrphanLayers: string[];
  restarted: string[];
}

export function emptyReport(): ReconcileReport {
  return {
    adopted: [],
    exited: [],
    killed: [],
    released: [],
    removedIncomplete: [],
    removedOrphanLayers: [],
    restarted: [],
  };
}

/** Before the API serves: records without a readable config, or without their read-write layer, are removed. */
export async function removeIncomplete(
  deps: ContainerDeps,
  incomplete: string[],
  report: ReconcileReport,
): Promise<void> {
  const { store, layers } = deps;
  for (const id of incomplete) {
    await layers.removeRW(id).catch(() => {});
    await rm(store.dir(id), { recursive: true, force: true });
    report.removedIncomplete.push(id);
  }
  // A create writes a container's record and its read-write layer side by side: a record without its layer is a
  // create that a crash cut short. (Not one made with another storage driver: its layer is in that driver's store.)
  const withLayer = new Set(layers.listRW().map((l) => l.containerId));
  for (const rec of store.all()) {
    if (withLayer.has(rec.id) || rec.driver !== deps.storageDriver) continue;
    await store.delete(rec.id);
    report.removedIncomplete.push(rec.id);
  }
}

/** While the API serves: every container the last run may have left something of, each under its lock. */
export async function reconcileContainers(
  deps: ContainerDeps,
  lifecycle: ContainerLifecycle,
  opts: { liveRestore: boolean },
  report: ReconcileReport,
): Promise<void> {
  const { store, runtime, layers, log } = deps;
  const inRuntime = new Set(await runtime.ids().catch(() => [] as string[]));
  const journaled = new Set(lifecycle.resources.ids());
  const toCheck = store
    .all()
    .filter((rec) => isRunning(rec) || inRuntime.has(rec.id) || journaled.has(rec.id) || rec.state.status === 'dead');
  await Promise.all(
    toCheck.map((rec) =>
      lifecycle
        .reconcile(rec.id, () => reconcileOne(deps, lifecycle, rec, opts.liveRestore, report), {
          unsure: !isRunning(rec) && (inRuntime.has(rec.id) || journaled.has(rec.id)),
        })
        .catch((e) => log.warn(`reconciling container ${rec.id}: ${(e as Error).message}`)),
    ),
  );
  // What no container owns any more.
  const known = new Set(store.all().map((c) => c.id));
  for (const id of lifecycle.resources.ids()) {
    if (!known.has(id)) await lifecycle.resources.releaseAll(id).catch(() => {});
  }
  for (const id of inRuntime) {
    if (!known.has(id)) await runtime.delete(id, true).catch(() => {});
  }
  for (const id of layers.orphanRW([...known])) {
    while (layers.mountPath(id) !== undefined) await layers.unmount(id);
    await layers.removeRW(id).catch((e) => log.warn(`removing orphan layer of ${id}: ${(e as Error).message}`));
    report.removedOrphanLayers.push(id);
  }
  for (const dir of [deps.paths.netns, deps.paths.bundles]) {
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      if (report.adopted.includes(name)) continue;
      if (dir === deps.paths.netns) await deps.netns.remove(join(dir, name)).catch(() => {});
      else await rm(join(dir, name), { recursive: true, force: true });
    }
  }
}

async function reconcileOne(
  deps: ContainerDeps,
  lifecycle: ContainerLifecycle,
  rec: ContainerRecord,
  liveRestore: boolean,
  report: ReconcileReport,
): Promise<void> {
  const { store, runtime } = deps;
  // A container whose runtime is not configured is left as found (the error says why); any other failure to read its
  // state means its runtime has none: it is gone.
  const found = await runtime.state(rec.id).catch((e: unknown) => {
    if (isUnavailable(e)) throw e;
    return undefined;
  });
  const alive = found?.status === 'running' || found?.status === 'paused';
  if (alive || isRunning(rec)) {
    // A container that may run holds everything a start acquires (a run of an older berth kept no journal).
    if (lifecycle.resources.holding(rec.id).length === 0) lifecycle.resources.intendStart(rec.id);
  }
  if (alive && !isRunning(rec)) {
    // Its start was in flight: the process runs, its record did not say so yet.
    rec.state = { ...rec.state, status: 'running', pid: found.pid, startedAt: new Date().toISOString(), error: '' };
    rec.hasBeenStarted = true;
    await store.save(rec);
  }
  if (alive && liveRestore) {
    if (rec.state.status !== found.status) {
      rec.state = { ...rec.state, status: found.status as 'running' | 'paused' };
      await store.save(rec);
    }
    await lifecycle.adopt(rec.id);
    report.adopted.push(rec.id);
    return;
  }
  if (alive) {
    await stopLeftover(deps, rec);
    report.killed.push(rec.id);
  }
  if (isRunning(rec)) {
    await lifecycle.recordExit(rec.id);
    report.exited.push(rec.id);
    return;
  }
  if (lifecycle.resources.holding(rec.id).length > 0) {
    await lifecycle.resources.releaseAll(rec.id);
    report.released.push(rec.id);
  }
}

/**
 * A container still running from a --live-restore run (or whose start was in flight), found by a daemon without it:
 * the stop signal, then SIGKILL after the stop timeout (moby's shutdownContainer).
 */
async function stopLeftover(deps: ContainerDeps, rec: ContainerRecord): Promise<void> {
  const { runtime } = deps;
  const exited = runtime.wait(rec.id).then(
    () => true,
    () => true,
  );
  await runtime.resume(rec.id).catch(() => {}); // a paused one gets the signal only once thawed
  await runtime.kill(rec.id, rec.config.StopSignal || 'SIGTERM').catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), (rec.config.StopTimeout ?? 10) * 1000);
  });
  const inTime = await Promise.race([exited, timeout]);
  clearTimeout(timer);
  if (!inTime) await runtime.kill(rec.id, 'SIGKILL', true).catch(() => {});
}

/** Restart policies at daemon start: `always`, and `unless-stopped` unless it was stopped by hand. */
export async function startOnBoot(
  deps: ContainerDeps,
  lifecycle: ContainerLifecycle,
  report: ReconcileReport,
): Promise<void> {
  for (const rec of deps.store.all()) {
    if (isRunning(rec) && report.adopted.includes(rec.id)) continue;
    const policy = parseRestartPolicy(rec.hostConfig.RestartPolicy);
    const wanted = policy.name === 'always' || (policy.name === 'unless-stopped' && !rec.manuallyStopped);
    if (!wanted || !rec.hasBeenStarted || isRunning(deps.store.get(rec.id))) continue;
    await lifecycle.start(rec.id).then(
      () => report.restarted.push(rec.id),
      (e) => deps.log.warn(`restarting ${rec.id} at daemon start: ${(e as Error).message}`),
    );
  }
}
