// Docker's token authentication (distribution's docs/spec/auth/token.md, jwt.md, oauth.md): scopes, and signed JWTs
// (ES256, via `jose`) carrying the granted access; refresh tokens for `offline_token` and the OAuth2 refresh grant.
import { createPrivateKey, createPublicKey, type KeyObject, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { type JWTPayload, SignJWT, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import type { TokenConfig } from '../config.js';

/** One resource's access, as in a scope and in the token's `access` claim. */
export interface ResourceAccess {
  type: string;
  name: string;
  actions: string[];
}

/** Parses `repository:proj/app:pull,push` (the name may itself hold colons, e.g. a port: actions follow the last). */
export function parseScope(scope: string): ResourceAccess | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first <= 0 || last === first) return undefined;
  const type = scope.slice(0, first).replace(/\(.*\)$/, '');
  const actions = scope
    .slice(last + 1)
    .split(',')
    .filter(Boolean);
  return { type, name: scope.slice(first + 1, last), actions };
}

export const formatScope = (a: ResourceAccess): string => `${a.type}:${a.name}:${a.actions.join(',')}`;

export interface IssuedToken {
  token: string;
  expiresIn: number;
  issuedAt: string;
  refreshToken?: string;
}

export interface VerifiedToken {
  subject: string;
  access: ResourceAccess[];
}

const ALG = 'ES256';

export class TokenService {
  private constructor(
    readonly config: TokenConfig,
    private readonly key: CryptoKey | KeyObject,
    private readonly verifyKey: CryptoKey | KeyObject,
    readonly kid: string,
  ) {}

  static async create(config: TokenConfig): Promise<TokenService> {
    if (config.key) {
      const priv = createPrivateKey(await readFile(config.key, 'utf8'));
      const jwk = createPublicKey(priv).export({ format: 'jwk' });
      return new TokenService(config, priv, createPublicKey(priv), jwk.x?.slice(0, 16) ?? randomUUID());
    }
    const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
    const jwk = await exportJWK(publicKey);
    return new TokenService(config, privateKey, publicKey, `${jwk.x?.slice(0, 16) ?? randomUUID()}`);
  }

  /** An access token for `subject` ('' = anonymous) with the access already granted by the policy. */
  async issue(subject: string, access: ResourceAccess[], offline: boolean): Promise<IssuedToken> {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ access })
      .setProtectedHeader({ alg: ALG, kid: this.kid, typ: 'JWT' })
      .setIssuer(this.config.issuer)
      .setSubject(subject)
      .setAudience(this.config.service)
      .setIssuedAt(now)
      .setNotBefore(now - 1)
      .setExpirationTime(now + this.config.expiration)
      .setJti(randomUUID())
      .sign(this.key);
    const out: IssuedToken = { token, expiresIn: this.config.expiration, issuedAt: new Date(now * 1000).toISOString() };
    if (offline && subject !== '') out.refreshToken = await this.refreshToken(subject, now);
    return out;
  }

  private async refreshToken(subject: string, now: number): Promise<string> {
    return new SignJWT({ typ: 'refresh' })
      .setProtectedHeader({ alg: ALG, kid: this.kid, typ: 'JWT' })
      .setIssuer(this.config.issuer)
      .setSubject(subject)
      .setAudience(this.config.service)
      .setIssuedAt(now)
      .setExpirationTime(now + this.config.refreshExpiration)
      .setJti(randomUUID())
      .sign(this.key);
  }

  private async check(token: string): Promise<JWTPayload> {
    const { payload } = await jwtVerify(token, this.verifyKey, {
      issuer: this.config.issuer,
      audience: this.config.service,
      algorithms: [ALG],
    });
    return payload;
  }

  /** Verifies an access token; undefined when it is invalid, expired, or a refresh token. */
  async verify(token: string): Promise<VerifiedToken | undefined> {
    try {
      const p = await this.check(token);
      if (p.typ === 'refresh' || !Array.isArray(p.access)) return undefined;
      return { subject: p.sub ?? '', access: p.access as ResourceAccess[] };
    } catch {
      return undefined;
    }
  }

  /** The user a refresh token was issued to; undefined when it is not a valid refresh token. */
  async verifyRefresh(token: string): Promise<string | undefined> {
    try {
      const p = await this.check(token);
      return p.typ === 'refresh' && p.sub ? p.sub : undefined;
    } catch {
      return undefined;
    }
  }
}
