import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { InvalidParameter } from '../../errdefs/index.js';
import { type ContainerRecord, newState } from './model.js';
import { type Policy, RestartManager, parseRestartPolicy } from './restart.js';

function record(id: string, over: { exitCode?: number; ranMs?: number; restartCount?: number } = {}): ContainerRecord {
  const started = Date.parse('2024-01-01T00:00:00Z');
  return {
    id,
    name: id,
    created: '2024-01-01T00:00:00Z',
    image: 'sha256:0',
    imageRef: 'busybox',
    path: 'false',
    args: [],
    config: {},
    hostConfig: {},
    mounts: [],
    state: {
      ...newState(),
      status: 'exited',
      exitCode: over.exitCode ?? 1,
      startedAt: new Date(started).toISOString(),
      finishedAt: new Date(started + (over.ranMs ?? 1000)).toISOString(),
    },
    restartCount: over.restartCount ?? 0,
    manuallyStopped: false,
    hasBeenStarted: true,
    driver: 'vfs',
  };
}

const invalid = (message: string) => (e: unknown) => e instanceof InvalidParameter && e.message === message;

describe('parseRestartPolicy (moby ValidateRestartPolicy)', () => {
  it('defaults to "no"', () => {
    assert.deepEqual(parseRestartPolicy(undefined), { name: 'no', maxRetries: 0 });
    assert.deepEqual(parseRestartPolicy({}), { name: 'no', maxRetries: 0 });
    assert.deepEqual(parseRestartPolicy({ Name: '' }), { name: 'no', maxRetries: 0 });
  });

  it('parses each policy', () => {
    assert.deepEqual(parseRestartPolicy({ Name: 'no' }), { name: 'no', maxRetries: 0 });
    assert.deepEqual(parseRestartPolicy({ Name: 'always' }), { name: 'always', maxRetries: 0 });
    assert.deepEqual(parseRestartPolicy({ Name: 'unless-stopped' }), { name: 'unless-stopped', maxRetries: 0 });
    assert.deepEqual(parseRestartPolicy({ Name: 'on-failure' }), { name: 'on-failure', maxRetries: 0 });
    assert.deepEqual(parseRestartPolicy({ Name: 'on-failure', MaximumRetryCount: 3 }), {
      name: 'on-failure',
      maxRetries: 3,
    });
  });

  it('refuses an unknown policy', () => {
    assert.throws(
      () => parseRestartPolicy({ Name: 'sometimes' }),
      invalid(
        "invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'",
      ),
    );
  });

  it('refuses a retry count with a policy other than on-failure', () => {
    for (const Name of ['always', 'unless-stopped', 'no']) {
      assert.throws(
        () => parseRestartPolicy({ Name, MaximumRetryCount: 2 }),
        invalid("invalid restart policy: maximum retry count can only be used with 'on-failure'"),
      );
      assert.throws(
        () => parseRestartPolicy({ Name, MaximumRetryCount: -2 }),
        invalid(
          "invalid restart policy: maximum retry count can only be used with 'on-failure' and cannot be negative",
        ),
      );
    }
  });

  it('refuses a negative retry count with on-failure', () => {
    assert.throws(
      () => parseRestartPolicy({ Name: 'on-failure', MaximumRetryCount: -1 }),
      invalid('invalid restart policy: maximum retry count cannot be negative'),
    );
  });

  it('accepts an empty name with any retry count (backward compatibility, as moby)', () => {
    assert.equal(parseRestartPolicy({ Name: '', MaximumRetryCount: 123 }).name, 'no');
    assert.equal(parseRestartPolicy({ Name: '', MaximumRetryCount: -123 }).name, 'no');
  });
});

