// Build routes: POST /build (a context tar or a Dockerfile as the body, the options in the query, progress as the
// legacy builder's JSON stream) and POST /build/prune.
import type { Readable } from 'node:stream';
import { BUILD_SECRETS_HEADER, type BuildOptions, type BuildPruneResponse } from '../../api/build.js';
import { InvalidParameter } from '../../errdefs/index.js';
import { boolParam, type RequestContext, sendJson } from '../context.js';
import type { ApiRouter } from '../server.js';
import { lazyProgress } from './registry.js';

export interface BuildBackend {
  build(opts: BuildOptions, body: Readable, emit: (m: object) => void, signal: AbortSignal): Promise<string>;
  prune(): Promise<BuildPruneResponse>;
}

export function buildRoutes(r: ApiRouter, b: BuildBackend): void {
  r.add('POST', '/build', async (ctx) => {
    const opts = buildOptions(ctx);
    const gone = new AbortController();
    // The client went away before the answer was done (Ctrl-C in `docker build`): the running step is killed.
    ctx.res?.once('close', () => {
      if (!ctx.res?.writableFinished) gone.abort();
    });
    await lazyProgress(ctx, async (out) => {
      await b.build(opts, ctx.req, out, gone.signal);
    });
  });
  r.add('POST', '/build/prune', async (ctx) => {
    sendJson(ctx, 200, await b.prune());
  });
}

function buildOptions(ctx: RequestContext): BuildOptions {
  const q = ctx.query;
  if (q.get('version') === '2') {
    throw new InvalidParameter('BuildKit builds (version=2) are not supported: berth builds with the legacy API');
  }
  if (q.get('remote')) throw new InvalidParameter('remote build contexts are not supported');
  return {
    dockerfile: q.get('dockerfile') ?? '',
    tags: q.getAll('t').filter(Boolean),
    target: q.get('target') ?? '',
    buildArgs: jsonParam<Record<string, string | null>>(q.get('buildargs'), 'buildargs', {}),
    labels: jsonParam<Record<string, string>>(q.get('labels'), 'labels', {}),
    noCache: boolParam(ctx, 'nocache'),
    pull: boolParam(ctx, 'pull'),
    cacheFrom: jsonParam<string[]>(q.get('cachefrom'), 'cachefrom', []),
    networkMode: q.get('networkmode') ?? '',
    platform: q.get('platform') ?? '',
    quiet: boolParam(ctx, 'q'),
    secrets: secretsHeader(ctx.req.headers[BUILD_SECRETS_HEADER]),
    ...(typeof ctx.req.headers['x-registry-config'] === 'string'
      ? { registryConfig: ctx.req.headers['x-registry-config'] }
      : {}),
  };
}

function jsonParam<T>(raw: string | null, name: string, empty: T): T {
  if (!raw) return empty;
  try {
    const v = JSON.parse(raw) as unknown;
    if (v === null) return empty;
    if (Array.isArray(empty) !== Array.isArray(v) || typeof v !== 'object') throw new Error('wrong type');
    return v as T;
  } catch {
    throw new InvalidParameter(`invalid ${name} parameter: ${raw}`);
  }
}

function secretsHeader(h: string | string[] | undefined): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  if (typeof h !== 'string' || h === '') return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(h, 'base64').toString('utf8'));
  } catch {
    throw new InvalidParameter('invalid build secrets header');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InvalidParameter('invalid build secrets header: not an object');
  }
  for (const [id, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof v !== 'string') throw new InvalidParameter(`invalid build secret ${id}`);
    out.set(id, Buffer.from(v, 'base64'));
  }
  return out;
}
