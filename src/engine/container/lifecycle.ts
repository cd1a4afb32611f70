// The container lifecycle's entry points: create, start, stop, kill, restart, update, pause, rename, remove, wait,
// attach. Each part lives beside it (create.ts, start.ts, exit.ts, signal.ts, remove.ts); this class holds what
// they share and gates every operation on a container behind its reconciliation at daemon start.
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { ContainerCreateRequest, ContainerUpdateRequest, EndpointSettings, HostConfig } from '../../api/index.js';
import { connectNetwork, disconnectNetwork } from './connect.js';
import { Conflict, InvalidParameter, NotFound } from '../../errdefs/index.js';
import { parseLink } from './links.js';
import { KeyedLock } from '../../lib/keyed-lock.js';
import { resourcesOf } from '../spec/oci.js';
import { type AttachOptions, pipeAttach } from './attach.js';
import { createContainer } from './create.js';
import type { ContainerDeps } from './deps.js';
import { recordExit, watchExit } from './exit.js';
import type { ResourceJournal } from './journal.js';
import type { LifecycleContext } from './lifecycle-context.js';
import { type ContainerRecord, isRunning } from './model.js';
import { validateName } from './names.js';
import { PendingAttachments } from './pending-attach.js';
import { removeContainer } from './remove.js';
import { ContainerResources } from './resources.js';
import { RestartManager, parseRestartPolicy } from './restart.js';
import { killContainer, stopContainer } from './signal.js';
import { startContainer } from './start.js';
import { validateHostConfig } from './validate.js';
import { ContainerWaiters, type WaitCondition } from './waiters.js';

export class ContainerLifecycle {
  readonly restarts: RestartManager;
  readonly resources: ContainerResources;
  private readonly ctx: LifecycleContext;
  private readonly lock = new KeyedLock();
  private readonly waiters = new ContainerWaiters();
  /** Read-write layers of removed containers whose disk work goes on after the removal was answered. */
  private readonly layerRemovals = new Set<Promise<void>>();
  /** Containers being reconciled after a daemon start: operations on them wait (reads do not). */
  private readonly reconciling = new Map<string, Promise<void>>();
  /** Those of them whose record may say "not running" while their process runs. */
  private readonly unsure = new Map<string, Promise<void>>();

  constructor(
    private readonly deps: ContainerDeps,
    journal: ResourceJournal,
  ) {
    this.restarts = new RestartManager((id) => this.restartFromPolicy(id));
    this.resources = new ContainerResources(journal, deps);
    this.ctx = {
      deps,
      lock: this.lock,
      waiters: this.waiters,
      resources: this.resources,
      attachments: new PendingAttachments(),
      restarts: this.restarts,
      publish: (action, rec, extra) =>
        deps.events.publish('container', action, rec.id, { ...this.attributes(rec), ...extra }),
      removeLater: (id) =>
        setImmediate(() => {
          // --rm takes the container's anonymous volumes along, as dockerd's AutoRemove does.
          this.remove(id, { force: true, volumes: true }).catch((e) =>
            deps.log.warn(`auto-remove ${id}: ${(e as Error).message}`),
          );
        }),
      logPath: (id) => this.logPath(id),
    };
  }

  /**
   * Runs `work` on container `id` under its lock, with every other operation on it waiting until it is done
   * (reconciliation at daemon start). `unsure`: its record may not say whether it runs (a start the crash cut
   * short), so reads wait for it too rather than show a state its processes contradict.
   */
  reconcile(id: string, work: () => Promise<void>, opts: { unsure?: boolean } = {}): Promise<void> {
    const done = this.lock.run(id, work).finally(() => {
      this.reconciling.delete(id);
      this.unsure.delete(id);
    });
    const settled = done.catch(() => {});
    this.reconciling.set(id, settled);
    if (opts.unsure) this.unsure.set(id, settled);
    return done;
  }

  /** Resolves once no container's state is in doubt (`id`: that one's), for list and inspect. */
  async stateKnown(id?: string): Promise<void> {
    if (id === undefined) await Promise.all(this.unsure.values());
    else await this.unsure.get(id);
  }

  /** The container, once any reconciliation of it is over. */
  private async ready(ref: string): Promise<ContainerRecord> {
    const rec = this.deps.store.get(ref);
    const pending = this.reconciling.get(rec.id);
    if (!pending) return rec;
    await pending;
    return this.deps.store.get(rec.id);
  }

