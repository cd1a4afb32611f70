// System routes: /_ping, /version, /info, /events, /system/df.
import type { EventMessage, VersionResponse } from '../../api/index.js';
import { InvalidParameter } from '../../errdefs/index.js';
import { filtersParam, mustRes, type RequestContext, sendJson } from '../context.js';
import type { ApiRouter } from '../server.js';

export interface SystemBackend {
  version(): Promise<VersionResponse>;
  info(): Promise<Record<string, unknown>>;
  diskUsage(): Promise<Record<string, unknown>>;
  /** Past events since `sinceNs` matching the filters, then live ones through `onEvent` until the returned stop is called. */
  subscribeEvents(
    filters: Record<string, string[]>,
    sinceNs: number | undefined,
    onEvent: (e: EventMessage) => void,
  ): { past: EventMessage[]; stop: () => void };
}

/** Docker's event time bounds: unix seconds with an optional fraction, or an RFC 3339 time. */
function timeParamNs(ctx: RequestContext, name: string): number | undefined {
  const v = ctx.query.get(name);
  if (v === null || v === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1e9);
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new InvalidParameter(`invalid value for ${name}: ${v}`);
  return t * 1e6;
}

export function systemRoutes(r: ApiRouter, b: SystemBackend): void {
  const ping = (ctx: RequestContext) => {
    const res = mustRes(ctx);
    res.writeHead(200, {
      'Content-Type': 'text/plain; charset=utf-8',
      'Cache-Control': 'no-cache, no-store, must-revalidate',
      Pragma: 'no-cache',
      'Builder-Version': '1',
      'Content-Length': 2,
    });
    res.end(ctx.req.method === 'HEAD' ? undefined : 'OK');
  };
  r.add('GET', '/_ping', ping);
  r.add('GET', '/version', async (ctx) => sendJson(ctx, 200, await b.version()));
  r.add('GET', '/info', async (ctx) => sendJson(ctx, 200, await b.info()));
  r.add('GET', '/system/df', async (ctx) => sendJson(ctx, 200, await b.diskUsage()));
  r.add('GET', '/events', async (ctx) => {
    const res = mustRes(ctx);
    const since = timeParamNs(ctx, 'since');
    const until = timeParamNs(ctx, 'until');
    const filters = filtersParam(ctx);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.flushHeaders();
    const write = (e: EventMessage) => {
      if (until !== undefined && e.timeNano > until) return false;
      res.write(`${JSON.stringify(e)}\n`);
      return true;
    };
    await new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const sub = b.subscribeEvents(filters, since, (e) => {
        if (!write(e)) finish();
      });
      function finish() {
        sub.stop();
        if (timer) clearTimeout(timer);
        res.end();
        resolve();
      }
      for (const e of sub.past) if (until === undefined || e.timeNano <= until) write(e);
      if (until !== undefined) {
        const wait = until / 1e6 - Date.now();
        if (wait <= 0) return finish();
        timer = setTimeout(finish, wait);
      }
      ctx.req.socket.once('close', finish);
    });
  });
}
