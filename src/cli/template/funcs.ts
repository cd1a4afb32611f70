// Go's text/template builtin functions (and, or, not, len, index, slice, print, printf, println, eq, ne, lt, le, gt,
// ge, html, js, urlquery, call), with Go's parameter types and error messages.

import { sprint, sprintf, sprintln } from './fmt.js';
import {
  compareStrings,
  elemTypeName,
  intValue,
  isTrue,
  kindOf,
  mapGet,
  mapLength,
  typeName,
  zeroValue,
} from './value.js';

/**
 * How an argument is converted, after Go's parameter types: `any` is interface{} (a missing value becomes nil),
 * `value` is reflect.Value (a missing value stays missing), `string`, `int` and `strings` ([]string) are checked.
 */
export type ParamType = 'any' | 'value' | 'string' | 'int' | 'strings';

/** A function with a Go signature: fixed parameters, then optionally a variadic one. */
export interface GoFunc {
  readonly params: readonly ParamType[];
  readonly variadic?: ParamType;
  // biome-ignore lint/suspicious/noExplicitAny: arguments are checked against `params` before the call
  readonly fn: (...args: any[]) => unknown;
}

/** A plain JS function: called with every argument as interface{}, no count check. */
export type JsFunc = (...args: unknown[]) => unknown;
export type Func = GoFunc | JsFunc;

export const isGoFunc = (f: Func): f is GoFunc => typeof f !== 'function';

// --- indexing ---

function indexArg(index: unknown, cap: number): number {
  if (index === undefined || index === null) throw new Error('cannot index slice/array with nil');
  const x = intValue(index);
  if (x === undefined) throw new Error(`cannot index slice/array with type ${typeName(index)}`);
  if (x < 0 || x > cap) throw new Error(`index out of range: ${x}`);
  return x;
}

function index(item: unknown, ...indexes: unknown[]): unknown {
  if (item === undefined || item === null) throw new Error('index of untyped nil');
  for (const idx of indexes) {
    if (item === undefined || item === null) throw new Error('index of nil pointer');
    switch (kindOf(item)) {
      case 'slice': {
        const a = item as ArrayLike<unknown>;
        const x = indexArg(idx, a.length);
        if (x === a.length) throw new Error('reflect: slice index out of range');
        item = a[x];
        break;
      }
      case 'string': {
        const b = Buffer.from(item as string);
        const x = indexArg(idx, b.length);
        if (x === b.length) throw new Error('reflect: string index out of range');
        item = b[x];
        break;
      }
      case 'map': {
        if (!(item instanceof Map)) {
          if (idx === undefined || idx === null) throw new Error('value is nil; should be of type string');
          if (typeof idx !== 'string') throw new Error(`value has type ${typeName(idx)}; should be string`);
        }
        const got = mapGet(item, idx);
        const values = item instanceof Map ? [...item.values()] : Object.values(item as object);
        item = got.found ? got.value : zeroValue(elemTypeName(values));
        break;
      }
      default:
        throw new Error(`can't index item of type ${typeName(item)}`);
    }
  }
  return item;
}

function slice(item: unknown, ...indexes: unknown[]): unknown {
  if (item === undefined || item === null) throw new Error('slice of untyped nil');
  if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`);
  const kind = kindOf(item);
  let cap: number;
  if (kind === 'string') {
    if (indexes.length === 3) throw new Error('cannot 3-index slice a string');
    cap = Buffer.byteLength(item as string);
  } else if (kind === 'slice') {
    cap = (item as ArrayLike<unknown>).length;
  } else {
    throw new Error(`can't slice item of type ${typeName(item)}`);
  }
  const idx = [0, cap, cap];
  indexes.forEach((x, i) => {
    idx[i] = indexArg(x, cap);
  });
  const [i, j, k] = idx as [number, number, number];
  if (i > j) throw new Error(`invalid slice index: ${i} > ${j}`);
  if (indexes.length === 3 && j > k) throw new Error(`invalid slice index: ${j} > ${k}`);
  if (kind === 'string')
    return Buffer.from(item as string)
      .subarray(i, j)
      .toString();
  return Array.prototype.slice.call(item, i, j);
}

function length(item: unknown): number {
  if (item === undefined) throw new Error('reflect: call of reflect.Value.Type on zero Value');
  if (item === null) throw new Error('len of nil pointer');
  switch (kindOf(item)) {
    case 'string':
      return Buffer.byteLength(item as string);
    case 'slice':
      return (item as ArrayLike<unknown>).length;
    case 'map':
      return mapLength(item);
    default:
      throw new Error(`len of type ${typeName(item)}`);
  }
}

// --- comparison ---

type BasicKind = 'bool' | 'number' | 'string' | undefined;

/** Go separates int from float64; JS numbers cannot be told apart, so both compare as numbers. */
function basicKind(v: unknown): BasicKind {
  switch (kindOf(v)) {
    case 'bool':
      return 'bool';
    case 'int':
    case 'float':
      return 'number';
    case 'string':
      return 'string';
    default:
      return undefined;
  }
}

