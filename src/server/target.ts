// A request's target (the request line's second word) read defensively: WHATWG's URL parser throws on targets an HTTP
// client may still send (`//`, `http://[/_ping`), and decodeURIComponent on escapes a client may get wrong (`%zz`).
// Here a bad target is an InvalidParameter (a 400), as Go's net/http answers, never an exception out of the server.
import { InvalidParameter } from '../errdefs/index.js';

export interface RequestTarget {
  /** The decoded path, as Go's URL.Path: routing matches on it (gorilla/mux does so in dockerd). */
  path: string;
  query: URLSearchParams;
}

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
/** An absolute-form authority Go's url.Parse takes: a bracketed IPv6 literal, or a host without brackets. */
const AUTHORITY = /^(?:[^@/?#]*@)?(?:\[[0-9A-Fa-f:.]+(?:%25[^\]]*)?\]|[^[\]@/?#]*)(?::\d*)?$/;

/** Parses an origin-form (`/a/b?q`) or absolute-form (`http://host/a/b?q`) target. */
export function parseRequestTarget(raw: string): RequestTarget {
  let rest = raw;
  if (SCHEME.test(rest)) {
    const afterScheme = rest.indexOf('//') + 2;
    let end = rest.slice(afterScheme).search(/[/?#]/);
    end = end < 0 ? rest.length : afterScheme + end;
    const authority = rest.slice(afterScheme, end);
    const port = /:(\d*)$/.exec(authority)?.[1];
    if (!AUTHORITY.test(authority) || (port && Number(port) > 65535)) throw bad(raw);
    rest = rest.slice(end);
    if (rest === '' || rest.startsWith('?')) rest = `/${rest}`;
  }
  // `//x` is a network-path reference, not a path: URL parsers read `x` as a host.
  if (!rest.startsWith('/') || rest.startsWith('//')) throw bad(raw);
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  const rawPath = q < 0 ? rest : rest.slice(0, q);
  const rawQuery = q < 0 ? '' : rest.slice(q + 1);
  return { path: percentDecode(rawPath, false), query: parseQuery(rawQuery) };
}

/** Go's url.ParseQuery: `&`-separated `key=value` pairs, `+` a space, every `%` followed by two hex digits. */
export function parseQuery(raw: string): URLSearchParams {
  const query = new URLSearchParams();
  for (const pair of raw.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    const value = eq < 0 ? '' : pair.slice(eq + 1);
    query.append(percentDecode(key, true), percentDecode(value, true));
  }
  return query;
}

/**
 * Percent-decoding as Go's url.PathUnescape/QueryUnescape: a malformed escape is an error (Go's message); the bytes
 * are then read as UTF-8, an invalid sequence becoming U+FFFD rather than an exception.
 */
function percentDecode(s: string, plusIsSpace: boolean): string {
  if (!s.includes('%')) return plusIsSpace ? s.replaceAll('+', ' ') : s;
  const bytes: number[] = [];
  const text = Buffer.from(s, 'utf8');
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as number;
    if (c === 0x25) {
      const hex = text.subarray(i + 1, i + 3).toString('latin1');
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) {
        const shown = text.subarray(i, i + 3).toString('utf8');
        throw new InvalidParameter(`invalid URL escape "${shown}"`);
      }
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(plusIsSpace && c === 0x2b ? 0x20 : c);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function bad(raw: string): InvalidParameter {
  return new InvalidParameter(`malformed request target ${JSON.stringify(raw)}`);
}
