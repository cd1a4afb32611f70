// A repository's tags (`GET /v2/<name>/tags/list`), every page followed through the Link header.
import { readBody } from './errors.js';
import type { RegistrySession } from './session.js';

export async function listTags(session: RegistrySession, repository: string): Promise<string[]> {
  const tags: string[] = [];
  let next: string | undefined = `/v2/${repository}/tags/list?n=1000`;
  for (let page = 0; next !== undefined && page < 1000; page++) {
    const res = await session.request('GET', next);
    const link = res.headers.link;
    const body = JSON.parse((await readBody(res, 16 << 20)).toString('utf8')) as { tags?: string[] | null };
    tags.push(...(body.tags ?? []));
    const m = typeof link === 'string' ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link) : null;
    next = m?.[1] ? new URL(m[1], session.url(`/v2/${repository}/tags/list`)).toString() : undefined;
  }
  return tags;
}
