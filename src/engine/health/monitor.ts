// Health checks: the image's or the container's Healthcheck run by the engine through exec, as moby's
// daemon/health.go does: a probe every Interval (StartInterval during the start period), a Timeout per probe,
// `unhealthy` after Retries consecutive failures (failures in the start period do not count), the last five results
// kept in State.Health, a `health_status: <status>` event at each change.
import type { HealthConfig, HealthLogEntry } from '../../api/index.js';
import type { ContainerStore } from '../container/store.js';
import type { EventBus } from '../events.js';

const NS_PER_MS = 1_000_000;
const DEFAULT_INTERVAL_MS = 30_000;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_START_INTERVAL_MS = 5_000;
const DEFAULT_RETRIES = 3;
const MAX_LOG_ENTRIES = 5;

export type ProbeRunner = (
  containerId: string,
  cmd: string[],
  timeoutMs: number,
) => Promise<{ exitCode: number; output: string; timedOut: boolean }>;

/** The probe's command line, or undefined when checks are off (no Test, or NONE). */
export function probeCommand(hc: HealthConfig | null | undefined): string[] | undefined {
  const test = hc?.Test ?? [];
  const [kind, ...rest] = test;
  if (kind === 'CMD') return rest.length > 0 ? rest : undefined;
  if (kind === 'CMD-SHELL') return ['/bin/sh', '-c', rest.join(' ')];
  return undefined;
}

const ms = (ns: number | undefined, dflt: number) => (ns && ns > 0 ? ns / NS_PER_MS : dflt);

export class HealthMonitor {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly started = new Map<string, number>();
  private stopped = false;

  constructor(
    private readonly store: ContainerStore,
    private readonly events: EventBus,
    private readonly probe: ProbeRunner,
  ) {
    events.subscribe((e) => {
      if (e.Type !== 'container') return;
      if (e.Action === 'start') void this.begin(e.Actor.ID);
      else if (e.Action === 'die' || e.Action === 'destroy') this.end(e.Actor.ID);
    });
  }

  /** Resumes checks for containers found running at daemon start. */
  resume(id: string): void {
    this.schedule(id, 0);
  }

  /** No checks from now on (daemon shutdown), not even from a probe still running. */
  stopAll(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private async begin(id: string): Promise<void> {
    const rec = this.store.find(id);
    if (!rec || !probeCommand(rec.config.Healthcheck)) return;
    rec.state.health = { Status: 'starting', FailingStreak: 0, Log: [] };
    await this.store.save(rec).catch(() => {});
    this.started.set(id, Date.now());
    const hc = rec.config.Healthcheck ?? {};
    this.schedule(
      id,
      hc.StartPeriod ? ms(hc.StartInterval, DEFAULT_START_INTERVAL_MS) : ms(hc.Interval, DEFAULT_INTERVAL_MS),
    );
  }

  private end(id: string): void {
    const t = this.timers.get(id);
    if (t) clearTimeout(t);
    this.timers.delete(id);
    this.started.delete(id);
  }

  private schedule(id: string, delayMs: number): void {
    if (this.stopped) return;
    // Only the pending timer goes: end() would also forget when the start period began.
    clearTimeout(this.timers.get(id));
    const t = setTimeout(() => {
      this.timers.delete(id);
      void this.check(id);
    }, delayMs);
    t.unref();
    this.timers.set(id, t);
  }

  private async check(id: string): Promise<void> {
    const rec = this.store.find(id);
    if (rec?.state.status !== 'running') return;
    const hc = rec.config.Healthcheck ?? {};
    const cmd = probeCommand(hc);
    if (!cmd) return;
    const start = new Date();
    let result: { exitCode: number; output: string; timedOut: boolean };
    const timeoutMs = ms(hc.Timeout, DEFAULT_TIMEOUT_MS);
    try {
      result = await this.probe(id, cmd, timeoutMs);
    } catch (e) {
      result = { exitCode: -1, output: (e as Error).message, timedOut: false };
    }
    const now = this.store.find(id);
    if (now?.state.status !== 'running') return;
    const entry: HealthLogEntry = {
      Start: start.toISOString(),
      End: new Date().toISOString(),
      ExitCode: result.exitCode,
      Output: result.timedOut ? `Health check exceeded timeout (${timeoutMs / 1000}s)` : result.output,
    };
    const health = now.state.health ?? { Status: 'starting', FailingStreak: 0, Log: [] };
    const before = health.Status;
    const inStartPeriod = Date.now() - (this.started.get(id) ?? 0) < ms(hc.StartPeriod, 0);
    if (result.exitCode === 0) {
      health.Status = 'healthy';
      health.FailingStreak = 0;
    } else if (!(inStartPeriod && before === 'starting')) {
      // Only a container that has never been healthy gets the start period's grace.
      health.FailingStreak++;
      if (health.FailingStreak >= (hc.Retries || DEFAULT_RETRIES)) health.Status = 'unhealthy';
    }
    health.Log = [...health.Log, entry].slice(-MAX_LOG_ENTRIES);
    now.state.health = health;
    await this.store.save(now).catch(() => {});
    if (health.Status !== before) {
      this.events.publish('container', `health_status: ${health.Status}`, id, {
        ...(now.config.Labels ?? {}),
        image: now.imageRef,
        name: now.name,
      });
    }
    const interval =
      health.Status === 'starting' && inStartPeriod
        ? ms(hc.StartInterval, DEFAULT_START_INTERVAL_MS)
        : ms(hc.Interval, DEFAULT_INTERVAL_MS);
    this.schedule(id, interval);
  }
}
