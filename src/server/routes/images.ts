// Image routes. Names may contain slashes (`host:5000/a/b:tag`), so those routes match greedily. Import and load
// answer with Docker's JSON progress stream, errors included in-band once the stream has begun.
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidParameter } from '../../errdefs/index.js';
import { boolParam, filtersParam, jsonBody, mustRes, type RequestContext, sendJson } from '../context.js';
import { commitBody } from '../schema/bodies.js';
import type { ApiRouter } from '../server.js';
import { lazyProgress, type RegistryBackend, registryAuth } from './registry.js';

export interface ImagesBackend {
  list(opts: { all: boolean; filters: Record<string, string[]>; digests: boolean }): Promise<unknown[]>;
  inspect(name: string): Promise<unknown>;
  history(name: string): Promise<unknown[]>;
  tag(name: string, repo: string, tag: string): Promise<void>;
  remove(name: string, force: boolean, noprune: boolean): Promise<unknown[]>;
  prune(filters: Record<string, string[]>): Promise<unknown>;
  importTar(
    tar: Readable,
    opts: { repo: string; tag: string; changes: string[]; message: string; platform: string },
  ): Promise<string>;
  load(tar: Readable): Promise<{ loaded: string[] }>;
  save(names: string[]): Readable;
  commit(opts: {
    container: string;
    repo: string;
    tag: string;
    comment: string;
    author: string;
    changes: string[];
    config: Record<string, unknown> | undefined;
    pause: boolean;
  }): Promise<string>;
}

/** Streams JSON progress messages; an error after the headers becomes an `errorDetail` message, as Docker does. */
async function progress(ctx: RequestContext, work: (emit: (m: Record<string, unknown>) => void) => Promise<void>) {
  const res = mustRes(ctx);
  res.writeHead(200, { 'Content-Type': 'application/json' });
  const emit = (m: Record<string, unknown>) => res.write(`${JSON.stringify(m)}\n`);
  try {
    await work(emit);
  } catch (e) {
    const message = (e as Error).message;
    emit({ errorDetail: { message }, error: message });
  }
  res.end();
}

export function imageRoutes(r: ApiRouter, b: ImagesBackend, registry: RegistryBackend): void {
  r.add('GET', '/images/json', async (ctx) =>
    sendJson(
      ctx,
      200,
      await b.list({ all: boolParam(ctx, 'all'), filters: filtersParam(ctx), digests: boolParam(ctx, 'digests') }),
    ),
  );
  r.add('POST', '/images/prune', async (ctx) => sendJson(ctx, 200, await b.prune(filtersParam(ctx))));
  r.add('POST', '/images/create', async (ctx) => {
    const fromSrc = ctx.query.get('fromSrc');
    const fromImage = ctx.query.get('fromImage');
    if (fromImage) {
      const params = {
        fromImage,
        tag: ctx.query.get('tag') ?? '',
        platform: ctx.query.get('platform') ?? '',
        registryAuth: registryAuth(ctx),
      };
      await lazyProgress(ctx, (out) => registry.pull(params, out));
      return;
    }
    if (fromSrc !== '-') throw new InvalidParameter('only fromSrc=- (an uploaded tar) is supported for import');
    const opts = {
      repo: ctx.query.get('repo') ?? '',
      tag: ctx.query.get('tag') ?? '',
      changes: ctx.query.getAll('changes'),
      message: ctx.query.get('message') ?? '',
      platform: ctx.query.get('platform') ?? '',
    };
    await progress(ctx, async (emit) => {
      const id = await b.importTar(ctx.req, opts);
      emit({ status: id });
    });
  });
  r.add('GET', '/images/get', async (ctx) => saveTo(ctx, b, ctx.query.getAll('names')));
  r.add('POST', '/images/load', async (ctx) => {
    const quiet = boolParam(ctx, 'quiet');
    await progress(ctx, async (emit) => {
      const result = await b.load(ctx.req);
      for (const line of result.loaded) emit({ stream: `${line}\n` });
      void quiet;
    });
  });
  r.add('POST', '/commit', async (ctx) => {
    const config = await jsonBody<Record<string, unknown>>(ctx, commitBody, {});
    const id = await b.commit({
      container: ctx.query.get('container') ?? '',
      repo: ctx.query.get('repo') ?? '',
      tag: ctx.query.get('tag') ?? '',
      comment: ctx.query.get('comment') ?? '',
      author: ctx.query.get('author') ?? '',
      changes: ctx.query.getAll('changes'),
      config: Object.keys(config).length > 0 ? config : undefined,
      pause: boolParam(ctx, 'pause', true),
    });
    sendJson(ctx, 201, { Id: id });
  });
  r.addGreedy('GET', '/images/{name}/json', async (ctx) => sendJson(ctx, 200, await b.inspect(name(ctx))));
  r.addGreedy('GET', '/images/{name}/history', async (ctx) => sendJson(ctx, 200, await b.history(name(ctx))));
  r.addGreedy('GET', '/images/{name}/get', async (ctx) => saveTo(ctx, b, [name(ctx)]));
  r.addGreedy('POST', '/images/{name}/tag', async (ctx) => {
    await b.tag(name(ctx), ctx.query.get('repo') ?? '', ctx.query.get('tag') ?? '');
    mustRes(ctx).writeHead(201).end();
  });
  r.addGreedy('POST', '/images/{name}/push', async (ctx) =>
    lazyProgress(ctx, (out) => registry.push(name(ctx), ctx.query.get('tag') ?? '', registryAuth(ctx), out)),
  );
  r.addGreedy('DELETE', '/images/{name}', async (ctx) =>
    sendJson(ctx, 200, await b.remove(name(ctx), boolParam(ctx, 'force'), boolParam(ctx, 'noprune'))),
  );
}

async function saveTo(ctx: RequestContext, b: ImagesBackend, names: string[]): Promise<void> {
  const tar = b.save(names);
  const res = mustRes(ctx);
  // The first chunk decides: an unknown image fails before any byte, so the client gets a 404, not a broken tar.
  const it = tar[Symbol.asyncIterator]();
  const first = await it.next();
  res.writeHead(200, { 'Content-Type': 'application/x-tar' });
  if (!first.done) res.write(first.value as Buffer);
  await pipeline(
    (async function* () {
      for (;;) {
        const n = await it.next();
        if (n.done) return;
        yield n.value as Buffer;
      }
    })(),
    res,
  ).catch(() => res.destroy());
}

function name(ctx: RequestContext): string {
  return ctx.params.name ?? '';
}
