// The one place that maps error kinds to HTTP status codes (and the JSON error body Docker clients read).
import {
  isConflict,
  isForbidden,
  isInvalidParameter,
  isNotFound,
  isNotImplemented,
  isUnauthorized,
  isUnavailable,
} from '../errdefs/index.js';

export function statusOf(e: unknown): number {
  if (e instanceof HttpError) return e.status;
  if (isNotFound(e)) return 404;
  if (isInvalidParameter(e)) return 400;
  if (isConflict(e)) return 409;
  if (isUnauthorized(e)) return 401;
  if (isForbidden(e)) return 403;
  if (isNotImplemented(e)) return 501;
  if (isUnavailable(e)) return 503;
  return 500;
}

/** A status decided by the HTTP layer itself (a malformed request, an unknown route). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * What to answer when Node's HTTP parser refuses a request (its `clientError`): 431 for oversized headers and 408 for
 * a request that took too long, as Node itself would, else 400 (Go's net/http answers "400 Bad Request").
 */
export function clientErrorStatus(code: string | undefined): { status: number; text: string } {
  if (code === 'HPE_HEADER_OVERFLOW') return { status: 431, text: 'Request Header Fields Too Large' };
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return { status: 408, text: 'Request Timeout' };
  return { status: 400, text: 'Bad Request' };
}

export const HTTP_VERSION_NOT_SUPPORTED = 505;
export const PAYLOAD_TOO_LARGE = 413;
export const NOT_FOUND = 404;
export const BAD_REQUEST = 400;
export const NOT_MODIFIED = 304;
export const NO_CONTENT = 204;
export const CREATED = 201;
export const OK = 200;
export const SWITCHING_PROTOCOLS = 101;
