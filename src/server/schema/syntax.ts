// A JSON syntax error in the words of Go's encoding/json (what dockerd answers: "unexpected EOF", "invalid character
// 'x' looking for beginning of value"), from V8's JSON.parse message and the text it failed on.

/** What Go's scanner says it was doing when it met the character, by V8's description of the same fault. */
const CONTEXTS: [RegExp, string][] = [
  [/^Expected (double-quoted )?property name/, 'looking for beginning of object key string'],
  [/^Expected ':' after property name/, 'after object key'],
  [/^Expected ',' or '}' after property value/, 'after object key:value pair'],
  [/^Expected ',' or ']' after array element/, 'after array element'],
  [/^Bad control character in string literal/, 'in string literal'],
  [/^Unexpected non-whitespace character after JSON/, 'after top-level value'],
  [/^No number after minus sign|^Exponent part is missing|^Unterminated fractional number/, 'in numeric literal'],
];

export function goSyntaxError(text: string, e: Error): string {
  const message = e.message;
  const position = /at position (\d+)/.exec(message)?.[1];
  const token = /^Unexpected token '(.+?)', /su.exec(message)?.[1];
  const at = position !== undefined ? Number(position) : undefined;
  const rest = at === undefined ? '' : text.slice(at);
  const truncated =
    /^Unexpected end of JSON input|^Unterminated string/.test(message) || (at !== undefined && rest.trim() === '');
  if (truncated) return 'unexpected EOF';
  const char = token ?? String.fromCodePoint(rest.codePointAt(0) ?? 0);
  const context = CONTEXTS.find(([re]) => re.test(message))?.[1] ?? 'looking for beginning of value';
  return `invalid character ${quoteChar(char)} ${context}`;
}

/** Go's quoteChar: the character in single quotes, escaped as strconv.Quote escapes it. */
function quoteChar(c: string): string {
  if (c === "'") return `'\\''`;
  if (c === '"') return `'"'`;
  return `'${JSON.stringify(c).slice(1, -1)}'`;
}
