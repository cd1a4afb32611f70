// `since`/`until` values as `docker logs` takes them (the Docker API's timetypes.GetTimestamp and ParseTimestamps):
// Go durations before now, RFC 3339-like times (local when they carry no zone), or unix seconds with a fraction.
import { InvalidParameter } from '../../errdefs/index.js';
import { type GoLayout, LAYOUTS, parseGoDuration, parseGoTime } from './go-time.js';

const NS_PER_SEC = 1_000_000_000n;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/** Floor division for bigint (the `/` operator truncates toward zero). */
const floorDiv = (a: bigint, b: bigint): bigint => (a % b < 0n ? a / b - 1n : a / b);

/**
 * Parses an API `since`/`until` value into unix nanoseconds, as Docker does: "10m" and "1h30m" are that long before
 * `now` (whole seconds, like Docker); "2026-11-23T15:30:00Z", "2026-11-23T15:30:00.5+01:00", "2026-11-23" (zone-less
 * forms are in now's local zone); "1700000000" and "1700000000.000000001" are unix seconds. Throws InvalidParameter.
 */
export function parseLogTime(value: string, now: Date = new Date()): bigint {
  if (value !== '0') {
    let duration: bigint | undefined;
    try {
      duration = parseGoDuration(value);
    } catch {
      duration = undefined; // not a duration: try the other forms, as Docker does
    }
    if (duration !== undefined) {
      const nowNs = BigInt(now.getTime()) * 1_000_000n;
      return floorDiv(nowNs - duration, NS_PER_SEC) * NS_PER_SEC;
    }
  }
  const local = !/[zZ+]/.test(value) && value.split('-').length - 1 !== 3;
  const parsed = parseGoTime(value, pickLayout(value, local), -now.getTimezoneOffset() * 60);
  if (parsed.ok) return parsed.ns;
  // A '-' means it was meant as a date, so the date's error is the useful one.
  if (value.includes('-')) throw new InvalidParameter(parsed.error);
  const ns = parseUnixTimestamp(value);
  if (ns === undefined) {
    throw new InvalidParameter(`failed to parse value as time or duration: ${JSON.stringify(value)}`);
  }
  return ns;
}

/** GetTimestamp's choice of layout from the value's shape. */
function pickLayout(value: string, local: boolean): GoLayout {
  if (value.includes('.')) return local ? LAYOUTS.rfc3339NanoLocal : LAYOUTS.rfc3339Nano;
  if (value.includes('T')) {
    let colons = value.split(':').length - 1;
    // A numeric zone offset brings a colon of its own.
    if (!local && !/[zZ]/.test(value) && colons > 0) colons--;
    if (colons === 0) return local ? LAYOUTS.hourLocal : LAYOUTS.hourZone;
    if (colons === 1) return local ? LAYOUTS.hourMinuteLocal : LAYOUTS.hourMinuteZone;
    return local ? LAYOUTS.rfc3339Local : LAYOUTS.rfc3339;
  }
  return local ? LAYOUTS.dateLocal : LAYOUTS.dateWithZone;
}

/** `seconds[.fraction]` as ParseTimestamps reads it (Go's ParseInt on each part), or undefined. */
function parseUnixTimestamp(value: string): bigint | undefined {
  const dot = value.indexOf('.');
  const secText = dot < 0 ? value : value.slice(0, dot);
  const sec = parseInt64(secText);
  if (sec === undefined) return undefined;
  if (dot < 0) return sec * NS_PER_SEC;
  const fracText = value.slice(dot + 1);
  const frac = parseInt64(fracText);
  if (frac === undefined) return undefined;
  // "should already be in nanoseconds but just in case": scaled by the digits written (sign included, as Docker).
  const scale = 9 - fracText.length;
  const nsec = scale >= 0 ? frac * 10n ** BigInt(scale) : frac / 10n ** BigInt(-scale);
  return sec * NS_PER_SEC + nsec;
}

function parseInt64(text: string): bigint | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const n = BigInt(text);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}
