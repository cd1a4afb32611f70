// The build endpoints: POST /build (a context tar or a Dockerfile as the body; the JSON progress stream comes back)
// and POST /build/prune.
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { BUILD_SECRETS_HEADER, type BuildPruneResponse } from '../api/build.js';
import type { Transport } from './transport.js';

export interface BuildRequestOptions {
  dockerfile?: string;
  tags?: string[];
  target?: string;
  buildArgs?: Record<string, string | null>;
  labels?: Record<string, string>;
  noCache?: boolean;
  pull?: boolean;
  quiet?: boolean;
  cacheFrom?: string[];
  networkMode?: string;
  platform?: string;
  /** id → content; sent in a header berthd reads (the docker CLI has no way to send secrets to a legacy builder). */
  secrets?: Record<string, Buffer>;
  /** X-Registry-Config: base64url JSON of the auths FROM may need (server address → AuthConfig). */
  registryConfig?: string;
  signal?: AbortSignal;
}

export class Builds {
  constructor(private readonly t: Transport) {}

  /** Sends the context; resolves with the progress stream once the daemon answers (an early error rejects). */
  build(context: Readable, opts: BuildRequestOptions = {}): Promise<IncomingMessage> {
    const headers: Record<string, string> = { 'Content-Type': 'application/x-tar' };
    if (opts.registryConfig) headers['X-Registry-Config'] = opts.registryConfig;
    if (opts.secrets && Object.keys(opts.secrets).length > 0) {
      const encoded = Object.fromEntries(Object.entries(opts.secrets).map(([k, v]) => [k, v.toString('base64')]));
      headers[BUILD_SECRETS_HEADER] = Buffer.from(JSON.stringify(encoded)).toString('base64');
    }
    const json = (v: unknown) => (v === undefined ? undefined : JSON.stringify(v));
    return this.t.request('POST', '/build', {
      query: {
        dockerfile: opts.dockerfile,
        t: opts.tags,
        target: opts.target,
        buildargs: json(opts.buildArgs),
        labels: json(opts.labels),
        nocache: opts.noCache,
        pull: opts.pull,
        q: opts.quiet,
        cachefrom: json(opts.cacheFrom),
        networkmode: opts.networkMode,
        platform: opts.platform,
        rm: true,
      },
      headers,
      body: context,
      signal: opts.signal,
    });
  }

  prune(opts: { all?: boolean } = {}): Promise<BuildPruneResponse> {
    return this.t.json('POST', '/build/prune', { query: { all: opts.all } });
  }
}
