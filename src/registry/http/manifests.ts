// Manifest routes: GET/HEAD/PUT/DELETE /v2/<name>/manifests/<tag or digest>. The bytes go back exactly as pushed,
// with the media type they were pushed as; each pull, push and delete leaves an audit line.
import { RegistryError } from '../errors.js';
import { MANIFEST_MAX } from '../manifest.js';
import { parseReference } from '../names.js';
import { BodyTooLarge, type Ctx, audit, authorize, readBody, repoAccess } from './context.js';
import { sendEmpty } from './respond.js';

export async function getManifest(ctx: Ctx, name: string, ref: string, head: boolean): Promise<void> {
  await authorize(ctx, [repoAccess(name, 'pull')]);
  const m = await ctx.services.registry.getManifest(name, ref);
  ctx.res.writeHead(200, {
    'Content-Type': m.mediaType,
    'Content-Length': m.bytes.length,
    'Docker-Content-Digest': m.digest,
    ETag: `"${m.digest}"`,
  });
  if (head) {
    ctx.res.end();
    return;
  }
  ctx.res.end(m.bytes);
  audit(ctx, 'pull', name, ref, m.digest);
}

export async function putManifest(ctx: Ctx, name: string, ref: string): Promise<void> {
  await authorize(ctx, [repoAccess(name, 'pull', 'push')]);
  parseReference(ref);
  const bytes = await readBody(ctx.req, MANIFEST_MAX).catch((e: unknown) => {
    if (e instanceof BodyTooLarge) throw new RegistryError('MANIFEST_INVALID', { reason: 'manifest too big' });
    throw e;
  });
  const { digest, subject } = await ctx.services.registry.putManifest(
    name,
    ref,
    bytes,
    ctx.req.headers['content-type'],
  );
  sendEmpty(ctx.res, 201, {
    Location: `/v2/${name}/manifests/${digest}`,
    'Docker-Content-Digest': digest,
    ...(subject ? { 'OCI-Subject': subject } : {}),
  });
  audit(ctx, 'push', name, ref, digest);
}

export async function deleteManifest(ctx: Ctx, name: string, ref: string): Promise<void> {
  await authorize(ctx, [repoAccess(name, 'delete')]);
  await ctx.services.registry.deleteManifest(name, ref);
  sendEmpty(ctx.res, 202);
  audit(ctx, 'delete', name, ref);
}
