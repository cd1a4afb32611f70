// Times as Docker's API shows them: config timestamps re-printed the way Go's time.RFC3339Nano does (nanoseconds
// kept, trailing zeros dropped, "Z" for a zero offset) and unix seconds for list/history.

const RFC3339 = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$/;

/** Go's `t.Format(time.RFC3339Nano)` of an RFC 3339 string; undefined when `s` is undefined or not a time. */
export function formatRfc3339Nano(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  const m = RFC3339.exec(s);
  if (!m) {
    const ms = Date.parse(s);
    return Number.isNaN(ms) ? undefined : new Date(ms).toISOString().replace(/\.?0+Z$/, 'Z');
  }
  const [, date, time, frac = '', zone = 'Z'] = m;
  const nanos = frac.slice(0, 9).replace(/0+$/, '');
  const offset = zone === 'Z' || zone === 'z' || zone === '+00:00' || zone === '-00:00' ? 'Z' : zone;
  return `${date}T${time}${nanos ? `.${nanos}` : ''}${offset}`;
}

/** Unix seconds (rounded down, as Go's `t.Unix()`) of an RFC 3339 string; 0 when absent or unparsable. */
export function unixSeconds(s: string | undefined): number {
  if (s === undefined) return 0;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

/** Milliseconds since the epoch, for comparisons; undefined when absent or unparsable. */
export function timeMs(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Go's zero time as RFC3339Nano: what Docker shows for a time never set (Metadata.LastTagTime). */
export const ZERO_TIME = '0001-01-01T00:00:00Z';
