// The pull-through cache's view of its upstream registry (distribution's proxy.remoteurl): manifests and blobs
// fetched over HTTP(S), following a Bearer challenge to the upstream's token endpoint or sending basic credentials.
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Digest } from '../lib/digest.js';
import { MANIFEST_MEDIA_TYPES } from './manifest.js';
import type { Upstream } from './registry.js';

const MANIFEST_TIMEOUT_MS = 10_000;

export interface UpstreamOptions {
  remoteurl: string;
  username?: string | undefined;
  password?: string | undefined;
}

/** `Bearer realm="…",service="…"` → its parameters. */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  for (const m of header.slice(space + 1).matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
    params[m[1] ?? ''] = (m[2] ?? '').replace(/\\(.)/g, '$1');
  return { scheme, params };
}

export class HttpUpstream implements Upstream {
  private readonly tokens = new Map<string, string>();

  constructor(private readonly opts: UpstreamOptions) {}

  private basic(): string | undefined {
    const { username, password } = this.opts;
    return username === undefined
      ? undefined
      : `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}`;
  }

  private async get(name: string, path: string, headers: Record<string, string>, timeout?: number): Promise<Response> {
    const url = `${this.opts.remoteurl}/v2/${name}/${path}`;
    const scope = `repository:${name}:pull`;
    const send = (auth: string | undefined) =>
      fetch(url, {
        headers: { ...headers, ...(auth ? { Authorization: auth } : {}) },
        ...(timeout ? { signal: AbortSignal.timeout(timeout) } : {}),
      });
    const cached = this.tokens.get(scope);
    let res = await send(cached ? `Bearer ${cached}` : this.basic());
    if (res.status !== 401) return res;
    const challenge = parseChallenge(res.headers.get('www-authenticate') ?? '');
    await res.body?.cancel();
    if (challenge.scheme !== 'bearer' || !challenge.params.realm) {
      res = await send(this.basic());
      return res;
    }
    const token = await this.fetchToken(challenge.params.realm, challenge.params.service, scope);
    this.tokens.set(scope, token);
    return send(`Bearer ${token}`);
  }

  private async fetchToken(realm: string, service: string | undefined, scope: string): Promise<string> {
    const url = new URL(realm);
    if (service) url.searchParams.set('service', service);
    url.searchParams.set('scope', scope);
    const basic = this.basic();
    const res = await fetch(url, {
      headers: basic ? { Authorization: basic } : {},
      signal: AbortSignal.timeout(MANIFEST_TIMEOUT_MS),
    });
    if (!res.ok) throw new Error(`upstream token endpoint answered ${res.status}`);
    const body = (await res.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new Error('upstream token endpoint returned no token');
    return token;
  }

  async manifest(name: string, ref: string): Promise<{ bytes: Buffer; mediaType: string } | undefined> {
    const res = await this.get(
      name,
      `manifests/${ref}`,
      { Accept: MANIFEST_MEDIA_TYPES.join(', ') },
      MANIFEST_TIMEOUT_MS,
    );
    if (res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    if (!res.ok) throw new Error(`upstream answered ${res.status} for manifest ${name}:${ref}`);
    const mediaType = res.headers.get('content-type')?.split(';', 1)[0] ?? '';
    return { bytes: Buffer.from(await res.arrayBuffer()), mediaType };
  }

  async blob(name: string, d: Digest): Promise<Readable | undefined> {
    const res = await this.get(name, `blobs/${d}`, {});
    if (res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    if (!res.ok || !res.body) throw new Error(`upstream answered ${res.status} for blob ${d}`);
    return Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
  }
}
