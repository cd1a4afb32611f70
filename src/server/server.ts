// The Engine API server: HTTP/1.1 on a unix socket (or TLS TCP), API version prefixes, Docker's headers on every
// response, errors as {"message": …} with the status httpstatus.ts decides, and upgrades routed like requests.
import type { Authorizer } from './authz.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import FindMyWay from 'find-my-way';
import { API_VERSION, MIN_API_VERSION } from '../api/index.js';
import { InvalidParameter, NotFound } from '../errdefs/index.js';
import type { RequestContext } from './context.js';
import { clientErrorStatus, HTTP_VERSION_NOT_SUPPORTED, HttpError } from './httpstatus.js';
import { answerError } from './safety.js';
import { parseRequestTarget } from './target.js';

export type Handler = (ctx: RequestContext) => Promise<void> | void;
export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

export interface Logger {
  debug(msg: string): void;
  error(msg: string): void;
}

/** Routes whose path parameter may hold slashes (image names): matched by regular expression before the router. */
interface RegexRoute {
  method: Method;
  re: RegExp;
  names: string[];
  handler: Handler;
}

export class ApiRouter {
  private readonly router = FindMyWay({ ignoreTrailingSlash: true, maxParamLength: 1000 });
  private readonly regexRoutes: RegexRoute[] = [];

  private readonly declared = new Set<string>();

  /** A GET route answers HEAD too, unless a HEAD route of its own is declared. */
  add(method: Method, path: string, handler: Handler): void {
    const key = (m: string) => `${m} ${path.replace(/:\w+/g, ':')}`;
    if (this.declared.has(key(method))) this.router.off(method, path);
    this.router.on(method, path, () => {}, { handler });
    this.declared.add(key(method));
    if (method === 'GET' && !this.declared.has(key('HEAD'))) this.router.on('HEAD', path, () => {}, { handler });
  }

  /** `path` like `/images/{name}/json` where {name} may contain slashes. */
  addGreedy(method: Method, path: string, handler: Handler): void {
    const names: string[] = [];
    const source = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, n: string) => {
      names.push(n);
      return '(.+)';
    });
    this.regexRoutes.push({ method, re: new RegExp(`^${source}$`), names, handler });
  }

  /** `path` is already decoded (percent escapes resolved), as Go's URL.Path. */
  match(method: string, path: string): { handler: Handler; params: Record<string, string> } | undefined {
    for (const r of this.regexRoutes) {
      if (r.method !== method && !(method === 'HEAD' && r.method === 'GET')) continue;
      const m = r.re.exec(path);
      if (m) {
        const params: Record<string, string> = {};
        r.names.forEach((n, i) => {
          params[n] = m[i + 1] ?? '';
        });
        return { handler: r.handler, params };
      }
    }
    // find-my-way decodes what it matches: give it the decoded path with its own escapes for %, ? and #.
    const found = this.router.find(method as Method, path.replace(/[%?#]/g, encodeURIComponent));
    if (!found) return undefined;
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(found.params)) if (v !== undefined) params[k] = v;
    return { handler: (found.store as { handler: Handler }).handler, params };
  }
}

const VERSION_PREFIX = /^\/v(\d+\.\d+)(\/.*)$/;

function compareVersions(a: string, b: string): number {
  const [am = 0, an = 0] = a.split('.').map(Number);
  const [bm = 0, bn = 0] = b.split('.').map(Number);
  return am - bm || an - bn;
}

export function commonHeaders(serverVersion: string): Record<string, string> {
  return {
    'Api-Version': API_VERSION,
    'Docker-Experimental': 'false',
    Ostype: 'linux',
    Server: `Docker/${serverVersion} (linux)`,
  };
}

export function createApiServer(
  router: ApiRouter,
  log: Logger,
  serverVersion: string,
  authorizer?: Authorizer,
): Server {
  const headers = commonHeaders(serverVersion);
  const dispatch = async (req: IncomingMessage, res: ServerResponse | undefined, socket?: Duplex, head?: Buffer) => {
    const t0 = process.hrtime.bigint();
    const took = () => `${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(1)} ms`;
    try {
      // Node's parser lets through what Go's net/http refuses: an HTTP/0.9 request line (no version: 400) and
      // versions past 1.x on an HTTP/1 connection (505, with Go's text).
      if (req.httpVersionMajor !== 1) {
        res?.setHeader('Connection', 'close');
        if (req.httpVersionMajor < 1) throw new InvalidParameter('unsupported protocol version');
        throw new HttpError(HTTP_VERSION_NOT_SUPPORTED, 'unsupported protocol version');
      }
      const target = parseRequestTarget(req.url ?? '/');
      let path = target.path;
      let version = API_VERSION;
      const m = VERSION_PREFIX.exec(path);
      if (m) {
        version = m[1] as string;
        path = m[2] as string;
      }
      const ctx: RequestContext = {
        req,
        res,
        params: {},
        query: target.query,
        version,
        upgradeSocket: socket,
        upgradeHead: head,
      };
      if (compareVersions(version, MIN_API_VERSION) < 0) {
        throw new InvalidParameter(
          `client version ${version} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`,
        );
      }
      if (compareVersions(version, API_VERSION) > 0) {
        throw new InvalidParameter(
          `client version ${version} is too new. Maximum supported API version is ${API_VERSION}`,
        );
      }
      // The authorization plugins decide before anything else is done (moby's authz middleware).
      if (authorizer?.enabled) await authorizer.authorize(req);
      const route = router.match(req.method ?? 'GET', path);
      if (!route) throw new NotFound('page not found');
      ctx.params = route.params;
      await route.handler(ctx);
      log.debug(`${req.method} ${req.url} ${res?.statusCode ?? 101} ${took()}`);
    } catch (e) {
      answerError(log, req, { res, socket }, e);
    }
  };
  /** Runs one request; nothing it throws leaves this function. */
  const serve = (req: IncomingMessage, res: ServerResponse | undefined, socket?: Duplex, head?: Buffer) => {
    dispatch(req, res, socket, head).catch((e: unknown) => {
      log.error(`${req.method} ${req.url}: ${e instanceof Error && e.stack ? e.stack : String(e)}`);
      (socket ?? req.socket).destroy();
    });
  };
  const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    serve(req, res);
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', (e) => log.debug(`${req.method} ${req.url}: connection: ${e.message}`));
    serve(req, undefined, socket, head);
  });
  server.on('clientError', (e: NodeJS.ErrnoException, socket: Duplex) => {
    log.debug(`refused a request Node's HTTP parser could not read: ${e.code ?? ''} ${e.message}`);
    // A reset, or a response already begun on this connection (Node's own test), leaves nothing to answer on.
    const current = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
    if (e.code === 'ECONNRESET' || !socket.writable || current?.headersSent) {
      socket.destroy();
      return;
    }
    const { status, text } = clientErrorStatus(e.code);
    const body = `${JSON.stringify({ message: `${text}: ${e.message}` })}\n`;
    socket.end(
      `HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
  // Compiling the body schemas takes ~100 ms of the event loop: in idle turns after start, not in the first create.
  return server;
}
