// The container endpoints (`/containers/...`), one method each, as moby's client/container_*.go.
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type {
  ContainerCreateRequest,
  ContainerCreateResponse,
  ContainerInspect,
  ContainerPruneResponse,
  ContainerSummary,
  ContainerTopResponse,
  ContainerUpdateRequest,
  ContainerWaitResponse,
  FilesystemChange,
  PathStat,
} from '../api/containers.js';
import type { HijackedStream } from './hijack.js';
import { type JsonStream, jsonStream } from './jsonstream.js';
import { seg } from './path.js';
import { encodeFilters, type Filters } from './query.js';
import { readAll, type Transport } from './transport.js';
import type { ContainerStats, WarningsResponse } from './types.js';

export interface ListOptions {
  all?: boolean;
  size?: boolean;
  limit?: number;
  filters?: Filters;
}

export interface StopOptions {
  /** Seconds to wait before SIGKILL (the container's StopTimeout when left out). */
  t?: number;
  /** Signal to stop with (API 1.42+; the container's StopSignal when left out). */
  signal?: string;
}

export interface RemoveOptions {
  force?: boolean;
  /** Remove anonymous volumes too. */
  v?: boolean;
  link?: boolean;
}

export interface LogsOptions {
  /** Both default to true. */
  stdout?: boolean;
  stderr?: boolean;
  follow?: boolean;
  /** Unix seconds (may be fractional) or a duration/timestamp string as the CLI passes it through. */
  since?: string | number;
  until?: string | number;
  timestamps?: boolean;
  /** A number of lines, or "all". */
  tail?: string | number;
  details?: boolean;
  signal?: AbortSignal;
}

export interface AttachOptions {
  /** Default true: attach to the live streams. */
  stream?: boolean;
  stdin?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  /** Replay the logs first. */
  logs?: boolean;
  detachKeys?: string;
}

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

export interface PutArchiveOptions {
  noOverwriteDirNonDir?: boolean;
  copyUIDGID?: boolean;
  signal?: AbortSignal;
}

export interface ArchiveStream {
  /** A tar stream of the path. Read it to its end or destroy it. */
  stream: IncomingMessage;
  stat: PathStat;
}

export class Containers {
  constructor(private readonly t: Transport) {}

  create(
    body: ContainerCreateRequest,
    opts: { name?: string; platform?: string } = {},
  ): Promise<ContainerCreateResponse> {
    return this.t.json('POST', '/containers/create', { query: { name: opts.name, platform: opts.platform }, body });
  }

  list(opts: ListOptions = {}): Promise<ContainerSummary[]> {
    const query = {
      all: opts.all || undefined,
      size: opts.size || undefined,
      limit: opts.limit,
      filters: encodeFilters(opts.filters),
    };
    return this.t.json('GET', '/containers/json', { query });
  }

  inspect(id: string, opts: { size?: boolean } = {}): Promise<ContainerInspect> {
    return this.t.json('GET', `/containers/${seg(id)}/json`, { query: { size: opts.size || undefined } });
  }

  async start(id: string, opts: { detachKeys?: string } = {}): Promise<void> {
    await this.t.call('POST', `/containers/${seg(id)}/start`, { query: { detachKeys: opts.detachKeys } });
  }

  async stop(id: string, opts: StopOptions = {}): Promise<void> {
    await this.t.call('POST', `/containers/${seg(id)}/stop`, { query: { t: opts.t, signal: opts.signal } });
  }

  async restart(id: string, opts: StopOptions = {}): Promise<void> {
    await this.t.call('POST', `/containers/${seg(id)}/restart`, { query: { t: opts.t, signal: opts.signal } });
  }

  async kill(id: string, signal?: string): Promise<void> {
    await this.t.call('POST', `/containers/${seg(id)}/kill`, { query: { signal } });
  }

  /** Resolves when the container meets `condition` (default not-running) with its exit status. */
  async wait(id: string, condition?: WaitCondition, signal?: AbortSignal): Promise<ContainerWaitResponse> {
    const { result } = await this.waitRegistered(id, condition, signal);
    return result;
  }

  /**
   * Like wait(), but resolves as soon as the daemon has registered the wait (it sends the response head then), so a
   * caller can start the container knowing no exit will be missed, as `docker run` does with next-exit/removed.
   */
  async waitRegistered(
    id: string,
    condition?: WaitCondition,
    signal?: AbortSignal,
  ): Promise<{ result: Promise<ContainerWaitResponse> }> {
    const res = await this.t.request('POST', `/containers/${seg(id)}/wait`, { query: { condition }, signal });
    const result = readAll(res).then((b) => JSON.parse(b.toString('utf8')) as ContainerWaitResponse);
    result.catch(() => {}); // the caller may never look; its own await still sees the rejection
    return { result };
  }

  async remove(id: string, opts: RemoveOptions = {}): Promise<void> {
    const query = { force: opts.force || undefined, v: opts.v || undefined, link: opts.link || undefined };
    await this.t.call('DELETE', `/containers/${seg(id)}`, { query });
  }

