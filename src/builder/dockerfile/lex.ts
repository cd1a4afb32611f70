// The shell-word lexer Dockerfile instructions use for variable substitution and word splitting: the semantics of
// moby's builder shell lexer (ProcessWord / ProcessWords), quotes and the escape token included.
import { InvalidParameter } from '../../errdefs/index.js';

export interface LexOptions {
  /** Keep quote characters in the output (heredoc delimiter detection). */
  rawQuotes?: boolean;
  /** Keep escape tokens in the output (heredoc delimiter detection). */
  rawEscapes?: boolean;
  /** Leave references to unset variables as written instead of replacing them with ''. */
  skipUnset?: boolean;
  /** Treat quotes as ordinary characters (heredoc bodies). */
  skipQuotes?: boolean;
}

const EOF = '';

/** Go's unicode.IsSpace. */
export function isSpace(ch: string): boolean {
  return /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/.test(ch);
}
const isLetterOrDigit = (ch: string): boolean => /^[\p{L}\p{Nd}]$/u.test(ch);
const isDigit = (ch: string): boolean => /^\p{Nd}$/u.test(ch);
// POSIX special parameters: never set in a Dockerfile, so they expand to ''.
const isSpecialParam = (ch: string): boolean => '@*#?-$!0'.includes(ch) && ch.length === 1;

/** Accumulates the words of ProcessWords: unquoted whitespace that came from the source or a variable splits. */
class Words {
  word = '';
  words: string[] = [];
  inWord = false;
  addChar(ch: string): void {
    if (isSpace(ch) && this.inWord) {
      if (this.word.length !== 0) {
        this.words.push(this.word);
        this.word = '';
        this.inWord = false;
      }
    } else if (!isSpace(ch)) {
      this.addRawChar(ch);
    }
  }
  addRawChar(ch: string): void {
    this.word += ch;
    this.inWord = true;
  }
  addString(s: string): void {
    for (const ch of s) this.addChar(ch);
  }
  addRawString(s: string): void {
    this.word += s;
    this.inWord = true;
  }
  get(): string[] {
    if (this.word.length > 0) {
      this.words.push(this.word);
      this.word = '';
      this.inWord = false;
    }
    return this.words;
  }
}

class ShellWord {
  private pos = 0;
  private readonly chars: string[];
  constructor(
    source: string,
    private readonly env: ReadonlyMap<string, string>,
    private readonly escapeToken: string,
    private readonly opts: LexOptions,
  ) {
    this.chars = Array.from(source);
  }
  private peek(): string {
    return this.chars[this.pos] ?? EOF;
  }
  private next(): string {
    const ch = this.chars[this.pos] ?? EOF;
    if (ch !== EOF) this.pos++;
    return ch;
  }
  private getEnv(name: string): string | undefined {
    return this.env.get(name);
  }

  processStopOn(stop: string): { word: string; words: string[] } {
    let result = '';
    const words = new Words();
    while (this.peek() !== EOF) {
      const ch = this.peek();
      if (stop !== EOF && ch === stop) {
        this.next();
        return { word: result, words: words.get() };
      }
      let special: (() => string) | undefined;
      if (ch === '$') special = () => this.processDollar();
      else if (ch === '<') special = () => this.processPossibleHeredoc();
      else if (!this.opts.skipQuotes && ch === "'") special = () => this.processSingleQuote();
      else if (!this.opts.skipQuotes && ch === '"') special = () => this.processDoubleQuote();
      if (special) {
        const tmp = special();
        result += tmp;
        if (ch === '$') words.addString(tmp);
        else words.addRawString(tmp);
        continue;
      }
      let c = this.next();
      if (c === this.escapeToken) {
        if (this.opts.rawEscapes) {
          words.addRawChar(c);
          result += c;
        }
        // The escape token escapes the next character; at the very end it is dropped.
        c = this.next();
        if (c === EOF) break;
        words.addRawChar(c);
      } else {
        words.addChar(c);
      }
      result += c;
    }
    if (stop !== EOF) throw new Error(`unexpected end of statement while looking for matching ${stop}`);
    return { word: result, words: words.get() };
  }

  private processSingleQuote(): string {
    // Everything up to the next single quote is literal; a single quote cannot be escaped inside.
    let result = '';
    const open = this.next();
    if (this.opts.rawQuotes) result += open;
    for (;;) {
      const ch = this.next();
      if (ch === EOF) throw new Error('unexpected end of statement while looking for matching single-quote');
      if (ch === "'") {
        if (this.opts.rawQuotes) result += ch;
        return result;
      }
      result += ch;
    }
  }

