// Query-string values read as moby's routes read them: integers with Go's strconv.Atoi (and its error text), booleans
// with httputils.BoolValue, filters with filters.FromJSON. Pure functions of the raw string.
import { InvalidParameter } from '../errdefs/index.js';

const INT64_MAX = 2n ** 63n - 1n;

/**
 * Go's strconv.Atoi: digits with an optional sign, within int64 ("1e3", "0x10", " 5" and "1.0" are syntax errors).
 * Past 2^53 a JavaScript number would no longer hold the value: refused as out of range too.
 */
export function atoi(v: string): number {
  if (!/^[+-]?\d+$/.test(v)) throw new InvalidParameter(`strconv.Atoi: parsing ${JSON.stringify(v)}: invalid syntax`);
  const n = BigInt(v);
  if (n > INT64_MAX || n < -INT64_MAX - 1n || !Number.isSafeInteger(Number(n))) {
    throw new InvalidParameter(`strconv.Atoi: parsing ${JSON.stringify(v)}: value out of range`);
  }
  return Number(n);
}

/** "", "0", "no", "false" and "none" (any case, spaces trimmed) are false; anything else is true. */
export function goBool(v: string): boolean {
  return !['', '0', 'no', 'false', 'none'].includes(v.trim().toLowerCase());
}

/** `{"key":{"v":true}}`, or the older `{"key":["v"]}`; anything else is a 400. */
export function parseFilters(raw: string): Record<string, string[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (e) {
    throw new InvalidParameter(`invalid filter: ${(e as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InvalidParameter(`invalid filter: ${raw}`);
  }
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) out[k] = v;
    else if (isBoolMap(v)) out[k] = Object.keys(v).filter((x) => v[x]);
    else throw new InvalidParameter(`invalid filter: ${k}: ${JSON.stringify(v)}`);
  }
  return out;
}

function isBoolMap(v: unknown): v is Record<string, boolean> {
  return (
    typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'boolean')
  );
}
