// An apply worker: a thread that applies layer tars sent to it one at a time (apply-pool.ts is the other side). It
// writes with direct synchronous calls (syncFs): on its own thread they block nothing else, and they spare the
// thread-pool round trip each asynchronous call costs, several per file. Parsing, hashing and tar-split's CRCs run
// here too, so two layers apply on two cores.
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { syncFs } from './apply-fs.js';
import type { FromWorker, ToWorker } from './apply-protocol.js';
import { toWire } from './apply-protocol.js';
import { applyRecorded } from './apply-recorded.js';
import { FILE_CHUNK } from './file-source.js';

const port = parentPort;
if (!port) throw new Error('apply-worker.ts runs as a worker thread');

const send = (m: FromWorker) => port.postMessage(m);

/** The current job's tar bytes, as they arrive. */
class Inbox {
  private readonly chunks: Uint8Array[] = [];
  private ended = false;
  private aborted = false;
  private wake: (() => void) | undefined;

  push(m: ToWorker): void {
    if (m.type === 'chunk') this.chunks.push(m.data);
    else if (m.type === 'end') this.ended = true;
    else if (m.type === 'abort') this.aborted = true;
    this.wake?.();
    this.wake = undefined;
  }

  async *stream(): AsyncGenerator<Uint8Array> {
    for (;;) {
      if (this.aborted) throw new Error('the layer source failed');
      const c = this.chunks.shift();
      if (c !== undefined) {
        send({ type: 'ack', bytes: c.byteLength });
        yield c;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((r) => {
        this.wake = r;
      });
    }
  }
}

let inbox: Inbox | undefined;

/** A layer file's bytes, read here directly (this thread may block). */
function* readFile(path: string): Generator<Buffer> {
  const fd = openSync(path, 'r');
  try {
    for (;;) {
      const buf = Buffer.allocUnsafeSlow(FILE_CHUNK);
      const n = readSync(fd, buf, 0, FILE_CHUNK, null);
      if (n === 0) return;
      yield buf.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

/** Ends a job: chunks still on their way are dropped (the sender stops sending at this message). */
function finish(job: Inbox, m: FromWorker): void {
  if (inbox === job) inbox = undefined;
  send(m);
}

port.on('message', (m: ToWorker) => {
  if (m.type !== 'start') {
    inbox?.push(m);
    return;
  }
  const job = new Inbox();
  inbox = m.path === undefined ? job : undefined;
  applyRecorded(m.target, m.path === undefined ? job.stream() : readFile(m.path), {
    whiteoutMode: m.whiteoutMode,
    recordTarSplit: m.recordTarSplit,
    fs: syncFs,
  }).then(
    (result) => finish(job, { type: 'done', result }),
    (e: unknown) => finish(job, { type: 'error', error: toWire(e) }),
  );
});
