// Who waits for a container's next exit or its removal (`docker wait`, stop, logs -f, run --rm): one set of waiters
// per container and event, each dropped again when its client goes away.
import type { ContainerWaitResponse } from '../../api/index.js';
import { type ContainerRecord, isRunning } from './model.js';

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

export class ContainerWaiters {
  private readonly exits = new Map<string, Set<(rec: ContainerRecord) => void>>();
  private readonly removals = new Map<string, Set<(removed: true) => void>>();

  /** Docker's wait conditions; `signal` (the client went away) drops the waiters and rejects. */
  async wait(
    rec: ContainerRecord,
    condition: WaitCondition,
    current: () => ContainerRecord | undefined,
    signal?: AbortSignal,
  ): Promise<ContainerWaitResponse> {
    if (condition === 'not-running' && !isRunning(rec)) return { StatusCode: rec.state.exitCode, Error: null };
    if (condition === 'removed') {
      const removed = waitFor(this.removals, rec.id, signal);
      let last = rec.state.exitCode;
      waitFor(this.exits, rec.id, signal).then(
        (r) => {
          last = r.state.exitCode;
        },
        () => {},
      );
      await removed;
      return { StatusCode: current()?.state.exitCode ?? last, Error: null };
    }
    const after = await waitFor(this.exits, rec.id, signal);
    return { StatusCode: after.state.exitCode, Error: after.state.error ? { Message: after.state.error } : null };
  }

  nextExit(id: string): Promise<ContainerRecord> {
    return waitFor(this.exits, id);
  }

  exited(rec: ContainerRecord): void {
    const waiters = this.exits.get(rec.id);
    this.exits.delete(rec.id);
    for (const w of waiters ?? []) w(rec);
  }

  removed(id: string): void {
    const waiters = this.removals.get(id);
    this.removals.delete(id);
    for (const w of waiters ?? []) w(true);
  }
}

/** A waiter for `id` in `map`, removed again should `signal` abort (a `docker run -d` leaves its wait unread). */
function waitFor<T>(map: Map<string, Set<(value: T) => void>>, id: string, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      const set = map.get(id);
      set?.delete(waiter);
      if (set?.size === 0) map.delete(id);
      reject(signal?.reason);
    };
    const waiter = (value: T) => {
      signal?.removeEventListener('abort', onAbort);
      resolve(value);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    addTo(map, id, waiter);
  });
}

export function addTo<T>(map: Map<string, Set<T>>, id: string, value: T): void {
  let set = map.get(id);
  if (!set) {
    set = new Set();
    map.set(id, set);
  }
  set.add(value);
}
