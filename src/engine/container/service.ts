// The container backend the API's container routes call: lifecycle plus the read-side views (inspect, list, logs,
// top, stats, changes, export). Each method is a thin composition of the modules beside it.
import { execFile } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { Duplex } from 'node:stream';
import type {
  ContainerAttachOptions,
  ContainerCreateRequest,
  ContainerInspect,
  ContainerPruneResponse,
  ContainerSummary,
  ContainerTopResponse,
  ContainerUpdateRequest,
  ContainerWaitResponse,
  FilesystemChange,
} from '../../api/index.js';
import { Conflict, InvalidParameter } from '../../errdefs/index.js';
import { parseLogTime, readLogs } from '../logs/index.js';
import { archiveGet, archivePut, archiveStat } from './archive.js';
import { parseDetachKeys, replayLogs } from './attach.js';
import { containerStats } from './stats.js';
import type { ContainerDeps } from './deps.js';
import type { ResourceJournal } from './journal.js';
import { ContainerLifecycle } from './lifecycle.js';
import { listContainers } from './list.js';
import { isRunning } from './model.js';
import { withoutMountPoints } from './mount-points.js';
import { containerSizes } from './size.js';
import { inspectView } from './views.js';

export interface LogsOptions {
  stdout: boolean;
  stderr: boolean;
  follow: boolean;
  timestamps: boolean;
  tail: string;
  since: string;
  until: string;
}

/** Every entry of the log, for an attach's replay. */
const NO_LOG_FILTER: LogsOptions = {
  stdout: true,
  stderr: true,
  follow: false,
  timestamps: false,
  tail: '',
  since: '',
  until: '',
};

export class ContainerService {
  readonly lifecycle: ContainerLifecycle;
  /** Exec IDs per container, for inspect (set by the daemon's wiring). */
  execIds: (containerId: string) => string[] = () => [];

  constructor(
    private readonly deps: ContainerDeps,
    journal: ResourceJournal,
  ) {
    this.lifecycle = new ContainerLifecycle(deps, journal);
  }

  create(name: string | undefined, body: ContainerCreateRequest) {
    return this.lifecycle.create(name, body);
  }

  async list(opts: {
    all: boolean;
    limit?: number;
    size: boolean;
    filters: Record<string, string[]>;
  }): Promise<ContainerSummary[]> {
    const imageMatches = (rec: { image: string; imageRef: string }, ref: string) => {
      try {
        return this.deps.images.resolve(ref).id === rec.image;
      } catch {
        return rec.imageRef === ref;
      }
    };
    await this.lifecycle.stateKnown();
    const list = listContainers(this.deps.store, imageMatches, opts);
    if (!opts.size) return list;
    return Promise.all(
      list.map(async (c) => ({ ...c, ...(await containerSizes(this.deps, this.deps.store.get(c.Id))) })),
    );
  }

  async inspect(ref: string, size: boolean): Promise<ContainerInspect> {
    await this.lifecycle.stateKnown(this.deps.store.get(ref).id);
    const rec = this.deps.store.get(ref);
    const view = inspectView(this.deps, rec, this.execIds(rec.id));
    return size ? { ...view, ...(await containerSizes(this.deps, rec)) } : view;
  }

  start(ref: string, _detachKeys?: string) {
    return this.lifecycle.start(ref);
  }

  stop(ref: string, opts: { timeout?: number; signal?: string }) {
    return this.lifecycle.stop(ref, opts);
  }

  restart(ref: string, opts: { timeout?: number; signal?: string }) {
    return this.lifecycle.restart(ref, opts);
  }

  kill(ref: string, signal?: string) {
    return this.lifecycle.kill(ref, signal);
  }

  async wait(
    ref: string,
    condition: string,
    signal?: AbortSignal,
  ): Promise<{ result: Promise<ContainerWaitResponse> }> {
    this.deps.store.get(ref);
    return { result: this.lifecycle.wait(ref, condition as 'not-running' | 'next-exit' | 'removed', signal) };
  }

