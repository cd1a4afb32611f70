// What every route handler gets: the request, the response, the parsed URL, the registry's services, and the caller
// (filled in by authorize, read by the request log and the audit trail).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Audit, AuditOperation } from '../audit.js';
import type { Authenticator } from '../auth/index.js';
import type { ResourceAccess } from '../auth/token.js';
import type { Registry } from '../registry.js';
import type { Logger } from '../storage/blobs.js';

export interface RegistryServices {
  registry: Registry;
  auth: Authenticator;
  audit: Audit;
  log: Logger;
}

export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  services: RegistryServices;
  user?: string;
}

export const TOKEN_PATH = '/service/token';

/** The token endpoint's URL as this client reached the server. */
export function realmOf(req: IncomingMessage): string {
  const tls = (req.socket as TLSSocket).encrypted === true;
  return `${tls ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}${TOKEN_PATH}`;
}

export async function authorize(ctx: Ctx, access: ResourceAccess[], requireUser = false): Promise<void> {
  const id = await ctx.services.auth.authorize(ctx.req.headers.authorization, access, {
    realm: realmOf(ctx.req),
    requireUser,
  });
  if (id.user !== undefined) ctx.user = id.user;
}

export const repoAccess = (name: string, ...actions: string[]): ResourceAccess => ({
  type: 'repository',
  name,
  actions,
});

export function audit(
  ctx: Ctx,
  operation: AuditOperation,
  repository: string,
  reference: string,
  digest?: string,
): void {
  ctx.services.audit.record({
    operation,
    repository,
    reference,
    ...(digest ? { digest } : {}),
    user: ctx.user ?? 'anonymous',
    ...(ctx.req.socket.remoteAddress ? { remote: ctx.req.socket.remoteAddress } : {}),
  });
}

/** Reads a request body up to `limit` bytes (manifests, forms, admin JSON). */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw new BodyTooLarge();
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

export class BodyTooLarge extends Error {}
