// moby's timetypes.GetTimestamp, which the docker CLI applies to --since/--until before sending them: a duration
// counts back from now ("10m" → Unix seconds), an RFC 3339 time or date becomes "seconds.nanoseconds", a Unix
// timestamp passes through.
import { parseDuration } from '../args/index.js';

/** The value the daemon gets for `value`; throws with the CLI's text when it is neither a time nor a duration. */
export function getTimestamp(value: string, now = Date.now()): string {
  if (value !== '0') {
    try {
      const ns = parseDuration(value);
      return String(Math.floor((now - ns / 1e6) / 1000));
    } catch {
      // not a duration
    }
  }
  const zoned = /[zZ+]/.test(value) || (value.match(/-/g) ?? []).length === 3;
  const m =
    /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?)?([zZ]|[+-]\d{2}:\d{2})?$/.exec(
      value,
    );
  if (m) {
    const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
    const base = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
    let offsetMs = 0;
    if (zone && zone.toUpperCase() !== 'Z') {
      const sign = zone[0] === '-' ? -1 : 1;
      offsetMs = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
    } else if (!zoned) {
      offsetMs = -new Date(base).getTimezoneOffset() * 60_000;
    }
    const seconds = Math.floor((base - offsetMs) / 1000);
    return `${seconds}.${frac.padEnd(9, '0')}`;
  }
  if (value.includes('-')) throw new Error(`parsing time "${value}": cannot parse "${value}" as RFC 3339 time`);
  if (!/^\d+(\.\d{1,9})?$/.test(value)) throw new Error(`failed to parse value as time or duration: "${value}"`);
  return value;
}
