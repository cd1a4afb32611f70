// The template lexer: a port of Go's text/template/parse/lex.go state machine (delimiters `{{ }}`, trim markers,
// comments, and the tokens inside actions). It runs to the end (or the first error) up front.

import { quote, unicodeName } from './strconv.js';

export type ItemType =
  | 'error'
  | 'bool'
  | 'char'
  | 'charConstant'
  | 'complex'
  | 'assign'
  | 'declare'
  | 'eof'
  | 'field'
  | 'identifier'
  | 'leftDelim'
  | 'leftParen'
  | 'number'
  | 'pipe'
  | 'rawString'
  | 'rightDelim'
  | 'rightParen'
  | 'space'
  | 'string'
  | 'text'
  | 'variable'
  // keywords
  | 'block'
  | 'break'
  | 'continue'
  | 'dot'
  | 'define'
  | 'else'
  | 'end'
  | 'if'
  | 'nil'
  | 'range'
  | 'template'
  | 'with';

export interface Item {
  type: ItemType;
  /** Offset in the input (UTF-16 units). */
  pos: number;
  val: string;
  /** 1-based line of the item's start. */
  line: number;
}

const KEYWORDS: ReadonlySet<string> = new Set([
  'block',
  'break',
  'continue',
  'define',
  'else',
  'end',
  'if',
  'nil',
  'range',
  'template',
  'with',
]);

/** An item as Go's parser names it in error messages. */
export function itemString(i: Item): string {
  if (i.type === 'eof') return 'EOF';
  if (i.type === 'error') return i.val;
  if (i.type === 'dot' || KEYWORDS.has(i.type)) return `<${i.val}>`;
  if (Buffer.byteLength(i.val) > 10)
    return `${quote(String.fromCodePoint(...[...i.val].slice(0, 10).map((c) => c.codePointAt(0)!)))}...`;
  return quote(i.val);
}

const LEFT = '{{';
const RIGHT = '}}';
const EOF = -1;

const isSpace = (r: number): boolean => r === 0x20 || r === 0x09 || r === 0x0d || r === 0x0a;
const ALNUM = /^[\p{L}\p{Nd}_]$/u;
const isAlphaNumeric = (r: number): boolean => r >= 0 && ALNUM.test(String.fromCodePoint(r));
const isSpaceChar = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const hasLeftTrimMarker = (s: string, i: number): boolean => s[i] === '-' && isSpaceChar(s[i + 1]);
const hasRightTrimMarker = (s: string, i: number): boolean => isSpaceChar(s[i]) && s[i + 1] === '-';

type State = (() => State) | null;

class Lexer {
  private pos = 0;
  private start = 0;
  private width = 0;
  private parenDepth = 0;
  readonly items: Item[] = [];
  private readonly lineStarts: number[] = [0];

