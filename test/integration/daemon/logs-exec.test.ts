// `docker logs` (tail, follow, timestamps, since/until, json-file rotation from the daemon's --log-opt) and
// `docker exec` (exit code, env, workdir, user, stdin, detached, refused in a stopped container) against berthd.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { join } from 'node:path';
import { DOCKER_CLI } from '../../fixtures/berthd.js';
import { repoRoot } from '../../fixtures/index.js';
import { daemonSuite, eventually, inspect, waitStatus } from './helpers.js';

const FIVE_LINES = ['sh', '-c', 'for i in 1 2 3 4 5; do echo line$i; done; echo oops >&2'];

// The daemon's default log options: small files, two of them, so rotation shows. logged: an exited container with
// five lines of stdout and one of stderr; exec-target: a running one for the exec tests.
const s = await daemonSuite({
  args: ['--log-opt', 'max-size=16k', '--log-opt', 'max-file=2'],
  setup: async (d) => {
    await d.docker('run', '-d', '--name', 'logged', 'busybox', ...FIVE_LINES);
    await d.docker('wait', 'logged');
    await d.docker('run', '-d', '--name', 'exec-target', '-e', 'FROM_RUN=1', 'busybox', 'sleep', '300');
  },
});
const T = { skip: s.skip, timeout: 30_000 };

test('logs of a detached container: stdout to stdout, stderr to stderr', T, async () => {
  assert.equal((await s.d.docker('wait', 'logged')).stdout, '0\n');
  const r = await s.d.docker('logs', 'logged');
  assert.equal(r.stdout, 'line1\nline2\nline3\nline4\nline5\n');
  assert.equal(r.stderr, 'oops\n');
});

test('logs --tail N gives the last N lines (of both streams together); --tail 0 none', T, async () => {
  const r = await s.d.docker('logs', '--tail', '2', 'logged');
  assert.equal(r.stdout, 'line5\n');
  assert.equal(r.stderr, 'oops\n');
  const three = await s.d.docker('logs', '--tail', '3', 'logged');
  assert.equal(three.stdout, 'line4\nline5\n');
  const none = await s.d.docker('logs', '--tail', '0', 'logged');
  assert.equal(none.stdout + none.stderr, '');
  const all = await s.d.docker('logs', '--tail', 'all', 'logged');
  assert.equal(all.stdout, 'line1\nline2\nline3\nline4\nline5\n');
});

