// berthd restarts and restart policies: with --live-restore running containers survive a daemon restart (same
// process, whole logs, exec and stop still work); without it they are stopped; `--restart` policies follow Docker's
// rules (a process exiting on its own is restarted, `docker kill` is not, on-failure:N stops after N).
import assert from 'node:assert/strict';
import { access, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { daemonSuite, eventually, inspect, untilLooping, waitStatus } from './helpers.js';

const LIVE = ['--live-restore'];
const s = await daemonSuite({ args: LIVE });
const T = { skip: s.skip, timeout: 60_000 };

let shared: string | undefined;
async function sharedDir(): Promise<string> {
  shared ??= await mkdtemp(join(tmpdir(), 'berth-restore-it-'));
  return shared;
}
after(async () => {
  if (shared) await rm(shared, { recursive: true, force: true });
});

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

/** Exits 0 on SIGTERM, 3 on USR1 (sent from inside with `docker exec c kill -USR1 1`). */
const LOOP = ['sh', '-c', 'trap "exit 0" TERM; trap "exit 3" USR1; while :; do sleep 0.05; done'];

test(
  '--live-restore: a running container keeps running across a daemon restart, same process, whole logs',
  T,
  async () => {
    await s.d.docker(
      'run',
      '-d',
      '--name',
      'survivor',
      'busybox',
      'sh',
      '-c',
      'trap "exit 0" TERM; echo before; while ! [ -e /go ]; do sleep 0.05; done; echo after; while :; do sleep 0.05; done',
    );
    await eventually('the first line', async () => (await s.d.docker('logs', 'survivor')).stdout === 'before\n');
    const pid = await inspect(s.d, 'survivor', '{{.State.Pid}} {{.State.StartedAt}}');
    await s.d.restart(LIVE);
    assert.equal(await inspect(s.d, 'survivor', '{{.State.Status}}'), 'running');
    assert.equal(await inspect(s.d, 'survivor', '{{.State.Pid}} {{.State.StartedAt}}'), pid, 'a new process');
    // The reattached container is fully usable: exec, its output still logged, stop with its exit code.
    await s.d.docker('exec', 'survivor', 'touch', '/go');
    await eventually(
      'the second line',
      async () => (await s.d.docker('logs', 'survivor')).stdout === 'before\nafter\n',
    );
    assert.match((await s.d.docker('ps', '--filter', 'name=^survivor$', '--format', '{{.Status}}')).stdout, /^Up /);
    await s.d.docker('stop', '-t', '5', 'survivor');
    assert.equal(await inspect(s.d, 'survivor', '{{.State.Status}} {{.State.ExitCode}}'), 'exited 0');
    await s.d.docker('rm', 'survivor');
  },
);

test('--live-restore: docker wait and logs -f started after the restart see the exit', T, async () => {
  await s.d.docker(
    'run',
    '-d',
    '--name',
    'waited-across',
    'busybox',
    'sh',
    '-c',
    'while ! [ -e /go ]; do sleep 0.05; done; echo bye; exit 9',
  );
  await s.d.restart(LIVE);
  const wait = s.d.dockerResult(['wait', 'waited-across'], { timeoutMs: 20_000 });
  const follow = s.d.dockerResult(['logs', '-f', 'waited-across'], { timeoutMs: 20_000 });
  await s.d.docker('exec', 'waited-across', 'touch', '/go');
  assert.equal((await wait).stdout, '9\n');
  assert.equal((await follow).stdout, 'bye\n');
  await s.d.docker('rm', 'waited-across');
});

test(
  '--live-restore: a container that exits while berthd is down is exited with its code after the restart',
  T,
  async () => {
    const dir = await sharedDir();
    await s.d.docker(
      'run',
      '-d',
      '--name',
      'died-meanwhile',
      '-v',
      `${dir}:/out`,
      'busybox',
      'sh',
      '-c',
      'while ! [ -e /out/go ]; do sleep 0.05; done; touch /out/gone; exit 7',
    );
    await s.d.restart(LIVE, {
      whileStopped: async () => {
        await writeFile(join(dir, 'go'), '');
        // Whether berthd finds it gone or still going for an instant, the exit must end up recorded.
        await eventually('the container to be on its way out', () => exists(join(dir, 'gone')));
      },
    });
    await waitStatus(s.d, 'died-meanwhile', 'exited');
    assert.equal(await inspect(s.d, 'died-meanwhile', '{{.State.ExitCode}}'), '7');
    await s.d.docker('rm', 'died-meanwhile');
  },
);

test(
  'without --live-restore a daemon restart stops running containers (SIGTERM first): exited afterwards',
  T,
  async () => {
    await s.d.restart([]);
    try {
      await s.d.docker('run', '-d', '--name', 'not-restored', 'busybox', ...LOOP);
      await eventually('the trap to be set', async () =>
        (await s.d.docker('top', 'not-restored')).stdout.includes('sleep'),
      );
      await s.d.restart([]);
      assert.equal(await inspect(s.d, 'not-restored', '{{.State.Status}} {{.State.ExitCode}}'), 'exited 0');
      assert.equal((await s.d.docker('ps', '-q', '--filter', 'name=^not-restored$')).stdout, '');
    } finally {
      await s.d.dockerResult(['rm', '-f', 'not-restored']);
      await s.d.restart(LIVE);
    }
  },
);

test('berthd without --live-restore stops what a --live-restore run left running, stop signal first', T, async () => {
  await s.d.docker('run', '-d', '--name', 'left-running', 'busybox', ...LOOP);
  await eventually('the trap to be set', async () =>
    (await s.d.docker('top', 'left-running')).stdout.includes('sleep'),
  );
  await s.d.restart([]); // the live-restore daemon leaves it running; the new one, without, stops it (as dockerd)
  try {
    // It is stopped while the API serves: a request on it waits for that, then sees it exited.
    assert.equal((await s.d.docker('wait', 'left-running')).stdout, '0\n');
    assert.equal(await inspect(s.d, 'left-running', '{{.State.Status}} {{.State.ExitCode}}'), 'exited 0');
  } finally {
    await s.d.dockerResult(['rm', '-f', 'left-running']);
    await s.d.restart(LIVE);
  }
});

test(
  'a daemon restart starts --restart always containers again, not unless-stopped ones stopped by hand',
  T,
  async () => {
    await s.d.restart([]); // a daemon without live-restore: its shutdown stops the containers
    try {
      await s.d.docker('run', '-d', '--name', 'always-on', '--restart', 'always', 'busybox', ...LOOP);
      await s.d.docker('run', '-d', '--name', 'stopped-by-hand', '--restart', 'unless-stopped', 'busybox', ...LOOP);
      await untilLooping(s.d, 'always-on');
      await untilLooping(s.d, 'stopped-by-hand');
      await s.d.docker('stop', 'stopped-by-hand');
      const before = await inspect(s.d, 'always-on', '{{.State.StartedAt}}');
      await s.d.restart([]);
      await waitStatus(s.d, 'always-on', 'running');
      assert.notEqual(await inspect(s.d, 'always-on', '{{.State.StartedAt}}'), before, 'not started again');
      assert.equal(await inspect(s.d, 'stopped-by-hand', '{{.State.Status}}'), 'exited');
    } finally {
      await s.d.dockerResult(['rm', '-f', 'always-on', 'stopped-by-hand']);
      await s.d.restart(LIVE);
    }
  },
);

test('--restart always: a process that exits on its own is started again (RestartCount 1)', T, async () => {
  await s.d.docker('run', '-d', '--name', 'bounces', '--restart', 'always', 'busybox', ...LOOP);
  await untilLooping(s.d, 'bounces');
  const first = await inspect(s.d, 'bounces', '{{.State.StartedAt}}');
  await eventually(
    'the trap to be set',
    async () => (await s.d.dockerResult(['exec', 'bounces', 'kill', '-USR1', '1'])).code === 0,
  );
  await eventually(
    'a restart',
    async () => (await inspect(s.d, 'bounces', '{{.RestartCount}} {{.State.Status}}')) === '1 running',
  );
  assert.notEqual(await inspect(s.d, 'bounces', '{{.State.StartedAt}}'), first);
  assert.equal(await inspect(s.d, 'bounces', '{{.State.ExitCode}}'), '0', 'a running container shows exit code 0');
  await s.d.docker('rm', '-f', 'bounces');
});

test('--restart always: docker kill and docker stop are not undone by the policy', T, async () => {
  await s.d.docker('run', '-d', '--name', 'killed-always', '--restart', 'always', 'busybox', 'sleep', '300');
  await s.d.docker('kill', 'killed-always');
  await waitStatus(s.d, 'killed-always', 'exited');
  await s.d.docker('run', '-d', '--name', 'stopped-always', '--restart', 'always', 'busybox', ...LOOP);
  await untilLooping(s.d, 'stopped-always');
  await s.d.docker('stop', 'stopped-always');
  // Docker's first restart would come 100 ms after the exit: give it ten times that.
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(await inspect(s.d, 'killed-always', '{{.State.Status}} {{.RestartCount}}'), 'exited 0');
  assert.equal(await inspect(s.d, 'stopped-always', '{{.State.Status}} {{.RestartCount}}'), 'exited 0');
  await s.d.docker('rm', 'killed-always', 'stopped-always');
});

test('--restart on-failure:2 restarts a failing container twice, then leaves it exited', T, async () => {
  await s.d.docker(
    'run',
    '-d',
    '--name',
    'fails',
    '--restart',
    'on-failure:2',
    'busybox',
    'sh',
    '-c',
    'sleep 0.3; exit 1',
  );
  await eventually(
    'two restarts and a final exit',
    async () =>
      (await inspect(s.d, 'fails', '{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}')) === '2 exited 1',
    15_000,
  );
  // And it stays so (no third run).
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(await inspect(s.d, 'fails', '{{.RestartCount}} {{.State.Status}}'), '2 exited');
  assert.equal((await s.d.docker('logs', 'fails')).stdout, '');
  await s.d.docker('rm', 'fails');
});

test('--restart on-failure does not restart a container that exits 0', T, async () => {
  await s.d.docker('run', '-d', '--name', 'succeeds', '--restart', 'on-failure', 'busybox', 'true');
  await waitStatus(s.d, 'succeeds', 'exited');
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(await inspect(s.d, 'succeeds', '{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}'), '0 exited 0');
  await s.d.docker('rm', 'succeeds');
});

test('--restart and --rm together are refused (by the CLI, and by the daemon with 400)', T, async () => {
  const r = await s.d.dockerResult(['run', '--rm', '--restart', 'always', 'busybox', 'true']);
  assert.equal(r.code, 125);
  assert.match(r.stderr, /conflicting options: cannot specify both --restart and --rm/);
  const api = await s.d.request(
    'POST',
    '/containers/create',
    JSON.stringify({ Image: 'busybox', HostConfig: { AutoRemove: true, RestartPolicy: { Name: 'always' } } }),
    { 'Content-Type': 'application/json' },
  );
  assert.equal(api.status, 400);
  assert.match(api.body, /can't create 'AutoRemove' container with restart policy/);
});

test(
  'a container whose read-write layer a crash cut short (its record written, the layer not) is gone after a restart',
  T,
  async () => {
    const id = (await s.d.docker('create', '--name', 'cut-short', 'busybox', 'true')).stdout.trim();
    // What a crash in the middle of the create leaves: the container's record, the layer's intent, no layer record.
    const image = join(s.d.dir, 'data', 'image');
    const driver = (await readdir(image)).find((d) => d === 'overlay2' || d === 'vfs') ?? '';
    const layerdb = join(image, driver, 'layerdb');
    const mountId = (await readFile(join(layerdb, 'mounts', id, 'mount-id'), 'utf8')).trim();
    await s.d.restart(LIVE, {
      whileStopped: async () => {
        await rm(join(layerdb, 'mounts', id), { recursive: true });
        await writeFile(join(layerdb, 'tmp', `intent-${mountId}`), '');
      },
    });
    assert.equal((await s.d.docker('ps', '-aq', '--filter', 'name=^cut-short$')).stdout, '');
    assert.equal(await exists(join(s.d.dir, 'data', 'containers', id)), false);
    const driverDir = driver === 'vfs' ? join('vfs', 'dir') : driver;
    assert.equal(await exists(join(s.d.dir, 'data', driverDir, mountId)), false, 'the half-made layer is removed too');
    await s.d.docker('create', '--name', 'cut-short', 'busybox', 'true'); // the name is free
    await s.d.docker('rm', 'cut-short');
  },
);

test('a restart with another storage driver keeps the containers of the first; back on it they run', T, async (t) => {
  if ((await s.d.docker('info', '--format', '{{.Driver}}')).stdout.trim() !== 'overlay2') {
    t.skip('needs overlay2 as the default driver, to switch to vfs');
    return;
  }
  await s.d.docker('create', '--name', 'other-driver', 'busybox', 'true');
  try {
    await s.d.restart([...LIVE, '--storage-driver=vfs']);
    assert.equal(
      (await s.d.docker('ps', '-a', '--format', '{{.Names}}', '--filter', 'name=^other-driver$')).stdout,
      'other-driver\n',
    );
  } finally {
    await s.d.restart(LIVE);
  }
  assert.equal((await s.d.dockerResult(['start', '-a', 'other-driver'])).code, 0);
  await s.d.docker('rm', 'other-driver');
});
