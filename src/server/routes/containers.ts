// Container routes: decode the request, call the backend, encode the answer. Streams (logs, attach, export,
// archive, stats) are written here; what they contain is the backend's.
import type { Readable, Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type {
  ContainerAttachOptions,
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
} from '../../api/index.js';
import { frameHeader } from '../../api/index.js';
import { InvalidParameter } from '../../errdefs/index.js';
import {
  boolParam,
  discardBody,
  filtersParam,
  hijack,
  intParam,
  jsonBody,
  mustRes,
  type RequestContext,
  sendEmpty,
  sendJson,
} from '../context.js';
import { containerCreateBody, containerStartBody, containerUpdateBody } from '../schema/bodies.js';
import type { ApiRouter } from '../server.js';

export interface LogsRequest {
  stdout: boolean;
  stderr: boolean;
  follow: boolean;
  timestamps: boolean;
  tail: string;
  since: string;
  until: string;
}

export interface ContainersBackend {
  create(name: string | undefined, body: ContainerCreateRequest): Promise<ContainerCreateResponse>;
  list(opts: {
    all: boolean;
    limit?: number;
    size: boolean;
    filters: Record<string, string[]>;
  }): Promise<ContainerSummary[]>;
  inspect(ref: string, size: boolean): Promise<ContainerInspect>;
  start(ref: string, detachKeys?: string): Promise<boolean>;
  stop(ref: string, opts: { timeout?: number; signal?: string }): Promise<boolean>;
  restart(ref: string, opts: { timeout?: number; signal?: string }): Promise<void>;
  kill(ref: string, signal?: string): Promise<void>;
  /**
   * Resolves once the wait is registered (or fails for an unknown container); `result` settles at the exit, or
   * rejects once `signal` aborts (the client went away: its waiter is dropped).
   */
  wait(ref: string, condition: string, signal: AbortSignal): Promise<{ result: Promise<ContainerWaitResponse> }>;
  remove(ref: string, opts: { force: boolean; volumes: boolean; link: boolean }): Promise<void>;
  pause(ref: string): Promise<void>;
  unpause(ref: string): Promise<void>;
  rename(ref: string, name: string): Promise<void>;
  update(ref: string, body: ContainerUpdateRequest): Promise<{ Warnings: string[] }>;
  top(ref: string, psArgs: string): Promise<ContainerTopResponse>;
  changes(ref: string): Promise<FilesystemChange[] | null>;
  export(ref: string): Promise<Readable>;
  prune(filters: Record<string, string[]>): Promise<ContainerPruneResponse>;
  /** Whether the container has a TTY (decides the stream framing). */
  isTty(ref: string): Promise<boolean>;
  logs(ref: string, opts: LogsRequest, signal: AbortSignal): Promise<AsyncIterable<{ stream: 1 | 2; data: Buffer }>>;
  attach(ref: string, client: Duplex, opts: ContainerAttachOptions): Promise<void>;
  resize(ref: string, height: number, width: number): Promise<void>;
  stats(ref: string, stream: boolean, oneShot: boolean, signal: AbortSignal): AsyncIterable<unknown>;
  archiveStat(ref: string, path: string): Promise<PathStat>;
  archiveGet(ref: string, path: string): Promise<{ stat: PathStat; tar: Readable }>;
  archivePut(
    ref: string,
    path: string,
    tar: Readable,
    opts: { noOverwriteDirNonDir: boolean; copyUIDGID: boolean },
  ): Promise<void>;
}

const statHeader = (s: PathStat) => Buffer.from(JSON.stringify(s)).toString('base64');

export function containerRoutes(r: ApiRouter, b: ContainersBackend): void {
  r.add('POST', '/containers/create', async (ctx) => {
    const name = ctx.query.get('name') ?? undefined;
    const body = await jsonBody<ContainerCreateRequest>(ctx, containerCreateBody);
    sendJson(ctx, 201, await b.create(name === '' ? undefined : name, body));
  });
  r.add('GET', '/containers/json', async (ctx) => {
    const opts = {
      all: boolParam(ctx, 'all'),
      limit: intParam(ctx, 'limit'),
      size: boolParam(ctx, 'size'),
      filters: filtersParam(ctx),
    };
    sendJson(ctx, 200, await b.list(opts));
  });
  r.add('POST', '/containers/prune', async (ctx) => sendJson(ctx, 200, await b.prune(filtersParam(ctx))));
  r.add('GET', '/containers/:id/json', async (ctx) =>
    sendJson(ctx, 200, await b.inspect(id(ctx), boolParam(ctx, 'size'))),
  );
  r.add('POST', '/containers/:id/start', async (ctx) => {
    if (ctx.req.headers['content-length'] && ctx.req.headers['content-length'] !== '0') {
      const hc = await jsonBody<Record<string, unknown>>(ctx, containerStartBody, {});
      if (Object.keys(hc).length > 0)
        throw new InvalidParameter(
          'starting container with non-empty request body was deprecated since API v1.22 and removed in v1.24',
        );
    }
    sendEmpty(ctx, (await b.start(id(ctx), ctx.query.get('detachKeys') ?? undefined)) ? 204 : 304);
  });
  const stopOpts = (ctx: RequestContext) => ({
    timeout: intParam(ctx, 't'),
    signal: ctx.query.get('signal') ?? undefined,
  });
  r.add('POST', '/containers/:id/stop', async (ctx) =>
    sendEmpty(ctx, (await b.stop(id(ctx), stopOpts(ctx))) ? 204 : 304),
  );
  r.add('POST', '/containers/:id/restart', async (ctx) => {
    await b.restart(id(ctx), stopOpts(ctx));
    sendEmpty(ctx, 204);
  });
  r.add('POST', '/containers/:id/kill', async (ctx) => {
    await b.kill(id(ctx), ctx.query.get('signal') || undefined);
    sendEmpty(ctx, 204);
  });
  r.add('POST', '/containers/:id/wait', async (ctx) => {
    const res = mustRes(ctx);
    const condition = ctx.query.get('condition') || 'not-running';
    if (!['not-running', 'next-exit', 'removed'].includes(condition)) {
      throw new InvalidParameter(`invalid condition: "${condition}"`);
    }
    // Errors (no such container) before the headers; then the headers at once — the CLI waits for them before it
    // starts the container — and the body at the exit. `docker run -d` leaves without reading it.
    const gone = new AbortController();
    res.once('close', () => gone.abort());
    const result = await b.wait(id(ctx), condition, gone.signal);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.flushHeaders();
    let done: ContainerWaitResponse;
    try {
      done = await result.result;
    } catch (e) {
      if (gone.signal.aborted) return;
      done = { StatusCode: -1, Error: { Message: (e as Error).message } };
    }
    res.end(`${JSON.stringify(done)}\n`);
  });
  const remove = async (ctx: RequestContext, ref: string) => {
    await b.remove(ref, { force: boolParam(ctx, 'force'), volumes: boolParam(ctx, 'v'), link: boolParam(ctx, 'link') });
    sendEmpty(ctx, 204);
  };
  r.add('DELETE', '/containers/:id', (ctx) => remove(ctx, id(ctx)));
  // A legacy link's name has a slash (`docker rm --link /parent/alias`), as moby's `{name:.*}` route allows.
  r.add('DELETE', '/containers/*', (ctx) => remove(ctx, ctx.params['*'] ?? ''));
  r.add('POST', '/containers/:id/pause', async (ctx) => {
    await b.pause(id(ctx));
    sendEmpty(ctx, 204);
  });
  r.add('POST', '/containers/:id/unpause', async (ctx) => {
    await b.unpause(id(ctx));
    sendEmpty(ctx, 204);
  });
  r.add('POST', '/containers/:id/rename', async (ctx) => {
    await b.rename(id(ctx), ctx.query.get('name') ?? '');
    sendEmpty(ctx, 204);
  });
  r.add('POST', '/containers/:id/update', async (ctx) =>
    sendJson(ctx, 200, await b.update(id(ctx), await jsonBody<ContainerUpdateRequest>(ctx, containerUpdateBody))),
  );
  r.add('GET', '/containers/:id/top', async (ctx) =>
    sendJson(ctx, 200, await b.top(id(ctx), ctx.query.get('ps_args') || '-ef')),
  );
  r.add('GET', '/containers/:id/changes', async (ctx) => sendJson(ctx, 200, await b.changes(id(ctx))));
  r.add('GET', '/containers/:id/export', async (ctx) => {
    const tar = await b.export(id(ctx));
    const res = mustRes(ctx);
    res.writeHead(200, { 'Content-Type': 'application/x-tar' });
    await pipeline(tar, res).catch(() => res.destroy());
  });
  r.add('POST', '/containers/:id/resize', async (ctx) => {
    await b.resize(id(ctx), intParam(ctx, 'h', 0) ?? 0, intParam(ctx, 'w', 0) ?? 0);
    sendEmpty(ctx, 200);
  });
  r.add('GET', '/containers/:id/logs', async (ctx) => {
    const ref = id(ctx);
    const opts: LogsRequest = {
      stdout: boolParam(ctx, 'stdout'),
      stderr: boolParam(ctx, 'stderr'),
      follow: boolParam(ctx, 'follow'),
      timestamps: boolParam(ctx, 'timestamps'),
      tail: ctx.query.get('tail') ?? 'all',
      since: ctx.query.get('since') ?? '',
      until: ctx.query.get('until') ?? '',
    };
    if (!opts.stdout && !opts.stderr) throw new InvalidParameter('Bad parameters: you must choose at least one stream');
    const tty = await b.isTty(ref);
    const abort = new AbortController();
    const entries = await b.logs(ref, opts, abort.signal);
    const res = mustRes(ctx);
    res.on('close', () => abort.abort());
    res.writeHead(200, {
      'Content-Type': tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream',
    });
    res.flushHeaders();
    for await (const e of entries) {
      if (res.destroyed) break;
      const ok = tty ? res.write(e.data) : res.write(Buffer.concat([frameHeader(e.stream, e.data.length), e.data]));
      if (!ok) await new Promise((r0) => res.once('drain', r0));
    }
    res.end();
  });
  const attach = async (ctx: RequestContext) => {
    const ref = id(ctx);
    const tty = await b.isTty(ref);
    const opts: ContainerAttachOptions = {
      stdin: boolParam(ctx, 'stdin'),
      stdout: boolParam(ctx, 'stdout'),
      stderr: boolParam(ctx, 'stderr'),
      stream: boolParam(ctx, 'stream'),
      logs: boolParam(ctx, 'logs'),
      detachKeys: ctx.query.get('detachKeys') ?? undefined,
    };
    // Some SDKs send the options as a JSON body too: it is not stdin.
    await discardBody(ctx);
    const conn = hijack(ctx, tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream');
    await b.attach(ref, conn, opts);
  };
  r.add('POST', '/containers/:id/attach', attach);
  r.add('GET', '/containers/:id/stats', async (ctx) => {
    const stream = boolParam(ctx, 'stream', true);
    const abort = new AbortController();
    const res = mustRes(ctx);
    res.on('close', () => abort.abort());
    let started = false;
    for await (const s of b.stats(id(ctx), stream, boolParam(ctx, 'one-shot'), abort.signal)) {
      if (!started) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        started = true;
      }
      res.write(`${JSON.stringify(s)}\n`);
      if (!stream) break;
    }
    res.end();
  });
  r.add('HEAD', '/containers/:id/archive', async (ctx) => {
    const stat = await b.archiveStat(id(ctx), pathParam(ctx));
    const res = mustRes(ctx);
    res.writeHead(200, { 'X-Docker-Container-Path-Stat': statHeader(stat) });
    res.end();
  });
  r.add('GET', '/containers/:id/archive', async (ctx) => {
    const { stat, tar } = await b.archiveGet(id(ctx), pathParam(ctx));
    const res = mustRes(ctx);
    res.writeHead(200, { 'Content-Type': 'application/x-tar', 'X-Docker-Container-Path-Stat': statHeader(stat) });
    await pipeline(tar, res).catch(() => res.destroy());
  });
  r.add('PUT', '/containers/:id/archive', async (ctx) => {
    await b.archivePut(id(ctx), pathParam(ctx), ctx.req, {
      noOverwriteDirNonDir: boolParam(ctx, 'noOverwriteDirNonDir'),
      copyUIDGID: boolParam(ctx, 'copyUIDGID'),
    });
    sendEmpty(ctx, 200);
  });
}

function id(ctx: RequestContext): string {
  return ctx.params.id ?? '';
}

function pathParam(ctx: RequestContext): string {
  const p = ctx.query.get('path');
  if (!p) throw new InvalidParameter('path is required');
  return p;
}
