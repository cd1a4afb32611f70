// Talking to one repository of one registry: the /v2/ ping that finds the endpoint and scheme that answer (HTTPS,
// then plain HTTP where allowed) and the auth the registry asks for (a Bearer token from the challenge's realm for the
// repository's scope, or Basic), then authenticated requests over keep-alive connections, redirects followed.
import { Agent as HttpAgent, type IncomingMessage, request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { System, Unauthorized } from '../errdefs/index.js';
import {
  type AuthConfig,
  basicHeader,
  type Challenge,
  type Credentials,
  credentialsOf,
  parseChallenges,
} from './auth.js';
import { type Endpoint, endpointsFor, type RegistryHosts } from './endpoints.js';
import { connectError, readBody, responseError } from './errors.js';

/** The OAuth2 client id dockerd sends to token servers. */
const CLIENT_ID = 'docker';

export interface RegistryClientOptions extends RegistryHosts {
  userAgent?: string;
  /** Socket inactivity allowed before a request fails (default 60 s). */
  idleTimeoutMs?: number;
}

export interface RequestOptions {
  headers?: OutgoingHttpHeaders;
  body?: Buffer | Readable;
  /** Statuses that are answers (default 200); any other becomes an errdefs error. */
  ok?: readonly number[];
}

/** Connections and what was learnt about hosts (which scheme answers), shared by every session. */
export class RegistryClient {
  private readonly http = new HttpAgent({ keepAlive: true, maxSockets: 32 });
  private readonly https = new HttpsAgent({ keepAlive: true, maxSockets: 32 });
  private readonly httpsNoVerify = new HttpsAgent({ keepAlive: true, maxSockets: 32, rejectUnauthorized: false });
  private readonly schemes = new Map<string, 'http' | 'https'>();

  constructor(readonly opts: RegistryClientOptions) {}

  /**
   * A session for `repository` (a path in the registry; none for login) with `actions` (pull, push) on it. Tries the
   * domain's endpoints in order (mirrors first for pulls from docker.io).
   */
  async session(
    domain: string,
    repository: string | undefined,
    auth: AuthConfig,
    actions: readonly string[],
    opts: { offline?: boolean } = {},
  ): Promise<RegistrySession> {
    const endpoints = endpointsFor(domain, this.opts, actions.includes('push'));
    let last: unknown;
    for (const ep of endpoints) {
      try {
        const base = await this.probe(ep);
        const session = new RegistrySession(this, base, auth, repository, actions, opts.offline ?? false);
        await session.authenticate();
        return session;
      } catch (e) {
        last = e;
        if (!ep.mirror) throw e;
      }
    }
    throw last ?? new System(`no endpoint for ${domain}`);
  }

  /** The base URL (`scheme://host`) of an endpoint: the scheme that answered before, else the first that does. */
  private async probe(ep: Endpoint): Promise<string> {
    const known = this.schemes.get(ep.host);
    if (known) return `${known}://${ep.host}`;
    const schemes: ('http' | 'https')[] = ep.scheme ? [ep.scheme] : ep.insecure ? ['https', 'http'] : ['https'];
    let first: unknown;
    for (const scheme of schemes) {
      const base = `${scheme}://${ep.host}`;
      try {
        const res = await this.send('GET', `${base}/v2/`, {});
        res.resume();
        this.schemes.set(ep.host, scheme);
        return base;
      } catch (e) {
        first ??= e;
      }
    }
    throw first;
  }

  /** One HTTP request; a connection failure is an errdefs System in Go's words. */
  send(method: string, url: string, opts: RequestOptions): Promise<IncomingMessage> {
    const u = new URL(url);
    const secure = u.protocol === 'https:';
    const insecureTls = secure && endpointsFor(u.host, this.opts).some((e) => e.insecure);
    const agent = secure ? (insecureTls ? this.httpsNoVerify : this.https) : this.http;
    const headers: OutgoingHttpHeaders = { 'User-Agent': this.opts.userAgent ?? 'berth', ...opts.headers };
    if (Buffer.isBuffer(opts.body)) headers['Content-Length'] = opts.body.length;
    const doRequest = secure ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = doRequest(url, { method, headers, agent }, resolve);
      req.setTimeout(this.opts.idleTimeoutMs ?? 60_000, () =>
        req.destroy(Object.assign(new Error('i/o timeout'), { code: 'ETIMEDOUT' })),
      );
      req.on('error', (e) => reject(connectError(method, url, e)));
      const body = opts.body;
      if (body === undefined || Buffer.isBuffer(body)) req.end(body);
      else {
        body.on('error', (e) => req.destroy(e));
        body.pipe(req);
      }
    });
  }

  /** Closes idle connections (the daemon's shutdown; tests). */
  close(): void {
    for (const a of [this.http, this.https, this.httpsNoVerify]) a.destroy();
  }
}

/** An authenticated conversation with one registry endpoint about one repository. */
export class RegistrySession {
  private authorization: string | undefined;
  private challenge: Challenge | undefined;
  private readonly credentials: Credentials | undefined;
  private scopes: string[];
  /** A refresh token the token server gave (asked for at login): the CLI keeps it as the identity token. */
  refreshToken: string | undefined;

