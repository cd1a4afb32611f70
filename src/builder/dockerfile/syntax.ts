// One logical Dockerfile line → a syntax node: the keyword, its `--flags`, and arguments split the way each
// instruction's line parser does in moby's parser (JSON or shell form, name=value lists, whitespace lists).
import { goQuote, isSpace } from './lex.js';

export interface SyntaxNode {
  /** Lower-case keyword as written (unknown ones too: they fail later, with their line). */
  cmd: string;
  original: string;
  flags: string[];
  args: string[];
  json: boolean;
  pairs?: [string, string][];
  /** ONBUILD's trigger. */
  sub?: SyntaxNode;
}

const reWhitespace = /[\t\v\f\r ]+/;
const NOT_STRING_ARRAY = 'when using JSON array syntax, arrays must be comprised of strings only';

/** Splits a line into its keyword, flags and the rest; then applies the keyword's argument rules. */
export function parseLine(line: string, escapeToken: string): SyntaxNode {
  const trimmed = line.trim();
  const m = reWhitespace.exec(trimmed);
  const cmd = (m ? trimmed.slice(0, m.index) : trimmed).toLowerCase();
  let flags: string[] = [];
  let rest = '';
  if (m) {
    const extracted = extractBuilderFlags(trimmed.slice(m.index + m[0].length));
    flags = extracted.flags;
    rest = extracted.rest.trim();
  }
  const node: SyntaxNode = { cmd, original: line, flags, args: [], json: false };
  switch (cmd) {
    case 'add':
    case 'copy':
    case 'volume':
      Object.assign(node, maybeJSONToList(rest));
      break;
    case 'cmd':
    case 'entrypoint':
    case 'run':
    case 'shell':
      Object.assign(node, maybeJSON(rest));
      break;
    case 'env':
      setPairs(node, nameVal(rest, 'ENV', escapeToken));
      break;
    case 'label':
      setPairs(node, nameVal(rest, 'LABEL', escapeToken));
      break;
    case 'arg':
      node.args = parseWords(rest, escapeToken);
      break;
    case 'expose':
    case 'from':
      node.args = whitespaceList(rest);
      break;
    case 'maintainer':
    case 'stopsignal':
    case 'user':
    case 'workdir':
      node.args = rest === '' ? [] : [rest];
      break;
    case 'healthcheck':
      Object.assign(node, healthConfig(rest));
      break;
    case 'onbuild':
      if (rest !== '') {
        node.sub = parseLine(rest, escapeToken);
        node.args = [node.sub.cmd, ...node.sub.args];
      }
      break;
    default:
      break; // unknown instruction: reported when instructions are built, with its line
  }
  return node;
}

function setPairs(node: SyntaxNode, pairs: [string, string][]): void {
  node.pairs = pairs;
  node.args = pairs.flat();
}

/** Leading `--name[=value]` words; quotes and backslashes inside them are processed. */
export function extractBuilderFlags(line: string): { rest: string; flags: string[] } {
  const words: string[] = [];
  let phase: 'spaces' | 'word' | 'quote' = 'spaces';
  let word = '';
  let quote = '';
  let blankOK = false;
  for (let pos = 0; pos <= line.length; pos++) {
    let ch = pos < line.length ? (line[pos] as string) : '';
    if (phase === 'spaces') {
      if (pos === line.length) break;
      if (isSpace(ch)) continue;
      if (ch !== '-' || pos + 1 === line.length || line[pos + 1] !== '-')
        return { rest: line.slice(pos), flags: words };
      phase = 'word';
    }
    if (pos === line.length) {
      if (word !== '--' && (blankOK || word.length > 0)) words.push(word);
      break;
    }
    if (phase === 'word') {
      if (isSpace(ch)) {
        phase = 'spaces';
        if (word === '--') return { rest: line.slice(pos), flags: words };
        if (blankOK || word.length > 0) words.push(word);
        word = '';
        blankOK = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
        phase = 'quote';
        continue;
      }
      if (ch === '\\') {
        if (pos + 1 === line.length) continue;
        pos++;
        ch = line[pos] as string;
      }
      word += ch;
      continue;
    }
    // in a quote
    if (ch === quote) {
      phase = 'word';
      continue;
    }
    if (ch === '\\') {
      if (pos + 1 === line.length) {
        phase = 'word';
        continue;
      }
      pos++;
      ch = line[pos] as string;
    }
    word += ch;
  }
  return { rest: '', flags: words };
}

