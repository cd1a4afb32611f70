// Go's fmt for the values the engine handles: Sprint, Sprintln, Sprintf and the %v printing of actions, with Go's
// verbs, flags, width/precision (`*`, `[n]`) and error forms (`%!d(string=x)`, `%!s(MISSING)`, `%!(EXTRA ...)`).

import { formatFloat } from './fmtfloat.js';
import { canBackquote, isPrint, quote, quoteRune, runes } from './strconv.js';
import { intValue, kindOf, mapEntries, structFields, structMember, typeName } from './value.js';

interface Flags {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  plusV: boolean;
  sharpV: boolean;
  wid: number;
  widPresent: boolean;
  prec: number;
  precPresent: boolean;
}

const noFlags = (): Flags => ({
  plus: false,
  minus: false,
  sharp: false,
  space: false,
  zero: false,
  plusV: false,
  sharpV: false,
  wid: 0,
  widPresent: false,
  prec: 0,
  precPresent: false,
});

const LOWER = '0123456789abcdefx';
const UPPER = '0123456789ABCDEFX';

/** Go's time.Time String() in UTC: `2024-01-02 03:04:05.678 +0000 UTC`. */
export function goTimeString(d: Date): string {
  const iso = d.toISOString();
  const frac = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac ? `.${frac}` : ''} +0000 UTC`;
}

class Printer {
  buf = '';
  f: Flags = noFlags();
  private arg: unknown = undefined;
  private erroring = false;

  private pad(s: string): void {
    const n = runes(s).length;
    if (!this.f.widPresent || this.f.wid <= n) {
      this.buf += s;
      return;
    }
    const fill = (this.f.zero ? '0' : ' ').repeat(this.f.wid - n);
    this.buf += this.f.minus ? s + ' '.repeat(this.f.wid - n) : fill + s;
  }

  private writePadding(n: number): void {
    if (n > 0) this.buf += (this.f.zero ? '0' : ' ').repeat(n);
  }

  private padNoZero(s: string): void {
    const zero = this.f.zero;
    this.f.zero = false;
    this.pad(s);
    this.f.zero = zero;
  }

  private truncate(s: string): string {
    if (!this.f.precPresent) return s;
    const r = runes(s);
    return r.length > this.f.prec ? String.fromCodePoint(...r.slice(0, this.f.prec)) : s;
  }

  printArg(arg: unknown, verb: string): void {
    this.arg = arg;
    if (arg === undefined || arg === null) {
      if (verb === 'T' || verb === 'v') this.pad('<nil>');
      else this.badVerb(verb);
      return;
    }
    if (verb === 'T') {
      this.fmtS(typeName(arg));
      return;
    }
    switch (kindOf(arg)) {
      case 'bool':
        this.fmtBool(arg as boolean, verb);
        return;
      case 'int':
        this.fmtInteger(BigInt(arg as number | bigint), verb);
        return;
      case 'float':
        this.fmtFloat(arg as number, verb);
        return;
      case 'string':
        this.fmtString(arg as string, verb);
        return;
      default:
        if (!this.handleMethods(verb)) this.printValue(arg, verb, 0);
    }
  }

  /** Stringers and errors print through their String()/Error() for the string-ish verbs, as in Go. */
  private handleMethods(verb: string): boolean {
    if (this.erroring || this.f.sharpV) return false;
    if (verb !== 'v' && verb !== 's' && verb !== 'x' && verb !== 'X' && verb !== 'q') return false;
    const arg = this.arg;
    if (arg instanceof Date) {
      this.fmtString(goTimeString(arg), verb);
      return true;
    }
    if (arg instanceof Error) {
      this.fmtString(arg.message, verb);
      return true;
    }
    if (kindOf(arg) === 'struct') {
      const m = structMember(arg as object, 'String');
      if (typeof m.value === 'function' && m.value.length === 0) {
        this.fmtString(String(m.value.call(arg)), verb);
        return true;
      }
    }
    return false;
  }

  printValue(value: unknown, verb: string, depth: number): void {
    if (depth > 0 && value !== undefined && value !== null) {
      this.arg = value;
      if (this.handleMethods(verb)) return;
    }
    switch (kindOf(value)) {
      case 'invalid':
        if (depth === 0) this.buf += '<invalid reflect.Value>';
        else if (verb === 'v') this.buf += '<nil>';
        else this.badVerb(verb);
        return;
      case 'nil':
        this.buf += '<nil>';
        return;
      case 'bool':
        this.fmtBool(value as boolean, verb);
        return;
      case 'int':
        this.fmtInteger(BigInt(value as number | bigint), verb);
        return;
      case 'float':
        this.fmtFloat(value as number, verb);
        return;
      case 'string':
        this.fmtString(value as string, verb);
        return;
      case 'func':
        this.pad('0x0');
        return;
      case 'map': {
        this.buf += 'map[';
        mapEntries(value).forEach(([k, v], i) => {
          if (i > 0) this.buf += ' ';
          this.printValue(k, verb, depth + 1);
          this.buf += ':';
          this.printValue(v, verb, depth + 1);
        });
        this.buf += ']';
        return;
      }
      case 'struct': {
        this.buf += '{';
        structFields(value as object).forEach(([k, v], i) => {
          if (i > 0) this.buf += ' ';
          if (this.f.plusV) this.buf += `${k}:`;
          this.printValue(v, verb, depth + 1);
        });
        this.buf += '}';
        return;
      }
      case 'slice': {
        if (value instanceof Uint8Array && 'sqxX'.includes(verb)) {
          this.fmtString(Buffer.from(value).toString(), verb);
          return;
        }
        this.buf += '[';
        Array.from(value as ArrayLike<unknown>).forEach((v, i) => {
          if (i > 0) this.buf += ' ';
          this.printValue(v, verb, depth + 1);
        });
        this.buf += ']';
        return;
      }
    }
  }

  badVerb(verb: string): void {
    this.erroring = true;
    this.buf += `%!${verb}(`;
    if (this.arg !== undefined && this.arg !== null) {
      this.buf += `${typeName(this.arg)}=`;
      this.printArg(this.arg, 'v');
    } else {
      this.buf += '<nil>';
    }
    this.buf += ')';
    this.erroring = false;
  }

  private fmtBool(v: boolean, verb: string): void {
    if (verb === 't' || verb === 'v') this.pad(v ? 'true' : 'false');
    else this.badVerb(verb);
  }

  private fmtInteger(v: bigint, verb: string): void {
    switch (verb) {
      case 'v':
      case 'd':
        this.fmtInt(v, 10, verb, LOWER);
        return;
      case 'b':
        this.fmtInt(v, 2, verb, LOWER);
        return;
      case 'o':
      case 'O':
        this.fmtInt(v, 8, verb, LOWER);
        return;
      case 'x':
        this.fmtInt(v, 16, verb, LOWER);
        return;
      case 'X':
        this.fmtInt(v, 16, verb, UPPER);
        return;
      case 'c':
        this.pad(String.fromCodePoint(validRune(v)));
        return;
      case 'q':
        this.pad(quoteRune(validRune(v), this.f.plus));
        return;
      case 'U':
        this.fmtUnicode(v);
        return;
      case 'e':
      case 'E':
      case 'f':
      case 'F':
      case 'g':
      case 'G':
        // A JS number cannot tell float64 2.0 from int 2: let the float verbs format integral numbers too.
        this.fmtFloat(Number(v), verb);
        return;
      default:
        this.badVerb(verb);
    }
  }

  private fmtInt(v: bigint, base: number, verb: string, digits: string): void {
    const negative = v < 0n;
    const u = negative ? -v : v;
    let prec = 0;
    if (this.f.precPresent) {
      prec = this.f.prec;
      if (prec === 0 && u === 0n) {
        const zero = this.f.zero;
        this.f.zero = false;
        this.writePadding(this.f.wid);
        this.f.zero = zero;
        return;
      }
    } else if (this.f.zero && !this.f.minus && this.f.widPresent) {
      prec = this.f.wid;
      if (negative || this.f.plus || this.f.space) prec--;
    }
    let s = u.toString(base);
    if (digits === UPPER) s = s.toUpperCase();
    if (s.length < prec) s = s.padStart(prec, '0');
    if (this.f.sharp) {
      if (base === 2) s = `0b${s}`;
      else if (base === 8 && s[0] !== '0') s = `0${s}`;
      else if (base === 16) s = `0${digits[16]}${s}`;
    }
    if (verb === 'O') s = `0o${s}`;
    if (negative) s = `-${s}`;
    else if (this.f.plus) s = `+${s}`;
    else if (this.f.space) s = ` ${s}`;
    this.padNoZero(s);
  }

  private fmtUnicode(v: bigint): void {
    let s = (v < 0n ? BigInt.asUintN(64, v) : v).toString(16).toUpperCase();
    const prec = this.f.precPresent && this.f.prec > 4 ? this.f.prec : 4;
    s = `U+${s.padStart(prec, '0')}`;
    const cp = Number(v);
    if (this.f.sharp && v >= 0n && v <= 0x10ffffn && isPrint(cp)) s += ` '${String.fromCodePoint(cp)}'`;
    this.padNoZero(s);
  }

  private fmtFloat(v: number, verb: string): void {
    let prec: number;
    let fverb = verb;
    switch (verb) {
      case 'v':
        fverb = 'g';
        prec = -1;
        break;
      case 'b':
      case 'g':
      case 'G':
      case 'x':
      case 'X':
        prec = -1;
        break;
      case 'f':
      case 'F':
      case 'e':
      case 'E':
        fverb = verb === 'F' ? 'f' : verb;
        prec = 6;
        break;
      default:
        this.badVerb(verb);
        return;
    }
    if (this.f.precPresent) prec = this.f.prec;
    let num = formatFloat(v, fverb, prec);
    if (num[0] !== '-' && num[0] !== '+') num = `+${num}`;
    if (this.f.space && num[0] === '+' && !this.f.plus) num = ` ${num.slice(1)}`;
    if (num[1] === 'I' || num[1] === 'N') {
      if (num[1] === 'N' && !this.f.space && !this.f.plus) num = num.slice(1);
      this.padNoZero(num);
      return;
    }
    if (this.f.sharp && fverb !== 'b') num = sharpFloat(num, fverb, prec);
    if (this.f.plus || num[0] !== '+') {
      if (this.f.zero && !this.f.minus && this.f.widPresent && this.f.wid > num.length) {
        this.buf += num[0];
        this.writePadding(this.f.wid - num.length);
        this.buf += num.slice(1);
        return;
      }
      this.pad(num);
      return;
    }
    this.pad(num.slice(1));
  }

  private fmtString(s: string, verb: string): void {
    switch (verb) {
      case 'v':
        if (this.f.sharpV) this.fmtQ(s);
        else this.fmtS(s);
        return;
      case 's':
        this.fmtS(s);
        return;
      case 'x':
        this.fmtSx(s, LOWER);
        return;
      case 'X':
        this.fmtSx(s, UPPER);
        return;
      case 'q':
        this.fmtQ(s);
        return;
      default:
        this.badVerb(verb);
    }
  }

  private fmtS(s: string): void {
    this.pad(this.truncate(s));
  }

  private fmtQ(s: string): void {
    s = this.truncate(s);
    if (this.f.sharp && canBackquote(s)) this.pad(`\`${s}\``);
    else this.pad(quote(s, this.f.plus));
  }

  private fmtSx(s: string, digits: string): void {
    const b = Buffer.from(s);
    let length = b.length;
    if (this.f.precPresent && this.f.prec < length) length = this.f.prec;
    let width = 2 * length;
    if (width > 0) {
      if (this.f.space) {
        if (this.f.sharp) width *= 2;
        width += length - 1;
      } else if (this.f.sharp) {
        width += 2;
      }
    } else {
      if (this.f.widPresent) this.writePadding(this.f.wid);
      return;
    }
    if (this.f.widPresent && this.f.wid > width && !this.f.minus) this.writePadding(this.f.wid - width);
    let out = this.f.sharp ? `0${digits[16]}` : '';
    for (let i = 0; i < length; i++) {
      if (this.f.space && i > 0) {
        out += ' ';
        if (this.f.sharp) out += `0${digits[16]}`;
      }
      out += digits[b[i]! >> 4]! + digits[b[i]! & 0xf]!;
    }
    this.buf += out;
    if (this.f.widPresent && this.f.wid > width && this.f.minus) this.buf += ' '.repeat(this.f.wid - width);
  }
}

