// Restart policies (no, always, unless-stopped, on-failure[:N]) with Docker's back-off: 100 ms doubling up to one
// minute, back to 100 ms once a run lasted 10 s (moby's restartmanager).
import type { RestartPolicy } from '../../api/index.js';
import { InvalidParameter } from '../../errdefs/index.js';
import type { ContainerRecord } from './model.js';

export type PolicyName = 'no' | 'always' | 'unless-stopped' | 'on-failure';

export interface Policy {
  name: PolicyName;
  maxRetries: number;
}

export function parseRestartPolicy(p: RestartPolicy | undefined): Policy {
  const name = p?.Name ?? '';
  const max = p?.MaximumRetryCount ?? 0;
  switch (name) {
    case '':
      // An empty name with any count is accepted, as moby does for clients older than v25.
      return { name: 'no', maxRetries: 0 };
    case 'no':
    case 'always':
    case 'unless-stopped':
      if (max !== 0) {
        const negative = max < 0 ? ' and cannot be negative' : '';
        throw new InvalidParameter(
          `invalid restart policy: maximum retry count can only be used with 'on-failure'${negative}`,
        );
      }
      return { name, maxRetries: 0 };
    case 'on-failure':
      if (max < 0) throw new InvalidParameter('invalid restart policy: maximum retry count cannot be negative');
      return { name, maxRetries: max };
    default:
      throw new InvalidParameter(
        `invalid restart policy: unknown policy '${name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`,
      );
  }
}

const INITIAL_MS = 100;
const MAX_MS = 60_000;
const RESET_AFTER_MS = 10_000;

export class RestartManager {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly backoff = new Map<string, number>();
  /** Restarts whose timer fired and whose start has not ended yet. */
  private readonly underWay = new Map<string, Promise<void>>();
  private shuttingDown = false;

  constructor(private readonly restart: (id: string) => Promise<void>) {}

  shouldRestart(rec: ContainerRecord, policy: Policy): boolean {
    if (this.shuttingDown || rec.manuallyStopped) return false;
    switch (policy.name) {
      case 'always':
      case 'unless-stopped':
        return true;
      case 'on-failure':
        return rec.state.exitCode !== 0 && (policy.maxRetries === 0 || rec.restartCount < policy.maxRetries);
      default:
        return false;
    }
  }

  /** Schedules the next restart after the back-off delay. */
  schedule(rec: ContainerRecord): void {
    const ran = Date.parse(rec.state.finishedAt) - Date.parse(rec.state.startedAt);
    let wait = this.backoff.get(rec.id) ?? INITIAL_MS;
    if (ran >= RESET_AFTER_MS) wait = INITIAL_MS;
    this.backoff.set(rec.id, Math.min(wait * 2, MAX_MS));
    this.cancel(rec.id);
    const t = setTimeout(() => {
      this.timers.delete(rec.id);
      const started = this.restart(rec.id)
        .catch(() => {})
        .finally(() => this.underWay.delete(rec.id));
      this.underWay.set(rec.id, started);
    }, wait);
    this.timers.set(rec.id, t);
  }

  /** Resolves once a restart whose delay has passed is done starting the container (now, when there is none). */
  underway(id: string): Promise<void> {
    return this.underWay.get(id) ?? Promise.resolve();
  }

  cancel(id: string): void {
    const t = this.timers.get(id);
    if (t) clearTimeout(t);
    this.timers.delete(id);
  }

  forget(id: string): void {
    this.backoff.delete(id);
  }

  /** No restarts from now on (daemon shutdown). */
  shutdown(): void {
    this.shuttingDown = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
