// The OCI distribution spec's error codes (and distribution's extras) as one error class the storage and auth code
// throw; http/respond.ts alone turns them into statuses and `{"errors":[...]}` bodies.
import { BerthError } from '../errdefs/index.js';

export type ErrorCode =
  | 'BLOB_UNKNOWN'
  | 'BLOB_UPLOAD_INVALID'
  | 'BLOB_UPLOAD_UNKNOWN'
  | 'DIGEST_INVALID'
  | 'MANIFEST_BLOB_UNKNOWN'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_UNKNOWN'
  | 'NAME_INVALID'
  | 'NAME_UNKNOWN'
  | 'SIZE_INVALID'
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'UNSUPPORTED'
  | 'TOOMANYREQUESTS'
  | 'RANGE_INVALID'
  | 'UNAVAILABLE'
  | 'UNKNOWN';

/** The spec's message for each code (distribution's texts). */
export const MESSAGES: Record<ErrorCode, string> = {
  BLOB_UNKNOWN: 'blob unknown to registry',
  BLOB_UPLOAD_INVALID: 'blob upload invalid',
  BLOB_UPLOAD_UNKNOWN: 'blob upload unknown to registry',
  DIGEST_INVALID: 'provided digest did not match uploaded content',
  MANIFEST_BLOB_UNKNOWN: 'blob unknown to registry',
  MANIFEST_INVALID: 'manifest invalid',
  MANIFEST_UNKNOWN: 'manifest unknown',
  NAME_INVALID: 'invalid repository name',
  NAME_UNKNOWN: 'repository name not known to registry',
  SIZE_INVALID: 'provided length did not match content length',
  UNAUTHORIZED: 'authentication required',
  DENIED: 'requested access to the resource is denied',
  UNSUPPORTED: 'The operation is unsupported.',
  TOOMANYREQUESTS: 'too many requests',
  RANGE_INVALID: 'invalid content range',
  UNAVAILABLE: 'service unavailable',
  UNKNOWN: 'unknown error',
};

export class RegistryError extends BerthError {
  override name = 'RegistryError';
  constructor(
    readonly code: ErrorCode,
    readonly detail?: unknown,
    message: string = MESSAGES[code],
  ) {
    super(message);
  }
}

export const isRegistryError = (e: unknown): e is RegistryError => e instanceof RegistryError;