function numCompare(a: number | bigint, b: number | bigint): number {
  if (typeof a === typeof b || !Number.isInteger(Number(a)) || !Number.isInteger(Number(b))) {
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

const isNilish = (v: unknown): boolean => v === undefined || v === null;

function eq(arg1: unknown, ...arg2: unknown[]): boolean {
  if (arg2.length === 0) throw new Error('missing argument for comparison');
  const k1 = basicKind(arg1);
  for (const arg of arg2) {
    const k2 = basicKind(arg);
    let truth = false;
    if (k1 !== k2) {
      if (!isNilish(arg1) && !isNilish(arg)) throw new Error('incompatible types for comparison');
    } else if (k1 === 'number') {
      truth = numCompare(arg1 as number, arg as number) === 0;
    } else if (k1 !== undefined) {
      truth = arg1 === arg;
    } else if (isNilish(arg1) || isNilish(arg)) {
      truth = isNilish(arg1) === isNilish(arg);
    } else {
      const k = kindOf(arg);
      if (k === 'slice' || k === 'map' || k === 'func')
        throw new Error(`non-comparable type ${sprint([arg])}: ${typeName(arg)}`);
      truth = arg1 === arg;
    }
    if (truth) return true;
  }
  return false;
}

function lt(arg1: unknown, arg2: unknown): boolean {
  const k1 = basicKind(arg1);
  if (k1 === undefined) throw new Error('invalid type for comparison');
  const k2 = basicKind(arg2);
  if (k2 === undefined) throw new Error('invalid type for comparison');
  if (k1 !== k2) throw new Error('incompatible types for comparison');
  if (k1 === 'bool') throw new Error('invalid type for comparison');
  if (k1 === 'number') return numCompare(arg1 as number, arg2 as number) < 0;
  return compareStrings(arg1 as string, arg2 as string) < 0;
}

const le = (a: unknown, b: unknown): boolean => lt(a, b) || eq(a, b);

// --- escaping ---

/** The text of the arguments, as fmt.Sprint but with missing values as `<no value>` (Go's evalArgs). */
function evalArgs(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args.map((a) => (a === undefined || a === null ? '<no value>' : a)));
}

const HTML: Record<string, string> = {
  '\0': '\uFFFD',
  '"': '&#34;',
  "'": '&#39;',
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
};

export function htmlEscape(s: string): string {
  return s.replace(/[\0"'&<>]/g, (c) => HTML[c]!);
}

const JS: Record<string, string> = {
  '\\': '\\\\',
  "'": "\\'",
  '"': '\\"',
  '<': '\\u003C',
  '>': '\\u003E',
  '&': '\\u0026',
  '=': '\\u003D',
};

export function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (JS[ch]) out += JS[ch];
    else if (cp < 0x20) out += `\\u00${cp.toString(16).toUpperCase().padStart(2, '0')}`;
    else if (cp < 0x80 || /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(ch)) out += ch;
    else out += `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return out;
}

/** url.QueryEscape. */
export function queryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

// --- call ---

function call(calleeName: string, fn: unknown, ...args: unknown[]): unknown {
  if (fn === undefined || fn === null) throw new Error('call of nil');
  if (typeof fn !== 'function') throw new Error(`non-function ${calleeName} of type ${typeName(fn)}`);
  return fn(...args.map((a) => (a === undefined ? null : a)));
}

const variadic = (first: ParamType[], rest: ParamType, fn: GoFunc['fn']): GoFunc => ({
  params: first,
  variadic: rest,
  fn,
});
const fixed = (params: ParamType[], fn: GoFunc['fn']): GoFunc => ({ params, fn });

/** Go's builtins. `and`, `or` and `call` are special-cased by the evaluator (short-circuit, callee name). */
export const BUILTINS: ReadonlyMap<string, GoFunc> = new Map<string, GoFunc>([
  ['and', variadic(['value'], 'value', () => undefined)],
  ['or', variadic(['value'], 'value', () => undefined)],
  ['call', variadic(['value'], 'value', call)],
  ['html', variadic([], 'any', (...a: unknown[]) => htmlEscape(evalArgs(a)))],
  ['index', variadic(['value'], 'value', index)],
  ['slice', variadic(['value'], 'value', slice)],
  ['js', variadic([], 'any', (...a: unknown[]) => jsEscape(evalArgs(a)))],
  ['len', fixed(['value'], length)],
  ['not', fixed(['value'], (a: unknown) => !isTrue(a))],
  ['print', variadic([], 'any', (...a: unknown[]) => sprint(a))],
  ['printf', variadic(['string'], 'any', (f: string, ...a: unknown[]) => sprintf(f, a))],
  ['println', variadic([], 'any', (...a: unknown[]) => sprintln(a))],
  ['urlquery', variadic([], 'any', (...a: unknown[]) => queryEscape(evalArgs(a)))],
  ['eq', variadic(['value'], 'value', eq)],
  ['ne', fixed(['value', 'value'], (a: unknown, b: unknown) => !eq(a, b))],
  ['lt', fixed(['value', 'value'], lt)],
  ['le', fixed(['value', 'value'], le)],
  ['gt', fixed(['value', 'value'], (a: unknown, b: unknown) => !le(a, b))],
  ['ge', fixed(['value', 'value'], (a: unknown, b: unknown) => !lt(a, b))],
]);
