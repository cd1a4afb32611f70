// The registry's request dispatcher: /v2/ (the distribution API; repository names hold slashes, so routes are
// matched by pattern, the name validated after), the token endpoint, and the admin API.
import { NotFound } from '../../errdefs/index.js';
import { validateName } from '../names.js';
import { admin } from './admin.js';
import { deleteBlob, getBlob } from './blobs.js';
import { type Ctx, TOKEN_PATH, authorize } from './context.js';
import { catalog, listTags, referrers } from './lists.js';
import { deleteManifest, getManifest, putManifest } from './manifests.js';
import { sendError, sendJson } from './respond.js';
import { getToken, postToken } from './token.js';
import { cancelUpload, patchUpload, putUpload, startUpload, uploadStatus } from './uploads.js';

type Handler = (ctx: Ctx, name: string, arg: string) => Promise<void>;

const ROUTES: Array<{ pattern: RegExp; methods: Record<string, Handler> }> = [
  { pattern: /^\/v2\/(.+?)\/tags\/list$/, methods: { GET: (c, n) => listTags(c, n) } },
  {
    pattern: /^\/v2\/(.+?)\/manifests\/([^/]+)$/,
    methods: {
      GET: (c, n, r) => getManifest(c, n, r, false),
      HEAD: (c, n, r) => getManifest(c, n, r, true),
      PUT: putManifest,
      DELETE: deleteManifest,
    },
  },
  { pattern: /^\/v2\/(.+?)\/blobs\/uploads\/$/, methods: { POST: (c, n) => startUpload(c, n) } },
  {
    pattern: /^\/v2\/(.+?)\/blobs\/uploads\/([^/]+)$/,
    methods: { PATCH: patchUpload, PUT: putUpload, GET: uploadStatus, DELETE: cancelUpload },
  },
  {
    pattern: /^\/v2\/(.+?)\/blobs\/([^/]+)$/,
    methods: {
      GET: (c, n, d) => getBlob(c, n, d, false),
      HEAD: (c, n, d) => getBlob(c, n, d, true),
      DELETE: deleteBlob,
    },
  },
  { pattern: /^\/v2\/(.+?)\/referrers\/([^/]+)$/, methods: { GET: referrers } },
];

function notFound(ctx: Ctx, method: string): void {
  sendError(ctx.res, new NotFound('page not found'), ctx.services.log, method === 'HEAD');
}

/** Handles one request; every error becomes the spec's error response. */
export async function dispatch(ctx: Ctx): Promise<void> {
  const method = ctx.req.method ?? 'GET';
  const path = ctx.url.pathname;
  try {
    if (path === '/v2/' || path === '/v2') {
      await authorize(ctx, [], true);
      sendJson(ctx.res, 200, {});
      return;
    }
    if (path === '/v2/_catalog' && method === 'GET') return await catalog(ctx);
    if (path === TOKEN_PATH && method === 'GET') return await getToken(ctx);
    if (path === TOKEN_PATH && method === 'POST') return await postToken(ctx);
    if (path.startsWith('/api/v2.0/') && (await admin(ctx, method, path))) return;
    for (const route of ROUTES) {
      const m = route.pattern.exec(path);
      if (!m) continue;
      const handler = route.methods[method];
      if (!handler) {
        ctx.res.writeHead(405, { Allow: Object.keys(route.methods).join(', '), 'Content-Length': 0 }).end();
        return;
      }
      await handler(ctx, validateName(m[1] ?? ''), decodeURIComponent(m[2] ?? ''));
      return;
    }
    notFound(ctx, method);
  } catch (e) {
    sendError(ctx.res, e, ctx.services.log, method === 'HEAD');
  }
}
