// strconv.FormatFloat for float64: shortest digits (what JS also finds) or exact decimal rounding half to even, laid
// out in Go's %e, %f, %g, %b and %x shapes.

/** A decimal: digits `d` without leading or trailing zeros, value = 0.d × 10^dp. */
interface Decimal {
  d: string;
  dp: number;
}

function bitsOf(x: number): { exp: number; mant: bigint } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  return { exp: Number((bits >> 52n) & 0x7ffn), mant: bits & ((1n << 52n) - 1n) };
}

function trimDecimal(s: string, dp: number): Decimal {
  let start = 0;
  while (start < s.length && s[start] === '0') start++;
  let end = s.length;
  while (end > start && s[end - 1] === '0') end--;
  if (start === end) return { d: '', dp: 0 };
  return { d: s.slice(start, end), dp: dp - start };
}

/** The exact decimal value of a finite, non-negative x. */
function exact(x: number): Decimal {
  if (x === 0) return { d: '', dp: 0 };
  const { exp, mant } = bitsOf(x);
  const m = exp === 0 ? mant : mant | (1n << 52n);
  const e = (exp === 0 ? 1 : exp) - 1075;
  if (e >= 0) {
    const s = (m << BigInt(e)).toString();
    return trimDecimal(s, s.length);
  }
  const s = (m * 5n ** BigInt(-e)).toString();
  return trimDecimal(s, s.length + e);
}

/** The shortest decimal that reads back as x (finite, non-negative). */
function shortest(x: number): Decimal {
  if (x === 0) return { d: '', dp: 0 };
  const [mant, exp] = x.toExponential().split('e') as [string, string];
  return trimDecimal(mant.replace('.', ''), Number(exp) + 1);
}

/** decimal.Round(nd): keep nd digits, rounding half to even. */
function round(a: Decimal, nd: number): Decimal {
  if (nd < 0 || nd >= a.d.length) return a;
  const c = a.d[nd]!;
  const up = c === '5' && nd + 1 === a.d.length ? nd > 0 && Number(a.d[nd - 1]) % 2 === 1 : c >= '5';
  if (!up) return trimDecimal(a.d.slice(0, nd), a.dp);
  let i = nd - 1;
  while (i >= 0 && a.d[i] === '9') i--;
  if (i < 0) return { d: '1', dp: a.dp + 1 };
  return { d: a.d.slice(0, i) + String(Number(a.d[i]) + 1), dp: a.dp };
}

function fmtE(neg: boolean, a: Decimal, prec: number, e: string): string {
  let s = neg ? '-' : '';
  s += a.d.length === 0 ? '0' : a.d[0];
  if (prec > 0) {
    s += '.';
    for (let i = 1; i <= prec; i++) s += a.d[i] ?? '0';
  }
  const exp = a.d.length === 0 ? 0 : a.dp - 1;
  const abs = Math.abs(exp);
  return `${s}${e}${exp < 0 ? '-' : '+'}${abs < 10 ? `0${abs}` : abs}`;
}

function fmtF(neg: boolean, a: Decimal, prec: number): string {
  let s = neg ? '-' : '';
  if (a.dp > 0) {
    s += a.d.slice(0, a.dp).padEnd(a.dp, '0');
  } else {
    s += '0';
  }
  if (prec > 0) {
    s += '.';
    for (let i = 1; i <= prec; i++) {
      const j = a.dp + i - 1;
      s += j >= 0 && j < a.d.length ? a.d[j] : '0';
    }
  }
  return s;
}

function fmtB(neg: boolean, x: number): string {
  const { exp, mant } = bitsOf(x);
  const m = exp === 0 ? mant : mant | (1n << 52n);
  const e = (exp === 0 ? 1 : exp) - 1075;
  return `${neg ? '-' : ''}${m}p${e >= 0 ? '+' : '-'}${Math.abs(e)}`;
}

/** strconv's %x: hexadecimal mantissa 1.hhh (rounded half to even to `prec` digits when prec >= 0), binary exponent. */
function fmtX(neg: boolean, x: number, prec: number, upper: boolean): string {
  const bits = bitsOf(x);
  let mant = bits.exp === 0 ? bits.mant : bits.mant | (1n << 52n);
  let exp = (bits.exp === 0 ? 1 : bits.exp) - 1023;
  if (mant === 0n) exp = 0;
  mant <<= 8n; // leading 1 at bit 60
  while (mant !== 0n && (mant & (1n << 60n)) === 0n) {
    mant <<= 1n;
    exp--;
  }
  if (prec >= 0 && prec < 15) {
    const shift = BigInt(prec * 4);
    const extra = (mant << shift) & ((1n << 60n) - 1n);
    mant >>= 60n - shift;
    if ((extra | (mant & 1n)) > 1n << 59n) mant++;
    mant <<= 60n - shift;
    if ((mant & (1n << 61n)) !== 0n) {
      mant >>= 1n;
      exp++;
    }
  }
  let s = `${neg ? '-' : ''}0x${(mant >> 60n) & 1n}`;
  mant = (mant << 4n) & ((1n << 64n) - 1n);
  const digit = (): string => {
    const d = ((mant >> 60n) & 15n).toString(16);
    mant = (mant << 4n) & ((1n << 64n) - 1n);
    return d;
  };
  if (prec < 0 && mant !== 0n) {
    s += '.';
    while (mant !== 0n) s += digit();
  } else if (prec > 0) {
    s += '.';
    for (let i = 0; i < prec; i++) s += digit();
  }
  const abs = Math.abs(exp);
  s += `p${exp < 0 ? '-' : '+'}${abs < 10 ? `0${abs}` : abs}`;
  return upper ? s.toUpperCase() : s;
}

/** strconv.FormatFloat(x, verb, prec, 64); prec < 0 means the shortest representation. */
export function formatFloat(x: number, verb: string, prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  const neg = x < 0 || Object.is(x, -0);
  if (!Number.isFinite(x)) return neg ? '-Inf' : '+Inf';
  const abs = Math.abs(x);
  if (verb === 'b') return fmtB(neg, abs);
  if (verb === 'x' || verb === 'X') return fmtX(neg, abs, prec, verb === 'X');
  const isShortest = prec < 0;
  let digs: Decimal;
  if (isShortest) {
    digs = shortest(abs);
    if (verb === 'e' || verb === 'E') prec = Math.max(digs.d.length - 1, 0);
    else if (verb === 'f') prec = Math.max(digs.d.length - digs.dp, 0);
    else prec = digs.d.length;
  } else {
    const ex = exact(abs);
    if (verb === 'e' || verb === 'E') digs = round(ex, prec + 1);
    else if (verb === 'f') digs = round(ex, ex.dp + prec);
    else {
      if (prec === 0) prec = 1;
      digs = round(ex, prec);
    }
  }
  if (verb === 'e' || verb === 'E') return fmtE(neg, digs, prec, verb);
  if (verb === 'f') return fmtF(neg, digs, prec);
  // %g, %G
  let eprec = prec;
  if (eprec > digs.d.length && digs.d.length >= digs.dp) eprec = digs.d.length;
  if (isShortest) eprec = 6;
  const exp = digs.dp - 1;
  if (exp < -4 || exp >= eprec) {
    if (prec > digs.d.length) prec = digs.d.length;
    return fmtE(neg, digs, prec - 1, verb === 'G' ? 'E' : 'e');
  }
  if (prec > digs.dp) prec = digs.d.length;
  return fmtF(neg, digs, Math.max(prec - digs.dp, 0));
}
