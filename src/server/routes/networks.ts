// Network routes: list, inspect, create, remove, prune, connect and disconnect, over the backend the engine's
// network service implements.
import type {
  NetworkConnectRequest,
  NetworkCreateRequest,
  NetworkCreateResponse,
  NetworkDisconnectRequest,
  NetworkPruneResponse,
  NetworkResource,
} from '../../api/networks.js';
import { boolParam, filtersParam, jsonBody, sendEmpty, sendJson } from '../context.js';
import { networkConnectBody, networkCreateBody, networkDisconnectBody } from '../schema/bodies.js';
import type { ApiRouter } from '../server.js';

export interface NetworksBackend {
  list(filters: Record<string, string[]>): NetworkResource[];
  inspect(term: string, opts: { verbose: boolean; scope: string }): NetworkResource;
  create(req: NetworkCreateRequest): Promise<NetworkCreateResponse>;
  remove(term: string): Promise<void>;
  prune(filters: Record<string, string[]>): Promise<NetworkPruneResponse>;
  connect(term: string, req: NetworkConnectRequest): Promise<void>;
  disconnect(term: string, req: NetworkDisconnectRequest): Promise<void>;
}

export function networkRoutes(r: ApiRouter, b: NetworksBackend): void {
  r.add('GET', '/networks', async (ctx) => sendJson(ctx, 200, b.list(filtersParam(ctx))));
  r.add('POST', '/networks/create', async (ctx) =>
    sendJson(ctx, 201, await b.create(await jsonBody<NetworkCreateRequest>(ctx, networkCreateBody))),
  );
  r.add('POST', '/networks/prune', async (ctx) => sendJson(ctx, 200, await b.prune(filtersParam(ctx))));
  r.add('GET', '/networks/:id', async (ctx) =>
    sendJson(ctx, 200, b.inspect(id(ctx), { verbose: boolParam(ctx, 'verbose'), scope: ctx.query.get('scope') ?? '' })),
  );
  r.add('DELETE', '/networks/:id', async (ctx) => {
    await b.remove(id(ctx));
    sendEmpty(ctx, 204);
  });
  r.add('POST', '/networks/:id/connect', async (ctx) => {
    await b.connect(id(ctx), await jsonBody<NetworkConnectRequest>(ctx, networkConnectBody));
    sendEmpty(ctx, 200);
  });
  r.add('POST', '/networks/:id/disconnect', async (ctx) => {
    await b.disconnect(id(ctx), await jsonBody<NetworkDisconnectRequest>(ctx, networkDisconnectBody));
    sendEmpty(ctx, 200);
  });
}

function id(ctx: { params: Record<string, string> }): string {
  return ctx.params.id ?? '';
}