  remove(ref: string, opts: { force: boolean; volumes: boolean; link: boolean }) {
    if (opts.link) return this.lifecycle.removeLink(ref);
    return this.lifecycle.remove(ref, opts);
  }

  pause(ref: string) {
    return this.lifecycle.pause(ref);
  }

  unpause(ref: string) {
    return this.lifecycle.unpause(ref);
  }

  rename(ref: string, name: string) {
    return this.lifecycle.rename(ref, name);
  }

  async update(ref: string, body: ContainerUpdateRequest): Promise<{ Warnings: string[] }> {
    return this.lifecycle.update(ref, body);
  }

  async isTty(ref: string): Promise<boolean> {
    return this.deps.store.get(ref).config.Tty === true;
  }

  async logs(
    ref: string,
    opts: LogsOptions,
    signal: AbortSignal,
  ): Promise<AsyncIterable<{ stream: 1 | 2; data: Buffer }>> {
    const rec = this.deps.store.get(ref);
    const type = rec.hostConfig.LogConfig?.Type;
    if (type && type !== 'json-file') {
      throw new InvalidParameter(`configured logging driver does not support reading`);
    }
    let tail: number | undefined;
    if (opts.tail !== '' && opts.tail !== 'all') {
      const n = Number(opts.tail);
      tail = Number.isInteger(n) && n >= 0 ? n : undefined;
    }
    const since = opts.since && opts.since !== '0' ? parseLogTime(opts.since) : undefined;
    const until = opts.until && opts.until !== '0' ? parseLogTime(opts.until) : undefined;
    const logOpts = { ...this.deps.logOpts, ...(rec.hostConfig.LogConfig?.Config ?? {}) };
    const done = opts.follow && isRunning(rec) ? this.lifecycle.wait(rec.id, 'next-exit', signal) : undefined;
    const entries = readLogs(
      this.lifecycle.logPath(rec.id),
      {
        stdout: opts.stdout,
        stderr: opts.stderr,
        tail,
        since,
        until,
        follow: opts.follow && isRunning(rec),
        maxFiles: Number(logOpts['max-file'] ?? 1) || 1,
        signal,
      },
      done,
    );
    return (async function* () {
      for await (const e of entries) {
        const data = opts.timestamps ? Buffer.concat([Buffer.from(`${e.time} `), e.line]) : e.line;
        yield { stream: e.stream === 'stderr' ? 2 : 1, data } as { stream: 1 | 2; data: Buffer };
      }
    })();
  }

  async attach(ref: string, client: Duplex, opts: ContainerAttachOptions): Promise<void> {
    const rec = this.deps.store.get(ref);
    const detachKeys = parseDetachKeys(opts.detachKeys);
    const tty = rec.config.Tty === true;
    if (opts.logs) {
      const gone = new AbortController();
      const abort = () => gone.abort();
      client.once('close', abort);
      const logOpts = { ...NO_LOG_FILTER, stdout: opts.stdout, stderr: opts.stderr };
      await replayLogs(await this.logs(rec.id, logOpts, gone.signal), client, tty);
      client.off('close', abort);
    }
    // moby's containerAttach: the event comes after the replay, for stream=0 too.
    this.deps.events.publish('container', 'attach', rec.id, this.lifecycle.attributes(rec));
    if (!opts.stream) {
      client.end();
      return;
    }
    await this.lifecycle.attach(rec.id, client, {
      stdin: opts.stdin && rec.config.OpenStdin === true,
      stdout: opts.stdout,
      stderr: opts.stderr,
      tty,
      stdinOnce: rec.config.StdinOnce === true,
      detachKeys,
    });
  }

  resize(ref: string, height: number, width: number) {
    return this.lifecycle.resize(ref, height, width);
  }

