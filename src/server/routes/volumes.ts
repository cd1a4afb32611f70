// Volume routes: list, create, inspect, remove, prune, over the backend the engine's volume service implements.
import type { Volume, VolumeCreateRequest, VolumeListResponse, VolumePruneResponse } from '../../api/volumes.js';
import { boolParam, filtersParam, jsonBody, sendEmpty, sendJson } from '../context.js';
import { volumeCreateBody } from '../schema/bodies.js';
import type { ApiRouter } from '../server.js';

export interface VolumesBackend {
  list(filters: Record<string, string[]>): VolumeListResponse;
  create(req: VolumeCreateRequest): Promise<Volume>;
  inspect(name: string): Volume;
  remove(name: string, force: boolean): Promise<void>;
  prune(filters: Record<string, string[]>): Promise<VolumePruneResponse>;
}

export function volumeRoutes(r: ApiRouter, b: VolumesBackend): void {
  r.add('GET', '/volumes', async (ctx) => sendJson(ctx, 200, b.list(filtersParam(ctx))));
  r.add('POST', '/volumes/create', async (ctx) =>
    sendJson(ctx, 201, await b.create(await jsonBody<VolumeCreateRequest>(ctx, volumeCreateBody, {}))),
  );
  r.add('POST', '/volumes/prune', async (ctx) => sendJson(ctx, 200, await b.prune(filtersParam(ctx))));
  r.add('GET', '/volumes/:name', async (ctx) => sendJson(ctx, 200, b.inspect(name(ctx))));
  r.add('DELETE', '/volumes/:name', async (ctx) => {
    await b.remove(name(ctx), boolParam(ctx, 'force'));
    sendEmpty(ctx, 204);
  });
}

function name(ctx: { params: Record<string, string> }): string {
  return ctx.params.name ?? '';
}
