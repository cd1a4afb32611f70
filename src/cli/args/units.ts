// Numbers with units as the docker CLI reads and prints them: go-units sizes (RAMInBytes, FromHumanSize, HumanSize,
// BytesSize), Go's time.ParseDuration / Duration.String, and --cpus' decimal → NanoCpus (big.Rat), with Go's error texts.
import { InvalidParameter } from '../../errdefs/index.js';
import { parseFloat64 } from './strconv.js';

const KB = 1000;
const KiB = 1024;
const DECIMAL: Record<string, number> = { k: KB, m: KB ** 2, g: KB ** 3, t: KB ** 4, p: KB ** 5 };
const BINARY: Record<string, number> = { k: KiB, m: KiB ** 2, g: KiB ** 3, t: KiB ** 4, p: KiB ** 5 };

// Go's int64(float64) on amd64: out-of-range values become math.MinInt64.
const toInt64 = (v: number): number => (v >= 2 ** 63 || v < -(2 ** 63) || Number.isNaN(v) ? -(2 ** 63) : Math.trunc(v));

// go-units parseSize: "<number>[ ]<suffix>", suffix b | k/kb/kib | m… (case-insensitive); negatives rejected.
function parseSize(sizeStr: string, map: Record<string, number>): number {
  let sep = -1;
  for (let i = sizeStr.length - 1; i >= 0; i--) {
    if ('01234567890. '.includes(sizeStr[i]!)) {
      sep = i;
      break;
    }
  }
  if (sep === -1) throw new InvalidParameter(`invalid size: '${sizeStr}'`);
  const num = sizeStr[sep] !== ' ' ? sizeStr.slice(0, sep + 1) : sizeStr.slice(0, sep);
  let sfx = sizeStr.slice(sep + 1);
  let size = parseFloat64(num);
  if (size < 0) throw new InvalidParameter(`invalid size: '${sizeStr}'`);
  if (sfx.length === 0) return toInt64(size);
  const bad = () => new InvalidParameter(`invalid suffix: '${sfx}'`);
  if (sfx.length > 3) throw bad();
  sfx = sfx.toLowerCase();
  if (sfx[0] === 'b') {
    if (sfx.length > 1) throw bad();
    return toInt64(size);
  }
  const mul = map[sfx[0]!];
  if (mul === undefined) throw bad();
  size *= mul;
  if ((sfx.length === 2 && sfx[1] !== 'b') || (sfx.length === 3 && sfx.slice(1) !== 'ib')) throw bad();
  return toInt64(size);
}

/** go-units RAMInBytes: binary multiples ("512m" = 512 MiB, "1.5g", "1024", "10KiB"). Used by -m, --shm-size, … */
export const ramInBytes = (s: string): number => parseSize(s, BINARY);

/** go-units FromHumanSize: decimal multiples ("1kB" = 1000). */
export const fromHumanSize = (s: string): number => parseSize(s, DECIMAL);

const DECIMAL_ABBRS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
const BINARY_ABBRS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

function sizeAndUnit(size: number, base: number, abbrs: string[]): [number, string] {
  let i = 0;
  while (size >= base && i < abbrs.length - 1) {
    size /= base;
    i++;
  }
  return [size, abbrs[i]!];
}

// Go's %.<p>g for the magnitudes sizes produce: p significant digits, trailing zeros trimmed.
const goG = (v: number, p: number): string => String(Number(v.toPrecision(p)));

/** go-units HumanSize: "2.746MB", "796kB" (4 significant digits, decimal units). */
export function humanSize(size: number): string {
  const [v, unit] = sizeAndUnit(size, 1000, DECIMAL_ABBRS);
  return `${goG(v, 4)}${unit}`;
}

/** go-units BytesSize: "44KiB", "17MiB" (4 significant digits, binary units). */
export function bytesSize(size: number): string {
  const [v, unit] = sizeAndUnit(size, 1024, BINARY_ABBRS);
  return `${goG(v, 4)}${unit}`;
}

// ---- durations -------------------------------------------------------------------------------------------------

const NS = 1n;
const UNITS: Record<string, bigint> = {
  ns: NS,
  us: 1000n,
  µs: 1000n, // U+00B5
  μs: 1000n, // U+03BC
  ms: 1000_000n,
  s: 1000_000_000n,
  m: 60n * 1000_000_000n,
  h: 3600n * 1000_000_000n,
};
const MAX_U63 = 1n << 63n;

