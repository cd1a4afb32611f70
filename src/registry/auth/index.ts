// Request authentication and authorisation for the three modes: none, htpasswd (basic auth, bcrypt) and token
// (Bearer JWTs from this server's token endpoint). Refusals carry the WWW-Authenticate challenge the client follows.
import type { RegistryConfig } from '../config.js';
import { RegistryError } from '../errors.js';
import type { PasswordChecker } from './htpasswd.js';
import type { Action, Policy } from './policy.js';
import { type IssuedToken, type ResourceAccess, type TokenService, formatScope, parseScope } from './token.js';

export interface Identity {
  /** undefined: anonymous. */
  user?: string;
}

/** A 401 with its challenge (http/respond.ts sends it as WWW-Authenticate). */
export class AuthChallenge extends RegistryError {
  constructor(
    readonly challenge: string,
    detail?: unknown,
  ) {
    super('UNAUTHORIZED', detail);
  }
}

const quote = (s: string) => `"${s.replace(/["\\]/g, '\\$&')}"`;

export function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  const m = header ? /^Basic\s+(\S+)\s*$/i.exec(header) : null;
  if (!m?.[1]) return undefined;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? undefined : { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

const detailOf = (access: ResourceAccess[]) =>
  access.flatMap((a) => a.actions.map((action) => ({ Type: a.type, Name: a.name, Action: action })));

export class Authenticator {
  constructor(
    readonly config: RegistryConfig,
    readonly policy: Policy,
    private readonly passwords: PasswordChecker,
    readonly tokens?: TokenService,
  ) {}

  get mode(): RegistryConfig['auth']['mode'] {
    return this.config.auth.mode;
  }

  /** Checks basic credentials: the user, undefined when absent; throws UNAUTHORIZED when wrong. */
  async basicUser(header: string | undefined, challenge: string): Promise<string | undefined> {
    const creds = parseBasic(header);
    if (!creds) return undefined;
    if (!(await this.passwords.verify(creds.user, creds.password)))
      throw new AuthChallenge(challenge, 'invalid username or password');
    return creds.user;
  }

  private allowed(user: string | undefined, a: ResourceAccess): boolean {
    if (a.type !== 'repository') return true;
    const may = this.policy.actions(user, a.name);
    return a.actions.every((x) => (x === '*' ? may.includes('delete') : may.includes(x as Action)));
  }

  /**
   * Authorises a request needing `access` (none: just an authenticated caller, as GET /v2/). `realm` is the token
   * endpoint's URL as this client reaches it. Throws UNAUTHORIZED (401, with a challenge) or DENIED (403).
   */
  async authorize(
    authorization: string | undefined,
    access: ResourceAccess[],
    opts: { realm: string; requireUser: boolean },
  ): Promise<Identity> {
    const auth = this.config.auth;
    if (auth.mode === 'none') return {};
    if (auth.mode === 'htpasswd') {
      const challenge = `Basic realm=${quote(auth.realm)}`;
      const user = await this.basicUser(authorization, challenge);
      if (user === undefined && opts.requireUser) throw new AuthChallenge(challenge, detailOf(access));
      if (access.every((a) => this.allowed(user, a))) return user === undefined ? {} : { user };
      if (user === undefined) throw new AuthChallenge(challenge, detailOf(access));
      throw new RegistryError('DENIED', detailOf(access));
    }
    const scope = access.length ? `,scope=${quote(access.map(formatScope).join(' '))}` : '';
    const base = `Bearer realm=${quote(auth.realm ?? opts.realm)},service=${quote(auth.service)}`;
    const m = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
    if (!m?.[1] || !this.tokens) throw new AuthChallenge(`${base}${scope}`, detailOf(access));
    const token = await this.tokens.verify(m[1]);
    if (!token) throw new AuthChallenge(`${base}${scope},error="invalid_token"`, detailOf(access));
    const user = token.subject === '' ? undefined : token.subject;
    const missing = access.filter((need) => !granted(token.access, need));
    if (missing.length === 0) return user === undefined ? {} : { user };
    // Refused for good (the user may not do it at all) is 403; a token merely lacking the scope, or an anonymous
    // caller, is asked to (re)authenticate.
    if (user !== undefined && !missing.every((a) => this.allowed(user, a)))
      throw new RegistryError('DENIED', detailOf(missing));
    throw new AuthChallenge(`${base}${scope},error="insufficient_scope"`, detailOf(missing));
  }

  /** What `user` gets of the requested scopes: each repository's actions cut down to what the policy allows. */
  grant(user: string | undefined, scopes: string[]): ResourceAccess[] {
    const out: ResourceAccess[] = [];
    for (const s of scopes.flatMap((x) => x.split(' ')).filter(Boolean)) {
      const a = parseScope(s);
      if (!a) continue;
      if (a.type === 'registry' && a.name === 'catalog') {
        out.push({ type: 'registry', name: 'catalog', actions: ['*'] });
        continue;
      }
      if (a.type !== 'repository') continue;
      const may = this.policy.actions(user, a.name);
      const actions = a.actions.flatMap((x) =>
        x === '*' ? (may.includes('delete') ? ['*'] : []) : may.includes(x as Action) ? [x] : [],
      );
      out.push({ type: 'repository', name: a.name, actions });
    }
    return out;
  }

  /**
   * The token endpoint's work: `creds` are basic credentials (GET) or the OAuth2 password grant, `refreshToken` the
   * OAuth2 refresh grant; neither: anonymous. Throws UNAUTHORIZED on bad credentials.
   */
  async issue(req: {
    authorization?: string | undefined;
    password?: { user: string; password: string } | undefined;
    refreshToken?: string | undefined;
    scopes: string[];
    offline: boolean;
  }): Promise<IssuedToken> {
    const tokens = this.tokens;
    if (!tokens) throw new RegistryError('UNSUPPORTED', 'token authentication is not configured');
    let user: string | undefined;
    if (req.refreshToken !== undefined) {
      user = await tokens.verifyRefresh(req.refreshToken);
      if (user === undefined || !this.policy.isUser(user))
        throw new RegistryError('UNAUTHORIZED', 'invalid refresh token');
    } else if (req.password) {
      if (!(await this.passwords.verify(req.password.user, req.password.password)))
        throw new RegistryError('UNAUTHORIZED', 'invalid username or password');
      user = req.password.user;
    } else {
      user = await this.basicUser(req.authorization, 'Basic realm="berth-registry token"');
    }
    return tokens.issue(user ?? '', this.grant(user, req.scopes), req.offline);
  }

  /** Whether `user` may see `repo` in the catalog (pull right). */
  visible(user: string | undefined, repo: string): boolean {
    return this.mode === 'none' || this.policy.actions(user, repo).includes('pull');
  }
}

function granted(have: ResourceAccess[], need: ResourceAccess): boolean {
  return need.actions.every((action) =>
    have.some(
      (h) => h.type === need.type && h.name === need.name && (h.actions.includes(action) || h.actions.includes('*')),
    ),
  );
}