/** Words separated by whitespace, quotes and escapes kept (they are processed at expansion). */
export function parseWords(rest: string, escapeToken: string): string[] {
  const chars = Array.from(rest);
  const words: string[] = [];
  let phase: 'spaces' | 'word' | 'quote' = 'spaces';
  let word = '';
  let quote = '';
  let blankOK = false;
  for (let pos = 0; pos <= chars.length; pos++) {
    let ch = pos < chars.length ? (chars[pos] as string) : '';
    if (phase === 'spaces') {
      if (pos === chars.length) break;
      if (isSpace(ch)) continue;
      phase = 'word';
    }
    if (pos === chars.length) {
      if (blankOK || word.length > 0) words.push(word);
      break;
    }
    if (phase === 'word') {
      if (isSpace(ch)) {
        phase = 'spaces';
        if (blankOK || word.length > 0) words.push(word);
        word = '';
        blankOK = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
        phase = 'quote';
      }
      if (ch === escapeToken) {
        if (pos + 1 === chars.length) continue; // an escape token at the end is dropped
        // Unquoted: keep the escape and the character it escapes, even a quote.
        word += ch;
        pos++;
        ch = chars[pos] as string;
      }
      word += ch;
      continue;
    }
    if (ch === quote) phase = 'word';
    // The escape token is special except inside single quotes.
    if (ch === escapeToken && quote !== "'") {
      if (pos + 1 === chars.length) {
        phase = 'word';
        continue;
      }
      pos++;
      word += ch;
      ch = chars[pos] as string;
    }
    word += ch;
  }
  return words;
}

/** ENV/LABEL: `name value…` (legacy, one pair) or `name=value …`. */
function nameVal(rest: string, key: string, escapeToken: string): [string, string][] {
  const words = parseWords(rest, escapeToken);
  const first = words[0];
  if (first === undefined) return [];
  if (!first.includes('=')) {
    const m = reWhitespace.exec(rest);
    if (!m) throw new Error(`${key} must have two arguments`);
    return [[rest.slice(0, m.index), rest.slice(m.index + m[0].length)]];
  }
  return words.map((word): [string, string] => {
    const i = word.indexOf('=');
    if (i < 0) throw new Error(`Syntax error - can't find = in ${goQuote(word)}. Must be of the form: name=value`);
    return [word.slice(0, i), word.slice(i + 1)];
  });
}

function whitespaceList(rest: string): string[] {
  return rest === '' ? [] : rest.split(reWhitespace);
}

/** A JSON array of strings at the start of `rest` (trailing text ignored, as Go's json.Decoder does), or undefined. */
function parseJSON(rest: string): string[] | undefined {
  const s = rest.replace(/^\s+/, '');
  if (!s.startsWith('[')) return undefined;
  const end = jsonValueEnd(s);
  if (end < 0) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(s.slice(0, end));
  } catch {
    return undefined;
  }
  if (!Array.isArray(value)) return undefined;
  if (!value.every((v): v is string => typeof v === 'string')) throw new Error(NOT_STRING_ARRAY);
  return value;
}

/** Index just past the bracketed value starting at 0, or -1 when it never closes. */
function jsonValueEnd(s: string): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '[' || ch === '{') depth++;
    else if (ch === ']' || ch === '}') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

function maybeJSON(rest: string): { args: string[]; json: boolean } {
  if (rest === '') return { args: [], json: false };
  const arr = parseJSON(rest);
  if (arr) return { args: arr, json: true };
  return { args: [rest], json: false };
}

function maybeJSONToList(rest: string): { args: string[]; json: boolean } {
  const arr = parseJSON(rest);
  if (arr) return { args: arr, json: true };
  return { args: whitespaceList(rest), json: false };
}

/** HEALTHCHECK: a type word, then a command in JSON or shell form. */
function healthConfig(rest: string): { args: string[]; json: boolean } {
  let sep = 0;
  while (sep < rest.length && !isSpace(rest[sep] as string)) sep++;
  let next = sep;
  while (next < rest.length && isSpace(rest[next] as string)) next++;
  if (sep === 0) return { args: [], json: false };
  const cmd = maybeJSON(rest.slice(next));
  return { args: [rest.slice(0, sep), ...cmd.args], json: cmd.json };
}
