// The one place that turns errors into registry responses: the spec's status per code and its JSON error body,
// WWW-Authenticate for challenges, Range for an upload at the wrong offset.
import type { ServerResponse } from 'node:http';
import { isConflict, isInvalidParameter, isNotFound, isUnauthorized } from '../../errdefs/index.js';
import { AuthChallenge } from '../auth/index.js';
import { type ErrorCode, RegistryError } from '../errors.js';

const STATUS: Record<ErrorCode, number> = {
  BLOB_UNKNOWN: 404,
  BLOB_UPLOAD_INVALID: 400,
  BLOB_UPLOAD_UNKNOWN: 404,
  DIGEST_INVALID: 400,
  MANIFEST_BLOB_UNKNOWN: 400,
  MANIFEST_INVALID: 400,
  MANIFEST_UNKNOWN: 404,
  NAME_INVALID: 400,
  NAME_UNKNOWN: 404,
  SIZE_INVALID: 400,
  UNAUTHORIZED: 401,
  DENIED: 403,
  UNSUPPORTED: 405,
  TOOMANYREQUESTS: 429,
  RANGE_INVALID: 416,
  UNAVAILABLE: 503,
  UNKNOWN: 500,
};

export const API_VERSION_HEADER = 'Docker-Distribution-API-Version';

/** `0-<last byte>` as the spec's upload Range header (`0-0` for an empty upload). */
export const uploadRange = (size: number): string => `0-${Math.max(size - 1, 0)}`;

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string | number> = {}): void {
  res.writeHead(status, { 'Content-Length': 0, ...headers });
  res.end();
}

/** Writes `e` as the error response (if headers are still unsent; otherwise the connection is cut). */
export function sendError(res: ServerResponse, e: unknown, log: (line: string) => void, head = false): void {
  if (res.headersSent) {
    res.destroy(e instanceof Error ? e : undefined);
    return;
  }
  const headers: Record<string, string> = {};
  let status: number;
  let body: { code: string; message: string; detail?: unknown };
  if (e instanceof RegistryError) {
    status = STATUS[e.code];
    // Distribution answers a wrong upload offset with 416 and BLOB_UPLOAD_INVALID; the code list has no range code.
    const code = e.code === 'RANGE_INVALID' ? 'BLOB_UPLOAD_INVALID' : e.code;
    body = { code, message: e.message, ...(e.detail !== undefined ? { detail: e.detail } : {}) };
    if (e instanceof AuthChallenge) headers['WWW-Authenticate'] = e.challenge;
    if (e.code === 'RANGE_INVALID' && typeof e.detail === 'object' && e.detail !== null && 'size' in e.detail)
      headers.Range = uploadRange(Number(e.detail.size));
  } else if (isNotFound(e)) {
    [status, body] = [404, { code: 'NOT_FOUND', message: e.message }];
  } else if (isInvalidParameter(e)) {
    [status, body] = [400, { code: 'BAD_REQUEST', message: e.message }];
  } else if (isConflict(e)) {
    [status, body] = [409, { code: 'CONFLICT', message: e.message }];
  } else if (isUnauthorized(e)) {
    [status, body] = [401, { code: 'UNAUTHORIZED', message: e.message }];
  } else {
    log(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    [status, body] = [500, { code: 'UNKNOWN', message: 'unknown error' }];
  }
  if (head) sendEmpty(res, status, headers);
  else sendJson(res, status, { errors: [body] }, headers);
}
