// The parts of Go's strconv the engine needs: quoting (%q, error messages) and unquoting template literals.
import { NumError, parseFloat64 as goParseFloat, parseIntBig, parseUintBig } from '../args/strconv.js';

const PRINT = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
export function isPrint(cp: number): boolean {
  return cp >= 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) && PRINT.test(String.fromCodePoint(cp));
}

/** The code points of s, a lone surrogate counting as U+FFFD (what Go sees after UTF-8 encoding). */
export function runes(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    out.push(cp >= 0xd800 && cp <= 0xdfff ? 0xfffd : cp);
  }
  return out;
}

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

function escapeRune(cp: number, quote: number, asciiOnly: boolean): string {
  if (cp === quote || cp === 0x5c) return `\\${String.fromCodePoint(cp)}`;
  if (asciiOnly ? cp < 0x80 && isPrint(cp) : isPrint(cp)) return String.fromCodePoint(cp);
  switch (cp) {
    case 7:
      return '\\a';
    case 8:
      return '\\b';
    case 12:
      return '\\f';
    case 10:
      return '\\n';
    case 13:
      return '\\r';
    case 9:
      return '\\t';
    case 11:
      return '\\v';
  }
  if (cp < 0x20 || cp === 0x7f) return `\\x${hex(cp, 2)}`;
  if (cp < 0x10000) return `\\u${hex(cp, 4)}`;
  return `\\U${hex(cp, 8)}`;
}

/** strconv.Quote (or QuoteToASCII). */
export function quote(s: string, asciiOnly = false): string {
  let out = '"';
  for (const cp of runes(s)) out += escapeRune(cp, 0x22, asciiOnly);
  return `${out}"`;
}

/** strconv.QuoteRune (or QuoteRuneToASCII). */
export function quoteRune(cp: number, asciiOnly = false): string {
  const r = cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp < 0 ? 0xfffd : cp;
  return `'${escapeRune(r, 0x27, asciiOnly)}'`;
}

/** strconv.CanBackquote: a single line without control characters (tab allowed), backquotes or BOMs. */
export function canBackquote(s: string): boolean {
  for (const cp of runes(s)) {
    if (cp === 0xfffd || cp === 0xfeff || cp === 0x60) return false;
    if ((cp < 0x20 && cp !== 9) || cp === 0x7f) return false;
  }
  return true;
}

/** fmt's %#U: `U+00E9 'é'`. */
export function unicodeName(cp: number): string {
  const name = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return isPrint(cp) ? `${name} '${String.fromCodePoint(cp)}'` : name;
}

const SIMPLE: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 0x5c };

/**
 * strconv.UnquoteChar: decodes the first character or escape of s. `byte` is set when the escape names a byte
 * (\x, octal) rather than a code point. Throws `invalid syntax`.
 */
export function unquoteChar(s: string, quoteChar: string): { value: number; byte: boolean; tail: string } {
  const c = s[0];
  if (c === undefined || (c === quoteChar && (quoteChar === "'" || quoteChar === '"'))) throw syntaxError();
  if (c !== '\\') {
    const cp = s.codePointAt(0)!;
    return { value: cp, byte: false, tail: s.slice(cp > 0xffff ? 2 : 1) };
  }
  const e = s[1];
  if (e === undefined) throw syntaxError();
  if (e in SIMPLE) return { value: SIMPLE[e]!, byte: false, tail: s.slice(2) };
  if (e === 'x' || e === 'u' || e === 'U') {
    const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
    const digits = s.slice(2, 2 + n);
    if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(digits)) throw syntaxError();
    const v = Number.parseInt(digits, 16);
    if (e !== 'x' && (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))) throw syntaxError();
    return { value: v, byte: e === 'x', tail: s.slice(2 + n) };
  }
  if (e >= '0' && e <= '7') {
    const digits = s.slice(1, 4);
    if (!/^[0-7]{3}$/.test(digits)) throw syntaxError();
    const v = Number.parseInt(digits, 8);
    if (v > 255) throw syntaxError();
    return { value: v, byte: true, tail: s.slice(4) };
  }
  if (e === "'" || e === '"') {
    if (e !== quoteChar) throw syntaxError();
    return { value: e.charCodeAt(0), byte: false, tail: s.slice(2) };
  }
  throw syntaxError();
}

const syntaxError = (): Error => new Error('invalid syntax');

/** strconv.Unquote of a "..." or `...` literal. Bytes named by \x and octal escapes are decoded as UTF-8. */
export function unquote(lit: string): string {
  if (lit.length < 2) throw syntaxError();
  const q = lit[0];
  if (q !== lit[lit.length - 1]) throw syntaxError();
  let body = lit.slice(1, -1);
  if (q === '`') {
    if (body.includes('`')) throw syntaxError();
    return body.replaceAll('\r', '');
  }
  if (q !== '"' && q !== "'") throw syntaxError();
  const bytes: number[] = [];
  while (body.length > 0) {
    const { value, byte, tail } = unquoteChar(body, q);
    if (byte) bytes.push(value);
    else bytes.push(...Buffer.from(String.fromCodePoint(value)));
    body = tail;
    if (q === "'" && body.length > 0) throw syntaxError();
  }
  return Buffer.from(bytes).toString();
}

/** Go's underscoreOK: underscores only between digits (or after a base prefix). */
/** strconv.ParseInt(s, 0, 64) (or ParseUint when unsigned): base prefixes, legacy octal, underscores. */
export function parseInteger(s: string, unsigned = false): bigint | undefined {
  return orUndefined(() => (unsigned ? parseUintBig(s, 0) : parseIntBig(s, 0)));
}

/** strconv.ParseFloat(s, 64): decimal and hexadecimal (`0x1.8p3`) forms, underscores between digits. */
export function parseFloat64(s: string): number | undefined {
  return orUndefined(() => goParseFloat(s));
}

/** The template's lexer only asks whether a literal is a number: Go's error becomes "not one". */
function orUndefined<T>(parse: () => T): T | undefined {
  try {
    return parse();
  } catch (e) {
    if (e instanceof NumError) return undefined;
    throw e;
  }
}
