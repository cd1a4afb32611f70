// Go's time.ParseDuration, for HEALTHCHECK's intervals (Docker stores them in nanoseconds).

const UNITS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, μs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Nanoseconds of a Go duration string (`1m30s`, `1.5h`, `300ms`); throws Go's messages. */
export function parseGoDuration(s: string): number {
  const quoted = JSON.stringify(s);
  const invalid = (): Error => new Error(`time: invalid duration ${quoted}`);
  let rest = s;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest[0] === '-') sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw invalid();
  let total = 0;
  while (rest !== '') {
    const m = /^(\d*)(?:\.(\d*))?/.exec(rest);
    const whole = m?.[1] ?? '';
    const frac = m?.[2];
    if (whole === '' && (frac === undefined || frac === '')) throw invalid();
    rest = rest.slice(m?.[0].length ?? 0);
    const u = /^[^\d.]*/.exec(rest)?.[0] ?? '';
    if (u === '') throw new Error(`time: missing unit in duration ${quoted}`);
    const unit = UNITS[u];
    if (unit === undefined) throw new Error(`time: unknown unit ${JSON.stringify(u)} in duration ${quoted}`);
    rest = rest.slice(u.length);
    total += Number(whole || '0') * unit + (frac ? Math.round(Number(`0.${frac}`) * unit) : 0);
  }
  return sign * total;
}

/** Go's time.Duration.String for the values Docker prints in messages (1ms → "1ms"). */
export const MINIMUM_DURATION_NS = 1e6;
