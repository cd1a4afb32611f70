// Listing routes: tags/list and _catalog (lexical order, `n`/`last` pagination with a Link header; the catalog shows
// only what the caller may pull) and the referrers API (an OCI index, optionally filtered by artifactType).
import { isDigest } from '../../lib/digest.js';
import { RegistryError } from '../errors.js';
import { OCI_INDEX } from '../manifest.js';
import { type Ctx, authorize, repoAccess } from './context.js';
import { sendJson } from './respond.js';

/** Applies `n` and `last` to a sorted list; `next` is set when more entries follow the page. */
export function paginate(all: string[], q: URLSearchParams): { page: string[]; next?: string } {
  const last = q.get('last');
  let items = last ? all.filter((x) => x > last) : all;
  const nText = q.get('n');
  if (nText === null || nText === '') return { page: items };
  const n = Number(nText);
  if (!Number.isInteger(n) || n < 0) throw new RegistryError('UNSUPPORTED', { n: nText }, 'invalid n');
  const more = items.length > n;
  items = items.slice(0, n);
  const tail = items[items.length - 1];
  return more && tail !== undefined ? { page: items, next: tail } : { page: items };
}

const link = (path: string, n: string, last: string) =>
  `<${path}?n=${encodeURIComponent(n)}&last=${encodeURIComponent(last)}>; rel="next"`;

export async function listTags(ctx: Ctx, name: string): Promise<void> {
  await authorize(ctx, [repoAccess(name, 'pull')]);
  const { page, next } = paginate(await ctx.services.registry.tags(name), ctx.url.searchParams);
  const headers: Record<string, string> = {};
  if (next) headers.Link = link(`/v2/${name}/tags/list`, ctx.url.searchParams.get('n') ?? '', next);
  sendJson(ctx.res, 200, { name, tags: page }, headers);
}

export async function catalog(ctx: Ctx): Promise<void> {
  const { auth, registry } = ctx.services;
  await authorize(ctx, auth.mode === 'token' ? [{ type: 'registry', name: 'catalog', actions: ['*'] }] : []);
  const all = (await registry.repos.catalog()).filter((r) => auth.visible(ctx.user, r));
  const { page, next } = paginate(all, ctx.url.searchParams);
  const headers: Record<string, string> = {};
  if (next) headers.Link = link('/v2/_catalog', ctx.url.searchParams.get('n') ?? '', next);
  sendJson(ctx.res, 200, { repositories: page }, headers);
}

export async function referrers(ctx: Ctx, name: string, ref: string): Promise<void> {
  await authorize(ctx, [repoAccess(name, 'pull')]);
  if (!isDigest(ref)) throw new RegistryError('DIGEST_INVALID', { digest: ref }, 'invalid digest');
  const artifactType = ctx.url.searchParams.get('artifactType') ?? undefined;
  const index = await ctx.services.registry.referrers(name, ref, artifactType);
  const headers: Record<string, string> = { 'Content-Type': OCI_INDEX };
  if (artifactType !== undefined) headers['OCI-Filters-Applied'] = 'artifactType';
  const text = JSON.stringify(index);
  ctx.res.writeHead(200, { ...headers, 'Content-Length': Buffer.byteLength(text) });
  ctx.res.end(text);
}
