// Exec routes: create on a container, start (hijacked unless detached), resize, inspect.
import type { Duplex } from 'node:stream';
import type { ExecCreateRequest, ExecInspect, ExecStartRequest } from '../../api/index.js';
import { hijack, intParam, jsonBody, type RequestContext, sendEmpty, sendJson } from '../context.js';
import { execCreateBody, execStartBody } from '../schema/bodies.js';
import type { ApiRouter } from '../server.js';

export interface ExecBackend {
  create(container: string, body: ExecCreateRequest): { Id: string };
  inspect(id: string): ExecInspect;
  /** Validates before the hijack: throws for an unknown or already started exec. */
  check(id: string): { tty: boolean };
  start(id: string, client: Duplex | undefined, opts: { tty?: boolean }): Promise<void>;
  resize(id: string, height: number, width: number): Promise<void>;
}

export function execRoutes(r: ApiRouter, b: ExecBackend): void {
  r.add('POST', '/containers/:id/exec', async (ctx) => {
    sendJson(ctx, 201, b.create(ctx.params.id ?? '', await jsonBody<ExecCreateRequest>(ctx, execCreateBody)));
  });
  r.add('POST', '/exec/:id/start', async (ctx: RequestContext) => {
    const id = ctx.params.id ?? '';
    const body = await jsonBody<ExecStartRequest>(ctx, execStartBody, {});
    const { tty } = b.check(id);
    const useTty = body.Tty ?? tty;
    if (body.Detach) {
      await b.start(id, undefined, { tty: useTty });
      if (ctx.res) sendEmpty(ctx, 200);
      else ctx.upgradeSocket?.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const conn = hijack(
      ctx,
      useTty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream',
    );
    try {
      await b.start(id, conn, { tty: useTty });
    } catch (e) {
      // The 101 is out: as dockerd does, the error goes down the stream as output, not as an HTTP response.
      const msg = Buffer.from(`${(e as Error).message}\r\n`);
      if (!conn.destroyed && !conn.writableEnded)
        conn.end(useTty ? msg : Buffer.concat([streamHeader(1, msg.length), msg]));
    }
  });
  r.add('POST', '/exec/:id/resize', async (ctx) => {
    await b.resize(ctx.params.id ?? '', intParam(ctx, 'h', 0) ?? 0, intParam(ctx, 'w', 0) ?? 0);
    sendEmpty(ctx, 200);
  });
  r.add('GET', '/exec/:id/json', async (ctx) => sendJson(ctx, 200, b.inspect(ctx.params.id ?? '')));
}

/** The 8-byte header of one multiplexed-stream frame (1 stdout, 2 stderr). */
function streamHeader(stream: number, length: number): Buffer {
  const h = Buffer.alloc(8);
  h[0] = stream;
  h.writeUInt32BE(length, 4);
  return h;
}
