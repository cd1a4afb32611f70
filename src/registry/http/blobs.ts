// Blob routes: GET/HEAD (with Range) and DELETE of /v2/<name>/blobs/<digest>.
import { pipeline } from 'node:stream/promises';
import { RegistryError } from '../errors.js';
import { digestParam } from '../names.js';
import { type Ctx, authorize, repoAccess } from './context.js';
import { sendEmpty } from './respond.js';

/** Parses a single `bytes=` range against `size` (inclusive end); null when unsatisfiable, undefined when absent. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | null | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return null;
    start = Math.max(size - suffix, 0);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start > end || start >= size) return null;
  return { start, end };
}

export async function getBlob(ctx: Ctx, name: string, ref: string, head: boolean): Promise<void> {
  await authorize(ctx, [repoAccess(name, 'pull')]);
  const d = digestParam(ref);
  const size = await ctx.services.registry.statBlob(name, d);
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/octet-stream',
    'Docker-Content-Digest': d,
    ETag: `"${d}"`,
    'Accept-Ranges': 'bytes',
    'Cache-Control': 'max-age=31536000',
  };
  const range = parseRange(ctx.req.headers.range, size);
  if (range === null) {
    sendEmpty(ctx.res, 416, { 'Content-Range': `bytes */${size}` });
    return;
  }
  if (head) {
    sendEmpty(ctx.res, 200, { ...headers, 'Content-Length': size });
    return;
  }
  const { stream } = await ctx.services.registry.readBlob(name, d, range);
  if (range) {
    headers['Content-Range'] = `bytes ${range.start}-${range.end}/${size}`;
    ctx.res.writeHead(206, { ...headers, 'Content-Length': range.end - range.start + 1 });
  } else ctx.res.writeHead(200, { ...headers, 'Content-Length': size });
  try {
    await pipeline(stream, ctx.res);
  } catch (e) {
    // A corrupt blob found mid-stream: the response is cut short, so the client sees a truncated body, never bad
    // bytes presented as complete.
    ctx.res.destroy();
    if (!(e instanceof RegistryError)) throw e;
  }
}

export async function deleteBlob(ctx: Ctx, name: string, ref: string): Promise<void> {
  await authorize(ctx, [repoAccess(name, 'delete')]);
  const d = digestParam(ref);
  await ctx.services.registry.deleteBlob(name, d);
  sendEmpty(ctx.res, 202, { 'Docker-Content-Digest': d });
}
