// JSON as docker's `json` template function writes it: Go's encoding/json with HTML escaping off. Plain objects keep
// their key order (API payloads arrive in Go's order), Maps are sorted, and objects with methods (format contexts)
// marshal like docker's formatter.MarshalJSON: a sorted map of their exported zero-argument methods and fields.

import { compareStrings, kindOf, structMember } from './value.js';

/** Go's JSON string: `"` `\\` and control characters escaped, \b \f \n \r \t short, U+2028/U+2029 escaped. */
export function jsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp < 0x20 || cp === 0x2028 || cp === 0x2029) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else if (cp >= 0xd800 && cp <= 0xdfff) out += '\ufffd';
    else out += ch;
  }
  return `${out}"`;
}

function jsonNumber(n: number): string {
  if (!Number.isFinite(n))
    throw new Error(`json: unsupported value: ${n === Infinity ? '+Inf' : n === -Infinity ? '-Inf' : 'NaN'}`);
  return Object.is(n, -0) ? '-0' : JSON.stringify(n);
}

function jsonObject(entries: [string, unknown][]): string {
  const parts: string[] = [];
  for (const [k, v] of entries) {
    if (v === undefined || typeof v === 'function') continue;
    parts.push(`${jsonString(k)}:${marshal(v)}`);
  }
  return `{${parts.join(',')}}`;
}

const UNMARSHALLABLE = new Set(['FullHeader', 'MarshalJSON']);

function hasMethods(o: object): boolean {
  for (let p: object | null = o; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const k of Object.getOwnPropertyNames(p)) {
      if (k !== 'constructor' && typeof Object.getOwnPropertyDescriptor(p, k)?.value === 'function') return true;
    }
  }
  return false;
}

/** The members docker's MarshalJSON would write for a context: exported methods without arguments, and fields. */
function contextEntries(o: object): [string, unknown][] {
  const names = new Set<string>();
  for (let p: object | null = o; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const k of Object.getOwnPropertyNames(p)) if (/^\p{Lu}/u.test(k) && !UNMARSHALLABLE.has(k)) names.add(k);
  }
  const entries: [string, unknown][] = [];
  for (const k of [...names].sort(compareStrings)) {
    const v = structMember(o, k).value;
    if (typeof v === 'function') {
      if (v.length === 0) entries.push([k, v.call(o)]);
    } else {
      entries.push([k, v]);
    }
  }
  return entries;
}

/** encoding/json.Marshal of a template value (throws on NaN/Inf, as Go does). */
export function marshal(v: unknown): string {
  switch (kindOf(v)) {
    case 'invalid':
    case 'nil':
      return 'null';
    case 'bool':
      return v ? 'true' : 'false';
    case 'int':
    case 'float':
      return typeof v === 'bigint' ? v.toString() : jsonNumber(v as number);
    case 'string':
      return jsonString(v as string);
    case 'func':
      throw new Error('json: unsupported type: func()');
    case 'slice':
      if (v instanceof Uint8Array) return jsonString(Buffer.from(v).toString('base64'));
      return `[${(v as unknown[]).map((x) => (x === undefined ? 'null' : marshal(x))).join(',')}]`;
    case 'map':
      if (v instanceof Map) {
        const entries = [...v.entries()].map(([k, x]) => [String(k), x] as [string, unknown]);
        return jsonObject(entries.sort((a, b) => compareStrings(a[0], b[0])));
      }
      return jsonObject(Object.entries(v as object));
  }
  const o = v as object;
  if (o instanceof Date) return jsonString(o.toISOString().replace(/\.?0+Z$/, 'Z'));
  const custom = structMember(o, 'MarshalJSON').value;
  if (typeof custom === 'function') return String(custom.call(o));
  const toJSON = (o as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return marshal(toJSON.call(o));
  return jsonObject(hasMethods(o) ? contextEntries(o) : Object.entries(o));
}
