// The Go value model the engine works on: how a JS value maps onto a Go kind, what Go would name its type, and when
// it is "true". `undefined` is Go's invalid value (printed `<no value>`), `null` is nil.
//
// Objects: a JS Map, or a plain object none of whose properties is a function, is a Go map (a missing key is
// `<no value>`); any other object (a class instance, or an object with methods such as docker's format contexts) is a
// struct (a missing field is an error). Numbers: an integer-valued number is an int, any other a float64.

export type Kind = 'invalid' | 'nil' | 'bool' | 'int' | 'float' | 'string' | 'slice' | 'map' | 'struct' | 'func';

/** An integral number in int64's range counts as an int; anything else is a float64. */
const isInt = (n: number): boolean => Number.isInteger(n) && Math.abs(n) < 2 ** 63;

export function kindOf(v: unknown): Kind {
  switch (typeof v) {
    case 'undefined':
      return 'invalid';
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return isInt(v as number) ? 'int' : 'float';
    case 'string':
      return 'string';
    case 'function':
      return 'func';
    case 'symbol':
      return 'struct';
  }
  if (v === null) return 'nil';
  if (Array.isArray(v) || v instanceof Uint8Array) return 'slice';
  if (v instanceof Map) return 'map';
  return isPlainData(v as object) ? 'map' : 'struct';
}

function isPlainData(o: object): boolean {
  const proto = Object.getPrototypeOf(o);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const k of Object.keys(o)) if (typeof (o as Record<string, unknown>)[k] === 'function') return false;
  return true;
}

/** A struct's member `name` (own or inherited from a class, not from Object.prototype), if it has one. */
export function structMember(o: object, name: string): { found: boolean; value: unknown } {
  for (let p: object | null = o; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    if (Object.hasOwn(p, name)) return { found: true, value: (o as Record<string, unknown>)[name] };
  }
  return { found: false, value: undefined };
}

/** A struct's fields in declaration order: its own enumerable data properties (methods are not fields). */
export function structFields(o: object): [string, unknown][] {
  return Object.entries(o).filter(([, v]) => typeof v !== 'function');
}

/** A map's entries, sorted by key as Go's fmt and text/template (internal/fmtsort) order them. */
export function mapEntries(m: unknown): [unknown, unknown][] {
  const entries: [unknown, unknown][] = m instanceof Map ? [...m.entries()] : Object.entries(m as object);
  return entries.sort((a, b) => compareKeys(a[0], b[0]));
}

export function mapLength(m: unknown): number {
  return m instanceof Map ? m.size : Object.keys(m as object).length;
}

/** The value stored under `key` in a Go map, or undefined when absent. */
export function mapGet(m: unknown, key: unknown): { found: boolean; value: unknown } {
  if (m instanceof Map) return { found: m.has(key), value: m.get(key) };
  const o = m as Record<string, unknown>;
  if (typeof key === 'string' && Object.hasOwn(o, key)) return { found: true, value: o[key] };
  return { found: false, value: undefined };
}

function compareKeys(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) {
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return 0;
}

/** Go's string order: by UTF-8 bytes. */
export function compareStrings(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** The name Go would print for the value's type (`%T`, error messages). */
export function typeName(v: unknown): string {
  switch (kindOf(v)) {
    case 'invalid':
    case 'nil':
      return '<nil>';
    case 'bool':
      return 'bool';
    case 'int':
      return typeof v === 'bigint' ? 'int64' : 'int';
    case 'float':
      return 'float64';
    case 'string':
      return 'string';
    case 'func':
      return 'func()';
    case 'slice':
      return v instanceof Uint8Array ? '[]uint8' : `[]${elemTypeName(v as unknown[])}`;
    case 'map': {
      const entries = v instanceof Map ? [...v.entries()] : Object.entries(v as object);
      const key = v instanceof Map ? elemTypeName(entries.map((e) => e[0])) : 'string';
      return `map[${key}]${elemTypeName(entries.map((e) => e[1]))}`;
    }
    case 'struct':
      return structTypeName(v as object);
  }
}

/** A map's or slice's element type: the one type every element has, else interface {} (string when empty). */
export function elemTypeName(values: unknown[]): string {
  if (values.length === 0) return 'string';
  const first = typeName(values[0]);
  if (first === '<nil>') return 'interface {}';
  return values.every((x) => typeName(x) === first) ? first : 'interface {}';
}

function structTypeName(o: object): string {
  if (o instanceof Date) return 'time.Time';
  const tag = (o as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag];
  if (typeof tag === 'string') return tag;
  const ctor = (o as { constructor?: { name?: string } }).constructor;
  return ctor && ctor !== Object && ctor.name ? ctor.name : 'struct';
}

/** The zero value of a missing map entry: of a basic element type, else a nil interface (undefined). */
export function zeroValue(type: string): unknown {
  if (type === 'string') return '';
  if (type === 'int' || type === 'int64' || type === 'float64') return 0;
  if (type === 'bool') return false;
  return undefined;
}

/** Go's truth for `if`, `with`, `and`, `or`, `not`: not the zero value of its type. */
export function isTrue(v: unknown): boolean {
  switch (kindOf(v)) {
    case 'invalid':
    case 'nil':
      return false;
    case 'bool':
      return v as boolean;
    case 'int':
    case 'float':
      return typeof v === 'bigint' ? v !== 0n : v !== 0;
    case 'string':
      return (v as string).length > 0;
    case 'slice':
      return (v as unknown[]).length > 0;
    case 'map':
      return mapLength(v) > 0;
    case 'struct':
    case 'func':
      return true;
  }
}

/** Whether v is an integer (Go int) and its value as a JS number. */
export function intValue(v: unknown): number | undefined {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' && isInt(v)) return v;
  return undefined;
}
