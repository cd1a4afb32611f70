// A replay worker: a thread that rebuilds layer tars from their tar-split records and files (replayTarSplit), one at a
// time, for replay-pool.ts. It reads the files with direct synchronous calls (on its own thread they block nothing
// else), and runs the per-file CRC-64s and the tar's sha256 here, off the daemon's event loop.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { ChunkBatcher, toWire } from './apply-protocol.js';
import type { FromReplayWorker, ToReplayWorker } from './replay-protocol.js';
import { contentFromDirSync, replayTarSplit } from './tarsplit.js';

const port = parentPort;
if (!port) throw new Error('replay-worker.ts runs as a worker thread');

/** Bytes sent and not yet taken by the reader: the most a job holds in messages. */
const WINDOW = 16 << 20;
/** Small chunks are gathered into messages of about this size (each message costs a thread wake-up). */
const BATCH = 1 << 20;
/** A chunk at least this large, in memory of its own (not Node's shared pool), is transferred as it is. */
const OWN = 64 << 10;

let inFlight = 0;
let wake: (() => void) | undefined;

const post = (m: FromReplayWorker, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer);

async function send(data: Uint8Array): Promise<void> {
  inFlight += data.byteLength;
  post({ type: 'chunk', data }, [data.buffer as ArrayBuffer]);
  while (inFlight > WINDOW) {
    await new Promise<void>((r) => {
      wake = r;
    });
  }
}

async function replay(record: string, root: string): Promise<string> {
  const hash = createHash('sha256');
  const batcher = new ChunkBatcher(BATCH);
  for await (const chunk of replayTarSplit(readFileSync(record), contentFromDirSync(root))) {
    // Hashed before it is sent: a transferred buffer is gone from this thread.
    hash.update(chunk);
    if (chunk.byteLength >= OWN && chunk.buffer.byteLength >= OWN) {
      const gathered = batcher.take();
      if (gathered) await send(gathered);
      await send(chunk);
      continue;
    }
    const full = batcher.add(chunk);
    if (full) await send(full);
  }
  const rest = batcher.take();
  if (rest) await send(rest);
  return `sha256:${hash.digest('hex')}`;
}

port.on('message', (m: ToReplayWorker) => {
  if (m.type === 'ack') {
    inFlight -= m.bytes;
    if (inFlight <= WINDOW) {
      wake?.();
      wake = undefined;
    }
    return;
  }
  inFlight = 0;
  replay(m.record, m.root).then(
    (digest) => post({ type: 'done', digest }),
    (e: unknown) => post({ type: 'error', error: toWire(e) }),
  );
});