  create(name: string | undefined, req: ContainerCreateRequest) {
    return createContainer(this.ctx, name, req);
  }

  /** Starts a created or exited container; false when it was already running (HTTP 304). */
  async start(ref: string): Promise<boolean> {
    const { id } = await this.ready(ref);
    const started = await this.lock.run(id, () => startContainer(this.ctx, id));
    if (started) void this.watch(id);
    return started;
  }

  /** Follows a running container to its exit; resolves once the exit is handled. */
  watch(id: string): Promise<void> {
    return watchExit(this.ctx, id);
  }

  private async restartFromPolicy(id: string): Promise<void> {
    const rec = this.deps.store.find(id);
    if (rec?.state.status !== 'restarting') return;
    rec.restartCount++;
    rec.state = { ...rec.state, status: 'exited' };
    await this.deps.store.save(rec);
    await this.start(id).catch((e) => this.deps.log.warn(`restart of ${id} failed: ${(e as Error).message}`));
  }

  async stop(ref: string, opts: { timeout?: number; signal?: string } = {}): Promise<boolean> {
    return stopContainer(this.ctx, await this.ready(ref), opts);
  }

  async kill(ref: string, signal = 'SIGKILL'): Promise<void> {
    return killContainer(this.ctx, await this.ready(ref), signal, ref);
  }

  async restart(ref: string, opts: { timeout?: number; signal?: string } = {}): Promise<void> {
    const { id } = await this.ready(ref);
    await this.stop(id, opts);
    await this.start(id);
    this.ctx.publish('restart', this.deps.store.get(id));
  }

  /** `docker update`: new resource limits (applied to a running container's cgroup) and restart policy. */
  async update(ref: string, body: ContainerUpdateRequest): Promise<{ Warnings: string[] }> {
    const rec = await this.ready(ref);
    return this.lock.run(rec.id, async () => {
      const hostConfig: HostConfig = { ...rec.hostConfig };
      for (const [k, v] of Object.entries(body)) {
        if (v !== undefined && v !== null && !(typeof v === 'number' && v === 0 && k !== 'PidsLimit')) {
          (hostConfig as Record<string, unknown>)[k] = v;
        }
      }
      if (
        body.Memory &&
        !body.MemorySwap &&
        rec.hostConfig.MemorySwap &&
        rec.hostConfig.MemorySwap > 0 &&
        body.Memory > rec.hostConfig.MemorySwap
      ) {
        throw new InvalidParameter(
          'Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time',
        );
      }
      const warnings = validateHostConfig(hostConfig);
      if (hostConfig.AutoRemove && parseRestartPolicy(hostConfig.RestartPolicy).name !== 'no') {
        throw new InvalidParameter('Cannot update restart policy on a container with AutoRemove');
      }
      if (rec.state.status === 'running' || rec.state.status === 'paused') {
        // Device rules stay as they were set at start: only the limits change.
        const { devices: _devices, ...limits } = resourcesOf(hostConfig);
        await this.deps.runtime.update(rec.id, limits);
      }
      rec.hostConfig = hostConfig;
      await this.deps.store.save(rec);
      this.ctx.publish('update', rec);
      return { Warnings: warnings };
    });
  }

  async pause(ref: string): Promise<void> {
    const rec = await this.ready(ref);
    await this.lock.run(rec.id, async () => {
      if (rec.state.status === 'paused') throw new Conflict(`Container ${rec.id} is already paused`);
      if (rec.state.status !== 'running') throw new Conflict(`Container ${rec.id} is not running`);
      await this.deps.runtime.pause(rec.id);
      rec.state = { ...rec.state, status: 'paused' };
      await this.deps.store.save(rec);
    });
    this.ctx.publish('pause', rec);
  }

  async unpause(ref: string): Promise<void> {
    const rec = await this.ready(ref);
    await this.lock.run(rec.id, async () => {
      if (rec.state.status !== 'paused') throw new Conflict(`Container ${rec.id} is not paused`);
      await this.deps.runtime.resume(rec.id);
      rec.state = { ...rec.state, status: 'running' };
      await this.deps.store.save(rec);
    });
    this.ctx.publish('unpause', rec);
  }

