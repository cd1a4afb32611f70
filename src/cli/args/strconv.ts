// Go's strconv semantics (ParseInt/ParseUint/ParseFloat/ParseBool/Quote) with their exact error texts, because the
// docker CLI's flag errors embed them verbatim: `strconv.ParseInt: parsing "x": invalid syntax`.

/** A Go *strconv.NumError: `message` is the full Error() text, `reason` the bare cause. */
export class NumError extends Error {
  override name = 'NumError';
  constructor(
    readonly func: string,
    readonly input: string,
    readonly reason: 'invalid syntax' | 'value out of range' | 'invalid base' | 'invalid bit size',
  ) {
    super(`strconv.${func}: parsing ${quote(input)}: ${reason}`);
  }
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** strconv.Quote: a double-quoted Go string literal. */
export function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (PRINTABLE.test(ch)) out += ch;
    else if (c === 7) out += '\\a';
    else if (c === 8) out += '\\b';
    else if (c === 12) out += '\\f';
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c === 9) out += '\\t';
    else if (c === 11) out += '\\v';
    else if (c < 0x80) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c < 0x10000) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += `\\U${c.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

/** strconv.QuoteRune, as `%q` prints a byte or rune: `'x'`. */
export function quoteRune(ch: string): string {
  if (ch === "'") return "'\\''";
  if (ch === '"') return `'"'`;
  return `'${quote(ch).slice(1, -1)}'`;
}

// Go's underscoreOK: underscores may only separate digits (a base prefix counts as a digit).
function underscoreOK(s: string): boolean {
  let saw = '^';
  let i = 0;
  if (s.length >= 1 && (s[0] === '-' || s[0] === '+')) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && 'box'.includes(s[1]!.toLowerCase())) {
    i = 2;
    saw = '0';
    hex = s[1]!.toLowerCase() === 'x';
  }
  for (; i < s.length; i++) {
    const c = s[i]!;
    if ((c >= '0' && c <= '9') || (hex && /[a-fA-F]/.test(c))) {
      saw = '0';
      continue;
    }
    if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

function digitValue(c: string): number {
  const code = c.toLowerCase().charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 122) return code - 97 + 10;
  return 99;
}

/** strconv.ParseUint(s, base, bitSize) as a bigint. */
export function parseUintBig(s: string, base = 10, bitSize = 64, func = 'ParseUint'): bigint {
  if (s === '') throw new NumError(func, s, 'invalid syntax');
  const s0 = s;
  const base0 = base === 0;
  if (base0) {
    base = 10;
    if (s[0] === '0') {
      const p = s.length >= 3 ? s[1]!.toLowerCase() : '';
      if (p === 'b') {
        base = 2;
        s = s.slice(2);
      } else if (p === 'o') {
        base = 8;
        s = s.slice(2);
      } else if (p === 'x') {
        base = 16;
        s = s.slice(2);
      } else {
        base = 8;
        s = s.slice(1);
      }
    }
  }
  const max = (1n << BigInt(bitSize)) - 1n;
  let n = 0n;
  let underscores = false;
  let overflow = false;
  for (const c of s) {
    if (c === '_' && base0) {
      underscores = true;
      continue;
    }
    const d = digitValue(c);
    if (d >= base) throw new NumError(func, s0, 'invalid syntax');
    if (!overflow) {
      n = n * BigInt(base) + BigInt(d);
      if (n > max) overflow = true;
    }
  }
  if (underscores && !underscoreOK(s0)) throw new NumError(func, s0, 'invalid syntax');
  if (overflow) throw new NumError(func, s0, 'value out of range');
  return n;
}

/** strconv.ParseInt(s, base, bitSize) as a bigint. */
export function parseIntBig(s: string, base = 10, bitSize = 64, func = 'ParseInt'): bigint {
  if (s === '') throw new NumError(func, s, 'invalid syntax');
  let neg = false;
  let body = s;
  if (s[0] === '+' || s[0] === '-') {
    neg = s[0] === '-';
    body = s.slice(1);
  }
  let un: bigint;
  try {
    un = parseUintBig(body, base, bitSize, func);
  } catch (e) {
    if (e instanceof NumError) throw new NumError(func, s, e.reason);
    throw e;
  }
  const cutoff = 1n << BigInt(bitSize - 1);
  if (!neg && un >= cutoff) throw new NumError(func, s, 'value out of range');
  if (neg && un > cutoff) throw new NumError(func, s, 'value out of range');
  return neg ? -un : un;
}

/** strconv.ParseInt, as a number (exact up to 2^53). */
export const parseInt64 = (s: string, base = 10, bitSize = 64): number => Number(parseIntBig(s, base, bitSize));
/** strconv.ParseUint, as a number (exact up to 2^53). */
export const parseUint64 = (s: string, base = 10, bitSize = 64): number => Number(parseUintBig(s, base, bitSize));
/** strconv.Atoi (its errors say "Atoi"). */
export const atoi = (s: string): number => Number(parseIntBig(s, 10, 64, 'Atoi'));

/** strconv.ParseBool. */
export function parseBool(s: string): boolean {
  switch (s) {
    case '1':
    case 't':
    case 'T':
    case 'TRUE':
    case 'true':
    case 'True':
      return true;
    case '0':
    case 'f':
    case 'F':
    case 'FALSE':
    case 'false':
    case 'False':
      return false;
  }
  throw new NumError('ParseBool', s, 'invalid syntax');
}

const DEC_FLOAT = /^[+-]?(?:\d[\d_]*\.?[\d_]*|\.[\d_]+)(?:[eE][+-]?[\d_]+)?$/;
const HEX_FLOAT = /^[+-]?0[xX](?:[\da-fA-F_]+\.?[\da-fA-F_]*|\.[\da-fA-F_]+)[pP][+-]?[\d_]+$/;
const SPECIAL_FLOAT = /^[+-]?(?:inf|infinity|nan)$/i;

/** strconv.ParseFloat(s, 64). */
export function parseFloat64(s: string): number {
  if (SPECIAL_FLOAT.test(s)) {
    const l = s.toLowerCase();
    if (l.endsWith('nan')) {
      if (l !== 'nan') throw new NumError('ParseFloat', s, 'invalid syntax');
      return Number.NaN;
    }
    return l.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  let v: number;
  if (DEC_FLOAT.test(s)) {
    if (s.includes('_') && !underscoreOK(s)) throw new NumError('ParseFloat', s, 'invalid syntax');
    v = Number(s.replaceAll('_', ''));
  } else if (HEX_FLOAT.test(s)) {
    if (s.includes('_') && !underscoreOK(s)) throw new NumError('ParseFloat', s, 'invalid syntax');
    v = parseHexFloat(s.replaceAll('_', ''));
  } else {
    throw new NumError('ParseFloat', s, 'invalid syntax');
  }
  if (!Number.isFinite(v)) throw new NumError('ParseFloat', s, 'value out of range');
  return v;
}

function parseHexFloat(s: string): number {
  const neg = s[0] === '-';
  const body = s.replace(/^[+-]?0[xX]/, '');
  const [mant = '', exp = '0'] = body.split(/[pP]/);
  const [ip = '', fp = ''] = mant.split('.');
  const m = Number.parseInt(ip + fp || '0', 16);
  const v = m * 2 ** (Number(exp) - 4 * fp.length);
  return neg ? -v : v;
}
