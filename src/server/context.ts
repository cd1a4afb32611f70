// One request as handlers see it: params, query, a size-limited JSON body reader, response helpers, and hijacking
// for attach/exec (an HTTP upgrade to a raw bidirectional stream, as Docker's hijack does).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { InvalidParameter } from '../errdefs/index.js';
import { HttpError } from './httpstatus.js';
import { atoi, goBool, parseFilters } from './query.js';
import { checkBody } from './schema/decode.js';
import type { GoSchema } from './schema/go-types.js';
import { goSyntaxError } from './schema/syntax.js';

const MAX_JSON_BODY = 16 * 1024 * 1024;

export interface RequestContext {
  req: IncomingMessage;
  /** Absent for an upgraded (hijackable) request. */
  res: ServerResponse | undefined;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The API version the client asked for (from the /v1.NN prefix), or the current one. */
  version: string;
  upgradeSocket?: Duplex;
  upgradeHead?: Buffer;
}

export async function readBody(req: IncomingMessage, limit = MAX_JSON_BODY): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > limit) throw new HttpError(413, 'request body too large');
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

/**
 * An upgrade request's body (exec start's JSON) comes after the headers on the connection, and Node hands it over in
 * `head` rather than through `req`: take Content-Length bytes from there (and the socket, if the body was split) and
 * leave only what follows as stream data, so it does not reach the process's stdin.
 */
async function readUpgradeBody(ctx: RequestContext): Promise<Buffer> {
  const sock = ctx.upgradeSocket as Duplex;
  const length = Number(ctx.req.headers['content-length'] ?? 0);
  if (!Number.isInteger(length) || length <= 0) return Buffer.alloc(0);
  if (length > MAX_JSON_BODY) throw new HttpError(413, 'request body too large');
  let buf = ctx.upgradeHead ?? Buffer.alloc(0);
  while (buf.length < length) {
    const chunk = await new Promise<Buffer>((resolve, reject) => {
      const onData = (d: Buffer) => {
        cleanup();
        sock.pause();
        resolve(d);
      };
      const onEnd = () => {
        cleanup();
        reject(new InvalidParameter('invalid JSON: request body truncated'));
      };
      const cleanup = () => {
        sock.off('data', onData);
        sock.off('end', onEnd);
        sock.off('error', onEnd);
      };
      sock.on('data', onData);
      sock.once('end', onEnd);
      sock.once('error', onEnd);
      sock.resume();
    });
    buf = Buffer.concat([buf, chunk]);
  }
  ctx.upgradeHead = buf.subarray(length);
  return buf.subarray(0, length);
}

/**
 * The JSON body, decoded and checked once against the endpoint's schema (Go's json.Unmarshal rules and words), or
 * `empty` when there is none.
 */
export async function jsonBody<T>(ctx: RequestContext, schema: GoSchema, empty?: T): Promise<T> {
  const buf = ctx.upgradeSocket && !ctx.res ? await readUpgradeBody(ctx) : await readBody(ctx.req);
  if (buf.length === 0) {
    if (empty !== undefined) return empty;
    throw new InvalidParameter('invalid JSON: request body is empty');
  }
  const type = ctx.req.headers['content-type'];
  if (type !== undefined && !type.startsWith('application/json') && empty === undefined) {
    throw new InvalidParameter(`unsupported Content-Type header (${type}): must be 'application/json'`);
  }
  const text = buf.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new InvalidParameter(goSyntaxError(text, e as Error));
  }
  return await checkBody<T>(schema, value, text);
}

/**
 * Reads a body the endpoint has no use for (an attach's options some SDKs send as JSON) and drops it, so that on a
 * hijacked connection only what follows the request becomes the container's stdin.
 */
export async function discardBody(ctx: RequestContext): Promise<void> {
  if (ctx.upgradeSocket && !ctx.res) await readUpgradeBody(ctx);
  else await readBody(ctx.req);
}

export function sendJson(ctx: RequestContext, status: number, value: unknown): void {
  const res = mustRes(ctx);
  // Go's json.Encoder ends each value with a newline; clients do not mind, some scripts do.
  const body = `${JSON.stringify(value)}\n`;
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

export function sendEmpty(ctx: RequestContext, status: number): void {
  const res = mustRes(ctx);
  res.writeHead(status);
  res.end();
}

export function mustRes(ctx: RequestContext): ServerResponse {
  if (!ctx.res) throw new HttpError(400, 'this endpoint does not take an upgrade');
  return ctx.res;
}

/**
 * Takes over the connection for a raw stream. With `Upgrade: tcp` this answers 101 (what every current client
 * sends); without it, 200 with the raw-stream type, then the socket is the handler's.
 */
export function hijack(ctx: RequestContext, contentType: string): Duplex {
  const header = (status: string, extra: string) =>
    `HTTP/1.1 ${status}\r\nContent-Type: ${contentType}\r\n${extra}\r\n`;
  if (ctx.upgradeSocket) {
    const sock = ctx.upgradeSocket;
    sock.write(header('101 UPGRADED', 'Connection: Upgrade\r\nUpgrade: tcp\r\n'));
    if (ctx.upgradeHead && ctx.upgradeHead.length > 0) sock.unshift(ctx.upgradeHead);
    return sock;
  }
  const res = mustRes(ctx);
  const sock = res.socket;
  if (!sock) throw new HttpError(500, 'connection already gone');
  res.detachSocket(sock);
  sock.write(header('200 OK', 'Connection: close\r\n'));
  return sock;
}

/** An integer query parameter, read as moby's routes read it (strconv.Atoi); absent or empty is the default. */
export function intParam(ctx: RequestContext, name: string, dflt?: number): number | undefined {
  const v = ctx.query.get(name);
  if (v === null || v === '') return dflt;
  return atoi(v);
}

/** A boolean query parameter (moby's httputils.BoolValue); absent is the default. */
export function boolParam(ctx: RequestContext, name: string, dflt = false): boolean {
  const v = ctx.query.get(name);
  return v === null ? dflt : goBool(v);
}

/** The `filters` parameter (moby's filters.FromJSON). */
export function filtersParam(ctx: RequestContext): Record<string, string[]> {
  const raw = ctx.query.get('filters');
  return raw ? parseFilters(raw) : {};
}
