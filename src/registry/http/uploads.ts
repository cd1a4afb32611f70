// Blob upload routes: POST (monolithic with ?digest=, cross-repository mount with ?mount=&from=, or a new session),
// PATCH (chunks, Content-Range checked), PUT (last chunk + digest), GET (status) and DELETE (cancel).
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { RegistryError } from '../errors.js';
import { digestParam, validateName } from '../names.js';
import { type Ctx, authorize, repoAccess } from './context.js';
import { sendEmpty, uploadRange } from './respond.js';

const uploadUrl = (name: string, uuid: string) => `/v2/${name}/blobs/uploads/${uuid}`;
const blobUrl = (name: string, d: string) => `/v2/${name}/blobs/${d}`;

/** The first byte offset of a Content-Range (`0-99`, also `bytes 0-99/*`), checked against Content-Length. */
function chunkStart(req: IncomingMessage): number | undefined {
  const header = req.headers['content-range'];
  if (!header) return undefined;
  const m = /^(?:bytes[ =])?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/.exec(header.trim());
  if (!m) throw new RegistryError('RANGE_INVALID', undefined, 'invalid Content-Range');
  const [start, end] = [Number(m[1]), Number(m[2])];
  const length = req.headers['content-length'];
  if (end < start || (length !== undefined && Number(length) !== end - start + 1))
    throw new RegistryError('RANGE_INVALID', undefined, 'Content-Range does not match Content-Length');
  return start;
}

/** Whether the request carries a body (a PUT closing an upload may or may not). */
const hasBody = (req: IncomingMessage) =>
  req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

export async function startUpload(ctx: Ctx, name: string): Promise<void> {
  const { registry, auth } = ctx.services;
  const q = ctx.url.searchParams;
  const mount = q.get('mount');
  const from = q.get('from');
  await authorize(ctx, [repoAccess(name, 'pull', 'push')]);
  if (mount && from) {
    const d = digestParam(mount);
    // A source the caller may not read is treated as a miss: the client falls back to uploading (202).
    let mayRead = true;
    try {
      validateName(from);
      await auth.authorize(ctx.req.headers.authorization, [repoAccess(from, 'pull')], {
        realm: '',
        requireUser: false,
      });
    } catch {
      mayRead = false;
    }
    if (mayRead && (await registry.mount(name, from, d))) {
      sendEmpty(ctx.res, 201, { Location: blobUrl(name, d), 'Docker-Content-Digest': d });
      return;
    }
  }
  const digest = q.get('digest');
  if (digest !== null) {
    const d = digestParam(digest);
    await registry.putBlob(name, d, ctx.req);
    sendEmpty(ctx.res, 201, { Location: blobUrl(name, d), 'Docker-Content-Digest': d });
    return;
  }
  ctx.req.resume();
  const uuid = await registry.startUpload(name);
  sendEmpty(ctx.res, 202, { Location: uploadUrl(name, uuid), Range: '0-0', 'Docker-Upload-UUID': uuid });
}

export async function patchUpload(ctx: Ctx, name: string, uuid: string): Promise<void> {
  await authorize(ctx, [repoAccess(name, 'pull', 'push')]);
  const start = chunkStart(ctx.req);
  const size = await ctx.services.registry.uploads.append(name, uuid, ctx.req, start);
  sendEmpty(ctx.res, 202, { Location: uploadUrl(name, uuid), Range: uploadRange(size), 'Docker-Upload-UUID': uuid });
}

export async function putUpload(ctx: Ctx, name: string, uuid: string): Promise<void> {
  await authorize(ctx, [repoAccess(name, 'pull', 'push')]);
  const d = digestParam(ctx.url.searchParams.get('digest'));
  const body: Readable | undefined = hasBody(ctx.req) ? ctx.req : undefined;
  const start = body ? chunkStart(ctx.req) : undefined;
  if (!body) ctx.req.resume();
  await ctx.services.registry.finishUpload(name, uuid, d, body, start);
  sendEmpty(ctx.res, 201, { Location: blobUrl(name, d), 'Docker-Content-Digest': d });
}

export async function uploadStatus(ctx: Ctx, name: string, uuid: string): Promise<void> {
  await authorize(ctx, [repoAccess(name, 'pull', 'push')]);
  const size = await ctx.services.registry.uploads.size(name, uuid);
  sendEmpty(ctx.res, 204, { Location: uploadUrl(name, uuid), Range: uploadRange(size), 'Docker-Upload-UUID': uuid });
}

export async function cancelUpload(ctx: Ctx, name: string, uuid: string): Promise<void> {
  await authorize(ctx, [repoAccess(name, 'pull', 'push')]);
  await ctx.services.registry.uploads.cancel(name, uuid);
  sendEmpty(ctx.res, 204);
}