// The time package's own quote: non-ASCII and control bytes as \x escapes.
function timeQuote(s: string): string {
  let out = '"';
  for (const b of Buffer.from(s, 'utf8')) {
    if (b >= 0x80 || b < 0x20) out += `\\x${b.toString(16).padStart(2, '0')}`;
    else if (b === 0x22 || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else out += String.fromCharCode(b);
  }
  return `${out}"`;
}

/**
 * Go's time.ParseDuration ("1m30s", "500ms", "-1.5h", "0"), in nanoseconds. Errors: `time: invalid duration "x"`,
 * `time: missing unit in duration "1"`, `time: unknown unit "d" in duration "1d"`.
 */
export function parseDuration(orig: string): number {
  let s = orig;
  const invalid = () => new InvalidParameter(`time: invalid duration ${timeQuote(orig)}`);
  let neg = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw invalid();
  let d = 0n;
  while (s !== '') {
    if (!(s[0] === '.' || (s[0]! >= '0' && s[0]! <= '9'))) throw invalid();
    // [0-9]*
    let i = 0;
    let v = 0n;
    while (i < s.length && s[i]! >= '0' && s[i]! <= '9') {
      v = v * 10n + BigInt(s.charCodeAt(i) - 48);
      if (v >= MAX_U63) throw invalid();
      i++;
    }
    const pre = i > 0;
    s = s.slice(i);
    // (\.[0-9]*)?
    let post = false;
    let f = 0n;
    let scale = 1;
    if (s[0] === '.') {
      s = s.slice(1);
      let j = 0;
      let overflow = false;
      while (j < s.length && s[j]! >= '0' && s[j]! <= '9') {
        if (!overflow) {
          if (f > (MAX_U63 - 1n) / 10n) overflow = true;
          else {
            f = f * 10n + BigInt(s.charCodeAt(j) - 48);
            scale *= 10;
          }
        }
        j++;
      }
      post = j > 0;
      s = s.slice(j);
    }
    if (!pre && !post) throw invalid();
    let u = 0;
    while (u < s.length && !(s[u] === '.' || (s[u]! >= '0' && s[u]! <= '9'))) u++;
    if (u === 0) throw new InvalidParameter(`time: missing unit in duration ${timeQuote(orig)}`);
    const unitName = s.slice(0, u);
    s = s.slice(u);
    const unit = UNITS[unitName];
    if (unit === undefined) {
      throw new InvalidParameter(`time: unknown unit ${timeQuote(unitName)} in duration ${timeQuote(orig)}`);
    }
    if (v > MAX_U63 / unit) throw invalid();
    v *= unit;
    if (f > 0n) {
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > MAX_U63) throw invalid();
    }
    d += v;
    if (d > MAX_U63) throw invalid();
  }
  if (neg) return -Number(d);
  if (d > MAX_U63 - 1n) throw invalid();
  return Number(d);
}

/** Go's Duration.String(): "1m30s", "500ms", "1.5µs", "0s". */
export function formatDuration(ns: number): string {
  if (ns === 0) return '0s';
  const neg = ns < 0;
  let u = BigInt(Math.abs(Math.trunc(ns)));
  let out: string;
  if (u < 1000_000_000n) {
    // Sub-second: one unit with a fraction.
    let unit: string;
    let prec: number;
    if (u < 1000n) return `${neg ? '-' : ''}${u}ns`;
    if (u < 1000_000n) {
      unit = 'µs';
      prec = 3;
    } else {
      unit = 'ms';
      prec = 6;
    }
    out = `${fraction(u, prec)}${unit}`;
  } else {
    const h = u / 3600_000_000_000n;
    u -= h * 3600_000_000_000n;
    const m = u / 60_000_000_000n;
    u -= m * 60_000_000_000n;
    out = `${fraction(u, 9)}s`;
    if (h > 0n) out = `${h}h${m}m${out}`;
    else if (m > 0n) out = `${m}m${out}`;
  }
  return neg ? `-${out}` : out;
}

// v / 10^prec printed with trailing zeros (and a bare '.') dropped.
function fraction(v: bigint, prec: number): string {
  const p = 10n ** BigInt(prec);
  const frac = (v % p).toString().padStart(prec, '0').replace(/0+$/, '');
  return frac ? `${v / p}.${frac}` : `${v / p}`;
}

