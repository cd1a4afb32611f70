// Runs applyRecorded on a worker thread (apply-worker.ts), streaming the tar to it with bounded memory, and keeps a
// few idle workers for the next layers. Where the worker's script is not beside this module (a bundle that did not
// include it), the apply runs in-process as before.
import type { Worker } from 'node:worker_threads';
import { System } from '../../errdefs/index.js';
import { ChunkBatcher, type FromWorker, fromWire, type ToWorker } from './apply-protocol.js';
import { applyRecorded, type RecordedApplyOptions, type RecordedApplyResult } from './apply-recorded.js';
import type { LayerSource } from '../../archive/index.js';
import { FileSource } from './file-source.js';
import { WorkerPool } from './worker-pool.js';

/** Bytes sent to a worker and not yet taken by its apply: the most a job buffers in memory. */
const WINDOW = 8 << 20;
/** Source chunks are gathered into messages of about this size (each message costs a thread wake-up). */
const BATCH = 1 << 20;
const pool = new WorkerPool('apply-worker');

/**
 * applyRecorded(target, source, options) on a worker thread when one can be started, else in-process. The source is
 * read here and streamed to the worker; the result (or the error, with its kind) comes back whole. It settles only
 * once the worker has stopped writing into `target`.
 */
export async function applyOffThread(
  target: string,
  source: LayerSource,
  options: RecordedApplyOptions,
): Promise<RecordedApplyResult> {
  const url = await pool.available();
  if (url === undefined || options.fs !== undefined) return applyRecorded(target, source, options);
  const worker = pool.acquire(url);
  try {
    return await runJob(worker, target, source, options);
  } finally {
    pool.release(worker);
  }
}

async function runJob(
  worker: Worker,
  target: string,
  source: LayerSource,
  options: RecordedApplyOptions,
): Promise<RecordedApplyResult> {
  const post = (m: ToWorker, transfer?: ArrayBuffer[]) => worker.postMessage(m, transfer);
  let inFlight = 0;
  let settled = false;
  let wake: (() => void) | undefined;
  const poke = () => {
    wake?.();
    wake = undefined;
  };
  const result = new Promise<RecordedApplyResult>((resolve, reject) => {
    const done = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      settled = true;
      poke();
    };
    const onMessage = (m: FromWorker) => {
      if (m.type === 'ack') {
        inFlight -= m.bytes;
        poke();
        return;
      }
      done();
      if (m.type === 'done') resolve(withBuffers(m.result));
      else reject(fromWire(m.error));
    };
    const onError = (e: Error) => {
      pool.discard(worker);
      done();
      reject(new System(`layer apply worker failed: ${e.message}`, { cause: e }));
    };
    const onExit = (code: number) => {
      pool.discard(worker);
      done();
      reject(new System(`layer apply worker exited (code ${code})`));
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
  // The worker may fail while the source is still being read: handled below, never an unhandled rejection meanwhile
  // (that would end the daemon on a bad tar).
  result.catch(() => {});
  const start: Extract<ToWorker, { type: 'start' }> = {
    type: 'start',
    target,
    whiteoutMode: options.whiteoutMode,
    recordTarSplit: options.recordTarSplit === true,
  };
  if (source instanceof FileSource) {
    post({ ...start, path: source.path });
    return result;
  }
  post(start);

  let sourceError: unknown;
  try {
    const batcher = new ChunkBatcher(BATCH);
    const send = async (data: Uint8Array<ArrayBuffer>) => {
      inFlight += data.byteLength;
      post({ type: 'chunk', data }, [data.buffer]);
      while (inFlight > WINDOW && !settled) {
        await new Promise<void>((r) => {
          wake = r;
        });
      }
    };
    for await (const chunk of source) {
      if (settled) break; // the apply failed: the rest is not needed
      const full = batcher.add(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      if (full) await send(full);
    }
    if (!settled) {
      const rest = batcher.take();
      if (rest) await send(rest);
      post({ type: 'end' });
    }
  } catch (e) {
    sourceError = e;
    if (!settled) post({ type: 'abort' });
  }
  try {
    const r = await result;
    if (sourceError !== undefined) throw sourceError;
    return r;
  } catch (e) {
    throw sourceError ?? e;
  }
}

/** Buffers arrive from the worker as plain Uint8Arrays. */
function withBuffers(r: RecordedApplyResult): RecordedApplyResult {
  const split = r.tarSplit;
  if (split?.reproducible) {
    const rec = split.record as Uint8Array;
    return { ...r, tarSplit: { reproducible: true, record: Buffer.from(rec.buffer, rec.byteOffset, rec.byteLength) } };
  }
  return r;
}
