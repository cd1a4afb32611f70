// Worker threads for layer work (apply, tar replay), one kind per script: the script is looked up beside this module,
// and a few idle workers are kept briefly for the next layer. A worker is a V8 isolate, ~15 MB of the daemon's
// resident memory while it lives, so idle ones never keep the process alive and go after about a second.
import { access } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';

const MAX_IDLE = 2;
const IDLE_MS = 1000;

export class WorkerPool {
  private script: Promise<URL | undefined> | undefined;
  private readonly idle: { worker: Worker; timer: NodeJS.Timeout }[] = [];
  /** Workers that failed, exited or were stopped mid-job: never reused. */
  private readonly dead = new WeakSet<Worker>();

  /** `name` without extension: `<name>.js` (dist/src) or `<name>.cjs` (a bundle that carries it). */
  constructor(private readonly name: string) {}

  /** The worker's script, if present (undefined: run the work in-process). */
  available(): Promise<URL | undefined> {
    this.script ??= (async () => {
      for (const file of [`${this.name}.js`, `${this.name}.cjs`]) {
        const url = new URL(`./${file}`, import.meta.url);
        try {
          await access(url);
          return url;
        } catch {
          // not this one
        }
      }
      return undefined;
    })();
    return this.script;
  }

  acquire(url: URL): Worker {
    const kept = this.idle.pop();
    if (kept) {
      clearTimeout(kept.timer);
      kept.worker.ref();
      return kept.worker;
    }
    // The parent's flags are not the worker's business (`--input-type` with `-e` even stops a file worker loading).
    return new Worker(url, { execArgv: [] });
  }

  /** Marks a worker as not to be reused (it failed, exited, or was left in the middle of a job). */
  discard(worker: Worker): void {
    this.dead.add(worker);
  }

  /** Back to the pool after a job: kept idle for a while, or terminated if discarded or the pool is full. */
  release(worker: Worker): void {
    // An idle worker must not keep the process alive.
    worker.unref();
    if (this.dead.has(worker) || this.idle.length >= MAX_IDLE) {
      void worker.terminate();
      return;
    }
    const entry = {
      worker,
      timer: setTimeout(() => {
        this.idle.splice(this.idle.indexOf(entry), 1);
        void worker.terminate();
      }, IDLE_MS).unref(),
    };
    this.idle.push(entry);
  }
}
