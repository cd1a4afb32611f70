// A container's exit: its resources given back, the exit recorded, waiters told, then the restart policy or
// AutoRemove applied. Also the path of a container found dead at daemon start.
import type { ExitStatus } from '../../runtime/container-runtime.js';
import type { LifecycleContext } from './lifecycle-context.js';
import { phaseTimer } from './lifecycle-context.js';
import { isRunning } from './model.js';
import { parseRestartPolicy } from './restart.js';

/** Follows a running container to its exit; resolves once the exit is handled. */
export function watchExit(ctx: LifecycleContext, id: string): Promise<void> {
  return ctx.deps.runtime
    .wait(id)
    .catch(() => undefined)
    .then((status) => ctx.lock.run(id, () => handleExit(ctx, id, status)))
    .catch((e) => ctx.deps.log.error(`container ${id}: handling its exit failed: ${(e as Error).message}`));
}

/**
 * The exit of a container whose process is gone, handled at once by a caller that holds its lock (reconciliation at
 * daemon start): the status its shim recorded, if any.
 */
export async function recordExit(ctx: LifecycleContext, id: string): Promise<void> {
  const status = await ctx.deps.runtime.wait(id).catch(() => undefined);
  await handleExit(ctx, id, status);
}

async function handleExit(ctx: LifecycleContext, id: string, status: ExitStatus | undefined): Promise<void> {
  const { store, log } = ctx.deps;
  const rec = store.find(id);
  if (!rec || !isRunning(rec)) return;
  const t = phaseTimer();
  await ctx.resources.releaseAll(id).catch((e) => log.warn(`releasing ${id} after its exit: ${(e as Error).message}`));
  t.mark('release');
  const exitCode = status?.exitCode ?? 255;
  rec.state = {
    ...rec.state,
    status: 'exited',
    pid: 0,
    exitCode,
    oomKilled: status?.oomKilled ?? false,
    finishedAt: status?.exitedAt ?? new Date().toISOString(),
    error: status ? '' : "the container's shim exited without recording a status",
  };
  if (rec.state.health) rec.state.health = { ...rec.state.health, Status: 'unhealthy' };
  const restart = ctx.restarts.shouldRestart(rec, parseRestartPolicy(rec.hostConfig.RestartPolicy));
  // An --rm container is removed next: its exited state need not reach the disk (a crash meanwhile leaves it
  // "running" with a dead shim, which the next start turns into this same exit).
  if (restart || !rec.hostConfig.AutoRemove) await store.save(rec);
  t.mark('save');
  log.debug(`exit ${id.slice(0, 12)}: ${t.summary()}`);
  if (rec.state.oomKilled) ctx.publish('oom', rec);
  ctx.publish('die', rec, { exitCode: String(exitCode) });
  ctx.waiters.exited(rec);
  if (restart) {
    rec.state = { ...rec.state, status: 'restarting' };
    await store.save(rec);
    ctx.restarts.schedule(rec);
    return;
  }
  ctx.restarts.forget(id);
  if (rec.hostConfig.AutoRemove) ctx.removeLater(id);
}
