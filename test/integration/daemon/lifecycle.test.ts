// Container lifecycle through the docker CLI against berthd: stop/start/restart/kill/wait/pause/unpause/rename/rm,
// with Docker's rules (stop: the stop signal, then SIGKILL after -t; rm refuses a running container without -f).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { daemonSuite, eventually, inspect, untilLooping, waitStatus } from './helpers.js';

const s = await daemonSuite();
const T = { skip: s.skip, timeout: 30_000 };

/** A container that exits 0 on SIGTERM and writes which signal it got to its log. */
const TRAPPING = [
  'sh',
  '-c',
  'trap "echo got-TERM; exit 0" TERM; trap "echo got-USR1" USR1; while :; do sleep 0.05; done',
];

test('stop sends SIGTERM, and a container that handles it exits with its own code at once', T, async () => {
  await s.d.docker('run', '-d', '--name', 'stop-term', 'busybox', ...TRAPPING);
  await untilLooping(s.d, 'stop-term');
  const t0 = Date.now();
  const r = await s.d.docker('stop', '-t', '10', 'stop-term');
  assert.equal(r.stdout, 'stop-term\n');
  assert.ok(Date.now() - t0 < 5000, `stop took ${Date.now() - t0} ms for a container that exits on SIGTERM`);
  assert.equal(await inspect(s.d, 'stop-term', '{{.State.Status}} {{.State.ExitCode}}'), 'exited 0');
  assert.match((await s.d.docker('logs', 'stop-term')).stdout, /got-TERM/);
  await s.d.docker('rm', 'stop-term');
});

test('stop sends SIGKILL after the -t timeout to a container that ignores SIGTERM (exit 137)', T, async () => {
  // `sleep` as pid 1 has no SIGTERM handler, and pid 1 ignores signals it does not handle.
  await s.d.docker('run', '-d', '--name', 'stop-kill', 'busybox', 'sleep', '300');
  const t0 = Date.now();
  await s.d.docker('stop', '-t', '1', 'stop-kill');
  const took = Date.now() - t0;
  assert.ok(took >= 900 && took < 6000, `stop -t 1 took ${took} ms`);
  assert.equal(await inspect(s.d, 'stop-kill', '{{.State.Status}} {{.State.ExitCode}}'), 'exited 137');
  await s.d.docker('rm', 'stop-kill');
});

test('stop uses the container stop signal (--stop-signal)', T, async () => {
  await s.d.docker(
    'run',
    '-d',
    '--name',
    'stop-signal',
    '--stop-signal',
    'USR1',
    'busybox',
    'sh',
    '-c',
    'trap "echo got-USR1; exit 5" USR1; while :; do sleep 0.05; done',
  );
  await untilLooping(s.d, 'stop-signal');
  await s.d.docker('stop', '-t', '5', 'stop-signal');
  assert.equal(await inspect(s.d, 'stop-signal', '{{.State.ExitCode}}'), '5');
  await s.d.docker('rm', 'stop-signal');
});

