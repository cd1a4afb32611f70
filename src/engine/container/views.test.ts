import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ContainerRecord, type ContainerStatus, ZERO_TIME, newState } from './model.js';
import { humanDuration, stateView, statusText, summaryView } from './views.js';

const NOW = Date.parse('2024-06-01T12:00:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();
const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

function record(status: ContainerStatus, over: Partial<ContainerRecord['state']> = {}): ContainerRecord {
  return {
    id: 'c'.repeat(64),
    name: 'web',
    created: ago(HOUR),
    image: `sha256:${'a'.repeat(64)}`,
    imageRef: 'nginx:latest',
    path: 'nginx',
    args: ['-g', 'daemon off;'],
    config: { Labels: { tier: 'web' } },
    hostConfig: {},
    mounts: [],
    state: { ...newState(), status, ...over },
    restartCount: 0,
    manuallyStopped: false,
    hasBeenStarted: status !== 'created',
    driver: 'vfs',
  };
}

describe('humanDuration (go-units HumanDuration)', () => {
  const cases: [number, string][] = [
    [0, 'Less than a second'],
    [999, 'Less than a second'],
    [1 * SEC, '1 second'],
    [1999, '1 second'],
    [5 * SEC, '5 seconds'],
    [59 * SEC, '59 seconds'],
    [60 * SEC, 'About a minute'],
    [119 * SEC, 'About a minute'],
    [2 * MIN, '2 minutes'],
    [59 * MIN, '59 minutes'],
    [60 * MIN, 'About an hour'],
    [89 * MIN, 'About an hour'],
    [90 * MIN, '2 hours'],
    [47 * HOUR, '47 hours'],
    [48 * HOUR, '2 days'],
    [13 * DAY, '13 days'],
    [14 * DAY, '2 weeks'],
    [59 * DAY, '8 weeks'],
    [60 * DAY, '2 months'],
    [729 * DAY, '24 months'],
    [730 * DAY, '2 years'],
    [365 * 5 * DAY, '5 years'],
    // Rounded hours choose the branch; the years are counted from whole hours, as go-units does.
    [730 * DAY - 20 * MIN, '1 years'],
  ];
  for (const [ms, want] of cases) {
    it(`${ms} ms → ${want}`, () => assert.equal(humanDuration(ms), want));
  }
});

describe('statusText (moby State.String)', () => {
  it('Created', () => {
    assert.equal(statusText(record('created'), NOW), 'Created');
  });

  it('Up <duration>', () => {
    assert.equal(statusText(record('running', { startedAt: ago(5 * SEC) }), NOW), 'Up 5 seconds');
    assert.equal(statusText(record('running', { startedAt: ago(3 * HOUR) }), NOW), 'Up 3 hours');
  });

  it('Up … (Paused)', () => {
    assert.equal(statusText(record('paused', { startedAt: ago(2 * MIN) }), NOW), 'Up 2 minutes (Paused)');
  });

  it('Up … with the health status', () => {
    const rec = record('running', { startedAt: ago(10 * SEC) });
    rec.state.health = { Status: 'starting', FailingStreak: 0, Log: [] };
    assert.equal(statusText(rec, NOW), 'Up 10 seconds (health: starting)');
    rec.state.health.Status = 'healthy';
    assert.equal(statusText(rec, NOW), 'Up 10 seconds (healthy)');
    rec.state.health.Status = 'unhealthy';
    assert.equal(statusText(rec, NOW), 'Up 10 seconds (unhealthy)');
  });

  it('Exited (<code>) <duration> ago', () => {
    const rec = record('exited', { exitCode: 3, startedAt: ago(10 * MIN), finishedAt: ago(2 * MIN) });
    assert.equal(statusText(rec, NOW), 'Exited (3) 2 minutes ago');
    assert.equal(
      statusText(record('exited', { startedAt: ago(2 * SEC), finishedAt: ago(SEC) }), NOW),
      'Exited (0) 1 second ago',
    );
  });

  it('an exited record that never finished reads Created', () => {
    assert.equal(statusText(record('exited', { finishedAt: ZERO_TIME }), NOW), 'Created');
  });

  it('Restarting, Removal In Progress, Dead', () => {
    assert.equal(
      statusText(record('restarting', { exitCode: 1, finishedAt: ago(30 * SEC) }), NOW),
      'Restarting (1) 30 seconds ago',
    );
    assert.equal(statusText(record('removing'), NOW), 'Removal In Progress');
    assert.equal(statusText(record('dead'), NOW), 'Dead');
  });
});

describe('stateView', () => {
  it('sets the booleans from the status', () => {
    const running = stateView(record('running', { pid: 42 }));
    assert.equal(running.Status, 'running');
    assert.equal(running.Running, true);
    assert.equal(running.Paused, false);
    assert.equal(running.Pid, 42);
    const paused = stateView(record('paused'));
    assert.equal(paused.Running, true);
    assert.equal(paused.Paused, true);
    assert.equal(stateView(record('restarting')).Restarting, true);
    assert.equal(stateView(record('dead')).Dead, true);
    assert.equal(stateView(record('exited')).Running, false);
    assert.equal(stateView(record('exited')).Health, undefined);
  });
});

describe('summaryView (moby container/view.go)', () => {
  it('shows the container as `docker ps` does, quoting arguments that hold spaces', () => {
    const s = summaryView(record('created'));
    assert.equal(s.Id, 'c'.repeat(64));
    assert.deepEqual(s.Names, ['/web']);
    assert.equal(s.Image, 'nginx:latest');
    assert.equal(s.ImageID, `sha256:${'a'.repeat(64)}`);
    assert.equal(s.Command, "nginx -g 'daemon off;'");
    assert.equal(s.Created, Math.floor((NOW - HOUR) / 1000));
    assert.equal(s.State, 'created');
    assert.equal(s.Status, 'Created');
    assert.deepEqual(s.Labels, { tier: 'web' });
    assert.equal(s.HostConfig.NetworkMode, 'bridge');
  });

  it('Command is the path alone without arguments', () => {
    const rec = record('created');
    rec.args = [];
    assert.equal(summaryView(rec).Command, 'nginx');
  });
});
