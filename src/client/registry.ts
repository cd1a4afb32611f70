// The registry endpoints of the Engine API: POST /auth (login), POST /images/{name}/push and GET /images/search, each
// taking the credentials as the docker CLI sends them (an X-Registry-Auth value, or the auth config as the body).
import type { IncomingMessage } from 'node:http';
import { encodeFilters, type Filters } from './query.js';
import type { Transport } from './transport.js';
import type { SearchResult } from '../api/registry.js';

/** registry.AuthenticateOKBody. */
export interface AuthenticateOK {
  Status: string;
  IdentityToken?: string;
}

export type { SearchResult };

export interface PushOptions {
  /** The tag to push; every tag of the repository when undefined (`push -a`). */
  tag?: string;
  /** The X-Registry-Auth value ("e30=" for none). */
  registryAuth: string;
  /** An OCI platform as JSON (API 1.46). */
  platform?: string;
}

export interface SearchOptions {
  registryAuth: string;
  limit?: number;
  filters?: Filters;
}

export class Registry {
  constructor(private readonly t: Transport) {}

  /** `docker login`: the daemon checks the credentials against the registry. */
  login(auth: object): Promise<AuthenticateOK> {
    return this.t.json('POST', '/auth', { body: auth });
  }

  /**
   * `docker push` of the repository `name` (fully qualified, no tag): resolves with the JSON progress stream once the
   * daemon answers; an error before any progress rejects with the daemon's error.
   */
  push(name: string, opts: PushOptions): Promise<IncomingMessage> {
    return this.t.request('POST', `/images/${name}/push`, {
      query: { tag: opts.tag, platform: opts.platform },
      headers: { 'X-Registry-Auth': opts.registryAuth },
      // An empty JSON document, as the docker CLI sends, for daemons that look for credentials in the body.
      body: {},
    });
  }

  search(term: string, opts: SearchOptions): Promise<SearchResult[]> {
    const query = {
      term,
      limit: opts.limit && opts.limit > 0 ? opts.limit : undefined,
      filters: encodeFilters(opts.filters),
    };
    return this.t.json('GET', '/images/search', { query, headers: { 'X-Registry-Auth': opts.registryAuth } });
  }
}
