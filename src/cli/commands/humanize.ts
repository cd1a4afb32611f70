// The docker CLI's human-readable numbers and times (go-units HumanDuration/HumanSize/BytesSize, formatter's
// TruncateID and Ellipsis), byte for byte.
import { formatFloat } from '../template/fmtfloat.js';
import { stringWidth } from '../template/runewidth.js';

/** go-units HumanDuration: "Less than a second", "2 seconds", "About a minute", "3 hours", "2 weeks". */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(ms / 3_600_000);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(ms / 3_600_000 / 24 / 365)} years`;
}

/** "<duration> ago" for a Unix time in seconds, as the CLI's CreatedSince/RunningFor columns. */
export const timeAgo = (unixSeconds: number, now = Date.now()): string =>
  `${humanDuration(now - unixSeconds * 1000)} ago`;

const DECIMAL = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
const BINARY = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

function scaled(size: number, base: number, units: string[]): [number, string] {
  let i = 0;
  while (size >= base && i < units.length - 1) {
    size /= base;
    i++;
  }
  return [size, units[i]!];
}

/** go-units HumanSizeWithPrecision: decimal units, `%.<precision>g` ("2.82MB" with 3). */
export function humanSize(size: number, precision = 4): string {
  const [v, unit] = scaled(size, 1000, DECIMAL);
  return `${formatFloat(v, 'g', precision)}${unit}`;
}

/** go-units BytesSize: binary units, `%.4g` ("1.5MiB"). */
export function bytesSize(size: number): string {
  const [v, unit] = scaled(size, 1024, BINARY);
  return `${formatFloat(v, 'g', 4)}${unit}`;
}

/** formatter.TruncateID: the hex after any "algo:" prefix, cut to 12 characters. */
export function truncateId(id: string): string {
  const i = id.indexOf(':');
  const hex = i >= 0 ? id.slice(i + 1) : id;
  return hex.length > 12 ? hex.slice(0, 12) : hex;
}

/** formatter.Ellipsis: cut to `max` display columns, the last one an ellipsis. */
export function ellipsis(s: string, max: number): string {
  if (max <= 0) return '';
  const chars = Array.from(s);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII test
  if (/^[\x00-\x7f]*$/.test(s)) return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
  if (stringWidth(s) <= max) return s;
  let width = 0;
  let out = '';
  for (const ch of chars) {
    const w = stringWidth(ch);
    if (width + w > max - 1) break;
    width += w;
    out += ch;
  }
  return `${out}…`;
}

/** Go's time.Time.String() for a Unix time in seconds, in the local zone: "2026-11-23 15:30:00 +0000 UTC". */
export function goTime(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  const offMin = -d.getTimezoneOffset();
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const date = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  const sign = offMin < 0 ? '-' : '+';
  const zone = `${sign}${pad(Math.trunc(Math.abs(offMin) / 60))}${pad(Math.abs(offMin) % 60)}`;
  const name = offMin === 0 ? 'UTC' : (zoneAbbreviation(d) ?? zone);
  return `${date} ${time} ${zone} ${name}`;
}

function zoneAbbreviation(d: Date): string | undefined {
  const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' })
    .formatToParts(d)
    .find((p) => p.type === 'timeZoneName');
  return part?.value;
}
