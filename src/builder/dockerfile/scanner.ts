// Reads a Dockerfile's text into logical lines: parser directives at the top, comments dropped, continuation lines
// joined, here-document bodies collected; each logical line becomes a syntax node with its line range.
import { DockerfileParseError, messageOf } from './errors.js';
import { lex } from './lex.js';
import { parseLine, type SyntaxNode } from './syntax.js';
import type { Directives, Heredoc } from './types.js';

export interface ScannedNode extends SyntaxNode {
  startLine: number;
  heredocs: Heredoc[];
}

const reDirective = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;
const reHeredoc = /^(\d*)<<(-?)\s*([^<]*)$/;
const HEREDOC_KEYWORDS = new Set(['run', 'copy', 'add']);
const EMPTY_ENV: ReadonlyMap<string, string> = new Map();

class DirectiveState {
  escape: '\\' | '`' = '\\';
  syntax?: string;
  private done = false;
  private readonly seen = new Set<string>();
  continuation = continuationRegex('\\');

  /** Directives count only before anything else (an empty line, a comment or an instruction ends them). */
  check(line: string): void {
    if (this.done) return;
    const m = reDirective.exec(line);
    const key = m?.[1]?.toLowerCase();
    if (!m || (key !== 'escape' && key !== 'syntax')) {
      this.done = true;
      return;
    }
    if (this.seen.has(key)) throw new Error(`only one ${key} parser directive can be used`);
    this.seen.add(key);
    const value = m[2] as string;
    if (key === 'syntax') {
      this.syntax = value;
      return;
    }
    if (value !== '`' && value !== '\\') throw new Error(`invalid escape token '${value}' does not match \` or \\`);
    this.escape = value;
    this.continuation = continuationRegex(value);
  }
}

// The escape token as the last non-blank character continues the line, unless it is itself escaped.
function continuationRegex(token: string): RegExp {
  const e = `\\${token}`;
  return new RegExp(`([^${e}])${e}[ \\t]*$|^${e}[ \\t]*$`);
}

const trimNewline = (s: string): string => s.replace(/[\r\n]+$/, '');
const isComment = (s: string): boolean => s.trimStart().startsWith('#');

/** Lines with their endings kept (heredoc bodies need them). */
function splitLines(text: string): string[] {
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  return lines;
}

export function scan(text: string): { directives: Directives; nodes: ScannedNode[] } {
  const d = new DirectiveState();
  const lines = splitLines(text);
  const nodes: ScannedNode[] = [];
  let i = 0;
  let current = 0;
  const fail = (e: unknown, line: number): never => {
    throw new DockerfileParseError(messageOf(e), line);
  };
  const processLine = (raw: string, stripLeft: boolean): string => {
    let token = trimNewline(raw);
    if (stripLeft) token = token.trimStart();
    try {
      d.check(token);
    } catch (e) {
      fail(e, current + 1);
    }
    return isComment(token) ? '' : token;
  };
  while (i < lines.length) {
    let raw = lines[i++] as string;
    if (current === 0 && raw.startsWith('\ufeff')) raw = raw.slice(1);
    const first = processLine(raw, true);
    current++;
    const startLine = current;
    let [line, eol] = trimContinuation(first, d.continuation);
    if (eol && line === '') continue;
    while (!eol && i < lines.length) {
      const rawNext = lines[i++] as string;
      const next = processLine(rawNext, false);
      current++;
      if (isComment(rawNext)) continue;
      if (next.trimStart() === '') continue; // empty continuation lines are skipped (Docker warns)
      const [part, end] = trimContinuation(next, d.continuation);
      line += part;
      eol = end;
    }
    let syntax: SyntaxNode;
    try {
      syntax = parseLine(line, d.escape);
    } catch (e) {
      return fail(e, startLine);
    }
    const node: ScannedNode = { ...syntax, startLine, heredocs: [] };
    if (canContainHeredoc(node) && line.includes('<<')) {
      for (const doc of heredocsFromLine(line)) {
        let content = '';
        let terminated = false;
        while (i < lines.length) {
          const body = lines[i++] as string;
          current++;
          let candidate = trimNewline(body);
          if (doc.chomp) candidate = candidate.replace(/^\t+/, '');
          if (candidate === doc.name) {
            terminated = true;
            break;
          }
          content += body;
        }
        if (!terminated) fail(new Error('unterminated heredoc'), startLine);
        if (doc.chomp) content = content.replace(/^\t+/gm, '');
        node.heredocs.push({ ...doc, content });
      }
    }
    nodes.push(node);
  }
  if (nodes.length === 0) fail(new Error('file with no instructions'), current);
  return { directives: d.syntax === undefined ? { escape: d.escape } : { escape: d.escape, syntax: d.syntax }, nodes };
}

function trimContinuation(line: string, re: RegExp): [string, boolean] {
  if (re.test(line)) return [line.replace(re, '$1'), false];
  return [line, true];
}

function canContainHeredoc(node: SyntaxNode): boolean {
  const n = node.cmd === 'onbuild' && node.sub ? node.sub : node;
  return HEREDOC_KEYWORDS.has(n.cmd) && !n.json;
}

/** The here-documents a line opens, in order (`<<EOF`, `<<-EOF`, `<<"EOF"`, `3<<EOF`). */
export function heredocsFromLine(line: string): Omit<Heredoc, 'content'>[] {
  let words: string[];
  try {
    words = lex(line, EMPTY_ENV, '\\', { rawQuotes: true, rawEscapes: true, skipUnset: true }).words;
  } catch {
    return [];
  }
  const docs: Omit<Heredoc, 'content'>[] = [];
  for (const word of words) {
    const doc = parseHeredoc(word);
    if (doc) docs.push(doc);
  }
  return docs;
}

/** One word as a heredoc operator; the delimiter is unquoted, and any quote in it turns expansion off. */
export function parseHeredoc(word: string): Omit<Heredoc, 'content'> | undefined {
  const m = reHeredoc.exec(word);
  if (!m) return undefined;
  const rest = m[3] as string;
  if (rest === '') return undefined;
  const plain = lex(rest, EMPTY_ENV, '\\', { skipUnset: true }).words;
  if (plain.length !== 1) return undefined;
  const raw = lex(rest, EMPTY_ENV, '\\', { skipUnset: true, rawQuotes: true }).words;
  const name = plain[0] as string;
  const quotes = (s: string): number => (s.match(/['"]/g) ?? []).length;
  return { name, expand: quotes(name) === quotes(raw[0] ?? ''), chomp: m[2] === '-' };
}
