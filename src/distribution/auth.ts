// Registry credentials as the Engine API carries them (the X-Registry-Auth header, POST /auth's body) and the
// registry's WWW-Authenticate challenges (RFC 7235), parsed into what the session needs to authenticate.
import { InvalidParameter } from '../errdefs/index.js';
import { AUTH_CONFIG_FIELDS, type AuthConfig } from '../api/registry.js';

export type { AuthConfig };

export interface Credentials {
  username: string;
  password: string;
}

/** Decodes X-Registry-Auth: base64url (or standard base64) JSON; empty means anonymous. */
export function decodeRegistryAuth(header: string | undefined): AuthConfig {
  if (!header) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidParameter('invalid X-Registry-Auth header: invalid character in the encoded JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InvalidParameter('invalid X-Registry-Auth header: not a JSON object');
  }
  return authConfigOf(parsed as Record<string, unknown>);
}

/** Keeps the string fields of an AuthConfig (the CLI may send others, or different casing). */
export function authConfigOf(o: Record<string, unknown>): AuthConfig {
  const out: AuthConfig = {};
  for (const [k, v] of Object.entries(o)) {
    const key = k.toLowerCase() as keyof AuthConfig;
    if (typeof v === 'string' && v !== '' && KEYS.has(key)) out[key] = v;
  }
  return out;
}

const KEYS = new Set<keyof AuthConfig>(AUTH_CONFIG_FIELDS);

/** The user and password an AuthConfig holds (from `auth` when the fields are empty), or undefined. */
export function credentialsOf(a: AuthConfig): Credentials | undefined {
  if (a.username) return { username: a.username, password: a.password ?? '' };
  if (a.auth) {
    const plain = Buffer.from(a.auth, 'base64').toString('utf8');
    const colon = plain.indexOf(':');
    if (colon > 0) return { username: plain.slice(0, colon), password: plain.slice(colon + 1) };
  }
  return undefined;
}

export const basicHeader = (c: Credentials): string =>
  `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `Bearer realm="…",service="…",scope="…"` (and several challenges in one header). */
export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  const values = Array.isArray(header) ? header : header ? [header] : [];
  const out: Challenge[] = [];
  for (const value of values) {
    const re =
      /\s*([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)(?:\s+|$)((?:[^\s,=]+\s*=\s*(?:"(?:[^"\\]|\\.)*"|[^\s,]*)\s*,?\s*)*)/gy;
    for (let m = re.exec(value); m && m[0] !== ''; m = re.exec(value)) {
      const params: Record<string, string> = {};
      const pr = /([^\s,=]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;
      for (let p = pr.exec(m[2] ?? ''); p; p = pr.exec(m[2] ?? '')) {
        params[(p[1] ?? '').toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : (p[3] ?? '');
      }
      out.push({ scheme: (m[1] ?? '').toLowerCase(), params });
    }
  }
  return out;
}
