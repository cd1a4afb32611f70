// Errors the client raises: a daemon's non-2xx answer as the errdefs kind its status means (keeping the status), and
// a daemon that cannot be reached, in the docker CLI's words.
import { STATUS_CODES } from 'node:http';
import {
  type BerthError,
  Conflict,
  Forbidden,
  InvalidParameter,
  NotFound,
  NotImplemented,
  System,
  Unauthorized,
  Unavailable,
  errnoCode,
} from '../errdefs/index.js';

/**
 * An error response from the daemon. `message` is the daemon's own text (from `{"message": …}` or the body); the
 * docker CLI prints it as `Error response from daemon: <message>`.
 */
export interface ApiError extends BerthError {
  readonly status: number;
}

export class ApiNotFound extends NotFound implements ApiError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
export class ApiConflict extends Conflict implements ApiError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
export class ApiInvalidParameter extends InvalidParameter implements ApiError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
export class ApiUnauthorized extends Unauthorized implements ApiError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
export class ApiNotImplemented extends NotImplemented implements ApiError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
export class ApiForbidden extends Forbidden implements ApiError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
export class ApiSystem extends System implements ApiError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const API_ERROR_CLASSES = [
  ApiNotFound,
  ApiConflict,
  ApiInvalidParameter,
  ApiUnauthorized,
  ApiNotImplemented,
  ApiForbidden,
  ApiSystem,
];

export function isApiError(e: unknown): e is ApiError {
  return API_ERROR_CLASSES.some((c) => e instanceof c);
}

/** The error kind for an HTTP status (404 NotFound, 409 Conflict, 400 InvalidParameter, 401, 403, 501, else System). */
export function apiError(status: number, message: string): ApiError {
  switch (status) {
    case 404:
      return new ApiNotFound(status, message);
    case 409:
      return new ApiConflict(status, message);
    case 400:
      return new ApiInvalidParameter(status, message);
    case 401:
      return new ApiUnauthorized(status, message);
    case 403:
      return new ApiForbidden(status, message);
    case 501:
      return new ApiNotImplemented(status, message);
    default:
      return new ApiSystem(status, message);
  }
}

/**
 * The error for a non-2xx response body, as moby's client reads it: the JSON `message` when there is one, else the
 * body text, else (HEAD requests, empty bodies) a note naming the status and route.
 */
export function errorFromResponse(status: number, body: Buffer, route: string): ApiError {
  const text = body.toString('utf8').trim();
  if (text === '') {
    return apiError(
      status,
      `request returned ${STATUS_CODES[status] ?? status} for API route and version ${route}, check if the server supports the requested API version`,
    );
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && 'message' in parsed && typeof parsed.message === 'string') {
      return apiError(status, parsed.message.trim());
    }
  } catch {
    // Not JSON: the body text is the message (old daemons, proxies).
  }
  return apiError(status, text);
}

/** The daemon's socket or port did not answer (refused, missing, unreachable). */
export class DaemonUnreachable extends Unavailable {
  override name = 'DaemonUnreachable';
  constructor(
    readonly host: string,
    cause: unknown,
  ) {
    super(unreachableMessage(host, cause), { cause });
  }
}

function unreachableMessage(host: string, cause: unknown): string {
  // The docker CLI's texts (moby client/errors.go, connhelper): permission problems are told apart.
  if (errnoCode(cause) === 'EACCES') {
    const detail = cause instanceof Error ? cause.message : String(cause);
    return `Got permission denied while trying to connect to the Docker daemon socket at ${host}: ${detail}`;
  }
  return `Cannot connect to the Docker daemon at ${host}. Is the docker daemon running?`;
}

const CONNECT_ERRNOS = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND']);

/** True for the errors of a failed connect (as opposed to one that broke later). */
export function isConnectFailure(e: unknown): boolean {
  const code = errnoCode(e);
  return code !== undefined && CONNECT_ERRNOS.has(code);
}

/** A JSON progress stream's `error`/`errorDetail` entry (pull, import, load). */
export class StreamError extends System {
  override name = 'StreamError';
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
  }
}