test('logs --timestamps prefixes each line with an RFC 3339 nano time', T, async () => {
  const r = await s.d.docker('logs', '--timestamps', 'logged');
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 5);
  for (const [i, l] of lines.entries()) {
    assert.match(l, new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{1,9}Z line${i + 1}$`));
  }
  const times = lines.map((l) => Date.parse(l.split(' ')[0] ?? ''));
  assert.deepEqual(
    [...times].sort((a, b) => a - b),
    times,
    'timestamps go forward',
  );
});

test('logs --since and --until select by time (absolute and relative)', T, async () => {
  const past = await s.d.docker('logs', '--since', '2000-01-01T00:00:00Z', 'logged');
  assert.equal(past.stdout, 'line1\nline2\nline3\nline4\nline5\n');
  const future = await s.d.docker('logs', '--since', new Date(Date.now() + 60_000).toISOString(), 'logged');
  assert.equal(future.stdout + future.stderr, '');
  const until = await s.d.docker('logs', '--until', '2000-01-01T00:00:00Z', 'logged');
  assert.equal(until.stdout + until.stderr, '');
  const recent = await s.d.docker('logs', '--since', '10m', 'logged');
  assert.equal(recent.stdout, 'line1\nline2\nline3\nline4\nline5\n');
});

test('logs --since a time between two lines gives only the later ones', T, async () => {
  await s.d.docker('run', '-d', '--name', 'logged-apart', 'busybox', 'sh', '-c', 'echo early; sleep 1; echo late');
  await s.d.docker('wait', 'logged-apart');
  const ts = (await s.d.docker('logs', '-t', 'logged-apart')).stdout.trim().split('\n');
  const lateAt = Date.parse(ts[1]?.split(' ')[0] ?? '');
  const between = new Date(lateAt - 300).toISOString();
  const r = await s.d.docker('logs', '--since', between, 'logged-apart');
  assert.equal(r.stdout, 'late\n');
});

test('logs -f follows a running container until it exits', T, async () => {
  await s.d.docker(
    'run',
    '-d',
    '--name',
    'followed',
    'busybox',
    'sh',
    '-c',
    'for i in 1 2 3; do echo tick$i; sleep 0.3; done',
  );
  const t0 = Date.now();
  const r = await s.d.dockerResult(['logs', '-f', 'followed'], { timeoutMs: 15_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'tick1\ntick2\ntick3\n');
  assert.ok(Date.now() - t0 >= 500, 'logs -f returned before the container could have finished');
  assert.equal(await inspect(s.d, 'followed', '{{.State.Status}}'), 'exited');
});

test('logs -f --tail 1 prints the last line, then what comes, as it comes', T, async () => {
  await s.d.docker(
    'run',
    '-d',
    '--name',
    'followed-live',
    'busybox',
    'sh',
    '-c',
    'echo old1; echo old2; while ! [ -e /go ]; do sleep 0.05; done; echo new; sleep 300',
  );
  await eventually('old2 to be logged', async () => /old2/.test((await s.d.docker('logs', 'followed-live')).stdout));
  const child = spawn(DOCKER_CLI, ['logs', '-f', '--tail', '1', 'followed-live'], {
    env: { ...process.env, DOCKER_HOST: s.d.host },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => {
    out += b.toString();
  });
  try {
    await eventually('the tail to arrive', async () => out === 'old2\n', 5000);
    await s.d.docker('exec', 'followed-live', 'touch', '/go');
    await eventually('the new line to be followed', async () => out === 'old2\nnew\n', 5000);
  } finally {
    child.kill();
    await s.d.docker('rm', '-f', 'followed-live');
  }
});

test('json-file rotation (daemon --log-opt max-size=16k max-file=2) keeps the newest lines', T, async () => {
  // ~100 KiB of numbered lines: only the last two 16 KiB files survive.
  const r = await s.d.dockerResult([
    'run',
    '--name',
    'rotated',
    'busybox',
    'sh',
    '-c',
    'i=0; while [ $i -lt 2000 ]; do echo "line-$i-padding-padding-padding"; i=$((i+1)); done',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /line-1999-padding/); // the attached client sees everything
  const logs = (await s.d.docker('logs', 'rotated')).stdout.trimEnd().split('\n');
  assert.equal(logs.at(-1), 'line-1999-padding-padding-padding');
  assert.ok(logs.length < 2000, `all ${logs.length} lines kept despite max-size=16k`);
  const first = Number(/^line-(\d+)-/.exec(logs[0] ?? '')?.[1]);
  assert.deepEqual(
    logs.map((l) => Number(/^line-(\d+)-/.exec(l)?.[1])),
    Array.from({ length: logs.length }, (_, i) => first + i),
    'the kept lines are whole and in order',
  );
  const logPath = await inspect(s.d, 'rotated', '{{.LogPath}}');
  assert.match(logPath, /-json\.log$/);
});

test('logs of an unknown container fails with "No such container"', T, async () => {
  const r = await s.d.dockerResult(['logs', 'no-such-logged']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'Error response from daemon: No such container: no-such-logged\n');
});

test("exec returns the command's exit code and output", T, async () => {
  const r = await s.d.dockerResult(['exec', 'exec-target', 'sh', '-c', 'echo out; echo err >&2; exit 4']);
  assert.equal(r.code, 4);
  assert.equal(r.stdout, 'out\n');
  assert.equal(r.stderr, 'err\n');
  assert.equal((await s.d.dockerResult(['exec', 'exec-target', 'true'])).code, 0);
});

test('exec of a missing command exits 127, of a non-executable one 126, with runc-like messages', T, async () => {
  const missing = await s.d.dockerResult(['exec', 'exec-target', 'no-such-command']);
  assert.equal(missing.code, 127);
  assert.match(missing.stdout + missing.stderr, /exec: "no-such-command": executable file not found in \$PATH/);
  const notExec = await s.d.dockerResult(['exec', 'exec-target', '/etc/passwd']);
  assert.equal(notExec.code, 126);
  assert.match(notExec.stdout + notExec.stderr, /exec: "\/etc\/passwd": permission denied/);
});

test("exec runs with the container's env plus -e, and -w, -u", T, async () => {
  const env = await s.d.docker('exec', '-e', 'FROM_EXEC=2', 'exec-target', 'env');
  const vars = env.stdout.trim().split('\n');
  assert.ok(vars.includes('FROM_RUN=1'), env.stdout);
  assert.ok(vars.includes('FROM_EXEC=2'), env.stdout);
  assert.ok(vars.includes('HOME=/root'), env.stdout);
  assert.equal((await s.d.docker('exec', '-w', '/etc', 'exec-target', 'pwd')).stdout, '/etc\n');
  assert.equal(
    (await s.d.docker('exec', '-u', 'nobody', 'exec-target', 'id')).stdout,
    'uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)\n',
  );
  assert.equal(
    (await s.d.docker('exec', '-u', '1000:1001', 'exec-target', 'id')).stdout,
    'uid=1000 gid=1001 groups=1001\n',
  );
});

test('exec -i passes stdin, and only stdin (not the request body)', T, async () => {
  const r = await s.d.dockerResult(['exec', '-i', 'exec-target', 'cat'], { input: 'piped in\n' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'piped in\n');
});

test('exec -d runs in the background and returns at once', T, async () => {
  const r = await s.d.dockerResult(['exec', '-d', 'exec-target', 'sh', '-c', 'sleep 0.2; echo done > /exec-d']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  await eventually('the detached exec to finish', async () => {
    const c = await s.d.dockerResult(['exec', 'exec-target', 'cat', '/exec-d']);
    return c.stdout === 'done\n';
  });
});

test('exec processes show in top while they run', T, async () => {
  await s.d.docker('exec', '-d', 'exec-target', 'sleep', '7777');
  await eventually('the exec to show in top', async () =>
    /sleep 7777/.test((await s.d.docker('top', 'exec-target')).stdout),
  );
});

test('exec in a stopped container is refused with 409 "is not running"', T, async () => {
  await s.d.docker('create', '--name', 'exec-stopped', 'busybox', 'true');
  const r = await s.d.dockerResult(['exec', 'exec-stopped', 'true']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^Error response from daemon: [Cc]ontainer [0-9a-f]{64} is not running\n$/);
  const api = await s.d.request('POST', '/containers/exec-stopped/exec', JSON.stringify({ Cmd: ['true'] }), {
    'Content-Type': 'application/json',
  });
  assert.equal(api.status, 409);
  assert.match((JSON.parse(api.body) as { message: string }).message, /is not running/);
});

test('exec in an unknown container fails with "No such container"', T, async () => {
  const r = await s.d.dockerResult(['exec', 'no-such-exec-target', 'true']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'Error response from daemon: No such container: no-such-exec-target\n');
});

test('an exec does not keep a stopping container alive', T, async () => {
  await s.d.docker('run', '-d', '--name', 'exec-then-kill', 'busybox', 'sleep', '300');
  await s.d.docker('exec', '-d', 'exec-then-kill', 'sleep', '600');
  await s.d.docker('kill', 'exec-then-kill');
  await waitStatus(s.d, 'exec-then-kill', 'exited');
  assert.equal(await inspect(s.d, 'exec-then-kill', '{{.State.ExitCode}}'), '137');
  await s.d.docker('rm', 'exec-then-kill');
});

test('a quick exec never loses its output (the attach is in place before the start)', T, async () => {
  // With the attach racing the start, berth's CLI (which starts sooner after create) lost about one exec's output in
  // four, docker's about one in sixty: 30 of each.
  const berth = join(await repoRoot(), 'bin', 'berth');
  for (const cli of [berth, undefined]) {
    for (let i = 0; i < 30; i++) {
      const r = await s.d.dockerResult(['exec', 'exec-target', 'echo', `line ${i}`], { cli });
      assert.deepEqual([r.code, r.stdout], [0, `line ${i}\n`], `${cli ?? 'docker'}: ${r.stderr}`);
    }
  }
});
