// Container lifecycle: create, start, stop, kill, restart, pause, unpause, rename, remove, wait — and what happens
// when a container's process exits (state, cleanup, events, restart policy, auto-remove).
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type {
  ContainerCreateRequest,
  ContainerUpdateRequest,
  ContainerWaitResponse,
  HostConfig,
} from '../../api/index.js';
import { parseAnyReference } from '../../image/reference.js';
import { resolveMounts } from '../spec/mounts.js';
import { resourcesOf } from '../spec/oci.js';
import { Conflict, InvalidParameter, isNotFound } from '../../errdefs/index.js';
import { attach as attachShim, type ExitStatus, request } from '../../runtime/shim/client.js';
import { InitStepError } from '../../runtime/errors.js';
import { parseSignal } from '../../runtime/signals.js';
import { KeyedLock } from '../../storage/graphdriver/index.js';
import { type AttachOptions, pipeAttach } from './attach.js';
import type { ContainerDeps } from './deps.js';
import { commandOf, mergeConfig } from './merge.js';
import { type ContainerRecord, isRunning, newState } from './model.js';
import { generateName, validateName } from './names.js';
import { prepareStart } from './prepare-start.js';
import { RestartManager, parseRestartPolicy } from './restart.js';
import { validateHostConfig } from './validate.js';

type WaitCondition = 'not-running' | 'next-exit' | 'removed';

interface PendingAttach {
  client: Duplex;
  opts: AttachOptions;
  done: (r: { detached: boolean }) => void;
}

export class ContainerLifecycle {
  private readonly lock = new KeyedLock();
  private readonly exitWaiters = new Map<string, Set<(rec: ContainerRecord) => void>>();
  private readonly removeWaiters = new Map<string, Set<(removed: true) => void>>();
  /** Read-write layers of removed containers whose disk work goes on after the removal was answered. */
  private readonly layerRemovals = new Set<Promise<void>>();
  private readonly pendingAttach = new Map<string, Set<PendingAttach>>();
  readonly restarts: RestartManager;

  constructor(private readonly deps: ContainerDeps) {
    this.restarts = new RestartManager((id) => this.restartFromPolicy(id));
  }

  // ---- create ----

  async create(name: string | undefined, req: ContainerCreateRequest): Promise<{ Id: string; Warnings: string[] }> {
    const { store, images, layers, events } = this.deps;
    if (!req.Image) throw new InvalidParameter('config cannot be empty in order to create a container');
    const hostConfig: HostConfig = { ...(req.HostConfig ?? {}) };
    const warnings = validateHostConfig(hostConfig);
    // As dockerd, at create: bind specs (a named volume is a clear 400 now, not a failed start), and the image
    // reference's syntax (400 "invalid reference format", not 404).
    resolveMounts(hostConfig);
    parseAnyReference(req.Image);
    const image = images.resolve(req.Image);
    const { HostConfig: _h, NetworkingConfig: _n, ...userConfig } = req;
    const config = mergeConfig(userConfig, image.config.config);
    config.Image = req.Image;
    const cmd = commandOf(config);
    if (!cmd) throw new InvalidParameter('no command specified');
    const id = randomBytes(32).toString('hex');
    const t = phaseTimer();
    let finalName = name ? validateName(name) : '';
    if (finalName) store.reserveName(finalName, id);
    else {
      for (let i = 0; ; i++) {
        finalName = generateName(i);
        if (!store.hasName(finalName)) break;
      }
      store.reserveName(finalName, id);
    }
    try {
      const rec: ContainerRecord = {
        id,
        name: finalName,
        created: new Date().toISOString(),
        image: image.id,
        imageRef: req.Image,
        path: cmd.path,
        args: cmd.args,
        config,
        hostConfig,
        mounts: [],
        state: newState(),
        restartCount: 0,
        manuallyStopped: false,
        hasBeenStarted: false,
        driver: this.deps.storageDriver,
      };
      // The layer and the record are written side by side (a record whose layer a crash cut short is removed at the
      // next start, as reconcile does); the container is visible once both are.
      const [layer, written] = await Promise.allSettled([layers.createRW(id, image.chainIds.at(-1)), store.write(rec)]);
      if (layer.status === 'rejected') throw layer.reason;
      if (written.status === 'rejected') throw written.reason;
      store.show(rec);
      t.mark('layer and record');
      events.publish('container', 'create', id, this.attributes(rec));
      this.deps.log.debug(`create ${id.slice(0, 12)}: ${t.summary()}`);
      return { Id: id, Warnings: warnings };
    } catch (e) {
      store.releaseName(finalName, id);
      await layers.removeRW(id).catch(() => {});
      await store.delete(id).catch(() => {});
      throw e;
    }
  }