  private processDoubleQuote(): string {
    // Literal except $ and the escape token, which escapes only ", $ and itself (as sh does).
    let result = '';
    const open = this.next();
    if (this.opts.rawQuotes) result += open;
    for (;;) {
      const p = this.peek();
      if (p === EOF) throw new Error('unexpected end of statement while looking for matching double-quote');
      if (p === '"') {
        const ch = this.next();
        if (this.opts.rawQuotes) result += ch;
        return result;
      }
      if (p === '$') {
        result += this.processDollar();
        continue;
      }
      let ch = this.next();
      if (ch === this.escapeToken) {
        const q = this.peek();
        if (q === EOF) continue;
        if (q === '"' || q === '$' || q === this.escapeToken) {
          if (this.opts.rawEscapes) result += ch;
          ch = this.next();
        }
      }
      result += ch;
    }
  }

  private processPossibleHeredoc(): string {
    // `<< EOF` stays one word so the heredoc detector sees the delimiter with its operator.
    this.next();
    if (this.peek() !== '<') return '<';
    this.next();
    let space = '';
    while (this.peek() === ' ' || this.peek() === '\t') space += this.next();
    return `<<${space}`;
  }

  private processDollar(): string {
    this.next();
    if (this.peek() !== '{') {
      const name = this.processName();
      if (name === '') return '$';
      const value = this.getEnv(name);
      if (value === undefined && this.opts.skipUnset) return `$${name}`;
      return value ?? '';
    }
    this.next();
    const first = this.peek();
    if (first === EOF) throw new Error("syntax error: missing '}'");
    if (first === '{' || first === '}' || first === ':') throw new Error('syntax error: bad substitution');
    const name = this.processName();
    const ch = this.next();
    const value = this.getEnv(name);
    const found = value !== undefined;
    if (ch === '}') {
      if (!found && this.opts.skipUnset) return `\${${name}}`;
      return value ?? '';
    }
    if (ch === '?' || ch === '-' || ch === '+') {
      // ${VAR?msg} (Docker 20.10) and ${VAR-x} / ${VAR+x} (newer BuildKit): test "unset" only, not "empty".
      const word = this.stopOnBrace();
      if (!found && this.opts.skipUnset) return `\${${name}${ch}${word}}`;
      if (ch === '-') return found ? (value ?? '') : word;
      if (ch === '+') return found ? word : '';
      if (!found) throw new Error(`${name}: ${word || 'is not allowed to be unset'}`);
      return value ?? '';
    }
    if (ch === ':') {
      const modifier = this.next();
      const word = this.stopOnBrace();
      if (!found && this.opts.skipUnset && (modifier === '+' || modifier === '-' || modifier === '?')) {
        return `\${${name}:${modifier}${word}}`;
      }
      const v = value ?? '';
      switch (modifier) {
        case '+':
          return v !== '' ? word : v;
        case '-':
          return v === '' ? word : v;
        case '?':
          if (!found) throw new Error(`${name}: ${word || 'is not allowed to be unset'}`);
          if (v === '') throw new Error(`${name}: ${word || 'is not allowed to be empty'}`);
          return v;
        default:
          throw new Error(`unsupported modifier (${modifier}) in substitution`);
      }
    }
    throw new Error("missing ':' in substitution");
  }

  private stopOnBrace(): string {
    try {
      return this.processStopOn('}').word;
    } catch (e) {
      if (this.peek() === EOF) throw new Error("syntax error: missing '}'");
      throw e;
    }
  }

  private processName(): string {
    let name = '';
    while (this.peek() !== EOF) {
      const ch = this.peek();
      if (name.length === 0 && isDigit(ch)) {
        // Positional parameters: all the digits make the name.
        while (this.peek() !== EOF && isDigit(this.peek())) name += this.next();
        return name;
      }
      if (name.length === 0 && isSpecialParam(ch)) return this.next();
      if (!isLetterOrDigit(ch) && ch !== '_') break;
      name += this.next();
    }
    return name;
  }
}

/** Runs the lexer; errors read as Docker's (`failed to process "…": …`). */
export function lex(
  source: string,
  env: ReadonlyMap<string, string>,
  escapeToken = '\\',
  opts: LexOptions = {},
): { word: string; words: string[] } {
  try {
    return new ShellWord(source, env, escapeToken, opts).processStopOn(EOF);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new InvalidParameter(`failed to process ${goQuote(source)}: ${msg}`);
  }
}

/** ProcessWord: substitute variables and remove quotes and escapes; whitespace is kept. */
export function expandWord(word: string, env: ReadonlyMap<string, string>, escapeToken = '\\'): string {
  return lex(word, env, escapeToken).word;
}

/** ProcessWords: as expandWord, then split on whitespace that is neither quoted nor escaped. */
export function expandWords(word: string, env: ReadonlyMap<string, string>, escapeToken = '\\'): string[] {
  return lex(word, env, escapeToken).words;
}

/** Go's %q for the strings that appear in Docker's messages (ASCII control characters escaped). */
export function goQuote(s: string): string {
  return JSON.stringify(s).replace(/\\u007f/g, '\\x7f');
}
