// What berthd does at start with what the last run left (moby's daemon.restore): running containers whose shim is
// alive are adopted (live restore) or stopped; the rest are marked exited with the status their shim recorded;
// leftovers (runtime state, netns mounts, bundles, read-write layers of unknown containers, containers without their
// layer) are removed; restart policies that apply at daemon start are honoured.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerDeps } from './container/deps.js';
import type { ContainerLifecycle } from './container/lifecycle.js';
import { type ContainerRecord, isRunning } from './container/model.js';
import { parseRestartPolicy } from './container/restart.js';

export interface ReconcileReport {
  adopted: string[];
  exited: string[];
  killed: string[];
  removedIncomplete: string[];
  removedOrphanLayers: string[];
  restarted: string[];
}

export async function reconcileContainers(
  deps: ContainerDeps,
  lifecycle: ContainerLifecycle,
  opts: { liveRestore: boolean; incomplete: string[] },
): Promise<ReconcileReport> {
  const report: ReconcileReport = {
    adopted: [],
    exited: [],
    killed: [],
    removedIncomplete: [],
    removedOrphanLayers: [],
    restarted: [],
  };
  const { store, runtime, layers, log } = deps;
  for (const id of opts.incomplete) {
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
  const toStop: ContainerRecord[] = [];
  const toWatch: ContainerRecord[] = [];
  for (const rec of store.all()) {
    if (!isRunning(rec) && rec.state.status !== 'removing') continue;
    let status: string | undefined;
    try {
      status = (await runtime.state(rec.id)).status;
    } catch {
      status = undefined;
    }
    if ((status === 'running' || status === 'paused') && rec.state.status !== 'removing') {
      if (opts.liveRestore) {
        await layers.mount(rec.id); // the mount is there; this restores its reference
        lifecycle.adopt(rec.id);
        report.adopted.push(rec.id);
        continue;
      }
      toStop.push(rec);
      report.killed.push(rec.id);
    }
    toWatch.push(rec);
  }
  // moby's restore calls shutdownContainer on these: a graceful stop, all containers at once.
  await Promise.all(toStop.map((rec) => stopLeftover(deps, rec)));
  for (const rec of toWatch) {
    // Its exit is in the shim's exit file (or unknown): the same path as a live exit.
    await layers.mount(rec.id).catch(() => {});
    await lifecycle.watch(rec.id);
    report.exited.push(rec.id);
  }
  for (const id of layers.orphanRW(store.all().map((c) => c.id))) {
    while (layers.mountPath(id) !== undefined) await layers.unmount(id);
    await layers.removeRW(id).catch((e) => log.warn(`removing orphan layer of ${id}: ${(e as Error).message}`));
    report.removedOrphanLayers.push(id);
  }
  const known = new Set(store.all().map((c) => c.id));
  for (const id of await runtime.ids().catch(() => [] as string[])) {
    if (!known.has(id)) await runtime.delete(id, true).catch(() => {});
  }
  for (const dir of [deps.paths.netns, deps.paths.bundles]) {
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const rec = store.find(name);
      if (rec && isRunning(rec) && report.adopted.includes(rec.id)) continue;
      if (dir === deps.paths.netns) await deps.netns.remove(join(dir, name)).catch(() => {});
      else await rm(join(dir, name), { recursive: true, force: true });
    }
  }
  return report;
}

/**
 * A container still running from a --live-restore run, found by a daemon without it: the stop signal, then SIGKILL
 * after the stop timeout (moby's shutdownContainer).
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
