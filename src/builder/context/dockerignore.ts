// .dockerignore: the file's reading rules (docker's dockerignore.ReadAll) and the pattern semantics of
// moby/patternmatcher (`**`, `*`, `?`, `[...]`, `!` exceptions, a pattern matching a parent excludes its contents).
import { posix } from 'node:path';
import { InvalidParameter } from '../../errdefs/index.js';
import { compileGoPattern } from './glob.js';

/** Which paths the build context hides. */
export interface IgnoreMatcher {
  /** True when `relPath` (relative to the context root) is excluded. */
  matches(relPath: string): boolean;
  /** The patterns as given (cleaned; exceptions keep their '!'). */
  readonly patterns: string[];
}

/** Go's filepath.Clean of a relative or absolute path ('.' for an empty one). */
function clean(p: string): string {
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

/**
 * The patterns of a .dockerignore text: a BOM dropped, `#` comments (only at the very start of a line) and blank
 * lines skipped, surrounding spaces trimmed, each pattern cleaned and a leading '/' removed ('!' kept in front).
 */
export function parseDockerignore(text: string): string[] {
  const out: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (const line of lines) {
    if (line.startsWith('#')) continue;
    let pattern = line.trim();
    if (pattern === '') continue;
    const invert = pattern.startsWith('!');
    if (invert) pattern = pattern.slice(1).trim();
    if (pattern.length > 0) {
      pattern = clean(pattern);
      if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    }
    out.push(invert ? `!${pattern}` : pattern);
  }
  return out;
}

type MatchType = 'exact' | 'prefix' | 'suffix' | 'regexp';

interface Pattern {
  exclusion: boolean;
  cleaned: string;
  type: MatchType;
  re?: RegExp;
}

const SHOULD_ESCAPE = new Set([...'.+()|{}$']);
const literal = (ch: string) => (/[\^$\\.*+?()[\]{}|/]/.test(ch) ? `\\${ch}` : ch);

/** patternmatcher's compile: the pattern's match type and, for wildcard ones, a regexp. */
function compile(cleaned: string): Pattern & { exclusion: false } {
  const chars = [...cleaned];
  let re = '^';
  let type: MatchType = 'exact';
  let inClass = false; // a class's '^' and '-' reach the regexp as they are
  for (let i = 0; i < chars.length; i++) {
    const start = i;
    const ch = chars[i] as string;
    if (ch === '*') {
      if (chars[i + 1] === '*') {
        i++;
        if (chars[i + 1] === '/') i++; // `**/` is `**`
        if (i + 1 >= chars.length) {
          // `**` at the end matches everything below (as .gitignore)
          if (type === 'exact') type = 'prefix';
          else {
            re += '.*';
            type = 'regexp';
          }
        } else {
          re += '(.*/)?';
          type = 'regexp';
        }
        // A leading `**`: patternmatcher's suffix fast path (a later wildcard makes it a regexp again).
        if (start === 0) type = 'suffix';
      } else {
        re += '[^/]*';
        type = 'regexp';
      }
    } else if (ch === '?') {
      re += '[^/]';
      type = 'regexp';
    } else if (SHOULD_ESCAPE.has(ch)) {
      re += `\\${ch}`;
    } else if (ch === '\\') {
      // The next character is literal (a JS regexp with the u flag refuses escaping ordinary ones).
      if (i + 1 < chars.length) {
        re += literal(chars[++i] as string);
        type = 'regexp';
      } else re += '\\\\';
    } else if (ch === '[' || ch === ']') {
      inClass = ch === '[';
      re += ch;
      type = 'regexp';
    } else re += inClass && (ch === '^' || ch === '-') ? ch : literal(ch);
  }
  if (type !== 'regexp') return { exclusion: false, cleaned, type };
  try {
    return { exclusion: false, cleaned, type, re: new RegExp(`${re}$`, 'u') };
  } catch (e) {
    throw new InvalidParameter(`error compiling pattern ${cleaned}: ${(e as Error).message}`);
  }
}

function matchOne(p: Pattern, path: string): boolean {
  switch (p.type) {
    case 'exact':
      return path === p.cleaned;
    case 'prefix':
      return path.startsWith(p.cleaned.slice(0, -2));
    case 'suffix': {
      const suffix = p.cleaned.slice(2);
      if (path.endsWith(suffix)) return true;
      return suffix.startsWith('/') && path === suffix.slice(1);
    }
    case 'regexp':
      return (p.re as RegExp).test(path);
  }
}

/** A matcher over `patterns` (as parseDockerignore gives them). A malformed pattern is InvalidParameter. */
export function ignoreMatcher(patterns: string[]): IgnoreMatcher {
  const compiled: Pattern[] = [];
  for (const raw of patterns) {
    let p = raw.trim();
    if (p === '') continue;
    p = clean(p);
    let exclusion = false;
    if (p.startsWith('!')) {
      if (p.length === 1) throw new InvalidParameter('illegal exclusion pattern: "!"');
      exclusion = true;
      p = p.slice(1);
    }
    compileGoPattern(p); // Go checks the syntax with filepath.Match
    compiled.push({ ...compile(p), exclusion });
  }
  return {
    patterns: [...patterns],
    matches(relPath: string): boolean {
      const file = clean(relPath);
      const parent = posix.dirname(file);
      const parentDirs = parent.split('/');
      let matched = false;
      for (const p of compiled) {
        // An inclusion only matters once matched, an exclusion only before.
        if (p.exclusion !== matched) continue;
        let match = matchOne(p, file);
        if (!match && parent !== '.') {
          for (let i = 0; i < parentDirs.length && !match; i++) {
            match = matchOne(p, parentDirs.slice(0, i + 1).join('/'));
          }
        }
        if (match) matched = !p.exclusion;
      }
      return matched;
    },
  };
}

/**
 * Whether an excluded directory must still be walked because an exception pattern names something under it (the
 * docker CLI's rule when it packs the context: the directory itself is left out, the excepted entries are sent).
 */
export function hasExceptionsUnder(matcher: IgnoreMatcher, dirRel: string): boolean {
  const dirSlash = `${dirRel}/`;
  return matcher.patterns.some((raw) => {
    const p = clean(raw.trim());
    return p.startsWith('!') && `${p.slice(1)}/`.startsWith(dirSlash);
  });
}
