// The messages between the layer store's thread and a tar-split replay worker (replay-pool.ts ⇄ replay-worker.ts).
// Errors cross with their kind as apply's do (apply-protocol.ts).
import type { WireError } from './apply-protocol.js';

export type ToReplayWorker =
  /** Replay the record at `record` (tar-split.json.gz) with the contents of the layer's files under `root`. */
  | { type: 'start'; record: string; root: string }
  /** `bytes` of the chunks sent have been taken by the reader (flow control). */
  | { type: 'ack'; bytes: number };

/** `chunk`s of the tar, in order (the buffers are transferred); then one `done` (with the tar's sha256) or `error`. */
export type FromReplayWorker =
  | { type: 'chunk'; data: Uint8Array }
  | { type: 'done'; digest: string }
  | { type: 'error'; error: WireError };