describe('RestartManager.shouldRestart', () => {
  const rm = new RestartManager(async () => {});
  const p = (name: Policy['name'], maxRetries = 0): Policy => ({ name, maxRetries });

  it('"no" never restarts', () => {
    assert.equal(rm.shouldRestart(record('a', { exitCode: 1 }), p('no')), false);
  });

  it('"always" and "unless-stopped" restart on any exit code', () => {
    for (const code of [0, 1, 137]) {
      assert.equal(rm.shouldRestart(record('a', { exitCode: code }), p('always')), true);
      assert.equal(rm.shouldRestart(record('a', { exitCode: code }), p('unless-stopped')), true);
    }
  });

  it('"on-failure" restarts only on a non-zero exit, up to the retry count', () => {
    assert.equal(rm.shouldRestart(record('a', { exitCode: 0 }), p('on-failure')), false);
    assert.equal(rm.shouldRestart(record('a', { exitCode: 2 }), p('on-failure')), true);
    assert.equal(rm.shouldRestart(record('a', { exitCode: 2, restartCount: 99 }), p('on-failure')), true);
    assert.equal(rm.shouldRestart(record('a', { exitCode: 2, restartCount: 2 }), p('on-failure', 3)), true);
    assert.equal(rm.shouldRestart(record('a', { exitCode: 2, restartCount: 3 }), p('on-failure', 3)), false);
  });

  it('a manually stopped container is not restarted', () => {
    const rec = record('a', { exitCode: 137 });
    rec.manuallyStopped = true;
    for (const name of ['always', 'unless-stopped', 'on-failure'] as const) {
      assert.equal(rm.shouldRestart(rec, p(name)), false);
    }
  });

  it('nothing restarts once the daemon shuts down', () => {
    const stopping = new RestartManager(async () => {});
    stopping.shutdown();
    assert.equal(stopping.shouldRestart(record('a'), p('always')), false);
  });
});

describe('RestartManager back-off (moby restartmanager)', () => {
  let restarted: string[];
  let rm: RestartManager;

  beforeEach(() => {
    mock.timers.enable({ apis: ['setTimeout'] });
    restarted = [];
    rm = new RestartManager(async (id) => {
      restarted.push(id);
    });
  });

  afterEach(() => {
    rm.shutdown();
    mock.timers.reset();
  });

  /** Schedules a restart and checks it fires after exactly `ms`. */
  function expectDelay(rec: ContainerRecord, ms: number): void {
    const before = restarted.length;
    rm.schedule(rec);
    mock.timers.tick(ms - 1);
    assert.equal(restarted.length, before, `restarted before ${ms} ms`);
    mock.timers.tick(1);
    assert.equal(restarted.length, before + 1, `not restarted after ${ms} ms`);
  }

  it('waits 100 ms, then doubles the wait up to one minute', () => {
    const rec = record('c1');
    for (const ms of [100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000]) expectDelay(rec, ms);
    assert.deepEqual(new Set(restarted), new Set(['c1']));
  });

  it('goes back to 100 ms after a run of 10 seconds or more', () => {
    for (const ms of [100, 200, 400]) expectDelay(record('c1', { ranMs: 9_999 }), ms);
    expectDelay(record('c1', { ranMs: 10_000 }), 100);
    expectDelay(record('c1', { ranMs: 50 }), 200);
  });

  it('keeps a separate back-off per container', () => {
    expectDelay(record('c1'), 100);
    expectDelay(record('c1'), 200);
    expectDelay(record('c2'), 100);
  });

  it('forget() starts the back-off over', () => {
    expectDelay(record('c1'), 100);
    expectDelay(record('c1'), 200);
    rm.forget('c1');
    expectDelay(record('c1'), 100);
  });

  it('cancel() drops a pending restart', () => {
    rm.schedule(record('c1'));
    rm.cancel('c1');
    mock.timers.tick(120_000);
    assert.deepEqual(restarted, []);
  });

  it('shutdown() drops every pending restart', () => {
    rm.schedule(record('c1'));
    rm.schedule(record('c2'));
    rm.shutdown();
    mock.timers.tick(120_000);
    assert.deepEqual(restarted, []);
  });
});
