// The slice of Go's `time` package that Docker's log times go through: `time.Parse` for a fixed set of layouts and
// `time.ParseDuration`, with Go's error texts, so `--since`/`--until` accept and reject exactly what Docker's do.

/** One element of a Go layout: a literal, or a standard element named by its Go spelling. */
type LayoutElem = '2006' | '01' | '02' | '15' | '04' | '05' | '.999999999' | 'Z07:00' | '-' | 'T' | ':';

export interface GoLayout {
  text: string;
  elems: readonly LayoutElem[];
}

const layout = (...elems: LayoutElem[]): GoLayout => ({ text: elems.join(''), elems });

const DATE: LayoutElem[] = ['2006', '-', '01', '-', '02'];
export const LAYOUTS = {
  rfc3339Nano: layout(...DATE, 'T', '15', ':', '04', ':', '05', '.999999999', 'Z07:00'),
  rfc3339: layout(...DATE, 'T', '15', ':', '04', ':', '05', 'Z07:00'),
  rfc3339NanoLocal: layout(...DATE, 'T', '15', ':', '04', ':', '05', '.999999999'),
  rfc3339Local: layout(...DATE, 'T', '15', ':', '04', ':', '05'),
  hourMinuteZone: layout(...DATE, 'T', '15', ':', '04', 'Z07:00'),
  hourMinuteLocal: layout(...DATE, 'T', '15', ':', '04'),
  hourZone: layout(...DATE, 'T', '15', 'Z07:00'),
  hourLocal: layout(...DATE, 'T', '15'),
  dateWithZone: layout(...DATE, 'Z07:00'),
  dateLocal: layout(...DATE),
} as const;

export type GoTimeResult = { ok: true; ns: bigint } | { ok: false; error: string };

const isDigit = (s: string, i: number): boolean => i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57;
/** Go's `quote` in time errors; JSON's escaping is the same for everything a log time contains. */
const quote = (s: string): string => JSON.stringify(s);

/** Go's getnum: one or two digits; `fixed` demands two. */
function getnum(s: string, fixed: boolean): [number, string] | undefined {
  if (!isDigit(s, 0)) return undefined;
  if (!isDigit(s, 1)) return fixed ? undefined : [Number(s[0]), s.slice(1)];
  return [Number(s.slice(0, 2)), s.slice(2)];
}

/** Go's parseNanoseconds over `.ddd…` (n bytes including the separator); digits past the ninth are dropped. */
function parseNanoseconds(s: string, n: number): number {
  const digits = s.slice(1, Math.min(n, 10));
  return Number(digits.padEnd(9, '0'));
}

function daysIn(month: number, year: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * Go's `time.Parse(layout, value)` (or `ParseInLocation` with a fixed zone `localOffsetSec` east of UTC, used when
 * the layout has no zone) for the layouts above; returns unix nanoseconds or Go's error text.
 */