  // ---- start / exit ----

  /** Starts a created or exited container; false when it was already running (HTTP 304). */
  async start(ref: string): Promise<boolean> {
    const id = this.deps.store.get(ref).id;
    return this.lock.run(id, () => this.startLocked(id));
  }

  private async startLocked(id: string): Promise<boolean> {
    const { store, runtime, layers, events } = this.deps;
    const rec = store.get(id);
    if (rec.state.status === 'paused') throw new Conflict('cannot start a paused container, try unpause instead');
    if (rec.state.status === 'running') return false;
    if (rec.state.status === 'removing' || rec.state.status === 'dead') {
      throw new Conflict(`container is marked for removal and cannot be started`);
    }
    this.restarts.cancel(id);
    const t = phaseTimer();
    try {
      // A mount that fails is not counted, so the unmount below is then a no-op; one that lands after a failed
      // prepare is undone by it (both take the layer's lock, in order).
      const mounting = layers.mount(id);
      mounting.catch(() => {}); // prepareStart awaits it
      const prepared = await prepareStart(this.deps, rec, mounting);
      t.mark('mount and prepare');
      const logOpts = { ...this.deps.logOpts, ...(rec.hostConfig.LogConfig?.Config ?? {}) };
      const [created] = await Promise.all([
        runtime.create(id, prepared.bundle, {
          spec: prepared.spec,
          stdio: {
            openStdin: rec.config.OpenStdin === true,
            log: {
              path: this.logPath(id),
              maxSize: parseLogSize(logOpts['max-size']),
              maxFiles: Number(logOpts['max-file'] ?? 1) || 1,
            },
          },
        }),
        prepared.written,
      ]);
      t.mark('create');
      await this.connectPendingAttach(id);
      // The running state is written while the runtime starts the process (its exit waits for the lock this start
      // holds); should the start fail, the state before it is restored, then written with the error below.
      const before = { state: rec.state, hasBeenStarted: rec.hasBeenStarted, manuallyStopped: rec.manuallyStopped };
      rec.state = {
        ...rec.state,
        status: 'running',
        pid: created.record.pid,
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
      await runtime.delete(id, true).catch(() => {});
      await layers.unmount(id).catch(() => {});
      rec.state = {
        ...rec.state,
        status: rec.hasBeenStarted ? 'exited' : 'created',
        error: (e as Error).message,
        // As moby's translateContainerdStartErr: 127 for a missing command, 126 for one that cannot run.
        exitCode: (e instanceof InitStepError ? e.execExitCode : undefined) ?? 128,
      };
      await store.save(rec).catch(() => {});
      this.failPendingAttach(id);
      // dockerd removes an --rm container whose start failed (the CLI waits for that removal).
      if (rec.hostConfig.AutoRemove) {
        setImmediate(() => {
          this.remove(id, { force: true }).catch((err) => this.deps.log.warn(`auto-remove ${id}: ${String(err)}`));
        });
      }
      throw e;
    }
    events.publish('container', 'start', id, this.attributes(rec));
    this.deps.log.debug(`start ${id.slice(0, 12)}: ${t.summary()}`);
    void this.watch(id);
    return true;
  }

  /** Follows a running container to its exit; resolves once the exit is handled. */
  watch(id: string): Promise<void> {
    return this.deps.runtime
      .wait(id)
      .catch(() => undefined)
      .then((status) => this.lock.run(id, () => this.onExit(id, status)))
      .catch((e) => this.deps.log.error(`container ${id}: handling its exit failed: ${(e as Error).message}`));
  }

  private async onExit(id: string, status: ExitStatus | undefined): Promise<void> {
    const { store, runtime, layers, events } = this.deps;
    const rec = store.find(id);
    if (!rec || !isRunning(rec)) return;
    const t = phaseTimer();
    // Independent: the container's processes have their own mount namespace, so the daemon's view of the rootfs can
    // go while the runtime removes the container's state and cgroup.
    await Promise.all([
      runtime.delete(id, true).catch((e) => this.deps.log.warn(`runtime delete ${id}: ${(e as Error).message}`)),
      layers.unmount(id).catch(() => {}),
      rm(join(this.deps.paths.bundles, id), { recursive: true, force: true }),
    ]);
    t.mark('runtime delete and unmount');
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
    const restart = this.restarts.shouldRestart(rec, parseRestartPolicy(rec.hostConfig.RestartPolicy));
    // An --rm container is removed next: its exited state need not reach the disk (a crash meanwhile leaves it
    // "running" with a dead shim, which the next start turns into this same exit).
    if (restart || !rec.hostConfig.AutoRemove) await store.save(rec);
    t.mark('save');
    this.deps.log.debug(`exit ${id.slice(0, 12)}: ${t.summary()}`);
    if (rec.state.oomKilled) events.publish('container', 'oom', id, this.attributes(rec));
    events.publish('container', 'die', id, { ...this.attributes(rec), exitCode: String(exitCode) });
    this.notifyExit(rec);
    if (restart) {
      rec.state = { ...rec.state, status: 'restarting' };
      await store.save(rec);
      this.restarts.schedule(rec);
      return;
    }
    this.restarts.forget(id);
    if (rec.hostConfig.AutoRemove) {
      setImmediate(() => {
        this.remove(id, { force: true }).catch((e) => this.deps.log.warn(`auto-remove ${id}: ${(e as Error).message}`));
      });
    }
  }

  private async restartFromPolicy(id: string): Promise<void> {
    const rec = this.deps.store.find(id);
    if (rec?.state.status !== 'restarting') return;
    rec.restartCount++;
    rec.state = { ...rec.state, status: 'exited' };
    await this.deps.store.save(rec);
    await this.start(id).catch((e) => this.deps.log.warn(`restart of ${id} failed: ${(e as Error).message}`));
  }

  // ---- stop / kill / restart ----

  /** Stop: the stop signal, then SIGKILL after the timeout (seconds; -1 waits forever). False when not running. */
  async stop(ref: string, opts: { timeout?: number; signal?: string } = {}): Promise<boolean> {
    const rec = this.deps.store.get(ref);
    if (rec.state.status === 'restarting') {
      this.restarts.cancel(rec.id);
      rec.state = { ...rec.state, status: 'exited' };
      rec.manuallyStopped = true;
      await this.deps.store.save(rec);
      return true;
    }
    if (!isRunning(rec)) return false;
    rec.manuallyStopped = true;
    await this.deps.store.save(rec);
    const timeout = opts.timeout ?? rec.config.StopTimeout ?? 10;
    const signal = opts.signal || rec.config.StopSignal || 'SIGTERM';
    const exited = this.nextExit(rec.id);
    if (rec.state.status === 'paused') await this.deps.runtime.resume(rec.id).catch(() => {});
    await this.signal(rec, signal).catch(() => {});
    if (timeout < 0) {
      await exited;
      return true;
    }
    const inTime = await Promise.race([exited.then(() => true), delay(timeout * 1000).then(() => false)]);
    if (!inTime) {
      await this.signal(rec, 'SIGKILL').catch(() => {});
      await exited;
    }
    return true;
  }

  async kill(ref: string, signal = 'SIGKILL'): Promise<void> {
    const rec = this.deps.store.get(ref);
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
      await this.deps.store.save(rec);
    }
    await this.signal(rec, String(sig));
  }

