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
 * Gathers small chunks into buffers of at least `size` bytes for another thread: one message per chunk costs more
 * than the copy. Each batch is a buffer of its own, so it can be transferred (Buffer.concat may hand back a slice of
 * Node's shared pool for small sizes, and transferring that would detach the pool under other Buffers).
 */
export class ChunkBatcher {
  private chunks: Uint8Array[] = [];
  private length = 0;

  constructor(private readonly size: number) {}

  /** Adds a chunk; returns a batch once `size` bytes are gathered. */
  add(chunk: Uint8Array): Uint8Array<ArrayBuffer> | undefined {
    this.chunks.push(chunk);
    this.length += chunk.byteLength;
    return this.length >= this.size ? this.take() : undefined;
  }

  /** What has been gathered so far, if anything. */
  take(): Uint8Array<ArrayBuffer> | undefined {
    if (this.length === 0) return undefined;
    const data = new Uint8Array(this.length);
    let off = 0;
    for (const c of this.chunks) {
      data.set(c, off);
      off += c.byteLength;
    }
    this.chunks = [];
    this.length = 0;
    return data;
  }
}
