// Registry routes: POST /auth (docker login), GET /images/search, and what pull and push share with the image routes
// (the backend interface, and a progress stream whose headers wait for the first message, so an error before any
// progress is a plain HTTP error with its status, as dockerd answers it).
import { InvalidParameter } from '../../errdefs/index.js';
import { filtersParam, mustRes, readBody, type RequestContext, sendJson } from '../context.js';
import type { ApiRouter } from '../server.js';

export type ProgressOut = (m: object) => void;

export interface PullParams {
  fromImage: string;
  tag: string;
  platform: string;
  registryAuth: string | undefined;
}

export interface RegistryBackend {
  pull(p: PullParams, out: ProgressOut): Promise<void>;
  push(name: string, tag: string, registryAuth: string | undefined, out: ProgressOut): Promise<void>;
  login(body: Record<string, unknown>): Promise<{ Status: string; IdentityToken: string }>;
  search(opts: {
    term: string;
    limit: number;
    filters: Record<string, string[]>;
    registryAuth: string | undefined;
  }): Promise<unknown[]>;
}

/** The X-Registry-Auth header, if any. */
export function registryAuth(ctx: RequestContext): string | undefined {
  const h = ctx.req.headers['x-registry-auth'];
  return typeof h === 'string' && h !== '' ? h : undefined;
}

/**
 * Runs `work` with a JSON progress writer. The 200 and its headers go out with the first message: a failure before
 * it is an ordinary error response; after it, an `errorDetail` message, as Docker streams it.
 */
export async function lazyProgress(ctx: RequestContext, work: (out: ProgressOut) => Promise<void>): Promise<void> {
  const res = mustRes(ctx);
  let started = false;
  const out: ProgressOut = (m) => {
    if (!started) {
      started = true;
      res.writeHead(200, { 'Content-Type': 'application/json' });
    }
    res.write(`${JSON.stringify(m)}\n`);
  };
  try {
    await work(out);
  } catch (e) {
    if (!started) throw e;
    const message = (e as Error).message;
    // A failing build step carries its exit status, which the docker CLI exits with.
    const code = (e as { code?: unknown }).code;
    out({ errorDetail: typeof code === 'number' ? { code, message } : { message }, error: message });
  }
  res.end();
}

export function registryRoutes(r: ApiRouter, b: RegistryBackend): void {
  r.add('POST', '/auth', async (ctx) => {
    const raw = await readBody(ctx.req, 1 << 20);
    let body: unknown;
    try {
      body = raw.length === 0 ? {} : JSON.parse(raw.toString('utf8'));
    } catch {
      throw new InvalidParameter('invalid JSON body');
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new InvalidParameter('invalid JSON body: not an object');
    }
    sendJson(ctx, 200, await b.login(body as Record<string, unknown>));
  });
  r.add('GET', '/images/search', async (ctx) => {
    const limit = ctx.query.get('limit');
    sendJson(
      ctx,
      200,
      await b.search({
        term: ctx.query.get('term') ?? '',
        limit: limit ? Number.parseInt(limit, 10) || 0 : 0,
        filters: filtersParam(ctx),
        registryAuth: registryAuth(ctx),
      }),
    );
  });
}
