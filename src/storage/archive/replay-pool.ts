// Replays a layer's tar-split record on a worker thread (replay-worker.ts) and streams the tar back with bounded
// memory: `save` of a layer makes four file calls per file, each a thread-pool round trip from the event loop, plus
// a CRC-64 and the sha256 of every byte; on the worker they are direct calls on another core. Where the worker's
// script is not beside this module, the caller replays in-process as before.
import type { Worker } from 'node:worker_threads';
import { System } from '../../errdefs/index.js';
import { fromWire } from './apply-protocol.js';
import type { FromReplayWorker, ToReplayWorker } from './replay-protocol.js';
import { WorkerPool } from './worker-pool.js';

const pool = new WorkerPool('replay-worker');

export interface ReplayedTar {
  /** The tar's bytes; a record or file that does not replay fails it with the error's kind (System). */
  readonly chunks: AsyncIterable<Buffer>;
  /** The sha256 of the tar, once `chunks` has ended (undefined before). */
  digest(): string | undefined;
  /**
   * Stops the replay if it is still running (the worker is ended), else hands the worker back. Resolves once the
   * worker reads no more of the layer's files. Idempotent; reading `chunks` to its end or breaking out calls it.
   */
  close(): Promise<void>;
}

/**
 * replayTarSplit of the record file `record` with the contents under `root`, on a worker thread; undefined when no
 * worker script is at hand. The worker is started at once and fills its window ahead of the reader.
 */
export async function replayOffThread(record: string, root: string): Promise<ReplayedTar | undefined> {
  const url = await pool.available();
  if (url === undefined) return undefined;
  const worker: Worker = pool.acquire(url);
  const queue: Buffer[] = [];
  let digest: string | undefined;
  let failure: Error | undefined;
  let finished = false;
  let closing: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  const poke = () => {
    wake?.();
    wake = undefined;
  };
  // No promise here ever rejects: the outcome is kept in `failure` and thrown from `chunks` to its reader, so a
  // worker failing before anyone reads cannot become an unhandled rejection.
  const stop = () => {
    worker.off('message', onMessage);
    worker.off('error', onError);
    worker.off('exit', onExit);
    finished = true;
    poke();
  };
  const onMessage = (m: FromReplayWorker) => {
    if (m.type === 'chunk') {
      queue.push(Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength));
      poke();
      return;
    }
    if (m.type === 'done') digest = m.digest;
    else failure = fromWire(m.error);
    stop();
  };
  const onError = (e: Error) => {
    pool.discard(worker);
    failure ??= new System(`layer tar worker failed: ${e.message}`, { cause: e });
    stop();
  };
  const onExit = (code: number) => {
    pool.discard(worker);
    failure ??= new System(`layer tar worker exited (code ${code})`);
    stop();
  };
  worker.on('message', onMessage);
  worker.on('error', onError);
  worker.on('exit', onExit);
  const post = (m: ToReplayWorker) => worker.postMessage(m);
  post({ type: 'start', record, root });

  const close = (): Promise<void> => {
    closing ??= (async () => {
      queue.length = 0;
      if (!finished) {
        // Left in the middle of a job: the worker is ended rather than drained.
        pool.discard(worker);
        stop();
        await worker.terminate();
      }
      pool.release(worker);
    })();
    return closing;
  };

  async function* chunks(): AsyncGenerator<Buffer> {
    try {
      for (;;) {
        const c = queue.shift();
        if (c !== undefined) {
          post({ type: 'ack', bytes: c.byteLength });
          yield c;
          continue;
        }
        if (failure !== undefined) throw failure;
        if (finished) return;
        await new Promise<void>((r) => {
          wake = r;
        });
      }
    } finally {
      await close();
    }
  }

  return { chunks: chunks(), digest: () => (failure === undefined && finished ? digest : undefined), close };
}
