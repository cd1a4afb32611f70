// The token endpoint (distribution's token.md and oauth.md): GET with basic auth or anonymously, POST with the OAuth2
// password and refresh_token grants; `offline_token=true` / `access_type=offline` add a refresh token.
import { RegistryError } from '../errors.js';
import { type Ctx, readBody } from './context.js';
import { sendJson } from './respond.js';

const FORM_MAX = 64 << 10;

export async function getToken(ctx: Ctx): Promise<void> {
  const q = ctx.url.searchParams;
  const issued = await ctx.services.auth.issue({
    authorization: ctx.req.headers.authorization,
    scopes: q.getAll('scope'),
    offline: q.get('offline_token') === 'true',
  });
  sendJson(ctx.res, 200, {
    token: issued.token,
    access_token: issued.token,
    expires_in: issued.expiresIn,
    issued_at: issued.issuedAt,
    ...(issued.refreshToken ? { refresh_token: issued.refreshToken } : {}),
  });
}

export async function postToken(ctx: Ctx): Promise<void> {
  const form = new URLSearchParams((await readBody(ctx.req, FORM_MAX)).toString('utf8'));
  const grant = form.get('grant_type');
  const scopes = form.getAll('scope');
  let issued: Awaited<ReturnType<typeof ctx.services.auth.issue>>;
  if (grant === 'password') {
    const user = form.get('username');
    const password = form.get('password');
    if (!user || password === null) throw new RegistryError('UNAUTHORIZED', 'missing username or password');
    issued = await ctx.services.auth.issue({
      password: { user, password },
      scopes,
      offline: form.get('access_type') === 'offline',
    });
  } else if (grant === 'refresh_token') {
    const refreshToken = form.get('refresh_token');
    if (!refreshToken) throw new RegistryError('UNAUTHORIZED', 'missing refresh_token');
    issued = await ctx.services.auth.issue({ refreshToken, scopes, offline: true });
  } else {
    throw new RegistryError('UNSUPPORTED', { grant_type: grant }, 'unknown grant_type');
  }
  sendJson(ctx.res, 200, {
    access_token: issued.token,
    scope: scopes.join(' '),
    expires_in: issued.expiresIn,
    issued_at: issued.issuedAt,
    ...(issued.refreshToken ? { refresh_token: issued.refreshToken } : {}),
  });
}