// ---- --cpus ----------------------------------------------------------------------------------------------------

// An integer as big.Int's SetString(s, 0) reads it: 0x / 0o / 0b prefixes, a leading 0 for octal, underscores.
function parseIntBase0(s: string, allowSign: boolean): bigint | undefined {
  const m = (allowSign ? /^([+-]?)(.*)$/s : /^()(.*)$/s).exec(s)!;
  let body = m[2]!;
  let base = 10;
  if (/^0[xX]/.test(body)) [base, body] = [16, body.slice(2)];
  else if (/^0[bB]/.test(body)) [base, body] = [2, body.slice(2)];
  else if (/^0[oO]/.test(body)) [base, body] = [8, body.slice(2)];
  else if (/^0./.test(body)) [base, body] = [8, body.slice(1)];
  const digits = digitsIn(body.replace(/(?<=[0-9a-fA-F])_(?=[0-9a-fA-F])/g, ''), base);
  if (digits === undefined) return undefined;
  return m[1] === '-' ? -digits : digits;
}

function digitsIn(s: string, base: number): bigint | undefined {
  if (s === '') return undefined;
  let n = 0n;
  for (const c of s.toLowerCase()) {
    const d = Number.parseInt(c, 36);
    if (Number.isNaN(d) || d >= base) return undefined;
    n = n * BigInt(base) + BigInt(d);
  }
  return n;
}

const RAT_FLOAT = /^([+-]?)(0[bBoO])?([0-9_]*)(?:\.([0-9_]*))?(?:([eEpP])([+-]?[0-9]+))?$/;
const RAT_HEX_FLOAT = /^([+-]?)(0[xX])([0-9a-fA-F_]*)(?:\.([0-9a-fA-F_]*))?(?:([pP])([+-]?[0-9]+))?$/;

/** Parses a big.Rat string ("1.5", "3/2", "2e-1", "0x1p-1") into numerator/denominator, or undefined. */
function parseRat(s: string): [bigint, bigint] | undefined {
  const slash = s.indexOf('/');
  if (slash >= 0) {
    const num = parseIntBase0(s.slice(0, slash), true);
    const den = parseIntBase0(s.slice(slash + 1), false);
    if (num === undefined || den === undefined || den === 0n) return undefined;
    return [num, den];
  }
  const m = (/^[+-]?0[xX]/.test(s) ? RAT_HEX_FLOAT : RAT_FLOAT).exec(s);
  if (!m) return undefined;
  const [, sign, prefix, intPart = '', frac, expKind, expText] = m;
  const base = prefix ? ({ x: 16, b: 2, o: 8 } as Record<string, number>)[prefix[1]!.toLowerCase()]! : 10;
  // With a decimal mantissa, "e" is the exponent marker; with a hex one it is a digit (and was matched as such).
  const clean = (d: string) => d.replaceAll('_', '');
  if (intPart === '' && (frac ?? '') === '') return undefined;
  const mant = digitsIn(clean(intPart) + clean(frac ?? '') || '0', base);
  if (mant === undefined) return undefined;
  let num = mant;
  let den = BigInt(base) ** BigInt(clean(frac ?? '').length);
  if (expKind) {
    const exp = Number(expText);
    if (Math.abs(exp) > 10000) return undefined;
    const eb = expKind.toLowerCase() === 'p' ? 2n : 10n;
    if (exp > 0) num *= eb ** BigInt(exp);
    else den *= eb ** BigInt(-exp);
  }
  return [sign === '-' ? -num : num, den];
}

/**
 * The CLI's ParseCPUs: a decimal or fraction of CPUs → NanoCpus ("1.5" → 1500000000). Errors: `failed to parse abc
 * as a rational number`, `value is too precise`.
 */
export function parseCpus(value: string): number {
  const r = parseRat(value);
  if (!r) throw new InvalidParameter(`failed to parse ${value} as a rational number`);
  const [num, den] = r;
  const nano = num * 1000_000_000n;
  if (nano % den !== 0n) throw new InvalidParameter('value is too precise');
  return Number(nano / den);
}

/** NanoCPUs.String(): "1.500" (three decimals), "" for 0. */
export function formatCpus(nano: number): string {
  if (nano === 0) return '';
  return (nano / 1e9).toFixed(3);
}
