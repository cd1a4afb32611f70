// Filter arguments of `GET /images/json` and `POST /images/prune` (Docker's filters.Args semantics and messages):
// validation, boolean and label matching, the `reference=` glob and the `until=` timestamp.
import { InvalidParameter } from '../../errdefs/index.js';
import { familiarName, familiarString, type Reference } from '../reference.js';
import { pathMatch } from './path-match.js';

/** Filter name → values, as the server decodes `filters={"dangling":["true"]}` (or the older `{"dangling":{"true":true}}`). */
export type Filters = Readonly<Record<string, readonly string[]>>;

const invalidFilter = (key: string, values?: readonly string[]) =>
  new InvalidParameter(`invalid filter '${key}${values ? `=[${values.join(' ')}]` : ''}'`);

/** Refuses filter names not in `accepted` ("invalid filter 'x'"). */
export function validateFilters(filters: Filters, accepted: readonly string[]): void {
  for (const key of Object.keys(filters)) if (!accepted.includes(key)) throw invalidFilter(key);
}

export function hasFilter(filters: Filters, key: string): boolean {
  return Object.hasOwn(filters, key);
}

export function filterValues(filters: Filters, key: string): readonly string[] {
  return Object.hasOwn(filters, key) ? (filters[key] ?? []) : [];
}

/** filters.Args.GetBoolOrDefault: `1`/`true` or `0`/`false`; anything else (or both) is invalid. */
export function getBoolOrDefault(filters: Filters, key: string, fallback: boolean): boolean {
  if (!hasFilter(filters, key)) return fallback;
  const values = filterValues(filters, key);
  if (values.length === 0) throw invalidFilter(key);
  const isFalse = values.includes('0') || values.includes('false');
  const isTrue = values.includes('1') || values.includes('true');
  if (isFalse === isTrue) throw invalidFilter(key, values);
  return isTrue;
}

/** filters.Args.MatchKVList: every `key` or `key=value` given must be among the labels. True when none given. */
export function matchKVList(
  filters: Filters,
  key: string,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  const wanted = filterValues(filters, key);
  if (wanted.length === 0) return true;
  if (!labels || Object.keys(labels).length === 0) return false;
  return wanted.every((w) => {
    const eq = w.indexOf('=');
    const k = eq < 0 ? w : w.slice(0, eq);
    if (!Object.hasOwn(labels, k)) return false;
    return eq < 0 || labels[k] === w.slice(eq + 1);
  });
}

/** distribution's FamiliarMatch: the pattern against `name:tag` (or `name@digest`), then against the name alone. */
export function familiarMatch(pattern: string, ref: Reference): boolean {
  return pathMatch(pattern, familiarString(ref)) || pathMatch(pattern, familiarName(ref));
}

const DURATION = /^[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/;
const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, μs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Go's time.ParseDuration, in milliseconds; undefined when `s` is not a duration. */
export function parseGoDuration(s: string): number | undefined {
  if (!DURATION.test(s)) return undefined;
  const sign = s.startsWith('-') ? -1 : 1;
  let ns = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    ns += Number(m[1]) * (UNIT_NS[m[2] ?? 's'] ?? 0);
  }
  return (sign * ns) / 1e6;
}

/**
 * The instant (ms since the epoch) an `until=` value names, as Docker's timestamp.GetTimestamp reads it: a Go
 * duration before `now` (`24h`), unix seconds (`1700000000.5`) or an RFC 3339 date/time.
 */
export function parseUntil(value: string, now: Date): number {
  const duration = value === '0' ? undefined : parseGoDuration(value);
  if (duration !== undefined) return now.getTime() - duration;
  if (/^\d+(?:\.\d+)?$/.test(value)) return Number(value) * 1000;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new InvalidParameter(
      `invalid value for 'until' filter: failed to parse value as time or duration: ${JSON.stringify(value)}`,
    );
  }
  return ms;
}
