// HTTP to a Docker-compatible daemon: where it is (unix socket, TCP, TLS), API version negotiation as the docker CLI
// does it, requests over a keep-alive agent, error responses turned into errdefs kinds, and hijacked connections.
import { readFile } from 'node:fs/promises';
import { Agent as HttpAgent, type IncomingHttpHeaders, type IncomingMessage, request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { API_VERSION, MIN_API_VERSION } from '../api/index.js';
import { InvalidParameter, NotImplemented, errnoCode } from '../errdefs/index.js';
import { DaemonUnreachable, errorFromResponse, isConnectFailure } from './errors.js';
import { type HijackedStream, hijack } from './hijack.js';
import { type Query, encodeQuery } from './query.js';

export const DEFAULT_HOST = 'unix:///run/berth/berth.sock';

// node:https and node:tls are loaded only when a daemon is reached over TLS: a CLI that starts once per command pays
// for every module it loads. (A require, not import(): it also works where dynamic import is not available.)
const lazyRequire = createRequire(import.meta.url);
const https = () => lazyRequire('node:https') as typeof import('node:https');
const tls = () => lazyRequire('node:tls') as typeof import('node:tls');

/** TLS as the docker CLI's --tls/--tlsverify/--tlscacert/--tlscert/--tlskey set it (file paths). */
export interface TlsOptions {
  /** Verify the daemon's certificate against `ca` (--tlsverify). */
  verify: boolean;
  ca?: string;
  cert?: string;
  key?: string;
}

export interface TransportOptions {
  /** unix:///path, tcp://host:port, http://…, https://… (DOCKER_HOST's forms). Default: berthd's socket. */
  host?: string;
  tls?: TlsOptions;
  /** Pins the API version (DOCKER_API_VERSION) and skips negotiation. */
  version?: string;
  /** Highest version to negotiate up to (default: berth's, 1.47). */
  maxVersion?: string;
  userAgent?: string;
}

export type DaemonAddress =
  | { kind: 'unix'; socketPath: string }
  | { kind: 'tcp'; hostname: string; port: number; tls: boolean };

/** Parses DOCKER_HOST's forms. TCP ports default as Docker's do: 2376 with TLS, else 2375. */
export function parseHost(host: string, tls = false): DaemonAddress {
  const m = /^([a-z]+):\/\/(.*)$/.exec(host);
  if (!m) throw new InvalidParameter(`unable to parse docker host \`${host}\``);
  const [, scheme, rest = ''] = m;
  switch (scheme) {
    case 'unix':
      if (rest === '') throw new InvalidParameter(`unable to parse docker host \`${host}\``);
      return { kind: 'unix', socketPath: rest };
    case 'tcp':
    case 'http':
    case 'https': {
      const useTls = tls || scheme === 'https';
      const url = new URL(`http://${rest}`);
      if (url.hostname === '') throw new InvalidParameter(`unable to parse docker host \`${host}\``);
      const port = url.port === '' ? (useTls ? 2376 : 2375) : Number(url.port);
      return { kind: 'tcp', hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'), port, tls: useTls };
    }
    default:
      throw new NotImplemented(`docker host scheme ${scheme}:// is not supported`);
  }
}

/**
 * Options from the environment as the docker CLI reads it: DOCKER_HOST, DOCKER_API_VERSION, DOCKER_TLS_VERIFY
 * (verify), DOCKER_TLS or DOCKER_CERT_PATH (TLS without verification), certificates ca.pem/cert.pem/key.pem in
 * DOCKER_CERT_PATH (default ~/.docker).
 */
export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): TransportOptions {
  const opts: TransportOptions = {};
  if (env.DOCKER_HOST) opts.host = env.DOCKER_HOST;
  if (env.DOCKER_API_VERSION) opts.version = env.DOCKER_API_VERSION;
  const verify = Boolean(env.DOCKER_TLS_VERIFY);
  if (verify || env.DOCKER_TLS || env.DOCKER_CERT_PATH) {
    const dir = env.DOCKER_CERT_PATH || join(homedir(), '.docker');
    opts.tls = { verify, ca: join(dir, 'ca.pem'), cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') };
  }
  return opts;
}

/** `GET /_ping`'s headers. */
export interface Ping {
  apiVersion?: string;
  osType?: string;
  experimental: boolean;
  builderVersion?: string;
  /** "inactive", "pending", "error", "locked", "active/worker", "active/manager" */
  swarm?: string;
}

/** A request body: JSON (an object), bytes, or a stream sent chunked. */
export type Body = Readable | Buffer | object;

export interface RequestOptions {
  query?: Query;
  body?: Body;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** Compares dotted versions numerically: negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized: boolean;
}

export class Transport {
  /** The daemon's address as given (what errors name). */
  readonly host: string;
  readonly address: DaemonAddress;
  private readonly pinned: string | undefined;
  private readonly maxVersion: string;
  private readonly userAgent: string;
  private readonly tlsOptions: TlsOptions | undefined;
  private negotiating: Promise<string> | undefined;
  private agentPromise: Promise<{ agent: HttpAgent; tls?: TlsMaterial; request?: typeof httpRequest }> | undefined;

  constructor(opts: TransportOptions = {}) {
    this.host = opts.host || DEFAULT_HOST;
    this.tlsOptions = opts.tls;
    this.address = parseHost(this.host, opts.tls !== undefined);
    this.pinned = opts.version?.replace(/^v/, '');
    this.maxVersion = opts.maxVersion ?? API_VERSION;
    this.userAgent = opts.userAgent ?? 'berth-client';
  }

  /** `HEAD /_ping`, falling back to GET as moby's client does; unversioned, it is what negotiation asks. */
  async ping(signal?: AbortSignal): Promise<Ping> {
    try {
      const head = await this.send('HEAD', '/_ping', { signal }, false);
      head.resume();
      if (head.statusCode === 200 || head.statusCode === 500) return parsePing(head.headers);
    } catch (e) {
      if (e instanceof DaemonUnreachable || signal?.aborted) throw e;
      // Anything else (a proxy that mishandles HEAD): ask with GET.
    }
    const res = await this.send('GET', '/_ping', { signal }, false);
    if ((res.statusCode ?? 0) >= 400) throw await this.errorOf(res, '/_ping');
    res.resume();
    return parsePing(res.headers);
  }

  /**
   * The API version requests use: the pinned one, else min(our maximum, the daemon's `API-Version`), "1.24" when the
   * daemon does not say (moby's NegotiateAPIVersion). Asked once; a failed ping is asked again next time.
   */
  apiVersion(): Promise<string> {
    if (this.pinned) return Promise.resolve(this.pinned);
    if (!this.negotiating) {
      this.negotiating = this.ping().then(
        (p) => {
          const server = p.apiVersion || MIN_API_VERSION;
          return compareVersions(server, this.maxVersion) < 0 ? server : this.maxVersion;
        },
        (e: unknown) => {
          this.negotiating = undefined;
          throw e;
        },
      );
    }
    return this.negotiating;
  }

  /** A versioned request; resolves with the response once its head arrives, rejects on a 4xx/5xx with its error. */
  async request(method: string, path: string, opts: RequestOptions = {}): Promise<IncomingMessage> {
    const res = await this.send(method, path, opts, true);
    if ((res.statusCode ?? 0) >= 400) throw await this.errorOf(res, `${method} ${path}`);
    return res;
  }

  /** A request whose response body is JSON. */
  async json<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.request(method, path, opts);
    const text = (await readAll(res)).toString('utf8');
    return (text.trim() === '' ? undefined : JSON.parse(text)) as T;
  }

  /** A request whose response body, if any, is of no interest. */
  async call(method: string, path: string, opts: RequestOptions = {}): Promise<IncomingHttpHeaders> {
    const res = await this.request(method, path, opts);
    await readAll(res);
    return res.headers;
  }

  /** A versioned request on a connection of its own that, once answered, carries raw stdio (attach, exec start). */
  async hijack(method: string, path: string, opts: { query?: Query; body?: object } = {}): Promise<HijackedStream> {
    const fullPath = `/v${await this.apiVersion()}${path}${encodeQuery(opts.query)}`;
    const socket = await this.connectRaw();
    // Ended with the newline Go's json.Encoder writes: byte for byte what the docker CLI sends.
    const body = opts.body === undefined ? undefined : Buffer.from(`${JSON.stringify(opts.body)}\n`);
    const headers: Record<string, string> = { 'User-Agent': this.userAgent };
    if (body) headers['Content-Type'] = 'application/json';
    else headers['Content-Type'] = 'text/plain';
    try {
      return await hijack(socket, {
        method,
        path: fullPath,
        hostHeader: this.hostHeader(),
        headers,
        body,
        route: fullPath,
      });
    } catch (e) {
      socket.destroy();
      throw e;
    }
  }

  /** Closes idle keep-alive connections. Streams and hijacked connections still open are the caller's. */
  close(): void {
    this.agentPromise?.then(({ agent }) => agent.destroy()).catch(() => {});
  }

  private hostHeader(): string {
    const a = this.address;
    return a.kind === 'unix'
      ? 'api.moby.localhost'
      : `${a.hostname.includes(':') ? `[${a.hostname}]` : a.hostname}:${a.port}`;
  }

  private agent(): Promise<{ agent: HttpAgent; tls?: TlsMaterial; request?: typeof httpRequest }> {
    if (!this.agentPromise) {
      this.agentPromise = (async () => {
        const a = this.address;
        if (a.kind === 'tcp' && a.tls) {
          const material = await this.tlsMaterial();
          const { Agent, request } = https();
          return { agent: new Agent({ keepAlive: true, ...material }), tls: material, request };
        }
        return { agent: new HttpAgent({ keepAlive: true }) };
      })();
      this.agentPromise.catch(() => {
        this.agentPromise = undefined;
      });
    }
    return this.agentPromise;
  }

  private async tlsMaterial(): Promise<TlsMaterial> {
    const o = this.tlsOptions;
    // Missing files are left out, as the docker CLI does; a verifying client without a CA uses the system's.
    const read = async (path: string | undefined) => {
      if (!path) return undefined;
      try {
        return await readFile(path);
      } catch (e) {
        if (errnoCode(e) === 'ENOENT') return undefined;
        throw e;
      }
    };
    const material: TlsMaterial = { rejectUnauthorized: o?.verify ?? false };
    const [ca, cert, key] = await Promise.all([read(o?.ca), read(o?.cert), read(o?.key)]);
    if (ca && o?.verify) material.ca = ca;
    if (cert && key) {
      material.cert = cert;
      material.key = key;
    }
    return material;
  }

  private async connectRaw(): Promise<Socket> {
    const a = this.address;
    const material = a.kind === 'tcp' && a.tls ? (await this.agent()).tls : undefined;
    return new Promise((resolve, reject) => {
      let socket: Socket;
      const onError = (e: Error) => reject(isConnectFailure(e) ? new DaemonUnreachable(this.host, e) : e);
      if (a.kind === 'unix') {
        socket = netConnect({ path: a.socketPath }, () => done());
      } else if (material) {
        const target = { host: a.hostname, port: a.port, ...serverName(a.hostname), ...material };
        socket = tls().connect(target, () => done());
      } else {
        socket = netConnect({ host: a.hostname, port: a.port }, () => done());
      }
      socket.once('error', onError);
      const done = () => {
        socket.removeListener('error', onError);
        resolve(socket);
      };
    });
  }

  private async send(method: string, path: string, opts: RequestOptions, versioned: boolean): Promise<IncomingMessage> {
    const prefix = versioned ? `/v${await this.apiVersion()}` : '';
    const fullPath = `${prefix}${path}${encodeQuery(opts.query)}`;
    const { agent, request: tlsRequest } = await this.agent();
    const a = this.address;
    const headers: Record<string, string> = { 'User-Agent': this.userAgent, ...opts.headers };
    const body = opts.body;
    let payload: Buffer | undefined;
    let stream: Readable | undefined;
    if (Buffer.isBuffer(body)) payload = body;
    else if (isReadable(body)) stream = body;
    else if (body !== undefined) {
      payload = Buffer.from(JSON.stringify(body));
      headers['Content-Type'] ??= 'application/json';
    }
    if (payload) headers['Content-Length'] = String(payload.length);
    const target =
      a.kind === 'unix'
        ? // An explicit (empty) servername spares the agent's IP check (net.isIPv6 compiles a large regex).
          { socketPath: a.socketPath, host: 'api.moby.localhost', servername: '' }
        : { host: a.hostname, port: a.port, ...serverName(a.hostname) };
    const doRequest = tlsRequest ?? httpRequest;
    return new Promise((resolve, reject) => {
      const req = doRequest({ ...target, agent, method, path: fullPath, headers, signal: opts.signal }, (res) => {
        // An error answer may come before the upload is read: stop sending, as Go's client closes the body.
        if (stream && (res.statusCode ?? 0) >= 400 && !stream.readableEnded) {
          stream.unpipe(req);
          stream.destroy();
        }
        resolve(res);
      });
      req.on('error', (e) => reject(isConnectFailure(e) ? new DaemonUnreachable(this.host, e) : e));
      if (stream) {
        stream.on('error', (e) => req.destroy(e));
        stream.pipe(req);
      } else {
        req.end(payload);
      }
    });
  }

  private async errorOf(res: IncomingMessage, route: string): Promise<Error> {
    const body = await readAll(res);
    return errorFromResponse(res.statusCode ?? 500, body, route);
  }
}

/** TLS SNI names a host, never an address (RFC 6066; Node warns when given one). */
function serverName(hostname: string): { servername: string } {
  return { servername: isIP(hostname) === 0 ? hostname : '' };
}

function parsePing(h: IncomingHttpHeaders): Ping {
  const one = (name: string) => {
    const v = h[name];
    return Array.isArray(v) ? v[0] : v;
  };
  return {
    apiVersion: one('api-version'),
    osType: one('ostype'),
    experimental: one('docker-experimental') === 'true',
    builderVersion: one('builder-version'),
    swarm: one('swarm'),
  };
}

function isReadable(b: unknown): b is Readable {
  return typeof b === 'object' && b !== null && typeof (b as Readable).pipe === 'function';
}

export async function readAll(stream: AsyncIterable<Buffer | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(chunks);
}