  constructor(private readonly input: string) {
    for (let i = input.indexOf('\n'); i >= 0; i = input.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
  }

  run(): Item[] {
    let state: State = this.lexText;
    while (state) state = state.call(this);
    return this.items;
  }

  lineOf(pos: number): number {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  private next(): number {
    if (this.pos >= this.input.length) {
      this.width = 0;
      return EOF;
    }
    const r = this.input.codePointAt(this.pos)!;
    this.width = r > 0xffff ? 2 : 1;
    this.pos += this.width;
    return r;
  }

  private peek(): number {
    const r = this.next();
    this.backup();
    return r;
  }

  private backup(): void {
    this.pos -= this.width;
  }

  private emit(type: ItemType): void {
    this.items.push({
      type,
      pos: this.start,
      val: this.input.slice(this.start, this.pos),
      line: this.lineOf(this.start),
    });
    this.start = this.pos;
  }

  private ignore(): void {
    this.start = this.pos;
  }

  private accept(valid: string): boolean {
    const r = this.next();
    if (r !== EOF && valid.includes(String.fromCodePoint(r))) return true;
    this.backup();
    return false;
  }

  private acceptRun(valid: string): void {
    while (this.accept(valid));
  }

  private errorf(msg: string): State {
    this.items.push({ type: 'error', pos: this.start, val: msg, line: this.lineOf(this.start) });
    return null;
  }

  private atRightDelim(): { delim: boolean; trim: boolean } {
    if (hasRightTrimMarker(this.input, this.pos) && this.input.startsWith(RIGHT, this.pos + 2)) {
      return { delim: true, trim: true };
    }
    return { delim: this.input.startsWith(RIGHT, this.pos), trim: false };
  }

  private leftTrimLength(from: number): number {
    let i = from;
    while (isSpaceChar(this.input[i])) i++;
    return i - from;
  }

  private lexText(): State {
    this.width = 0;
    const x = this.input.indexOf(LEFT, this.pos);
    if (x >= 0) {
      let trim = 0;
      if (hasLeftTrimMarker(this.input, x + LEFT.length)) {
        let i = x;
        while (i > this.start && isSpaceChar(this.input[i - 1])) i--;
        trim = x - i;
      }
      this.pos = x - trim;
      if (this.pos > this.start) this.emit('text');
      this.pos = x;
      this.ignore();
      return this.lexLeftDelim;
    }
    this.pos = this.input.length;
    if (this.pos > this.start) this.emit('text');
    this.emit('eof');
    return null;
  }

  private lexLeftDelim(): State {
    this.pos += LEFT.length;
    const trim = hasLeftTrimMarker(this.input, this.pos);
    const afterMarker = trim ? 2 : 0;
    if (this.input.startsWith('/*', this.pos + afterMarker)) {
      this.pos += afterMarker;
      this.ignore();
      return this.lexComment;
    }
    this.emit('leftDelim');
    this.pos += afterMarker;
    this.ignore();
    this.parenDepth = 0;
    return this.lexInsideAction;
  }

  private lexComment(): State {
    this.pos += 2;
    const i = this.input.indexOf('*/', this.pos);
    if (i < 0) return this.errorf('unclosed comment');
    this.pos = i + 2;
    const { delim, trim } = this.atRightDelim();
    if (!delim) return this.errorf('comment ends before closing delimiter');
    if (trim) this.pos += 2;
    this.pos += RIGHT.length;
    if (trim) this.pos += this.leftTrimLength(this.pos);
    this.ignore();
    return this.lexText;
  }

  private lexRightDelim(): State {
    const trim = hasRightTrimMarker(this.input, this.pos);
    if (trim) {
      this.pos += 2;
      this.ignore();
    }
    this.pos += RIGHT.length;
    this.emit('rightDelim');
    if (trim) {
      this.pos += this.leftTrimLength(this.pos);
      this.ignore();
    }
    return this.lexText;
  }

  private lexInsideAction(): State {
    if (this.atRightDelim().delim) {
      if (this.parenDepth === 0) return this.lexRightDelim;
      return this.errorf('unclosed left paren');
    }
    const r = this.next();
    if (r === EOF) return this.errorf('unclosed action');
    if (isSpace(r)) {
      this.backup();
      return this.lexSpace;
    }
    const c = String.fromCodePoint(r);
    switch (c) {
      case '=':
        this.emit('assign');
        return this.lexInsideAction;
      case ':':
        if (this.next() !== 0x3d) return this.errorf('expected :=');
        this.emit('declare');
        return this.lexInsideAction;
      case '|':
        this.emit('pipe');
        return this.lexInsideAction;
      case '"':
        return this.lexQuote;
      case '`':
        return this.lexRawQuote;
      case '$':
        return this.lexVariable;
      case "'":
        return this.lexChar;
      case '.': {
        const n = this.input[this.pos];
        if (n !== undefined && (n < '0' || n > '9')) return this.lexField;
        this.backup();
        return this.lexNumber;
      }
      case '(':
        this.emit('leftParen');
        this.parenDepth++;
        return this.lexInsideAction;
      case ')':
        this.parenDepth--;
        if (this.parenDepth < 0) {
          this.start = this.pos;
          return this.errorf(`unexpected right paren ${unicodeName(r)}`);
        }
        this.emit('rightParen');
        return this.lexInsideAction;
    }
    if (c === '+' || c === '-' || (c >= '0' && c <= '9')) {
      this.backup();
      return this.lexNumber;
    }
    if (isAlphaNumeric(r)) {
      this.backup();
      return this.lexIdentifier;
    }
    if (r < 0x80 && r >= 0x20 && r !== 0x7f) {
      this.emit('char');
      return this.lexInsideAction;
    }
    return this.errorf(`unrecognized character in action: ${unicodeName(r)}`);
  }

  private lexSpace(): State {
    let numSpaces = 0;
    while (isSpace(this.peek())) {
      this.next();
      numSpaces++;
    }
    if (hasRightTrimMarker(this.input, this.pos - 1) && this.input.startsWith(RIGHT, this.pos + 1)) {
      this.backup();
      if (numSpaces === 1) return this.lexRightDelim;
    }
    this.emit('space');
    return this.lexInsideAction;
  }

  private lexIdentifier(): State {
    for (;;) {
      const r = this.next();
      if (isAlphaNumeric(r)) continue;
      this.backup();
      const word = this.input.slice(this.start, this.pos);
      if (!this.atTerminator()) return this.errorf(`bad character ${unicodeName(r)}`);
      if (KEYWORDS.has(word)) this.emit(word as ItemType);
      else if (word === 'true' || word === 'false') this.emit('bool');
      else this.emit('identifier');
      return this.lexInsideAction;
    }
  }

  private lexField(): State {
    return this.lexFieldOrVariable('field');
  }

  private lexVariable(): State {
    if (this.atTerminator()) {
      this.emit('variable');
      return this.lexInsideAction;
    }
    return this.lexFieldOrVariable('variable');
  }

  private lexFieldOrVariable(type: 'field' | 'variable'): State {
    if (this.atTerminator()) {
      this.emit(type === 'variable' ? 'variable' : 'dot');
      return this.lexInsideAction;
    }
    let r: number;
    for (;;) {
      r = this.next();
      if (!isAlphaNumeric(r)) {
        this.backup();
        break;
      }
    }
    if (!this.atTerminator()) return this.errorf(`bad character ${unicodeName(r)}`);
    this.emit(type);
    return this.lexInsideAction;
  }

  private atTerminator(): boolean {
    const r = this.peek();
    if (r === EOF || isSpace(r)) return true;
    return '.,|:()'.includes(String.fromCodePoint(r)) || String.fromCodePoint(r) === RIGHT[0];
  }

  private lexChar(): State {
    for (;;) {
      const r = this.next();
      if (r === 0x5c) {
        const e = this.next();
        if (e !== EOF && e !== 0x0a) continue;
        return this.errorf('unterminated character constant');
      }
      if (r === EOF || r === 0x0a) return this.errorf('unterminated character constant');
      if (r === 0x27) break;
    }
    this.emit('charConstant');
    return this.lexInsideAction;
  }

  private lexNumber(): State {
    if (!this.scanNumber()) return this.errorf(`bad number syntax: ${quote(this.input.slice(this.start, this.pos))}`);
    const sign = this.peek();
    if (sign === 0x2b || sign === 0x2d) {
      if (!this.scanNumber() || this.input[this.pos - 1] !== 'i') {
        return this.errorf(`bad number syntax: ${quote(this.input.slice(this.start, this.pos))}`);
      }
      this.emit('complex');
    } else {
      this.emit('number');
    }
    return this.lexInsideAction;
  }

  private scanNumber(): boolean {
    this.accept('+-');
    let digits = '0123456789_';
    if (this.accept('0')) {
      if (this.accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (this.accept('oO')) digits = '01234567_';
      else if (this.accept('bB')) digits = '01_';
    }
    this.acceptRun(digits);
    if (this.accept('.')) this.acceptRun(digits);
    if (digits.length === 11 && this.accept('eE')) {
      this.accept('+-');
      this.acceptRun('0123456789_');
    }
    if (digits.length === 23 && this.accept('pP')) {
      this.accept('+-');
      this.acceptRun('0123456789_');
    }
    this.accept('i');
    if (isAlphaNumeric(this.peek())) {
      this.next();
      return false;
    }
    return true;
  }

  private lexQuote(): State {
    for (;;) {
      const r = this.next();
      if (r === 0x5c) {
        const e = this.next();
        if (e !== EOF && e !== 0x0a) continue;
        return this.errorf('unterminated quoted string');
      }
      if (r === EOF || r === 0x0a) return this.errorf('unterminated quoted string');
      if (r === 0x22) break;
    }
    this.emit('string');
    return this.lexInsideAction;
  }

  private lexRawQuote(): State {
    for (;;) {
      const r = this.next();
      if (r === EOF) return this.errorf('unterminated raw quoted string');
      if (r === 0x60) break;
    }
    this.emit('rawString');
    return this.lexInsideAction;
  }
}

/** Every item of the input, ending with an `eof` or an `error` item. */
export function lex(input: string): Item[] {
  return new Lexer(input).run();
}
