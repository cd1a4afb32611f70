// Starting a container: its resources acquired under the journal (rootfs mount, bundle, the runtime's container),
// held attaches joined between the runtime's create and start, the running state written while the process is
// released. A start that fails gives back everything it took, through the same releases as an exit.
import { InvalidParameter } from '../../errdefs/index.js';
import { Conflict } from '../../errdefs/index.js';
import { InitStepError } from '../../runtime/errors.js';
import type { LifecycleContext } from './lifecycle-context.js';
import { phaseTimer } from './lifecycle-context.js';
import { prepareStart } from './prepare-start.js';

/** Starts a created or exited container; false when it was already running (HTTP 304). Called under the lock. */
export async function startContainer(ctx: LifecycleContext, id: string): Promise<boolean> {
  const { store, runtime, log } = ctx.deps;
  const rec = store.get(id);
  if (rec.state.status === 'paused') throw new Conflict('cannot start a paused container, try unpause instead');
  if (rec.state.status === 'running') return false;
  if (rec.state.status === 'removing' || rec.state.status === 'dead') {
    throw new Conflict(`container is marked for removal and cannot be started`);
  }
  ctx.restarts.cancel(id);
  const t = phaseTimer();
  // Whatever an earlier run left (a release that failed) goes first: a start begins from nothing held.
  await ctx.resources.releaseAll(id);
  ctx.resources.intendStart(id);
  const mounting = ctx.resources.rootfs.acquire(id);
  const networking = ctx.resources.network.acquire(id);
  const holding = ctx.resources.volumes.acquire(id);
  const sharing = ctx.resources.shm.acquire(id);
  sharing.catch(() => {});
  mounting.catch(() => {}); // prepareStart awaits them
  networking.catch(() => {});
  holding.catch(() => {});
  try {
    const prepared = await prepareStart(ctx.deps, rec, mounting, networking, holding, {
      shm: sharing,
      donor: (ref) => ctx.resources.shm.donor(ref),
    });
    t.mark('mount and prepare');
    const logOpts = { ...ctx.deps.logOpts, ...(rec.hostConfig.LogConfig?.Config ?? {}) };
    const [created, written] = await Promise.allSettled([
      runtime.create(id, prepared.bundle, {
        spec: prepared.spec,
        runtime: rec.hostConfig.Runtime,
        stdio: {
          openStdin: rec.config.OpenStdin === true,
          log: {
            path: ctx.logPath(id),
            maxSize: parseLogSize(logOpts['max-size']),
            maxFiles: Number(logOpts['max-file'] ?? 1) || 1,
          },
        },
      }),
      prepared.written,
    ]);
    if (created.status === 'rejected') throw created.reason;
    if (written.status === 'rejected') throw written.reason;
    t.mark('create');
    await ctx.attachments.connect(id, () => runtime.attach(id));
    // The running state is written while the runtime starts the process (its exit waits for the lock this start
    // holds); should the start fail, the state before it is restored, then written with the error below.
    const before = { state: rec.state, hasBeenStarted: rec.hasBeenStarted, manuallyStopped: rec.manuallyStopped };
    rec.state = {
      ...rec.state,
      status: 'running',
      pid: created.value.record.pid,
      exitCode: 0,
      error: '',
      oomKilled: false,
      startedAt: new Date().toISOString(),
    };
    rec.hasBeenStarted = true;
    rec.manuallyStopped = false;
    const [started, saved] = await Promise.allSettled([runtime.start(id), store.save(rec)]);
    t.mark('start');
    if (started.status === 'rejected') {
      Object.assign(rec, before);
      throw started.reason;
    }
    if (saved.status === 'rejected') throw saved.reason;
  } catch (e) {
    // Every acquisition settles first: a mount that lands after its release would stay.
    await Promise.allSettled([mounting, networking, holding, sharing]);
    await ctx.resources.releaseAll(id).catch((err) => log.warn(`releasing ${id} after a failed start: ${err}`));
    rec.state = {
      ...rec.state,
      status: rec.hasBeenStarted ? 'exited' : 'created',
      error: (e as Error).message,
      // As moby's translateContainerdStartErr: 127 for a missing command, 126 for one that cannot run.
      exitCode: (e instanceof InitStepError ? e.execExitCode : undefined) ?? 128,
    };
    await store.save(rec).catch(() => {});
    ctx.attachments.fail(id);
    // dockerd removes an --rm container whose start failed (the CLI waits for that removal).
    if (rec.hostConfig.AutoRemove) ctx.removeLater(id);
    throw e;
  }
  ctx.publish('start', rec);
  log.debug(`start ${id.slice(0, 12)}: ${t.summary()}`);
  return true;
}

/** Docker's log-opt max-size ("10m", "1g", bytes); 0 = unlimited. */
export function parseLogSize(v: string | undefined): number {
  if (!v) return 0;
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)b?$/i.exec(v.trim());
  if (!m) throw new InvalidParameter(`invalid max-size: ${v}`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? '').toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Math.floor(Number(m[1]) * mult);
}
