// The registry's HTTP(S) server: every response carries Docker-Distribution-API-Version, and every request leaves one
// log line (remote, user, method, path, status, bytes, milliseconds).
import { type IncomingMessage, type Server, type ServerResponse, createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { RegistryServices } from './context.js';
import { API_VERSION_HEADER } from './respond.js';
import { dispatch } from './routes.js';

export interface ServerOptions {
  tls?: { cert: Buffer | string; key: Buffer | string };
}

export function createRegistryServer(services: RegistryServices, opts: ServerOptions = {}): Server {
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const started = performance.now();
    res.setHeader(API_VERSION_HEADER, 'registry/2.0');
    const ctx = { req, res, url: new URL(req.url ?? '/', 'http://registry'), services } as Parameters<
      typeof dispatch
    >[0];
    res.on('close', () => {
      const ms = (performance.now() - started).toFixed(1);
      const bytes = res.getHeader('content-length') ?? '-';
      const cut = res.writableFinished ? '' : ' (aborted)';
      services.log(
        `${req.socket.remoteAddress ?? '-'} ${ctx.user ?? '-'} "${req.method} ${req.url}" ${res.statusCode} ${bytes} ${ms}ms${cut}`,
      );
    });
    void dispatch(ctx);
  };
  const server = opts.tls
    ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key }, handle)
    : createHttpServer(handle);
  server.keepAliveTimeout = 30_000;
  server.requestTimeout = 0; // big blob uploads may take long; the socket's idle timeout still applies
  return server;
}
