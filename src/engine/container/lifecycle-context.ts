// What the lifecycle's parts (create, start, exit, signal, remove) share: the daemon's dependencies, the per-container
// lock, the waiters, the resources a running container holds, held attaches and restart policies.
import { isUnavailable } from '../../errdefs/index.js';
import type { KeyedLock } from '../../lib/keyed-lock.js';
import type { ContainerDeps } from './deps.js';
import type { ContainerRecord } from './model.js';
import type { PendingAttachments } from './pending-attach.js';
import type { ContainerResources } from './resources.js';
import type { RestartManager } from './restart.js';
import type { ContainerWaiters } from './waiters.js';

export interface LifecycleContext {
  readonly deps: ContainerDeps;
  /** One operation at a time per container: start, exit handling, update, pause, the end of a removal. */
  readonly lock: KeyedLock;
  readonly waiters: ContainerWaiters;
  readonly resources: ContainerResources;
  readonly attachments: PendingAttachments;
  readonly restarts: RestartManager;
  /** A container event with the container's labels, image and name as attributes. */
  publish(action: string, rec: ContainerRecord, extra?: Record<string, string>): void;
  /** Removes the container in the background (HostConfig.AutoRemove). */
  removeLater(id: string): void;
  logPath(id: string): string;
}

/** Durations of an operation's phases, for the debug log. */
export function phaseTimer() {
  let last = process.hrtime.bigint();
  const parts: string[] = [];
  return {
    mark(name: string) {
      const now = process.hrtime.bigint();
      parts.push(`${name} ${(Number(now - last) / 1e6).toFixed(1)}`);
      last = now;
    },
    summary: () => `${parts.join(', ')} ms`,
  };
}

/**
 * For a signal sent on the way to waiting for an exit: one that fails because the container exited meanwhile is no
 * failure (the exit is what the caller waits for); one whose runtime cannot be reached at all is the caller's, or it
 * would wait for an exit that never comes.
 */
export function unlessUnreachable(e: unknown): void {
  if (isUnavailable(e)) throw e;
}