  /** The raw log stream: multiplexed (see stdcopy's demux) unless the container has a TTY. */
  logs(id: string, opts: LogsOptions = {}): Promise<IncomingMessage> {
    const both = opts.stdout === undefined && opts.stderr === undefined;
    const query = {
      stdout: both || opts.stdout || undefined,
      stderr: both || opts.stderr || undefined,
      follow: opts.follow || undefined,
      since: opts.since === undefined ? undefined : String(opts.since),
      until: opts.until === undefined ? undefined : String(opts.until),
      timestamps: opts.timestamps || undefined,
      tail: opts.tail === undefined ? undefined : String(opts.tail),
      details: opts.details || undefined,
    };
    return this.t.request('GET', `/containers/${seg(id)}/logs`, { query, signal: opts.signal });
  }

  /** A hijacked connection to the container's stdio (multiplexed output unless it has a TTY). */
  attach(id: string, opts: AttachOptions = {}): Promise<HijackedStream> {
    const query = {
      stream: opts.stream ?? true,
      stdin: opts.stdin || undefined,
      stdout: opts.stdout || undefined,
      stderr: opts.stderr || undefined,
      logs: opts.logs || undefined,
      detachKeys: opts.detachKeys,
    };
    return this.t.hijack('POST', `/containers/${seg(id)}/attach`, { query });
  }

  async resize(id: string, size: { h: number; w: number }): Promise<void> {
    await this.t.call('POST', `/containers/${seg(id)}/resize`, { query: { h: size.h, w: size.w } });
  }

  top(id: string, psArgs?: string): Promise<ContainerTopResponse> {
    return this.t.json('GET', `/containers/${seg(id)}/top`, { query: { ps_args: psArgs } });
  }

  async rename(id: string, name: string): Promise<void> {
    await this.t.call('POST', `/containers/${seg(id)}/rename`, { query: { name } });
  }

  async pause(id: string): Promise<void> {
    await this.t.call('POST', `/containers/${seg(id)}/pause`);
  }

  async unpause(id: string): Promise<void> {
    await this.t.call('POST', `/containers/${seg(id)}/unpause`);
  }

  update(id: string, body: ContainerUpdateRequest): Promise<WarningsResponse> {
    return this.t.json('POST', `/containers/${seg(id)}/update`, { body });
  }

  async changes(id: string): Promise<FilesystemChange[]> {
    return (await this.t.json<FilesystemChange[] | null>('GET', `/containers/${seg(id)}/changes`)) ?? [];
  }

  /** The container's filesystem as a tar stream. */
  export(id: string, signal?: AbortSignal): Promise<IncomingMessage> {
    return this.t.request('GET', `/containers/${seg(id)}/export`, { signal });
  }

  /** `GET /containers/{id}/archive`: a tar of `path` and its stat. */
  async getArchive(id: string, path: string, signal?: AbortSignal): Promise<ArchiveStream> {
    const res = await this.t.request('GET', `/containers/${seg(id)}/archive`, { query: { path }, signal });
    try {
      return { stream: res, stat: parsePathStat(res.headers['x-docker-container-path-stat']) };
    } catch (e) {
      res.destroy();
      throw e;
    }
  }

  /** `HEAD /containers/{id}/archive`: the stat of `path` in the container. */
  async statPath(id: string, path: string): Promise<PathStat> {
    const headers = await this.t.call('HEAD', `/containers/${seg(id)}/archive`, { query: { path } });
    return parsePathStat(headers['x-docker-container-path-stat']);
  }

  /** `PUT /containers/{id}/archive`: extracts the tar `content` into the directory `path`. */
  async putArchive(id: string, path: string, content: Readable | Buffer, opts: PutArchiveOptions = {}): Promise<void> {
    const query = {
      path,
      noOverwriteDirNonDir: opts.noOverwriteDirNonDir || undefined,
      copyUIDGID: opts.copyUIDGID || undefined,
    };
    const headers = { 'Content-Type': 'application/x-tar' };
    await this.t.call('PUT', `/containers/${seg(id)}/archive`, { query, body: content, headers, signal: opts.signal });
  }

  prune(filters?: Filters): Promise<ContainerPruneResponse> {
    return this.t.json('POST', '/containers/prune', { query: { filters: encodeFilters(filters) } });
  }

  /** One sample (`stream: false`; `oneShot` skips the daemon's wait for a second CPU reading), or a live stream. */
  stats(id: string, opts: { stream: false; oneShot?: boolean }): Promise<ContainerStats>;
  stats(id: string, opts?: { stream?: true; signal?: AbortSignal }): Promise<JsonStream<ContainerStats>>;
  async stats(
    id: string,
    opts: { stream?: boolean; oneShot?: boolean; signal?: AbortSignal } = {},
  ): Promise<ContainerStats | JsonStream<ContainerStats>> {
    const path = `/containers/${seg(id)}/stats`;
    if (opts.stream === false) {
      return this.t.json('GET', path, { query: { stream: false, 'one-shot': opts.oneShot || undefined } });
    }
    const res = await this.t.request('GET', path, { query: { stream: true }, signal: opts.signal });
    return jsonStream<ContainerStats>(res, opts.signal);
  }
}

/** `X-Docker-Container-Path-Stat`: base64 of the stat's JSON. */
export function parsePathStat(header: string | string[] | undefined): PathStat {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) throw new Error('the daemon sent no X-Docker-Container-Path-Stat header');
  return JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as PathStat;
}