export function parseGoTime(value: string, goLayout: GoLayout, localOffsetSec = 0): GoTimeResult {
  const fail = (elem: string, rest: string): GoTimeResult => ({
    ok: false,
    error: `parsing time ${quote(value)} as ${quote(goLayout.text)}: cannot parse ${quote(rest)} as ${quote(elem)}`,
  });
  const outOfRange = (what: string): GoTimeResult => ({
    ok: false,
    error: `parsing time ${quote(value)}: ${what} out of range`,
  });
  let rest = value;
  let year = 0;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let nsec = 0;
  let offset: number | undefined;
  const { elems } = goLayout;
  for (let k = 0; k < elems.length; k++) {
    const elem = elems[k]!;
    const hold = rest;
    switch (elem) {
      case '-':
      case 'T':
      case ':':
        if (!rest.startsWith(elem)) return fail(elem, rest);
        rest = rest.slice(1);
        break;
      case '2006':
        if (rest.length < 4 || ![0, 1, 2, 3].every((i) => isDigit(rest, i))) return fail(elem, hold);
        year = Number(rest.slice(0, 4));
        rest = rest.slice(4);
        break;
      case '01':
      case '02':
      case '15':
      case '04':
      case '05': {
        const got = getnum(rest, elem !== '15');
        if (!got) return fail(elem, hold);
        const [n, after] = got;
        rest = after;
        if (elem === '01') {
          if (n < 1 || n > 12) return outOfRange('month');
          month = n;
        } else if (elem === '02') {
          if (n > 31) return outOfRange('day');
          day = n;
        } else if (elem === '15') {
          if (n >= 24) return outOfRange('hour');
          hour = n;
        } else if (elem === '04') {
          if (n >= 60) return outOfRange('minute');
          minute = n;
        } else {
          if (n >= 60) return outOfRange('second');
          second = n;
          // Go reads a fraction after the seconds even when the layout has none.
          if (elems[k + 1] !== '.999999999' && (rest[0] === '.' || rest[0] === ',') && isDigit(rest, 1)) {
            let n2 = 2;
            while (isDigit(rest, n2)) n2++;
            nsec = parseNanoseconds(rest, n2);
            rest = rest.slice(n2);
          }
        }
        break;
      }
      case '.999999999': {
        if (rest.length < 2 || (rest[0] !== '.' && rest[0] !== ',') || !isDigit(rest, 1)) break; // fraction omitted
        let n = 1;
        while (isDigit(rest, n)) n++;
        nsec = parseNanoseconds(rest, n);
        rest = rest.slice(n);
        break;
      }
      case 'Z07:00': {
        if (rest[0] === 'Z') {
          offset = 0;
          rest = rest.slice(1);
          break;
        }
        if (rest.length < 6 || rest[3] !== ':') return fail(elem, hold);
        const hh = getnum(rest.slice(1, 3), true);
        const mm = getnum(rest.slice(4, 6), true);
        if (!hh || !mm || (rest[0] !== '+' && rest[0] !== '-')) return fail(elem, hold);
        if (hh[0] > 24) return outOfRange('time zone offset hour');
        if (mm[0] > 60) return outOfRange('time zone offset minute');
        offset = (rest[0] === '-' ? -1 : 1) * (hh[0] * 3600 + mm[0] * 60);
        rest = rest.slice(6);
        break;
      }
    }
  }
  if (rest.length > 0) {
    return { ok: false, error: `parsing time ${quote(value)}: extra text: ${quote(rest)}` };
  }
  if (day < 1 || day > daysIn(month, year)) return outOfRange('day');
  const seconds = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  return { ok: true, ns: BigInt(seconds - (offset ?? localOffsetSec)) * 1_000_000_000n + BigInt(nsec) };
}

const DURATION_UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n, // U+00B5 micro sign
  μs: 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const MAX_DURATION = (1n << 63n) - 1n;

/** Go's `time.ParseDuration` ("1h30m", "-1.5h", "300ms"); returns nanoseconds, or throws Go's error text. */
export function parseGoDuration(text: string): bigint {
  const invalid = () => new Error(`time: invalid duration ${quote(text)}`);
  let s = text;
  let negative = false;
  if (s[0] === '-' || s[0] === '+') {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') throw invalid();
  let total = 0n;
  while (s !== '') {
    if (s[0] !== '.' && !isDigit(s, 0)) throw invalid();
    let i = 0;
    while (isDigit(s, i)) i++;
    const whole = s.slice(0, i);
    s = s.slice(i);
    let fraction = '';
    if (s[0] === '.') {
      i = 1;
      while (isDigit(s, i)) i++;
      fraction = s.slice(1, i);
      s = s.slice(i);
    }
    if (whole === '' && fraction === '') throw invalid();
    i = 0;
    while (i < s.length && s[i] !== '.' && !isDigit(s, i)) i++;
    if (i === 0) throw new Error(`time: missing unit in duration ${quote(text)}`);
    const unitName = s.slice(0, i);
    s = s.slice(i);
    const unit = DURATION_UNITS[unitName];
    if (unit === undefined) throw new Error(`time: unknown unit ${quote(unitName)} in duration ${quote(text)}`);
    total += BigInt(whole || '0') * unit;
    if (fraction !== '') total += (BigInt(fraction) * unit) / 10n ** BigInt(fraction.length);
    if (total > MAX_DURATION + (negative ? 1n : 0n)) throw invalid();
  }
  return negative ? -total : total;
}
