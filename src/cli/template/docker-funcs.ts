// The functions docker adds to every --format template (docker/cli templates/templates.go), and the replacements it
// uses when it renders a table header (HeaderFunctions), so that `{{upper .Name}}` still heads its column NAME.

import type { GoFunc } from './funcs.js';
import { marshal } from './json.js';

/** strings.Split: an empty separator splits after each UTF-8 sequence. */
function split(s: string, sep: string): string[] {
  return sep === '' ? Array.from(s) : s.split(sep);
}

function isSeparator(ch: string): boolean {
  const cp = ch.codePointAt(0)!;
  if (cp <= 0x7f) return !/[0-9a-zA-Z_]/.test(ch);
  if (/^[\p{L}\p{Nd}]$/u.test(ch)) return false;
  return /^\s$/u.test(ch);
}

/** strings.Title: upper-cases the first letter of each word (words split at anything but letters, digits, `_`). */
export function title(s: string): string {
  let prev = ' ';
  let out = '';
  for (const ch of s) {
    if (isSeparator(prev)) {
      const up = ch.toUpperCase();
      out += Array.from(up).length === 1 ? up : ch;
    } else {
      out += ch;
    }
    prev = ch;
  }
  return out;
}

function repeat(n: number): string {
  if (n < 0) throw new Error('strings: negative Repeat count');
  return ' '.repeat(n);
}

/** docker's padWithSpace: prefix and suffix spaces around a non-empty string. */
function pad(s: string, prefix: number, suffix: number): string {
  if (s === '') return s;
  return repeat(prefix) + s + repeat(suffix);
}

/**
 * docker's truncateWithLength keeps the first `length` bytes; this keeps at most that many bytes without splitting
 * a character (docker would leave a broken UTF-8 sequence).
 */
function truncate(s: string, length: number): string {
  const b = Buffer.from(s);
  if (b.length < length) return s;
  if (length < 0) throw new Error(`runtime error: slice bounds out of range [:${length}]`);
  let cut = length;
  while (cut > 0 && cut < b.length && (b[cut]! & 0xc0) === 0x80) cut--;
  return b.subarray(0, cut).toString();
}

/** docker's json: encoding/json without HTML escaping; a value it cannot encode gives "" (docker ignores the error). */
function json(v: unknown): string {
  try {
    return marshal(v);
  } catch {
    return '';
  }
}

/** docker's basicFunctions. */
export const DOCKER_FUNCS: ReadonlyMap<string, GoFunc> = new Map<string, GoFunc>([
  ['json', { params: ['any'], fn: json }],
  ['split', { params: ['string', 'string'], fn: split }],
  ['join', { params: ['strings', 'string'], fn: (a: string[] | null, sep: string) => (a ?? []).join(sep) }],
  ['title', { params: ['string'], fn: title }],
  ['lower', { params: ['string'], fn: (s: string) => s.toLowerCase() }],
  ['upper', { params: ['string'], fn: (s: string) => s.toUpperCase() }],
  ['pad', { params: ['string', 'int', 'int'], fn: pad }],
  ['truncate', { params: ['string', 'int'], fn: truncate }],
]);

const first = (v: string): string => v;

/** docker's HeaderFunctions: leave the column title as it is (pad is kept, to stay aligned with the rows). */
export const HEADER_FUNCS: ReadonlyMap<string, GoFunc> = new Map<string, GoFunc>([
  ['json', { params: ['string'], fn: first }],
  ['split', { params: ['string', 'string'], fn: first }],
  ['join', { params: ['string', 'string'], fn: first }],
  ['title', { params: ['string'], fn: first }],
  ['lower', { params: ['string'], fn: first }],
  ['upper', { params: ['string'], fn: first }],
  ['truncate', { params: ['string', 'int'], fn: first }],
]);
