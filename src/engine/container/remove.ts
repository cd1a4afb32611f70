// Removing a container: a running one killed first (with force), everything it holds released, then its record
// and its read-write layer; the answer goes out once the record is gone, the layer's disk work after.
import { Conflict, isNotFound } from '../../errdefs/index.js';
import { type LifecycleContext, unlessUnreachable } from './lifecycle-context.js';
import { type ContainerRecord, isRunning } from './model.js';

export async function removeContainer(
  ctx: LifecycleContext,
  rec: ContainerRecord,
  opts: { force?: boolean; volumes?: boolean },
  layerRemovals: Set<Promise<void>>,
): Promise<void> {
  const { store, runtime, layers, log } = ctx.deps;
  // A restart already under way finishes first: else its start would mount the layer this removal is deleting.
  await ctx.restarts.underway(rec.id);
  if (rec.state.status === 'removing') {
    throw new Conflict(`removal of container ${rec.id} is already in progress`);
  }
  if (rec.state.status === 'restarting' && !opts.force) {
    // moby's cleanupContainer: a restarting container counts as running (its next start is only a timer away).
    throw new Conflict(
      `You cannot remove a restarting container ${rec.id}. Stop the container before attempting removal or force remove`,
    );
  }
  if (isRunning(rec) && rec.state.status !== 'restarting') {
    if (!opts.force) throw stillRunning(rec);
    const exited = ctx.waiters.nextExit(rec.id);
    await runtime.kill(rec.id, 'SIGKILL', true).catch(unlessUnreachable);
    if (rec.state.status === 'paused') await runtime.resume(rec.id).catch(() => {});
    await exited;
  }
  ctx.restarts.cancel(rec.id);
  ctx.restarts.forget(rec.id);
  await ctx.lock.run(rec.id, async () => {
    if (!store.find(rec.id)) return;
    // A start that came between the check above and this lock: without force, the container now runs and stays.
    if (isRunning(rec) && rec.state.status !== 'restarting' && !opts.force) throw stillRunning(rec);
    // Anything still held (a start or a release cut short) goes before the record: never a process without one.
    await ctx.resources.releaseAll(rec.id);
    rec.state = { ...rec.state, status: 'removing' };
    // The record goes first (a crash then leaves an orphan layer, which the next start removes), once the layer is
    // known to be removable; the layer's disk work finishes after the answer.
    let removed = false;
    try {
      const layer = await layers.removeRWLater(rec.id, async () => {
        await store.delete(rec.id);
        removed = true;
      });
      const removing = layer.removed
        .catch((e) => log.warn(`removing the layer of ${rec.id}: ${(e as Error).message}`))
        .finally(() => layerRemovals.delete(removing));
      layerRemovals.add(removing);
    } catch (e) {
      if (removed) throw e; // the record is gone: saving it as "dead" would bring it back
      if (!isNotFound(e)) {
        rec.state = { ...rec.state, status: 'dead', error: (e as Error).message };
        await store.save(rec);
        throw e;
      }
      await store.delete(rec.id);
    }
  });
  // Its volume references go with the record; `rm -v` (and --rm) removes its anonymous volumes too, unless another
  // container uses them (named volumes never go implicitly).
  const volumes = rec.mountSpec?.volumes ?? [];
  if (ctx.deps.volumes && volumes.length > 0 && !store.find(rec.id)) {
    const anonymous = opts.volumes ? volumes.filter((v) => v.anonymous).map((v) => v.name) : [];
    await ctx.deps.volumes
      .dereference(
        rec.id,
        volumes.map((v) => v.name),
        anonymous,
      )
      .catch((e) => log.warn(`removing the volumes of ${rec.id}: ${(e as Error).message}`));
  }
  ctx.publish('destroy', rec);
  ctx.waiters.removed(rec.id);
  ctx.attachments.fail(rec.id);
}

function stillRunning(rec: ContainerRecord): Conflict {
  const what = rec.state.status === 'paused' ? 'container is paused' : 'container is running';
  return new Conflict(
    `cannot remove container "/${rec.name}": ${what}: stop the container before removing or force remove`,
  );
}
