// Query strings as the docker CLI builds them: booleans as 1/0, lists as repeated keys, filters as moby's JSON.

/** Filters as a user writes them: `{ label: ['a=b'], status: 'running' }`. */
export type Filters = Record<string, string | readonly string[]>;

export type QueryValue = string | number | boolean | readonly string[] | undefined;
export type Query = Record<string, QueryValue>;

/**
 * moby's `filters.ToJSON`: `{"key":{"value":true}}`, keys sorted as Go marshals maps. The list form
 * (`{"key":["value"]}`) is what the CLI sends only to daemons older than API 1.22, below berth's minimum of 1.24.
 * Undefined when there is nothing to filter on, so the parameter is left out.
 */
export function encodeFilters(filters: Filters | undefined): string | undefined {
  if (!filters) return undefined;
  const out: Record<string, Record<string, true>> = {};
  for (const key of Object.keys(filters).sort()) {
    const raw = filters[key];
    const values = typeof raw === 'string' ? [raw] : (raw ?? []);
    if (values.length === 0) continue;
    const set: Record<string, true> = {};
    for (const v of [...values].sort()) set[v] = true;
    out[key] = set;
  }
  return Object.keys(out).length === 0 ? undefined : JSON.stringify(out);
}

/** `?a=1&b=x&c=1&c=2`, or '' when nothing is set. */
export function encodeQuery(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (typeof value === 'boolean') params.append(key, value ? '1' : '0');
    else if (typeof value === 'number') params.append(key, String(value));
    else if (typeof value === 'string') params.append(key, value);
    else for (const v of value) params.append(key, v);
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}
