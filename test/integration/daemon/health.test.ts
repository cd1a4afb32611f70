// Health checks through the docker CLI against berthd: --health-* flags run the probe through exec, State.Health and
// ps show the verdict, and events carry health_status (with the probe's own exec events, as dockerd emits them).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { daemonSuite, eventually, inspect } from './helpers.js';

const s = await daemonSuite();
const T = { skip: s.skip, timeout: 30_000 };

const FAST = ['--health-interval', '100ms', '--health-timeout', '2s'];

test('a passing --health-cmd makes the container healthy: State.Health, ps and health_status events', T, async () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  const id = (
    await s.d.docker(
      'run',
      '-d',
      '--name',
      'hc-ok',
      '--health-cmd',
      'test -e /bin/sh',
      ...FAST,
      'busybox',
      'sleep',
      '60',
    )
  ).stdout.trim();
  await eventually('healthy', async () => (await inspect(s.d, 'hc-ok', '{{.State.Health.Status}}')) === 'healthy');
  const log = JSON.parse(await inspect(s.d, 'hc-ok', '{{json .State.Health.Log}}')) as { ExitCode: number }[];
  assert.ok(log.length >= 1 && log.every((r) => r.ExitCode === 0), JSON.stringify(log));
  assert.match((await s.d.docker('ps', '--filter', 'name=hc-ok', '--format', '{{.Status}}')).stdout, /\(healthy\)/);
  const until = Math.floor(Date.now() / 1000) + 1;
  const events = (
    await s.d.docker(
      'events',
      '--since',
      String(since),
      '--until',
      String(until),
      '--filter',
      `container=${id}`,
      '--format',
      '{{.Action}}',
    )
  ).stdout;
  assert.match(events, /^health_status: healthy$/m);
  assert.match(events, /^exec_create: \/bin\/sh -c test -e \/bin\/sh$/m);
  assert.match(events, /^exec_start: \/bin\/sh -c test -e \/bin\/sh$/m);
  assert.match(events, /^exec_die$/m);
  await s.d.docker('rm', '-f', 'hc-ok');
});

test('a failing probe turns the container unhealthy after --health-retries, with the output logged', T, async () => {
  await s.d.docker(
    'run',
    '-d',
    '--name',
    'hc-bad',
    '--health-cmd',
    'echo broken; exit 3',
    '--health-retries',
    '2',
    ...FAST,
    'busybox',
    'sleep',
    '60',
  );
  await eventually('unhealthy', async () => (await inspect(s.d, 'hc-bad', '{{.State.Health.Status}}')) === 'unhealthy');
  assert.ok(Number(await inspect(s.d, 'hc-bad', '{{.State.Health.FailingStreak}}')) >= 2);
  const last = JSON.parse(await inspect(s.d, 'hc-bad', '{{json (index .State.Health.Log 0)}}')) as {
    ExitCode: number;
    Output: string;
  };
  assert.equal(last.ExitCode, 3);
  assert.equal(last.Output, 'broken\n');
  assert.match((await s.d.docker('ps', '--filter', 'name=hc-bad', '--format', '{{.Status}}')).stdout, /\(unhealthy\)/);
  await s.d.docker('rm', '-f', 'hc-bad');
});

test('--no-healthcheck leaves State.Health out', T, async () => {
  await s.d.docker('run', '-d', '--name', 'hc-none', '--no-healthcheck', 'busybox', 'sleep', '60');
  assert.equal(await inspect(s.d, 'hc-none', '{{if .State.Health}}has{{else}}none{{end}}'), 'none');
  await s.d.docker('rm', '-f', 'hc-none');
});
