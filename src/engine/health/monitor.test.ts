import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { HealthConfig } from '../../api/index.js';
import { type ContainerRecord, newState } from '../container/model.js';
import { ContainerStore } from '../container/store.js';
import { EventBus } from '../events.js';
import { HealthMonitor, type ProbeRunner, probeCommand } from './monitor.js';

describe('probeCommand', () => {
  it('CMD runs its arguments as they are', () => {
    assert.deepEqual(probeCommand({ Test: ['CMD', 'curl', '-f', 'http://localhost/'] }), [
      'curl',
      '-f',
      'http://localhost/',
    ]);
  });

  it('CMD-SHELL runs through /bin/sh -c', () => {
    assert.deepEqual(probeCommand({ Test: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'] }), [
      '/bin/sh',
      '-c',
      'curl -f http://localhost/ || exit 1',
    ]);
  });

  it('NONE, an empty test, CMD without a command, or no config: no checks', () => {
    assert.equal(probeCommand({ Test: ['NONE'] }), undefined);
    assert.equal(probeCommand({ Test: [] }), undefined);
    assert.equal(probeCommand({ Test: null }), undefined);
    assert.equal(probeCommand({ Test: ['CMD'] }), undefined);
    assert.equal(probeCommand({}), undefined);
    assert.equal(probeCommand(null), undefined);
    assert.equal(probeCommand(undefined), undefined);
  });
});

const MS = 1_000_000; // nanoseconds per millisecond, the unit of HealthConfig durations

async function waitFor(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('HealthMonitor (moby daemon/health.go)', () => {
  let dir: string;
  let store: ContainerStore;
  let bus: EventBus;
  let monitor: HealthMonitor;
  let events: { id: string; action: string; attrs: Record<string, string> }[];
  /** Exit codes the fake probe returns, one per call per container; the last one repeats. */
  let scripts: Map<string, number[]>;
  let calls: Map<string, { cmd: string[]; timeoutMs: number }[]>;
  let n = 0;
  let saving = 0;

  /** When set, what every probe does instead of following the script. */
  let override: (() => Promise<{ exitCode: number; output: string; timedOut: boolean }>) | undefined;
  const probe: ProbeRunner = async (id, cmd, timeoutMs) => {
    const mine = calls.get(id) ?? [];
    mine.push({ cmd, timeoutMs });
    calls.set(id, mine);
    if (override) return override();
    const script = scripts.get(id) ?? [0];
    const exitCode = script[Math.min(mine.length - 1, script.length - 1)] ?? 0;
    return { exitCode, output: `probe ${mine.length}`, timedOut: false };
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-health-'));
    ({ store } = await ContainerStore.open(dir));
    const save = store.save.bind(store);
    store.save = async (rec) => {
      saving++;
      try {
        await save(rec);
      } finally {
        saving--;
      }
    };
    bus = new EventBus();
    events = [];
    scripts = new Map();
    calls = new Map();
    override = undefined;
    bus.subscribe((e) => {
      if (e.Action.startsWith('health_status'))
        events.push({ id: e.Actor.ID, action: e.Action, attrs: e.Actor.Attributes });
    });
    monitor = new HealthMonitor(store, bus, probe);
  });

  afterEach(async () => {
    monitor.stopAll();
    // A check already past its probe finds the container gone; one already saving is waited for.
    for (const rec of store.all()) rec.state.status = 'exited';
    await waitFor(() => saving === 0, 'pending saves');
    await rm(dir, { recursive: true, force: true });
  });

  /** Saves a running container with this health check and announces its start, as the engine does. */
  async function start(hc: HealthConfig, script: number[] = [0]): Promise<string> {
    const id = String(++n % 10).repeat(64);
    const rec: ContainerRecord = {
      id,
      name: `c${n}`,
      created: new Date().toISOString(),
      image: `sha256:${'e'.repeat(64)}`,
      imageRef: 'busybox',
      path: 'sleep',
      args: ['1000'],
      config: { Healthcheck: hc, Labels: { team: 'a' } },
      hostConfig: {},
      mounts: [],
      state: { ...newState(), status: 'running', pid: 1, startedAt: new Date().toISOString() },
      restartCount: 0,
      manuallyStopped: false,
      hasBeenStarted: true,
      driver: 'vfs',
    };
    scripts.set(id, script);
    await store.save(rec);
    bus.publish('container', 'start', id, { image: 'busybox', name: rec.name });
    return id;
  }

  const health = (id: string) => store.get(id).state.health;
  const probes = (id: string) => calls.get(id)?.length ?? 0;
  const actions = (id: string) => events.filter((e) => e.id === id).map((e) => e.action);

  it('starts as "starting", then a passing probe makes it healthy', async () => {
    const id = await start({ Test: ['CMD', 'true'], Interval: 100 * MS });
    await waitFor(() => health(id) !== undefined, 'health state');
    assert.deepEqual(health(id), { Status: 'starting', FailingStreak: 0, Log: [] });
    await waitFor(() => actions(id).length > 0, 'a health_status event');
    assert.equal(health(id)?.Status, 'healthy');
    assert.deepEqual(calls.get(id)?.[0], { cmd: ['true'], timeoutMs: 30_000 });
    const h = health(id);
    assert.equal(h?.FailingStreak, 0);
    assert.equal(h?.Log[0]?.ExitCode, 0);
    assert.equal(h?.Log[0]?.Output, 'probe 1');
    assert.ok(Date.parse(h?.Log[0]?.Start ?? '') <= Date.parse(h?.Log[0]?.End ?? ''));
    assert.deepEqual(events[0], {
      id,
      action: 'health_status: healthy',
      attrs: { team: 'a', image: 'busybox', name: store.get(id).name },
    });
  });

  it('becomes unhealthy after Retries consecutive failures, not before', async () => {
    const id = await start({ Test: ['CMD-SHELL', 'exit 1'], Interval: 5 * MS, Retries: 3 }, [1]);
    const seen: { streak: number; probes: number }[] = [];
    bus.subscribe((e) => {
      if (e.Actor.ID === id && e.Action === 'health_status: unhealthy') {
        seen.push({ streak: health(id)?.FailingStreak ?? -1, probes: probes(id) });
      }
    });
    await waitFor(() => seen.length > 0, 'unhealthy');
    assert.deepEqual(seen[0], { streak: 3, probes: 3 });
    assert.deepEqual(actions(id), ['health_status: unhealthy']);
    assert.deepEqual(calls.get(id)?.[0]?.cmd, ['/bin/sh', '-c', 'exit 1']);
  });

  it('failures during the start period do not count while starting', async () => {
    const id = await start(
      { Test: ['CMD', 'check'], Interval: 5 * MS, StartInterval: 5 * MS, StartPeriod: 60_000 * MS, Retries: 1 },
      [1, 1, 1, 1, 0],
    );
    const atHealthy: { codes: number[]; streak: number }[] = [];
    bus.subscribe((e) => {
      const h = health(id);
      if (e.Actor.ID === id && e.Action === 'health_status: healthy' && h)
        atHealthy.push({ codes: h.Log.map((l) => l.ExitCode), streak: h.FailingStreak });
    });
    await waitFor(() => atHealthy.length > 0, 'healthy');
    assert.deepEqual(atHealthy[0], { codes: [1, 1, 1, 1, 0], streak: 0 });
    assert.deepEqual(actions(id), ['health_status: healthy']);
  });

  it('once healthy, failures count even inside the start period', async () => {
    const id = await start(
      { Test: ['CMD', 'check'], Interval: 5 * MS, StartInterval: 5 * MS, StartPeriod: 60_000 * MS, Retries: 1 },
      [0, 1],
    );
    await waitFor(() => actions(id).length >= 2, 'two health_status events');
    assert.deepEqual(actions(id), ['health_status: healthy', 'health_status: unhealthy']);
  });

  it('keeps at most the last 5 results', async () => {
    const id = await start({ Test: ['CMD', 'true'], Interval: 2 * MS });
    await waitFor(() => probes(id) >= 8 && health(id)?.Log.length === 5, 'eight probes');
    const log = [...(health(id)?.Log ?? [])];
    assert.equal(log.length, 5);
    const numbers = log.map((l) => Number(l.Output.split(' ')[1]));
    assert.ok(
      numbers.every((x, i) => i === 0 || x === (numbers[i - 1] ?? 0) + 1),
      `consecutive: ${numbers}`,
    );
    assert.ok((numbers[0] ?? 0) > 1, 'the oldest results were dropped');
  });

  it('publishes health_status at each change, and only then', async () => {
    const id = await start({ Test: ['CMD', 'check'], Interval: 3 * MS, Retries: 2 }, [0, 1, 1, 0]);
    await waitFor(() => actions(id).length === 3, 'three changes');
    const at = probes(id);
    await waitFor(() => probes(id) >= at + 4, 'four more probes');
    assert.deepEqual(actions(id), ['health_status: healthy', 'health_status: unhealthy', 'health_status: healthy']);
  });

  it('a timed-out probe is logged with the timeout', async () => {
    override = async () => ({ exitCode: -1, output: '', timedOut: true });
    const id = await start({ Test: ['CMD', 'slow'], Interval: 5 * MS, Timeout: 2000 * MS, Retries: 1 });
    await waitFor(() => health(id)?.Status === 'unhealthy', 'unhealthy');
    assert.equal(calls.get(id)?.[0]?.timeoutMs, 2000);
    assert.equal(health(id)?.Log[0]?.Output, 'Health check exceeded timeout (2s)');
  });

  it('a probe that fails to run counts as a failure', async () => {
    override = async () => {
      throw new Error('exec failed: no such file');
    };
    const id = await start({ Test: ['CMD', 'x'], Interval: 5 * MS, Retries: 1 });
    await waitFor(() => health(id)?.Status === 'unhealthy', 'unhealthy');
    assert.deepEqual([health(id)?.Log[0]?.ExitCode, health(id)?.Log[0]?.Output], [-1, 'exec failed: no such file']);
  });

  it('stops probing when the container dies', async () => {
    const id = await start({ Test: ['CMD', 'true'], Interval: 3 * MS });
    await waitFor(() => probes(id) >= 2, 'two probes');
    const rec = store.get(id);
    rec.state.status = 'exited';
    await store.save(rec);
    bus.publish('container', 'die', id);
    const at = probes(id);
    // A second container keeps being probed meanwhile: the clock for the first one has visibly moved on.
    const other = await start({ Test: ['CMD', 'true'], Interval: 3 * MS });
    await waitFor(() => probes(other) >= 5, 'the other container probed');
    assert.ok(probes(id) <= at + 1, `probed ${probes(id) - at} more times after die`);
  });

  it('no checks for a container without a health check or with NONE', async () => {
    const none = await start({ Test: ['NONE'], Interval: 3 * MS });
    const absent = await start({});
    const checked = await start({ Test: ['CMD', 'true'], Interval: 3 * MS });
    await waitFor(() => probes(checked) >= 3, 'the checked container probed');
    assert.equal(probes(none), 0);
    assert.equal(probes(absent), 0);
    assert.equal(health(none), undefined);
    assert.equal(health(absent), undefined);
  });
});
