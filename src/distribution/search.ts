// `docker search` (GET /images/search): the registry's v1 search API (Docker Hub's index answers it; a plain
// distribution registry does not), filtered by stars / is-official / is-automated as dockerd filters.
import { InvalidParameter } from '../errdefs/index.js';
import { DEFAULT_DOMAIN } from '../image/reference.js';
import type { AuthConfig } from './auth.js';
import { DOCKER_HUB_INDEX } from './endpoints.js';
import { readBody } from './errors.js';
import type { RegistryClient } from './session.js';
import type { SearchResult } from '../api/registry.js';

export type { SearchResult };

export interface SearchOptions {
  term: string;
  limit: number;
  filters: Record<string, string[]>;
  auth: AuthConfig;
}

/** Splits `host:5000/foo` into the index and the query; a term without a registry searches Docker Hub. */
export function searchIndex(term: string): { domain: string; query: string } {
  const slash = term.indexOf('/');
  const first = slash > 0 ? term.slice(0, slash) : '';
  if (first && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    return { domain: first === DEFAULT_DOMAIN ? DOCKER_HUB_INDEX : first, query: term.slice(slash + 1) };
  }
  return { domain: DOCKER_HUB_INDEX, query: term };
}

export async function search(client: RegistryClient, opts: SearchOptions): Promise<SearchResult[]> {
  const f = parseSearchFilters(opts.filters);
  const limit = opts.limit || 25;
  if (limit < 1 || limit > 100) throw new InvalidParameter(`limit ${limit} is outside the range of [1, 100]`);
  const { domain, query } = searchIndex(opts.term);
  const session = await client.session(domain, undefined, opts.auth, []);
  const res = await session.request('GET', `/v1/search?q=${encodeURIComponent(query)}&n=${limit}`);
  const body = JSON.parse((await readBody(res)).toString('utf8')) as { results?: Partial<SearchResult>[] };
  return (body.results ?? [])
    .map((r) => ({
      star_count: Number(r.star_count ?? 0),
      is_official: r.is_official === true,
      name: String(r.name ?? ''),
      is_automated: r.is_automated === true,
      description: String(r.description ?? ''),
    }))
    .filter(
      (r) =>
        r.star_count >= f.stars &&
        (f.official === undefined || r.is_official === f.official) &&
        (f.automated === undefined || r.is_automated === f.automated),
    )
    .slice(0, limit);
}

function parseSearchFilters(filters: Record<string, string[]>): {
  stars: number;
  official?: boolean;
  automated?: boolean;
} {
  const out: { stars: number; official?: boolean; automated?: boolean } = { stars: 0 };
  for (const [key, values] of Object.entries(filters)) {
    for (const v of values) {
      if (key === 'stars') {
        const n = Number(v);
        if (!Number.isInteger(n)) throw new InvalidParameter(`invalid filter 'stars=${v}'`);
        out.stars = Math.max(out.stars, n);
      } else if (key === 'is-official' || key === 'is-automated') {
        if (v !== 'true' && v !== 'false') throw new InvalidParameter(`invalid filter '${key}=${v}'`);
        if (key === 'is-official') out.official = v === 'true';
        else out.automated = v === 'true';
      } else throw new InvalidParameter(`invalid filter '${key}'`);
    }
  }
  return out;
}