  async rename(ref: string, newName: string): Promise<void> {
    const rec = this.deps.store.get(ref);
    if (!newName) throw new InvalidParameter('Neither old nor new names may be empty');
    const name = validateName(newName);
    if (name === rec.name) throw new InvalidParameter('Renaming a container with the same name as its current name');
    const old = rec.name;
    this.deps.store.reserveName(name, rec.id);
    rec.name = name;
    try {
      await this.deps.store.save(rec);
    } catch (e) {
      rec.name = old;
      this.deps.store.releaseName(name, rec.id);
      throw e;
    }
    this.deps.store.releaseName(old, rec.id);
    this.ctx.publish('rename', rec, { oldName: `/${old}` });
  }

  async remove(ref: string, opts: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    return removeContainer(this.ctx, await this.ready(ref), opts, this.layerRemovals);
  }

  /** Resolves when the disk work of the removals answered so far has ended (daemon shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.reconciling.values(), ...this.layerRemovals, this.deps.store.settled()]);
  }

  /** Docker's wait conditions; `signal` (the client went away) drops the waiters and rejects. */
  async wait(ref: string, condition: WaitCondition = 'not-running', signal?: AbortSignal) {
    const rec = await this.ready(ref);
    return this.waiters.wait(rec, condition, () => this.deps.store.find(rec.id), signal);
  }

  /**
   * Attaches a client's connection: right away to a running container, or at its next start (the CLI attaches
   * before it starts, so no output is lost). Resolves when the attach ends.
   */
  async attach(ref: string, client: Duplex, opts: AttachOptions): Promise<{ detached: boolean }> {
    const rec = await this.ready(ref);
    if (rec.state.status === 'running' || rec.state.status === 'paused') {
      const shim = await this.deps.runtime.attach(rec.id);
      return pipeAttach(shim, client, opts);
    }
    return this.ctx.attachments.hold(rec.id, client, opts);
  }

  async resize(ref: string, height: number, width: number): Promise<void> {
    const rec = await this.ready(ref);
    if (!isRunning(rec)) throw new Conflict(`Container ${rec.id} is not running`);
    await this.deps.runtime.resize(rec.id, height, width);
  }

  logPath(id: string): string {
    return join(this.deps.store.dir(id), `${id}-json.log`);
  }

  attributes(rec: ContainerRecord): Record<string, string> {
    return { ...(rec.config.Labels ?? {}), image: rec.imageRef, name: rec.name };
  }

  /** Records the exit of a container found dead at daemon start; for `reconcile`'s work (it holds the lock). */
  recordExit(id: string): Promise<void> {
    return recordExit(this.ctx, id);
  }

  /** A container an earlier daemon left running (live restore): its rootfs mount taken over, its exit followed. */
  async adopt(id: string): Promise<void> {
    await this.resources.rootfs.adopt(id);
    this.resources.volumes.adopt(id);
    await this.deps.sandboxes.restore(this.deps.store.get(id));
    void this.watch(id);
  }

  /**
   * `docker rm --link /parent/alias`: the legacy link goes from the parent's config (a running parent keeps what its
   * start gave it, its hosts line and variables, as with Docker).
   */
  async removeLink(name: string): Promise<void> {
    const parts = name.split('/').filter(Boolean);
    if (parts.length < 2) throw new Conflict('Conflict, cannot remove the default link name of the container');
    const alias = parts.at(-1) ?? '';
    const parent = await this.ready(parts.slice(0, -1).join('/'));
    await this.lock.run(parent.id, async () => {
      const links = parent.hostConfig.Links ?? [];
      const kept = links.filter((l) => parseLink(l).alias !== alias);
      if (kept.length === links.length) throw new NotFound(`No such link: /${parent.name}/${alias}`);
      parent.hostConfig = { ...parent.hostConfig, Links: kept.length > 0 ? kept : null };
      await this.deps.store.save(parent);
    });
  }

  /** `network connect`: a created container gets the endpoint at its next start, a running one at once. */
  async connect(ref: string, networkRef: string, settings: Partial<EndpointSettings>): Promise<void> {
    const rec = await this.ready(ref);
    await this.lock.run(rec.id, () => connectNetwork(this.ctx, rec, networkRef, settings));
  }

  async disconnect(ref: string, networkRef: string, force: boolean): Promise<void> {
    const rec = await this.ready(ref);
    await this.lock.run(rec.id, () => disconnectNetwork(this.ctx, rec, networkRef, force));
  }
}
