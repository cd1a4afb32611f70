// A registry's error answers (the distribution spec's `{"errors":[{"code","message","detail"}]}`) as errdefs with
// the texts Docker prints (`manifest unknown: manifest unknown`), the codes kept for callers that translate further,
// and Go's wording for a registry that cannot be reached.
import type { IncomingMessage } from 'node:http';
import {
  type BerthError,
  errnoCode,
  Forbidden,
  InvalidParameter,
  NotFound,
  System,
  Unauthorized,
} from '../errdefs/index.js';

export interface RegistryErrorBody {
  code: string;
  message: string;
}

const CODES = new WeakMap<object, RegistryErrorBody[]>();

/** The registry's error codes behind an error from this module (empty for other errors). */
export function registryErrors(e: unknown): RegistryErrorBody[] {
  return (e !== null && typeof e === 'object' && CODES.get(e)) || [];
}

/** `MANIFEST_UNKNOWN` → `manifest unknown` (errcode.ErrorCode's Error()). */
export const codeText = (code: string): string => code.toLowerCase().replaceAll('_', ' ');

/** errcode.Error's text: `<code>: <message>`. */
export const errorText = (e: RegistryErrorBody): string => `${codeText(e.code)}: ${e.message}`;

/** Reads at most `limit` bytes of a response (error bodies, manifests, tokens). */
export async function readBody(res: IncomingMessage, limit = 4 << 20): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of res as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > limit) {
      res.destroy();
      throw new InvalidParameter(`registry response larger than ${limit} bytes`);
    }
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

/** The errdefs for a failed response, consuming its body: status picks the kind, the body the text. */
export async function responseError(res: IncomingMessage): Promise<BerthError> {
  const status = res.statusCode ?? 0;
  const body = await readBody(res, 1 << 20).catch(() => Buffer.alloc(0));
  const errors = parseErrors(body);
  // A HEAD (or a terse registry) answers 401/403 without a body: distribution's client names the code itself.
  if (errors.length === 0 && status === 401) errors.push({ code: 'UNAUTHORIZED', message: 'authentication required' });
  if (errors.length === 0 && status === 403) {
    errors.push({ code: 'DENIED', message: 'requested access to the resource is denied' });
  }
  const text =
    errors.length === 0
      ? `received unexpected HTTP status: ${status} ${res.statusMessage ?? ''}`.trim()
      : errors.length === 1
        ? errorText(errors[0]!)
        : `errors:\n${errors.map(errorText).join('\n')}\n`;
  const err =
    status === 401
      ? new Unauthorized(text)
      : status === 403
        ? new Forbidden(text)
        : status === 404
          ? new NotFound(text)
          : status >= 400 && status < 500
            ? new InvalidParameter(text)
            : new System(text);
  CODES.set(err, errors);
  return err;
}

function parseErrors(body: Buffer): RegistryErrorBody[] {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { errors?: unknown; details?: unknown };
    if (!Array.isArray(parsed.errors)) return [];
    return parsed.errors.flatMap((e: unknown) => {
      const o = e as { code?: unknown; message?: unknown };
      if (typeof o?.code !== 'string') return [];
      return [{ code: o.code, message: typeof o.message === 'string' ? o.message : codeText(o.code) }];
    });
  } catch {
    return [];
  }
}

/** A connection-level failure in Go's words: `Get "http://h/v2/": dial tcp h: connect: connection refused`. */
export function connectError(method: string, url: string, e: unknown): System {
  const code = errnoCode(e);
  const host = new URL(url).host;
  const why =
    code === 'ECONNREFUSED'
      ? `dial tcp ${host}: connect: connection refused`
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? `dial tcp: lookup ${new URL(url).hostname}: no such host`
        : code === 'ETIMEDOUT'
          ? `dial tcp ${host}: i/o timeout`
          : (e as Error).message;
  return new System(`${method[0]}${method.slice(1).toLowerCase()} "${url}": ${why}`);
}