  /** `docker top`: the host's `ps` with the given arguments, rows limited to the container's processes. */
  async top(ref: string, psArgs: string): Promise<ContainerTopResponse> {
    const rec = this.deps.store.get(ref);
    if (rec.state.status !== 'running' && rec.state.status !== 'paused') {
      throw new Conflict(`container ${rec.id} is not running`);
    }
    const pids = new Set((await this.deps.runtime.ps(rec.id)).map(String));
    const args = psArgs.split(/\s+/).filter(Boolean);
    const out = await new Promise<string>((resolve, reject) => {
      execFile('ps', args, { maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
        if (err) reject(new InvalidParameter(`Error running ps: ${String(stderr).trim() || err.message}`));
        else resolve(stdout);
      });
    });
    const lines = out.split('\n').filter(Boolean);
    const header = lines.shift() ?? '';
    const titles = header.trim().split(/\s+/);
    const pidCol = titles.indexOf('PID');
    if (pidCol < 0) throw new InvalidParameter(`Couldn't find PID field in ps output`);
    const processes: string[][] = [];
    for (const line of lines) {
      const fields = line.trim().split(/\s+/);
      if (!pids.has(fields[pidCol] ?? '')) continue;
      const row = fields.slice(0, titles.length - 1);
      row.push(fields.slice(titles.length - 1).join(' '));
      processes.push(row);
    }
    this.deps.events.publish('container', 'top', rec.id, this.lifecycle.attributes(rec));
    return { Titles: titles, Processes: processes };
  }

  async changes(ref: string): Promise<FilesystemChange[] | null> {
    const rec = this.deps.store.get(ref);
    const changes = withoutMountPoints(await this.deps.layers.changes(rec.id));
    if (changes.length === 0) return null;
    return changes.map((c) => ({ Path: c.path, Kind: c.kind }));
  }

  async export(ref: string): Promise<Readable> {
    const rec = this.deps.store.get(ref);
    const stream = await this.deps.layers.exportRW(rec.id);
    return stream as unknown as Readable;
  }

  stats(ref: string, stream: boolean, oneShot: boolean, signal: AbortSignal): AsyncIterable<unknown> {
    return containerStats(this.deps, this.deps.store.get(ref), { stream, oneShot, signal });
  }

  archiveStat(ref: string, path: string) {
    return archiveStat(this.deps, this.deps.store.get(ref), path);
  }

  archiveGet(ref: string, path: string) {
    return archiveGet(this.deps, this.deps.store.get(ref), path);
  }

  archivePut(ref: string, path: string, tar: Readable, opts: { noOverwriteDirNonDir: boolean; copyUIDGID: boolean }) {
    return archivePut(this.deps, this.deps.store.get(ref), path, tar, opts);
  }

  async prune(filters: Record<string, string[]>): Promise<ContainerPruneResponse> {
    const deleted: string[] = [];
    let reclaimed = 0;
    const untilMs = filters.until?.[0] ? parseUntil(filters.until[0]) : undefined;
    for (const rec of this.deps.store.all()) {
      if (isRunning(rec) || rec.state.status === 'removing') continue;
      if (filters.label && !filters.label.every((l) => labelMatch(rec.config.Labels ?? {}, l))) continue;
      if (untilMs !== undefined && Date.parse(rec.created) > untilMs) continue;
      // moby's ContainersPrune: what each removed container's read-write layer held, measured before it goes.
      const { SizeRw } = await containerSizes(this.deps, rec);
      await this.lifecycle.remove(rec.id).then(
        () => {
          deleted.push(rec.id);
          reclaimed += SizeRw;
        },
        (e) => this.deps.log.warn(`failed to prune container ${rec.id}: ${(e as Error).message}`),
      );
    }
    this.deps.events.publish('container', 'prune', '', { reclaimed: String(reclaimed) });
    return { ContainersDeleted: deleted.length > 0 ? deleted : null, SpaceReclaimed: reclaimed };
  }
}

function labelMatch(labels: Record<string, string>, want: string): boolean {
  const eq = want.indexOf('=');
  if (eq < 0) return labels[want] !== undefined;
  return labels[want.slice(0, eq)] === want.slice(eq + 1);
}

function parseUntil(v: string): number {
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  if (!Number.isNaN(t)) return t;
  throw new InvalidParameter(`invalid filter 'until=${v}'`);
}
