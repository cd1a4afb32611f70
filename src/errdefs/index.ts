// Error kinds shared by every layer. server/httpstatus.ts maps them to HTTP status codes; CLIs map them to exit codes.

export class BerthError extends Error {
  override name = 'BerthError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class NotFound extends BerthError {
  override name = 'NotFound';
}
export class InvalidParameter extends BerthError {
  override name = 'InvalidParameter';
}
export class Conflict extends BerthError {
  override name = 'Conflict';
}
export class Unauthorized extends BerthError {
  override name = 'Unauthorized';
}
export class Unavailable extends BerthError {
  override name = 'Unavailable';
}
export class NotImplemented extends BerthError {
  override name = 'NotImplemented';
}
/** A request that is understood but refused (removing a predefined network): Docker's 403. */
export class Forbidden extends BerthError {
  override name = 'Forbidden';
}
/** A fault of the host or of berth itself (a syscall failed, a file is corrupt). */
export class System extends BerthError {
  override name = 'System';
}

export const isNotFound = (e: unknown): e is NotFound => e instanceof NotFound;
export const isInvalidParameter = (e: unknown): e is InvalidParameter => e instanceof InvalidParameter;
export const isConflict = (e: unknown): e is Conflict => e instanceof Conflict;
export const isUnauthorized = (e: unknown): e is Unauthorized => e instanceof Unauthorized;
export const isUnavailable = (e: unknown): e is Unavailable => e instanceof Unavailable;
export const isNotImplemented = (e: unknown): e is NotImplemented => e instanceof NotImplemented;
export const isForbidden = (e: unknown): e is Forbidden => e instanceof Forbidden;
export const isSystem = (e: unknown): e is System => e instanceof System;

/** The errno code of a Node system error (`ENOENT`), or undefined. */
export function errnoCode(e: unknown): string | undefined {
  if (typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string') return e.code;
  return undefined;
}
