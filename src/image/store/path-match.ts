// Go's `path.Match` shell patterns, which Docker's `reference=` filter uses (distribution's FamiliarMatch):
// `*` any run of non-'/' characters, `?` one non-'/' character, `[...]`/`[^...]` classes with ranges, `\` escapes.
import { InvalidParameter } from '../../errdefs/index.js';

const badPattern = () => new InvalidParameter('syntax error in pattern');
const escapeRe = (c: string) => `\\u{${c.codePointAt(0)!.toString(16)}}`;

/** Compiles a Go path.Match pattern; throws InvalidParameter "syntax error in pattern" as Go's ErrBadPattern. */
export function compilePathPattern(pattern: string): RegExp {
  const chars = Array.from(pattern);
  let re = '';
  let i = 0;
  // One escaped-or-plain character inside a class; '-' and ']' must be escaped at the start of a range end.
  const classChar = (): string => {
    let c = chars[i];
    if (c === undefined || c === '-' || c === ']') throw badPattern();
    if (c === '\\') {
      i++;
      c = chars[i];
      if (c === undefined) throw badPattern();
    }
    i++;
    return c;
  };
  while (i < chars.length) {
    const c = chars[i]!;
    if (c === '*') {
      re += '[^/]*';
      i++;
    } else if (c === '?') {
      re += '[^/]';
      i++;
    } else if (c === '\\') {
      const next = chars[i + 1];
      if (next === undefined) throw badPattern();
      re += escapeRe(next);
      i += 2;
    } else if (c === '[') {
      i++;
      let negate = false;
      if (chars[i] === '^') {
        negate = true;
        i++;
      }
      let body = '';
      let ranges = 0;
      while (chars[i] !== ']' || ranges === 0) {
        if (chars[i] === undefined) throw badPattern();
        const lo = classChar();
        let hi = lo;
        if (chars[i] === '-') {
          i++;
          hi = classChar();
        }
        // Go accepts an inverted range (it just never matches); a JS class would reject it.
        body += lo <= hi ? `${escapeRe(lo)}-${escapeRe(hi)}` : '';
        ranges++;
      }
      i++; // the closing ']'
      re += body === '' ? (negate ? '[^]' : '[]') : `[${negate ? '^' : ''}${body}]`;
    } else {
      re += escapeRe(c);
      i++;
    }
  }
  return new RegExp(`^${re}$`, 'u');
}

/** Go's `path.Match(pattern, name)`. */
export function pathMatch(pattern: string, name: string): boolean {
  return compilePathPattern(pattern).test(name);
}
