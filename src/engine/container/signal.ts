// Signals: stop (the stop signal, then SIGKILL after the timeout), kill, and the signal sent with its event.
import { Conflict, InvalidParameter } from '../../errdefs/index.js';
import { parseSignal } from '../../runtime/signals.js';
import { type LifecycleContext, unlessUnreachable } from './lifecycle-context.js';
import { type ContainerRecord, isRunning } from './model.js';

/** How long a SIGKILL's answer waits for the exit (moby waits 10 s before it kills the pid directly). */
const KILL_EXIT_WAIT_MS = 10_000;

/** Stop: the stop signal, then SIGKILL after the timeout (seconds; -1 waits forever). False when not running. */
export async function stopContainer(
  ctx: LifecycleContext,
  rec: ContainerRecord,
  opts: { timeout?: number; signal?: string },
): Promise<boolean> {
  const { store, runtime } = ctx.deps;
  if (rec.state.status === 'restarting') {
    ctx.restarts.cancel(rec.id);
    rec.state = { ...rec.state, status: 'exited' };
    rec.manuallyStopped = true;
    await store.save(rec);
    return true;
  }
  if (!isRunning(rec)) return false;
  rec.manuallyStopped = true;
  await store.save(rec);
  const timeout = opts.timeout ?? rec.config.StopTimeout ?? 10;
  const signal = opts.signal || rec.config.StopSignal || 'SIGTERM';
  const exited = ctx.waiters.nextExit(rec.id);
  if (rec.state.status === 'paused') await runtime.resume(rec.id).catch(() => {});
  await sendSignal(ctx, rec, signal).catch(unlessUnreachable);
  if (timeout < 0) {
    await exited;
    return true;
  }
  const inTime = await Promise.race([exited.then(() => true), delay(timeout * 1000).then(() => false)]);
  if (!inTime) {
    await sendSignal(ctx, rec, 'SIGKILL').catch(unlessUnreachable);
    await exited;
  }
  return true;
}

/** `ref`: the name or ID the client gave (Docker's message repeats it). */
export async function killContainer(
  ctx: LifecycleContext,
  rec: ContainerRecord,
  signal: string,
  ref: string,
): Promise<void> {
  let sig: number;
  try {
    sig = parseSignal(signal);
  } catch {
    throw new InvalidParameter(`Invalid signal: ${signal}`);
  }
  if (!isRunning(rec) || rec.state.status === 'restarting') {
    throw new Conflict(`Cannot kill container: ${ref}: container ${rec.id} is not running`); // moby's router text
  }
  if (sig === 9 || sig === parseSignal(rec.config.StopSignal || 'SIGTERM')) {
    rec.manuallyStopped = true;
    await ctx.deps.store.save(rec);
  }
  // moby's Kill: a SIGKILL is answered once the container is dead (bounded), so an inspect right after sees it so.
  const dead = sig === 9 ? ctx.waiters.nextExit(rec.id) : undefined;
  await sendSignal(ctx, rec, String(sig));
  // A frozen process takes its SIGKILL when thawed (moby resumes a paused container after the kill too).
  if (dead && rec.state.status === 'paused') await ctx.deps.runtime.resume(rec.id).catch(() => {});
  if (dead) await Promise.race([dead, delay(KILL_EXIT_WAIT_MS)]);
}

export async function sendSignal(ctx: LifecycleContext, rec: ContainerRecord, signal: string): Promise<void> {
  await ctx.deps.runtime.kill(rec.id, signal);
  ctx.publish('kill', rec, { signal: String(parseSignal(signal)) });
}

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