  constructor(
    private readonly client: RegistryClient,
    /** `scheme://host` of the endpoint that answered. */
    readonly base: string,
    private readonly auth: AuthConfig,
    readonly repository: string | undefined,
    actions: readonly string[],
    /** Ask the token server for a refresh token too (`offline_token`, as dockerd's login does). */
    private readonly offline = false,
  ) {
    this.credentials = credentialsOf(auth);
    this.scopes = repository === undefined ? [] : [`repository:${repository}:${actions.join(',')}`];
  }

  /** Pings /v2/ and gets what its challenge asks for (a token for this session's scopes, or Basic). */
  async authenticate(): Promise<void> {
    const res = await this.client.send('GET', `${this.base}/v2/`, {});
    const status = res.statusCode ?? 0;
    if (status === 401) {
      const challenges = parseChallenges(res.headers['www-authenticate']);
      res.resume();
      this.challenge = challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
      await this.authorize();
      return;
    }
    if (status >= 200 && status < 300) {
      res.resume();
      return;
    }
    throw await responseError(res);
  }

  /** Adds a scope (a cross-repository mount's source) and fetches a token covering all of them. */
  async addScope(scope: string): Promise<void> {
    if (this.scopes.includes(scope)) return;
    this.scopes = [...this.scopes, scope];
    if (this.challenge?.scheme === 'bearer') await this.authorize();
  }

  /** True when the registry asked for credentials and got some (login's check). */
  get authenticated(): boolean {
    return this.authorization !== undefined;
  }

  private async authorize(): Promise<void> {
    const c = this.challenge;
    if (!c) return;
    if (c.scheme === 'basic') {
      this.authorization = this.credentials ? basicHeader(this.credentials) : undefined;
      return;
    }
    if (this.auth.registrytoken) {
      this.authorization = `Bearer ${this.auth.registrytoken}`;
      return;
    }
    const realm = c.params.realm;
    if (!realm) throw new System('the registry asked for a token without a realm');
    const url = new URL(realm);
    const res = this.auth.identitytoken
      ? await this.refreshGrant(url, this.auth.identitytoken)
      : await this.getToken(url);
    if (res.statusCode !== 200) {
      const err = await responseError(res);
      if (res.statusCode === 401) throw new Unauthorized(`Get "${url}": ${err.message}`);
      throw err;
    }
    const body = JSON.parse((await readBody(res, 1 << 20)).toString('utf8')) as {
      token?: string;
      access_token?: string;
      refresh_token?: string;
    };
    const token = body.token ?? body.access_token;
    if (!token) throw new System(`the token server at ${realm} answered without a token`);
    this.authorization = `Bearer ${token}`;
    if (body.refresh_token) this.refreshToken = body.refresh_token;
  }

  /** The token fetch with credentials in Basic (or none): distribution's GET form. */
  private getToken(url: URL): Promise<IncomingMessage> {
    const c = this.challenge?.params ?? {};
    if (c.service) url.searchParams.set('service', c.service);
    for (const s of this.scopes) url.searchParams.append('scope', s);
    if (this.credentials) url.searchParams.set('account', this.credentials.username);
    if (this.offline && this.credentials) {
      url.searchParams.set('offline_token', 'true');
      url.searchParams.set('client_id', CLIENT_ID);
    }
    const headers: OutgoingHttpHeaders = this.credentials ? { Authorization: basicHeader(this.credentials) } : {};
    return this.client.send('GET', url.toString(), { headers });
  }

  /** An identity token (a refresh token kept by the CLI since login) exchanged with OAuth2's refresh grant. */
  private refreshGrant(url: URL, refreshToken: string): Promise<IncomingMessage> {
    const c = this.challenge?.params ?? {};
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: CLIENT_ID,
    });
    if (c.service) form.set('service', c.service);
    if (this.scopes.length > 0) form.set('scope', this.scopes.join(' '));
    return this.client.send('POST', url.toString(), {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: Buffer.from(form.toString()),
    });
  }

  /** The URL of a path under the endpoint (`/v2/...`), or an absolute URL (an upload's Location) as is. */
  url(pathOrUrl: string): string {
    return /^https?:\/\//.test(pathOrUrl) ? pathOrUrl : `${this.base}${pathOrUrl}`;
  }

  /**
   * A request with this session's authorization; GET/HEAD redirects are followed (without credentials to another
   * host). A status outside `ok` becomes an errdefs error carrying the registry's codes.
   */
  async request(method: string, pathOrUrl: string, opts: RequestOptions = {}): Promise<IncomingMessage> {
    let url = this.url(pathOrUrl);
    const ok = opts.ok ?? [200];
    for (let hop = 0; ; hop++) {
      const sameHost = new URL(url).origin === new URL(this.base).origin;
      const headers: OutgoingHttpHeaders = { ...opts.headers };
      if (sameHost && this.authorization) headers.Authorization = this.authorization;
      const res = await this.client.send(method, url, { ...opts, headers });
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if ((method === 'GET' || method === 'HEAD') && [301, 302, 303, 307, 308].includes(status) && location) {
        res.resume();
        if (hop >= 5) throw new System(`${method} ${url}: stopped after 5 redirects`);
        url = new URL(location, url).toString();
        continue;
      }
      if (ok.includes(status)) return res;
      throw await responseError(res);
    }
  }
}
