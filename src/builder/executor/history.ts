// `created_by` as the legacy builder writes it, so `docker history` of a berth-built image reads as Docker's:
// RUN's command (with `|N k=v` for the build args it saw), `#(nop)` comments for everything else.
export function nopCreatedBy(shell: readonly string[], comment: string): string {
  return [...shell, `#(nop) ${comment}`].join(' ');
}

/** A metadata instruction's entry: `/bin/sh -c #(nop)  ENV A=1` (two spaces, as moby's withCmdComment). */
export function metadataCreatedBy(shell: readonly string[], comment: string): string {
  return [...shell, '#(nop) ', comment].join(' ');
}

/** A RUN's entry: its command line, prefixed by the build args in effect (`|2 A=1 B=2 /bin/sh -c make`). */
export function runCreatedBy(cmd: readonly string[], args: readonly [string, string][]): string {
  const prefix = args.length > 0 ? [`|${args.length}`, ...args.map(([k, v]) => `${k}=${v}`)] : [];
  return [...prefix, ...cmd].join(' ');
}

/** Go's %q of a *HealthConfig, as moby's HEALTHCHECK comment prints it: `&{["CMD-SHELL" "true"] "5s" "2s" "0s" '\x04'}`. */
export function goHealthcheck(h: {
  Test?: string[] | null;
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  Retries?: number;
}): string {
  const test = `[${(h.Test ?? []).map((t) => JSON.stringify(t)).join(' ')}]`;
  const d = (ns: number | undefined) => `"${goDuration(ns ?? 0)}"`;
  return `&{${test} ${d(h.Interval)} ${d(h.Timeout)} ${d(h.StartPeriod)} ${goRune(h.Retries ?? 0)}}`;
}

/** Go's time.Duration String (`1m30s`, `500ms`, `0s`). */
export function goDuration(ns: number): string {
  if (ns === 0) return '0s';
  const neg = ns < 0;
  let n = Math.abs(ns);
  let out: string;
  if (n < 1e3) out = `${n}ns`;
  else if (n < 1e6) out = `${trim(n / 1e3)}µs`;
  else if (n < 1e9) out = `${trim(n / 1e6)}ms`;
  else {
    const h = Math.floor(n / 3600e9);
    n -= h * 3600e9;
    const m = Math.floor(n / 60e9);
    n -= m * 60e9;
    out = `${h > 0 ? `${h}h` : ''}${h > 0 || m > 0 ? `${m}m` : ''}${trim(n / 1e9)}s`;
  }
  return neg ? `-${out}` : out;
}

const trim = (x: number) => String(Number(x.toFixed(9)));

/** Go's %q of an int: a quoted rune literal (`'a'`, `'\x04'`). */
function goRune(n: number): string {
  if (n >= 0x20 && n < 0x7f) return n === 0x27 ? "'\\''" : n === 0x5c ? "'\\\\'" : `'${String.fromCharCode(n)}'`;
  const named: Record<number, string> = { 7: 'a', 8: 'b', 9: 't', 10: 'n', 11: 'v', 12: 'f', 13: 'r' };
  if (named[n]) return `'\\${named[n]}'`;
  if (n < 0x100) return `'\\x${n.toString(16).padStart(2, '0')}'`;
  return `'${String.fromCodePoint(n)}'`;
}
