// The messages between the layer store's thread and an apply worker (apply-pool.ts ⇄ apply-worker.ts), and how an
// error crosses between them with its kind (errdefs class, errno code) intact.
import {
  BerthError,
  Conflict,
  InvalidParameter,
  NotFound,
  NotImplemented,
  System,
  Unauthorized,
  Unavailable,
} from '../../errdefs/index.js';
import { LibcError } from '../../sys/ffi-libc.js';
import type { WhiteoutMode } from './apply.js';
import type { RecordedApplyResult } from './apply-recorded.js';

export type ToWorker =
  /** With `path`, the worker reads the tar from that file itself, and no chunks follow. */
  | { type: 'start'; target: string; whiteoutMode: WhiteoutMode; recordTarSplit: boolean; path?: string }
  /** Tar bytes, in order (the buffer is transferred). */
  | { type: 'chunk'; data: Uint8Array }
  | { type: 'end' }
  /** The source failed: the apply stops (and reports an error) before the worker takes another job. */
  | { type: 'abort' };

/** `ack`: `bytes` of the chunks sent have been taken by the apply (flow control); then one `done` or `error`. */
export type FromWorker =
  | { type: 'ack'; bytes: number }
  | { type: 'done'; result: RecordedApplyResult }
  | { type: 'error'; error: WireError };

export interface WireError {
  name: string;
  message: string;
  code?: string;
  errno?: number;
  syscall?: string;
  path?: string;
}

export function toWire(e: unknown): WireError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e) };
  const out: WireError = { name: e.name, message: e.message };
  const x = e as Partial<Record<'code' | 'errno' | 'syscall' | 'path', unknown>>;
  if (typeof x.code === 'string') out.code = x.code;
  if (typeof x.errno === 'number') out.errno = x.errno;
  if (typeof x.syscall === 'string') out.syscall = x.syscall;
  if (typeof x.path === 'string') out.path = x.path;
  return out;
}

const KINDS: Record<string, new (message: string) => BerthError> = {
  BerthError,
  NotFound,
  InvalidParameter,
  Conflict,
  Unauthorized,
  Unavailable,
  NotImplemented,
  System,
};

export function fromWire(w: WireError): Error {
  if (w.name === 'LibcError' && w.syscall !== undefined && w.errno !== undefined && w.code !== undefined) {
    return new LibcError(w.syscall, w.path ?? '', w.errno, w.code);
  }
  const Kind = KINDS[w.name];
  if (Kind) return new Kind(w.message);
  // A Node system error (EEXIST, ENOSPC…): keep what errnoCode() and messages rely on.
  const e = Object.assign(new Error(w.message), w.code === undefined ? {} : { code: w.code });
  if (w.errno !== undefined) Object.assign(e, { errno: w.errno });
  if (w.syscall !== undefined) Object.assign(e, { syscall: w.syscall });
  if (w.path !== undefined) Object.assign(e, { path: w.path });
  return e;
}

/**
 * The chunks joined into a buffer of its own, which can be transferred to another thread: Buffer.concat may hand back
 * a slice of Node's shared pool for small sizes, and transferring that would detach the pool under other Buffers.
 */
export function transferableCopy(chunks: readonly Uint8Array[], length: number): Uint8Array<ArrayBuffer> {
  const data = new Uint8Array(length);
  let off = 0;
  for (const c of chunks) {
    data.set(c, off);
    off += c.byteLength;
  }
  return data;
}