  private async signal(rec: ContainerRecord, signal: string): Promise<void> {
    await this.deps.runtime.kill(rec.id, signal);
    this.deps.events.publish('container', 'kill', rec.id, {
      ...this.attributes(rec),
      signal: String(parseSignal(signal)),
    });
  }

  async restart(ref: string, opts: { timeout?: number; signal?: string } = {}): Promise<void> {
    const id = this.deps.store.get(ref).id;
    await this.stop(id, opts);
    await this.start(id);
    const rec = this.deps.store.get(id);
    this.deps.events.publish('container', 'restart', id, this.attributes(rec));
  }

  /** `docker update`: new resource limits (applied to a running container's cgroup) and restart policy. */
  async update(ref: string, body: ContainerUpdateRequest): Promise<{ Warnings: string[] }> {
    const rec = this.deps.store.get(ref);
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
      this.deps.events.publish('container', 'update', rec.id, this.attributes(rec));
      return { Warnings: warnings };
    });
  }

  // ---- pause / rename / remove ----

  async pause(ref: string): Promise<void> {
    const rec = this.deps.store.get(ref);
    await this.lock.run(rec.id, async () => {
      if (rec.state.status === 'paused') throw new Conflict(`Container ${rec.id} is already paused`);
      if (rec.state.status !== 'running') throw new Conflict(`Container ${rec.id} is not running`);
      await this.deps.runtime.pause(rec.id);
      rec.state = { ...rec.state, status: 'paused' };
      await this.deps.store.save(rec);
    });
    this.deps.events.publish('container', 'pause', rec.id, this.attributes(rec));
  }

  async unpause(ref: string): Promise<void> {
    const rec = this.deps.store.get(ref);
    await this.lock.run(rec.id, async () => {
      if (rec.state.status !== 'paused') throw new Conflict(`Container ${rec.id} is not paused`);
      await this.deps.runtime.resume(rec.id);
      rec.state = { ...rec.state, status: 'running' };
      await this.deps.store.save(rec);
    });
    this.deps.events.publish('container', 'unpause', rec.id, this.attributes(rec));
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
    this.deps.events.publish('container', 'rename', rec.id, { ...this.attributes(rec), oldName: `/${old}` });
  }

  async remove(ref: string, opts: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    const rec = this.deps.store.get(ref);
    if (rec.state.status === 'removing') {
      throw new Conflict(`removal of container ${rec.id} is already in progress`);
    }
    if (isRunning(rec) && rec.state.status !== 'restarting') {
      if (!opts.force) {
        const what = rec.state.status === 'paused' ? 'container is paused' : 'container is running';
        throw new Conflict(
          `cannot remove container "/${rec.name}": ${what}: stop the container before removing or force remove`,
        );
      }
      const exited = this.nextExit(rec.id);
      await this.deps.runtime.kill(rec.id, 'SIGKILL', true).catch(() => {});
      if (rec.state.status === 'paused') await this.deps.runtime.resume(rec.id).catch(() => {});
      await exited;
    }
    this.restarts.cancel(rec.id);
    this.restarts.forget(rec.id);
    await this.lock.run(rec.id, async () => {
      const { store, layers } = this.deps;
      if (!store.find(rec.id)) return;
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
          .catch((e) => this.deps.log.warn(`removing the layer of ${rec.id}: ${(e as Error).message}`))
          .finally(() => this.layerRemovals.delete(removing));
        this.layerRemovals.add(removing);
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
    this.deps.events.publish('container', 'destroy', rec.id, this.attributes(rec));
    for (const w of this.removeWaiters.get(rec.id) ?? []) w(true);
    this.removeWaiters.delete(rec.id);
    this.failPendingAttach(rec.id);
  }

  /** Resolves when the disk work of the removals answered so far has ended (daemon shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.layerRemovals, this.deps.store.settled()]);
  }

  // ---- wait ----

  /** Docker's wait conditions; `signal` (the client went away) drops the waiters and rejects. */
  async wait(
    ref: string,
    condition: WaitCondition = 'not-running',
    signal?: AbortSignal,
  ): Promise<ContainerWaitResponse> {
    const rec = this.deps.store.get(ref);
    if (condition === 'not-running' && !isRunning(rec)) return { StatusCode: rec.state.exitCode, Error: null };
    if (condition === 'removed') {
      const removed = this.waitFor(this.removeWaiters, rec.id, signal);
      let last = rec.state.exitCode;
      const exit = this.waitFor(this.exitWaiters, rec.id, signal).then(
        (r) => {
          last = r.state.exitCode;
        },
        () => {},
      );
      await removed;
      void exit;
      return { StatusCode: this.deps.store.find(rec.id)?.state.exitCode ?? last, Error: null };
    }
    const after = await this.waitFor(this.exitWaiters, rec.id, signal);
    return { StatusCode: after.state.exitCode, Error: after.state.error ? { Message: after.state.error } : null };
  }

  private nextExit(id: string): Promise<ContainerRecord> {
    return this.waitFor(this.exitWaiters, id);
  }

  /** A waiter for `id` in `map`, removed again should `signal` abort (a `docker run -d` leaves its wait unread). */
  private waitFor<T>(map: Map<string, Set<(value: T) => void>>, id: string, signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => {
        const set = map.get(id);
        set?.delete(waiter);
        if (set?.size === 0) map.delete(id);
        reject(signal?.reason);
      };
      const waiter = (value: T) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(value);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.addWaiter(map, id, waiter);
    });
  }

  private addWaiter<T>(map: Map<string, Set<T>>, id: string, fn: T): void {
    let set = map.get(id);
    if (!set) {
      set = new Set();
      map.set(id, set);
    }
    set.add(fn);
  }

  private notifyExit(rec: ContainerRecord): void {
    const waiters = this.exitWaiters.get(rec.id);
    this.exitWaiters.delete(rec.id);
    for (const w of waiters ?? []) w(rec);
  }

  // ---- attach ----

  /**
   * Attaches a client's connection: right away to a running container, or at its next start (the CLI attaches
   * before it starts, so no output is lost). Resolves when the attach ends.
   */
  async attach(ref: string, client: Duplex, opts: AttachOptions): Promise<{ detached: boolean }> {
    const rec = this.deps.store.get(ref);
    if (rec.state.status === 'running' || rec.state.status === 'paused') {
      const shim = await attachShim(this.deps.runtime.store.socketPath(rec.id));
      return pipeAttach(shim, client, opts);
    }
    return new Promise((resolve) => {
      const pending: PendingAttach = { client, opts, done: resolve };
      this.addWaiter(this.pendingAttach, rec.id, pending);
      client.once('close', () => {
        if (this.pendingAttach.get(rec.id)?.delete(pending)) resolve({ detached: false });
      });
    });
  }

  private async connectPendingAttach(id: string): Promise<void> {
    const pending = this.pendingAttach.get(id);
    this.pendingAttach.delete(id);
    for (const p of pending ?? []) {
      let shim: Socket;
      try {
        shim = await attachShim(this.deps.runtime.store.socketPath(id));
      } catch {
        p.client.end();
        p.done({ detached: false });
        continue;
      }
      pipeAttach(shim, p.client, p.opts).then(p.done);
    }
  }

  private failPendingAttach(id: string): void {
    const pending = this.pendingAttach.get(id);
    this.pendingAttach.delete(id);
    for (const p of pending ?? []) {
      p.client.end();
      p.done({ detached: false });
    }
  }

  async resize(ref: string, height: number, width: number): Promise<void> {
    const rec = this.deps.store.get(ref);
    if (!isRunning(rec)) throw new Conflict(`Container ${rec.id} is not running`);
    const reply = await request(this.deps.runtime.store.socketPath(rec.id), `resize ${height} ${width}`);
    if (reply !== 'ok' && !reply.includes('ENOTTY')) throw new Conflict(`cannot resize: ${reply}`);
  }

  // ---- helpers ----

  logPath(id: string): string {
    return join(this.deps.store.dir(id), `${id}-json.log`);
  }

  attributes(rec: ContainerRecord): Record<string, string> {
    return { ...(rec.config.Labels ?? {}), image: rec.imageRef, name: rec.name };
  }

  /** Marks a container found running at daemon start (live restore) as watched again. */
  adopt(id: string): void {
    void this.watch(id);
  }
}

/** Docker's log-opt max-size ("10m", "1g", bytes); 0 = unlimited. */
export function parseLogSize(v: string | undefined): number {
  if (!v) return 0;
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)b?$/i.exec(v.trim());
  if (!m) throw new InvalidParameter(`invalid max-size: ${v}`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? '').toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Math.floor(Number(m[1]) * mult);
}

/** Durations of a start's phases, for the debug log. */
function phaseTimer() {
  let last = process.hrtime.bigint();
  const parts: string[] = [];
  return {
    mark(name: string) {
      const now = process.hrtime.bigint();
      parts.push(`${name} ${(Number(now - last) / 1e6).toFixed(1)}`);
      last = now;
    },
    summary: () => `${parts.join(', ')} ms`,
  };
}

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