test('stop of a stopped container succeeds and changes nothing', T, async () => {
  assert.equal((await s.d.dockerResult(['run', '--name', 'stop-stopped', 'busybox', 'sh', '-c', 'exit 4'])).code, 4);
  const r = await s.d.dockerResult(['stop', 'stop-stopped']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(await inspect(s.d, 'stop-stopped', '{{.State.ExitCode}}'), '4');
  await s.d.docker('rm', 'stop-stopped');
});

test('start runs an exited container again with the same command', T, async () => {
  assert.equal(
    (await s.d.dockerResult(['run', '--name', 'restartable', 'busybox', 'sh', '-c', 'echo run; exit 2'])).code,
    2,
  );
  const r = await s.d.docker('start', 'restartable');
  assert.equal(r.stdout, 'restartable\n');
  const code = await s.d.docker('wait', 'restartable');
  assert.equal(code.stdout, '2\n');
  assert.equal((await s.d.docker('logs', 'restartable')).stdout, 'run\nrun\n');
  await s.d.docker('rm', 'restartable');
});

test('start -a attaches and returns the exit code', T, async () => {
  await s.d.docker('create', '--name', 'start-attach', 'busybox', 'sh', '-c', 'echo attached; exit 6');
  const r = await s.d.dockerResult(['start', '-a', 'start-attach']);
  assert.equal(r.code, 6);
  assert.equal(r.stdout, 'attached\n');
  await s.d.docker('rm', 'start-attach');
});

test('restart stops and starts a running container: a new process, StartedAt moves on', T, async () => {
  await s.d.docker('run', '-d', '--name', 'restarted', 'busybox', ...TRAPPING);
  await untilLooping(s.d, 'restarted');
  const before = await inspect(s.d, 'restarted', '{{.State.Pid}} {{.State.StartedAt}}');
  await s.d.docker('restart', '-t', '5', 'restarted');
  const after = await inspect(s.d, 'restarted', '{{.State.Status}} {{.State.Pid}} {{.State.StartedAt}}');
  const [status, pid, startedAt] = after.split(' ');
  assert.equal(status, 'running');
  assert.notEqual(`${pid} ${startedAt}`, before);
  assert.ok(Date.parse(startedAt ?? '') > Date.parse(before.split(' ')[1] ?? ''));
  await s.d.docker('rm', '-f', 'restarted');
});

test('kill -s delivers the signal and leaves a container that handles it running', T, async () => {
  await s.d.docker('run', '-d', '--name', 'killed-usr1', 'busybox', ...TRAPPING);
  await untilLooping(s.d, 'killed-usr1');
  await eventually('the trap to be set', async () => {
    await s.d.docker('kill', '-s', 'USR1', 'killed-usr1');
    return /got-USR1/.test((await s.d.docker('logs', 'killed-usr1')).stdout);
  });
  assert.equal(await inspect(s.d, 'killed-usr1', '{{.State.Status}}'), 'running');
  await s.d.docker('rm', '-f', 'killed-usr1');
});

test('kill (SIGKILL by default) ends the container with 137', T, async () => {
  await s.d.docker('run', '-d', '--name', 'killed', 'busybox', 'sleep', '300');
  const r = await s.d.docker('kill', 'killed');
  assert.equal(r.stdout, 'killed\n');
  await waitStatus(s.d, 'killed', 'exited');
  assert.equal(await inspect(s.d, 'killed', '{{.State.ExitCode}}'), '137');
  await s.d.docker('rm', 'killed');
});

test('kill of a stopped container is refused with "is not running"', T, async () => {
  await s.d.docker('create', '--name', 'kill-stopped', 'busybox', 'true');
  const r = await s.d.dockerResult(['kill', 'kill-stopped']);
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /Error response from daemon: Cannot kill container: kill-stopped: [Cc]ontainer \w+ is not running/,
  );
  await s.d.docker('rm', 'kill-stopped');
});

test('kill with an unknown signal is refused', T, async () => {
  await s.d.docker('run', '-d', '--name', 'kill-bad-signal', 'busybox', 'sleep', '300');
  const r = await s.d.dockerResult(['kill', '-s', 'NOSUCHSIG', 'kill-bad-signal']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Invalid signal: NOSUCHSIG/i);
  assert.equal(await inspect(s.d, 'kill-bad-signal', '{{.State.Status}}'), 'running');
  await s.d.docker('rm', '-f', 'kill-bad-signal');
});

test('wait blocks until the container exits and prints its exit code', T, async () => {
  await s.d.docker('run', '-d', '--name', 'waited', 'busybox', 'sh', '-c', 'sleep 0.5; exit 42');
  const t0 = Date.now();
  const r = await s.d.docker('wait', 'waited');
  assert.equal(r.stdout, '42\n');
  assert.ok(Date.now() - t0 >= 200, 'wait returned before the container could have exited');
  // Waiting on an exited container answers at once with the same code.
  assert.equal((await s.d.docker('wait', 'waited')).stdout, '42\n');
  await s.d.docker('rm', 'waited');
});

