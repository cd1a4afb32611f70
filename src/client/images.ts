// The image endpoints: list, inspect, history, tag, remove, prune, import, save (get), load, and commit.
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { ContainerConfig } from '../api/containers.js';
import type { DeleteItem, HistoryItem, ImageInspect, ImageSummary, PruneReport } from '../api/images.js';
import { collectProgress, type JSONMessage } from './jsonstream.js';
import { seg } from './path.js';
import { encodeFilters, type Filters } from './query.js';
import { readAll, type Transport } from './transport.js';
import type { IdResponse } from './types.js';

export interface ImageListOptions {
  all?: boolean;
  filters?: Filters;
  digests?: boolean;
  sharedSize?: boolean;
}

export interface ImportOptions {
  /** Repository (may carry a tag: `busybox:latest`). */
  repo?: string;
  tag?: string;
  /** Dockerfile instructions applied to the config (`CMD ["sh"]`, `ENV A=b`). */
  changes?: string[];
  message?: string;
  platform?: string;
  onProgress?: (m: JSONMessage) => void;
  signal?: AbortSignal;
}

export interface CommitOptions {
  repo?: string;
  tag?: string;
  comment?: string;
  author?: string;
  changes?: string[];
  /** Default true (the daemon pauses the container while committing). */
  pause?: boolean;
  config?: ContainerConfig;
}

export class Images {
  constructor(private readonly t: Transport) {}

  list(opts: ImageListOptions = {}): Promise<ImageSummary[]> {
    const query = {
      all: opts.all || undefined,
      filters: encodeFilters(opts.filters),
      digests: opts.digests || undefined,
      'shared-size': opts.sharedSize || undefined,
    };
    return this.t.json('GET', '/images/json', { query });
  }

  inspect(name: string): Promise<ImageInspect> {
    return this.t.json('GET', `/images/${seg(name)}/json`);
  }

  history(name: string): Promise<HistoryItem[]> {
    return this.t.json('GET', `/images/${seg(name)}/history`);
  }

  async tag(name: string, repo: string, tag?: string): Promise<void> {
    await this.t.call('POST', `/images/${seg(name)}/tag`, { query: { repo, tag } });
  }

  async remove(name: string, opts: { force?: boolean; noprune?: boolean } = {}): Promise<DeleteItem[]> {
    const query = { force: opts.force || undefined, noprune: opts.noprune || undefined };
    return (await this.t.json<DeleteItem[] | null>('DELETE', `/images/${seg(name)}`, { query })) ?? [];
  }

  prune(filters?: Filters): Promise<PruneReport> {
    return this.t.json('POST', '/images/prune', { query: { filters: encodeFilters(filters) } });
  }

  /**
   * `docker import`: a root filesystem tar becomes a one-layer image. Resolves with the new image ID (the stream's
   * last status) and the progress entries; rejects with a progress stream's error entry.
   */
  async import(
    source: Readable | Buffer,
    opts: ImportOptions = {},
  ): Promise<{ id: string | undefined; messages: JSONMessage[] }> {
    const query = {
      fromSrc: '-',
      repo: opts.repo,
      tag: opts.tag,
      message: opts.message,
      changes: opts.changes,
      platform: opts.platform,
    };
    const res = await this.t.request('POST', '/images/create', {
      query,
      body: source,
      headers: { 'Content-Type': 'application/x-tar' },
      signal: opts.signal,
    });
    const messages = await collectProgress(res, opts.onProgress);
    const id = [...messages].reverse().find((m) => m.status?.startsWith('sha256:'))?.status;
    return { id, messages };
  }

  /** `docker save`: a tar stream of the named images (`GET /images/get`). */
  get(names: string[], signal?: AbortSignal): Promise<IncomingMessage> {
    return this.t.request('GET', '/images/get', { query: { names }, signal });
  }

  /** `docker load`: the progress entries (`{"stream":"Loaded image: …"}`); rejects with an error entry. */
  async load(
    source: Readable | Buffer,
    opts: { quiet?: boolean; onProgress?: (m: JSONMessage) => void; signal?: AbortSignal } = {},
  ): Promise<JSONMessage[]> {
    const res = await this.t.request('POST', '/images/load', {
      query: { quiet: opts.quiet ?? true },
      body: source,
      headers: { 'Content-Type': 'application/x-tar' },
      signal: opts.signal,
    });
    if (!/json/.test(res.headers['content-type'] ?? '')) {
      // Old daemons answer plain text when not quiet.
      const text = (await readAll(res)).toString('utf8');
      return text === '' ? [] : [{ stream: text }];
    }
    return collectProgress(res, opts.onProgress);
  }

  /** `docker commit`: a new image from the container's changes. */
  commit(container: string, opts: CommitOptions = {}): Promise<IdResponse> {
    const query = {
      container,
      repo: opts.repo,
      tag: opts.tag,
      comment: opts.comment,
      author: opts.author,
      changes: opts.changes,
      pause: opts.pause,
    };
    return this.t.json('POST', '/commit', { query, body: opts.config ?? {} });
  }
}
