// The filters of `GET /networks` (driver, id, label, name, scope, type, dangling) and `POST /networks/prune` (until,
// label, label!), with moby's matching rules and refusals: name and id are matched as regular expressions (so a
// substring matches), label by key or key=value.
import { InvalidParameter } from '../../errdefs/index.js';
import { type Filters, filterValues, matchKVList, parseUntil } from '../../image/store/filters.js';
import type { NetworkRecord } from './model.js';

const LIST_FILTERS = ['driver', 'id', 'label', 'name', 'scope', 'type', 'dangling'];
const PRUNE_FILTERS = ['until', 'label', 'label!'];

/** filters.Args.Match: equal, or a match of the value taken as a regular expression (a bad expression never matches). */
function fuzzy(values: readonly string[], source: string): boolean {
  return values.some((v) => {
    if (v === source) return true;
    try {
      return new RegExp(v).test(source);
    } catch {
      return false;
    }
  });
}

function danglingValue(filters: Filters): boolean | undefined {
  const values = filterValues(filters, 'dangling');
  if (values.length === 0) return undefined;
  const t = values.some((v) => v === 'true' || v === '1');
  const f = values.some((v) => v === 'false' || v === '0');
  if (t === f || values.some((v) => !['true', '1', 'false', '0'].includes(v))) {
    throw new InvalidParameter(`invalid value for filter 'dangling', must be "true" (or "1"), or "false" (or "0")`);
  }
  return t;
}

/** Checks a list's filters before any matching (unknown names, bad type/scope/dangling values). */
export function validateListFilters(filters: Filters): void {
  for (const key of Object.keys(filters)) {
    if (!LIST_FILTERS.includes(key)) throw new InvalidParameter(`Invalid filter '${key}'`);
  }
  for (const t of filterValues(filters, 'type')) {
    if (t !== 'custom' && t !== 'builtin') throw new InvalidParameter(`invalid filter: 'type'='${t}'`);
  }
  for (const s of filterValues(filters, 'scope')) {
    if (!['local', 'swarm', 'global'].includes(s)) throw new InvalidParameter(`invalid filter: 'scope'='${s}'`);
  }
  danglingValue(filters);
}

/** Whether network `n` passes `filters` (validated); `inUse` tells whether it has endpoints. */
export function matchesList(n: NetworkRecord, filters: Filters, inUse: boolean): boolean {
  const has = (k: string) => filterValues(filters, k).length > 0;
  if (has('driver') && !filterValues(filters, 'driver').includes(n.driver)) return false;
  if (has('name') && !fuzzy(filterValues(filters, 'name'), n.name)) return false;
  if (has('id') && !fuzzy(filterValues(filters, 'id'), n.id)) return false;
  if (!matchKVList(filters, 'label', n.labels)) return false;
  if (has('scope') && !filterValues(filters, 'scope').includes(n.scope)) return false;
  if (has('type')) {
    const kind = n.predefined ? 'builtin' : 'custom';
    if (!filterValues(filters, 'type').includes(kind)) return false;
  }
  const dangling = danglingValue(filters);
  // Dangling: no containers, and not one of the predefined networks (which always stay).
  if (dangling !== undefined && dangling !== (!n.predefined && !inUse)) return false;
  return true;
}

export interface PruneFilter {
  untilMs?: number;
  test(n: NetworkRecord): boolean;
}

/** A prune's filters, checked (moby: "invalid filter 'x'") and compiled. */
export function pruneFilter(filters: Filters, now = new Date()): PruneFilter {
  for (const key of Object.keys(filters)) {
    if (!PRUNE_FILTERS.includes(key)) throw new InvalidParameter(`invalid filter '${key}'`);
  }
  const untils = filterValues(filters, 'until');
  if (untils.length > 1) throw new InvalidParameter('more than one until filter specified');
  const untilMs = untils[0] !== undefined ? parseUntil(untils[0], now) : undefined;
  const notLabels = filterValues(filters, 'label!');
  return {
    untilMs,
    test: (n) => {
      if (untilMs !== undefined && Date.parse(n.created) >= untilMs) return false;
      if (!matchKVList(filters, 'label', n.labels)) return false;
      // label!: none of the given labels may match.
      if (notLabels.length > 0 && notLabels.some((l) => matchKVList({ l: [l] }, 'l', n.labels))) return false;
      return true;
    },
  };
}