test('pause freezes the container (Paused in inspect and ps) and unpause resumes it', T, async () => {
  await s.d.docker(
    'run',
    '-d',
    '--name',
    'paused',
    'busybox',
    'sh',
    '-c',
    'while :; do date +%s%N > /tick; sleep 0.02; done',
  );
  await waitStatus(s.d, 'paused', 'running');
  assert.equal((await s.d.docker('pause', 'paused')).stdout, 'paused\n');
  assert.equal(
    await inspect(s.d, 'paused', '{{.State.Status}} {{.State.Paused}} {{.State.Running}}'),
    'paused true true',
  );
  const ps = await s.d.docker('ps', '--filter', 'name=^paused$', '--format', '{{.Status}}');
  assert.match(ps.stdout, /^Up .* \(Paused\)\n$/);
  const frozen = await s.d.dockerResult(['exec', 'paused', 'true']);
  assert.equal(frozen.code, 1);
  assert.match(frozen.stderr, /is paused, unpause the container before exec/);
  assert.equal((await s.d.docker('unpause', 'paused')).stdout, 'paused\n');
  assert.equal(await inspect(s.d, 'paused', '{{.State.Status}} {{.State.Paused}}'), 'running false');
  const a = (await s.d.docker('exec', 'paused', 'cat', '/tick')).stdout;
  await eventually(
    'the loop to tick again',
    async () => (await s.d.docker('exec', 'paused', 'cat', '/tick')).stdout !== a,
  );
  await s.d.docker('rm', '-f', 'paused');
});

test('pause of a stopped container is refused', T, async () => {
  await s.d.docker('create', '--name', 'pause-stopped', 'busybox', 'true');
  const r = await s.d.dockerResult(['pause', 'pause-stopped']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /is not running/);
  await s.d.docker('rm', 'pause-stopped');
});

test('rename changes the name; the old name is free and the new one taken', T, async () => {
  await s.d.docker('create', '--name', 'old-name', 'busybox', 'true');
  await s.d.docker('rename', 'old-name', 'new-name');
  assert.equal(await inspect(s.d, 'new-name', '{{.Name}}'), '/new-name');
  const gone = await s.d.dockerResult(['inspect', 'old-name']);
  assert.equal(gone.code, 1);
  await s.d.docker('create', '--name', 'old-name', 'busybox', 'true');
  const clash = await s.d.dockerResult(['rename', 'old-name', 'new-name']);
  assert.equal(clash.code, 1);
  assert.match(clash.stderr, /Conflict\. The container name "\/new-name" is already in use by container/);
  await s.d.docker('rm', 'old-name', 'new-name');
});

test('rm refuses a running container without -f, and -f removes it', T, async () => {
  await s.d.docker('run', '-d', '--name', 'rm-running', 'busybox', 'sleep', '300');
  const r = await s.d.dockerResult(['rm', 'rm-running']);
  assert.equal(r.code, 1);
  // Docker 28's text; 20.10 said "You cannot remove a running container <id>. Stop the container before ...".
  assert.match(
    r.stderr,
    /container is running: stop the container before removing or force remove|cannot remove a running container/i,
  );
  assert.equal(await inspect(s.d, 'rm-running', '{{.State.Status}}'), 'running');
  const f = await s.d.docker('rm', '-f', 'rm-running');
  assert.equal(f.stdout, 'rm-running\n');
  assert.equal((await s.d.dockerResult(['inspect', 'rm-running'])).code, 1);
});

test('rm of several containers removes each and reports the missing one', T, async () => {
  await s.d.docker('create', '--name', 'rm-a', 'busybox', 'true');
  await s.d.docker('create', '--name', 'rm-b', 'busybox', 'true');
  const r = await s.d.dockerResult(['rm', 'rm-a', 'rm-missing', 'rm-b']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, 'rm-a\nrm-b\n');
  assert.match(r.stderr, /No such container: rm-missing/);
});