function validRune(v: bigint): number {
  if (v < 0n || v > 0x10ffffn) return 0xfffd;
  const n = Number(v);
  return n >= 0xd800 && n <= 0xdfff ? 0xfffd : n;
}

/** fmt's # flag on floats: keep a decimal point and, for %g/%v, trailing zeros up to the precision. */
function sharpFloat(num: string, verb: string, prec: number): string {
  let digits = 0;
  if (verb === 'v' || verb === 'g' || verb === 'G' || verb === 'x') digits = prec === -1 ? 6 : prec;
  let tail = '';
  let body = num;
  let hasPoint = false;
  let sawNonzero = false;
  for (let i = 1; i < body.length; i++) {
    const c = body[i]!;
    if (c === '.') {
      hasPoint = true;
    } else if (c === 'p' || c === 'P' || ((c === 'e' || c === 'E') && verb !== 'x' && verb !== 'X')) {
      tail = body.slice(i);
      body = body.slice(0, i);
      break;
    } else {
      if (c !== '0') sawNonzero = true;
      if (sawNonzero) digits--;
    }
  }
  if (!hasPoint) {
    if (body.length === 2 && body[1] === '0') digits--;
    body += '.';
  }
  while (digits > 0) {
    body += '0';
    digits--;
  }
  return body + tail;
}

