// Authorization hooks: Docker's AuthZ plugin protocol (`--authorization-plugin`). Before a request is handled, each
// plugin is asked (POST /AuthZPlugin.AuthZReq over its unix socket) with the method, the URI, the headers and the
// client's identity — the TLS client certificate's common name on a TCP socket — and may refuse it (403).
import { readFile, stat } from 'node:fs/promises';
import { type IncomingMessage, request } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { Forbidden, System } from '../errdefs/index.js';

/** What a plugin is told of a request (moby's authorization.Request, without the body). */
export interface AuthzRequest {
  User: string;
  UserAuthNMethod: string;
  RequestMethod: string;
  RequestURI: string;
  RequestHeaders: Record<string, string>;
}

interface AuthzResponse {
  Allow?: boolean;
  Msg?: string;
  Err?: string;
}

/** Where a plugin named `name` may be found, as dockerd's plugin discovery looks (berth's own directories first). */
const PLUGIN_DIRS = ['/run/berth/plugins', '/etc/berth/plugins', '/run/docker/plugins', '/etc/docker/plugins'];

/** One AuthZ plugin: a name, and the unix socket it answers on (found on first use, activated once). */
class AuthzPlugin {
  private socket: Promise<string> | undefined;

  constructor(readonly name: string) {}

  async authorize(req: AuthzRequest): Promise<void> {
    const res = await this.call<AuthzResponse>('/AuthZPlugin.AuthZReq', req);
    if (res.Err) throw new System(`plugin ${this.name} failed with error: AuthZPlugin.AuthZReq: ${res.Err}`);
    if (!res.Allow) throw new Forbidden(`authorization denied by plugin ${this.name}: ${res.Msg ?? ''}`);
  }

  private async call<T>(path: string, body: unknown): Promise<T> {
    this.socket ??= this.activate().catch((e: unknown) => {
      this.socket = undefined;
      throw e;
    });
    return post<T>(await this.socket, path, body);
  }

  /** Finds the socket and checks the plugin implements `authz` (POST /Plugin.Activate). */
  private async activate(): Promise<string> {
    const socket = await findSocket(this.name);
    const res = await post<{ Implements?: string[] }>(socket, '/Plugin.Activate', {});
    if (!res.Implements?.includes('authz')) throw new System(`plugin ${this.name} does not implement authz`);
    return socket;
  }
}

async function findSocket(name: string): Promise<string> {
  if (name.startsWith('unix://')) return name.slice('unix://'.length);
  for (const dir of PLUGIN_DIRS) {
    const sock = `${dir}/${name}.sock`;
    if (
      await stat(sock).then(
        (st) => st.isSocket(),
        () => false,
      )
    )
      return sock;
    for (const ext of ['spec', 'json']) {
      const text = await readFile(`${dir}/${name}.${ext}`, 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      const addr = ext === 'json' ? ((JSON.parse(text) as { Addr?: string }).Addr ?? '') : text.trim();
      if (addr.startsWith('unix://')) return addr.slice('unix://'.length);
      throw new System(`plugin ${name}: only unix:// plugin addresses are supported, not ${addr}`);
    }
  }
  throw new System(`plugin ${name} not found`);
}

/** A JSON POST to a plugin, as dockerd's plugin client sends it (bounded: a stuck plugin fails the request). */
function post<T>(socketPath: string, path: string, body: unknown): Promise<T> {
  const data = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath,
        path,
        method: 'POST',
        headers: {
          Accept: 'application/vnd.docker.plugins.v1.2+json',
          'Content-Type': 'application/vnd.docker.plugins.v1.2+json',
          'Content-Length': data.length,
        },
        timeout: 30_000,
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 0) >= 400) {
            reject(new System(`plugin ${path} answered ${res.statusCode}: ${text.trim()}`));
            return;
          }
          try {
            resolve(JSON.parse(text) as T);
          } catch {
            reject(new System(`plugin ${path} answered no JSON: ${text.slice(0, 200)}`));
          }
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (e) => reject(new System(`plugin ${path}: ${e.message}`)));
    req.end(data);
  });
}

/** Every configured plugin, asked in order; the first refusal wins. */
export class Authorizer {
  private readonly plugins: AuthzPlugin[];

  constructor(names: readonly string[]) {
    this.plugins = names.map((n) => new AuthzPlugin(n));
  }

  get enabled(): boolean {
    return this.plugins.length > 0;
  }

  async authorize(req: IncomingMessage): Promise<void> {
    const authz = describe(req);
    for (const p of this.plugins) await p.authorize(authz);
  }
}

/** The request as a plugin sees it: over TLS the user is the client certificate's common name. */
function describe(req: IncomingMessage): AuthzRequest {
  const tls = req.socket as Partial<TLSSocket>;
  const cert = typeof tls.getPeerCertificate === 'function' ? tls.getPeerCertificate() : undefined;
  const cn = cert?.subject?.CN;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined && k !== 'authorization' && k !== 'x-registry-auth') {
      headers[k] = Array.isArray(v) ? v.join(', ') : v;
    }
  }
  return {
    User: typeof cn === 'string' ? cn : Array.isArray(cn) ? (cn[0] ?? '') : '',
    UserAuthNMethod: cn ? 'TLS' : '',
    RequestMethod: req.method ?? 'GET',
    RequestURI: req.url ?? '/',
    RequestHeaders: headers,
  };
}
