// Go's filepath.Match syntax (`*`, `?`, `[...]`, `\` escapes) compiled to a RegExp, as COPY/ADD wildcards use it: `*`
// and `?` never match a '/', a pattern is matched against a whole relative path, a malformed one is an error.
import { InvalidParameter } from '../../errdefs/index.js';

/** Go's filepath.ErrBadPattern text. */
export const BAD_PATTERN = 'syntax error in pattern';

const esc = (cp: number) => `\\u{${cp.toString(16)}}`;

/** Whether `name` has an unescaped wildcard character (moby's containsWildcards). */
export function containsWildcards(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const ch = name[i];
    if (ch === '\\') i++;
    else if (ch === '*' || ch === '?' || ch === '[') return true;
  }
  return false;
}

/** The pattern as an anchored RegExp; InvalidParameter('syntax error in pattern') where Go's Match would fail. */
export function compileGoPattern(pattern: string): RegExp {
  const cps = [...pattern].map((c) => c.codePointAt(0) as number);
  let i = 0;
  let re = '^';
  /** One character of a class (getEsc): not '-' or ']' unescaped, and never the pattern's end. */
  const classChar = (): number => {
    let c = cps[i];
    if (c === undefined || c === 0x2d || c === 0x5d) throw new InvalidParameter(BAD_PATTERN);
    if (c === 0x5c) {
      i++;
      c = cps[i];
      if (c === undefined) throw new InvalidParameter(BAD_PATTERN);
    }
    i++;
    if (i >= cps.length) throw new InvalidParameter(BAD_PATTERN);
    return c;
  };
  while (i < cps.length) {
    const c = cps[i++] as number;
    if (c === 0x2a) re += '[^/]*';
    else if (c === 0x3f) re += '[^/]';
    else if (c === 0x5c) {
      const n = cps[i++];
      if (n === undefined) throw new InvalidParameter(BAD_PATTERN);
      re += esc(n);
    } else if (c === 0x5b) {
      let negated = false;
      if (cps[i] === 0x5e) {
        negated = true;
        i++;
      }
      let cls = '';
      let n = 0;
      for (;;) {
        if (cps[i] === 0x5d && n > 0) {
          i++;
          break;
        }
        const lo = classChar();
        let hi = lo;
        if (cps[i] === 0x2d) {
          i++;
          hi = classChar();
        }
        // Go accepts lo > hi (the range matches nothing); a JS class would not compile.
        if (lo <= hi) cls += lo === hi ? esc(lo) : `${esc(lo)}-${esc(hi)}`;
        n++;
      }
      re += negated ? `[^${cls}]` : `[${cls}]`;
    } else re += esc(c);
  }
  return new RegExp(`${re}$`, 'u');
}
