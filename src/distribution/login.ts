// `docker login` (POST /auth): the credentials are checked against the registry's /v2/ the way a pull would use
// them (a token fetched with them, or Basic), and nothing is stored: the CLI keeps them (or the refresh token the
// token server gave, as an identity token) and sends them each time.
import { InvalidParameter, Unauthorized, isUnauthorized } from '../errdefs/index.js';
import { DEFAULT_DOMAIN } from '../image/reference.js';
import { type AuthConfig, credentialsOf } from './auth.js';
import { DOCKER_HUB_INDEX } from './endpoints.js';
import type { RegistryClient } from './session.js';

export interface LoginResult {
  Status: string;
  IdentityToken: string;
}

/** The registry domain a login's server address names (`https://index.docker.io/v1/` and '' are Docker Hub). */
export function loginDomain(serverAddress: string | undefined): string {
  const s = (serverAddress ?? '').trim();
  if (s === '') return DEFAULT_DOMAIN;
  const host = s.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
  if (host === DOCKER_HUB_INDEX || host === 'registry-1.docker.io' || host === DEFAULT_DOMAIN) return DEFAULT_DOMAIN;
  return host;
}

export async function login(client: RegistryClient, auth: AuthConfig): Promise<LoginResult> {
  if (!credentialsOf(auth) && !auth.identitytoken)
    throw new InvalidParameter('login requires a username and a password');
  const session = await client.session(loginDomain(auth.serveraddress), undefined, auth, [], { offline: true });
  try {
    (await session.request('GET', '/v2/')).resume();
  } catch (e) {
    if (isUnauthorized(e)) {
      throw new Unauthorized(`login attempt to ${session.base}/v2/ failed with status: 401 Unauthorized`);
    }
    throw e;
  }
  // With a token server that gives refresh tokens, the CLI keeps that instead of the password (dockerd's loginV2).
  return { Status: 'Login Succeeded', IdentityToken: session.refreshToken ?? '' };
}

/**
 * The credentials for `domain` in an X-Registry-Config header (base64 JSON: server address → AuthConfig, as `docker
 * build` sends every stored login), encoded as an X-Registry-Auth value; undefined when it holds none for it.
 */
export function registryConfigAuth(header: string | undefined, domain: string): string | undefined {
  if (!header) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidParameter('invalid X-Registry-Config header: invalid character in the encoded JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  for (const [server, auth] of Object.entries(parsed as Record<string, unknown>)) {
    if (loginDomain(server) !== domain || auth === null || typeof auth !== 'object') continue;
    return Buffer.from(JSON.stringify(auth)).toString('base64url');
  }
  return undefined;
}
