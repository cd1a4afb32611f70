// JSON as Go's encoding/json writes it, where berth must reproduce Docker's bytes (legacy v1 layer JSON and IDs,
// import configs): struct fields in declaration order, map keys sorted, `<>&` and U+2028/9 escaped, RFC 3339 times
// as Go prints them. Go also matches JSON keys to struct fields case-insensitively, which `goField` mirrors.

const HTML = /[<>&\u2028\u2029]/g;

/** JSON.stringify, then Go's HTML-safe escaping (only strings can contain these characters). */
export function goJson(value: unknown): string {
  return JSON.stringify(value).replace(HTML, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A map with its keys sorted by bytes, as Go marshals maps. */
export function sortedMap<T>(m: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(m).sort(byBytes)) out[k] = m[k]!;
  return out;
}

export const byBytes = (a: string, b: string): number => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return Buffer.compare(x, y);
};

/**
 * The value Go's Unmarshal would put into the struct field `name`: the exact key if present, else the last key that
 * matches it case-insensitively.
 */
export function goField(obj: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(obj, name)) return obj[name];
  let found: unknown;
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(obj)) if (k.toLowerCase() === lower) found = v;
  return found;
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$/;

/** An RFC 3339 time re-printed as Go's time.Time marshals it (RFC3339Nano: fraction without trailing zeros). */
export function goTime(s: string): string {
  const m = RFC3339.exec(s);
  if (!m) return s;
  const frac = (m[3] ?? '').slice(0, 9).replace(/0+$/, '');
  const zone = m[4]!.toUpperCase() === 'Z' || m[4] === '+00:00' || m[4] === '-00:00' ? 'Z' : m[4];
  return `${m[1]}T${m[2]}${frac ? `.${frac}` : ''}${zone}`;
}

/** Now, as Go prints `time.Now().UTC()` (to the millisecond here). */
export function goNow(now: Date = new Date()): string {
  return goTime(now.toISOString());
}