/** fmt.Sprint: operands formatted with %v, a space between two operands when neither is a string. */
export function sprint(args: unknown[]): string {
  const p = new Printer();
  let prevString = false;
  args.forEach((arg, i) => {
    const isString = typeof arg === 'string';
    if (i > 0 && !isString && !prevString) p.buf += ' ';
    p.printArg(arg, 'v');
    prevString = isString;
  });
  return p.buf;
}

/** fmt.Sprintln: operands formatted with %v, always space-separated, then a newline. */
export function sprintln(args: unknown[]): string {
  const p = new Printer();
  args.forEach((arg, i) => {
    if (i > 0) p.buf += ' ';
    p.printArg(arg, 'v');
  });
  return `${p.buf}\n`;
}

const TOO_LARGE = 1e6;

function parseNum(s: string, i: number): { num: number; present: boolean; next: number } {
  let num = 0;
  let present = false;
  while (i < s.length && s[i]! >= '0' && s[i]! <= '9') {
    num = num * 10 + Number(s[i]);
    if (num > TOO_LARGE) return { num: 0, present: false, next: s.length };
    present = true;
    i++;
  }
  return { num, present, next: i };
}

/** fmt.Sprintf. */
export function sprintf(format: string, args: unknown[]): string {
  const p = new Printer();
  let argNum = 0;
  let afterIndex = false;
  let reordered = false;
  let goodArgNum = true;
  const end = format.length;

  // An explicit argument index `[n]` at i: moves argNum, and says whether one was found (Go's argNumber).
  const argNumber = (i: number): { next: number; found: boolean } => {
    if (i >= end || format[i] !== '[') return { next: i, found: false };
    reordered = true;
    const rest = format.slice(i);
    const close = rest.length < 3 ? -1 : rest.indexOf(']', 1);
    if (close < 0) {
      goodArgNum = false;
      return { next: i + 1, found: false };
    }
    const n = parseNum(rest.slice(0, close), 1);
    if (!n.present || n.next !== close) {
      goodArgNum = false;
      return { next: i + close + 1, found: false };
    }
    if (n.num - 1 >= 0 && n.num - 1 < args.length) argNum = n.num - 1;
    else goodArgNum = false;
    return { next: i + close + 1, found: true };
  };
  const intFromArg = (): { num: number; ok: boolean } => {
    if (argNum >= args.length) return { num: 0, ok: false };
    const n = intValue(args[argNum]);
    argNum++;
    if (n === undefined || Math.abs(n) > TOO_LARGE) return { num: 0, ok: false };
    return { num: n, ok: true };
  };

  for (let i = 0; i < end; ) {
    goodArgNum = true;
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      p.buf += format.slice(i);
      break;
    }
    p.buf += format.slice(i, pct);
    i = pct + 1;
    p.f = noFlags();
    flags: for (; i < end; i++) {
      switch (format[i]) {
        case '#':
          p.f.sharp = true;
          break;
        case '0':
          p.f.zero = !p.f.minus;
          break;
        case '+':
          p.f.plus = true;
          break;
        case '-':
          p.f.minus = true;
          p.f.zero = false;
          break;
        case ' ':
          p.f.space = true;
          break;
        default:
          break flags;
      }
    }
    ({ next: i, found: afterIndex } = argNumber(i));
    if (i < end && format[i] === '*') {
      i++;
      const w = intFromArg();
      p.f.wid = w.num;
      p.f.widPresent = w.ok;
      if (!w.ok) p.buf += '%!(BADWIDTH)';
      if (p.f.wid < 0) {
        p.f.wid = -p.f.wid;
        p.f.minus = true;
        p.f.zero = false;
      }
      afterIndex = false;
    } else {
      const n = parseNum(format, i);
      p.f.wid = n.num;
      p.f.widPresent = n.present;
      i = n.next;
      if (afterIndex && p.f.widPresent) goodArgNum = false;
    }
    if (i + 1 < end && format[i] === '.') {
      i++;
      if (afterIndex) goodArgNum = false;
      ({ next: i, found: afterIndex } = argNumber(i));
      if (i < end && format[i] === '*') {
        i++;
        const pr = intFromArg();
        p.f.prec = pr.num;
        p.f.precPresent = pr.ok;
        if (p.f.prec < 0) {
          p.f.prec = 0;
          p.f.precPresent = false;
        }
        if (!pr.ok) p.buf += '%!(BADPREC)';
        afterIndex = false;
      } else {
        const n = parseNum(format, i);
        p.f.prec = n.present ? n.num : 0;
        p.f.precPresent = true;
        i = n.next;
      }
    }
    if (!afterIndex) ({ next: i, found: afterIndex } = argNumber(i));
    if (i >= end) {
      p.buf += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;
    if (verb === '%') {
      p.buf += '%';
    } else if (!goodArgNum) {
      p.buf += `%!${verb}(BADINDEX)`;
    } else if (argNum >= args.length) {
      p.buf += `%!${verb}(MISSING)`;
    } else {
      if (verb === 'v') {
        p.f.sharpV = p.f.sharp;
        p.f.sharp = false;
        p.f.plusV = p.f.plus;
        p.f.plus = false;
      }
      p.printArg(args[argNum], verb);
      argNum++;
    }
  }
  if (!reordered && argNum < args.length) {
    p.f = noFlags();
    p.buf += '%!(EXTRA ';
    args.slice(argNum).forEach((arg, i) => {
      if (i > 0) p.buf += ', ';
      if (arg === undefined || arg === null) {
        p.buf += '<nil>';
      } else {
        p.buf += `${typeName(arg)}=`;
        p.printArg(arg, 'v');
      }
    });
    p.buf += ')';
  }
  return p.buf;
}
