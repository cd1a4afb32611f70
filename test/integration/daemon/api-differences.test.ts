// Smaller API differences clients trip on (issue 11), each checked against what Debian's dockerd 20.10 answers to the
// same commands: container prune's report, an unknown log driver's error, the attach/top/import/tag events,
// `system df`'s shared image sizes, a SIGKILL answered once the container is dead, and a restarting container's
// removal refused without -f.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Berthd } from '../../fixtures/berthd.js';
import { daemonSuite, eventually, inspect, waitStatus } from './helpers.js';

const s = await daemonSuite();
const T = { skip: s.skip, timeout: 30_000 };

/** An empty tar archive (two zero blocks), for `docker import`. */
const EMPTY_TAR = Buffer.alloc(1024);

async function json<R>(d: Berthd, method: string, path: string): Promise<{ status: number; body: R }> {
  const r = await d.request(method, path);
  return { status: r.status, body: JSON.parse(r.body) as R };
}

test('container prune lists what it removed and the space their read-write layers held', T, async () => {
  const id = (
    await s.d.docker('run', '-d', '--label', 'prune-api', 'busybox', 'sh', '-c', 'head -c 100000 /dev/zero > /big')
  ).stdout.trim();
  await s.d.docker('wait', id);
  const sized = await json<{ SizeRw: number }>(s.d, 'GET', `/containers/${id}/json?size=1`);
  assert.ok(sized.body.SizeRw >= 100_000, `SizeRw ${sized.body.SizeRw}`);

  const filters = encodeURIComponent(JSON.stringify({ label: ['prune-api'] }));
  const r = await json<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }>(
    s.d,
    'POST',
    `/containers/prune?filters=${filters}`,
  );
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.ContainersDeleted, [id]);
  assert.equal(r.body.SpaceReclaimed, sized.body.SizeRw);

  const cliId = (
    await s.d.docker('run', '-d', '--label', 'prune-cli', 'busybox', 'sh', '-c', 'head -c 100000 /dev/zero > /big')
  ).stdout.trim();
  await s.d.docker('wait', cliId);
  const cli = await s.d.docker('container', 'prune', '-f', '--filter', 'label=prune-cli');
  assert.match(cli.stdout, new RegExp(`^Deleted Containers:\\n${cliId}\\n\\nTotal reclaimed space: 10\\dkB\\n$`));
});

test("an unknown log driver is refused with dockerd's words (a plugin that is not there)", T, async () => {
  const r = await s.d.dockerResult(['run', '--rm', '--log-driver', 'x', 'busybox', 'true']);
  assert.equal(r.code, 125);
  assert.match(
    r.stderr,
    /^docker: Error response from daemon: error looking up logging plugin x: plugin "x" not found/,
  );
  const api = await s.d.request(
    'POST',
    '/containers/create',
    JSON.stringify({ Image: 'busybox', HostConfig: { LogConfig: { Type: 'x', Config: {} } } }),
    { 'Content-Type': 'application/json' },
  );
  assert.equal(api.status, 400);
  assert.equal(JSON.parse(api.body).message, 'error looking up logging plugin x: plugin "x" not found');
});

test('attach and top emit container events; import emits tag then import image events', T, async () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  const id = (
    await s.d.docker('run', '-d', '--name', 'ev-target', 'busybox', 'sh', '-c', 'sleep 1; echo bye')
  ).stdout.trim();
  await s.d.docker('top', 'ev-target');
  const attached = await s.d.docker('attach', 'ev-target');
  assert.equal(attached.stdout, 'bye\n');
  const tagged = (await s.d.dockerResult(['import', '-', 'ev-import:v1'], { input: EMPTY_TAR })).stdout.trim();
  const plain = (await s.d.dockerResult(['import', '-'], { input: EMPTY_TAR })).stdout.trim();
  assert.match(tagged, /^sha256:[0-9a-f]{64}$/);
  assert.match(plain, /^sha256:[0-9a-f]{64}$/);
  const until = Math.ceil(Date.now() / 1000) + 1;
  const r = await s.d.docker(
    'events',
    '--since',
    String(since),
    '--until',
    String(until),
    '--format',
    '{{.Type}} {{.Action}} {{.Actor.ID}} {{.Actor.Attributes.name}}',
  );
  const lines = r.stdout.split('\n').filter(Boolean);
  const mine = lines.filter((l) => l.includes(id) || l.includes(tagged) || l.includes(plain));
  assert.ok(mine.includes(`container top ${id} ev-target`), r.stdout);
  assert.ok(mine.includes(`container attach ${id} ev-target`), r.stdout);
  const imageEvents = mine.filter((l) => l.startsWith('image '));
  assert.deepEqual(imageEvents, [
    `image tag ${tagged} ev-import:v1`,
    `image import ${tagged} ${tagged}`,
    `image import ${plain} ${plain}`,
  ]);
  await s.d.docker('rm', 'ev-target');
  await s.d.docker('rmi', 'ev-import:v1', plain);
});

test(
  'system df: an image a container uses is not reclaimable; SharedSize counts layers shared with others',
  T,
  async () => {
    await s.d.docker('create', '--name', 'df-user', 'busybox', 'true');
    const df = await s.d.docker('system', 'df', '--format', '{{.Type}} {{.Reclaimable}}');
    assert.match(df.stdout, /^Images 0B \(0%\)$/m);

    type Df = { Images: { Id: string; Size: number; SharedSize: number; Containers: number }[] };
    const alone = (await json<Df>(s.d, 'GET', '/system/df')).body.Images.find((i) => i.Id === s.busyboxId);
    assert.equal(alone?.SharedSize, 0);
    assert.equal(alone?.Containers, 1);

    // A commit's image sits on busybox's layer: that layer is now shared by both.
    await s.d.docker('commit', 'df-user', 'df-child:v1');
    const images = (await json<Df>(s.d, 'GET', '/system/df')).body.Images;
    const base = images.find((i) => i.Id === s.busyboxId);
    const childId = await inspect(s.d, 'df-child:v1', '{{.Id}}');
    const child = images.find((i) => i.Id === childId);
    assert.ok(base && base.Size > 0);
    assert.equal(base.SharedSize, base.Size);
    assert.equal(child?.SharedSize, base.Size);
    await s.d.docker('rm', 'df-user');
    await s.d.docker('rmi', 'df-child:v1');
  },
);

test('kill (SIGKILL) answers once the container is dead: an inspect right after says not running', T, async () => {
  for (let i = 0; i < 5; i++) {
    const id = (await s.d.docker('run', '-d', 'busybox', 'sleep', '300')).stdout.trim();
    const kill = await s.d.request('POST', `/containers/${id}/kill`);
    assert.equal(kill.status, 204, kill.body);
    const after = await json<{ State: { Running: boolean; Status: string } }>(s.d, 'GET', `/containers/${id}/json`);
    assert.equal(after.body.State.Running, false, `round ${i}: ${after.body.State.Status}`);
    await s.d.docker('rm', id);
  }
  const id = (await s.d.docker('run', '-d', 'busybox', 'sleep', '300')).stdout.trim();
  await s.d.docker('kill', id);
  assert.equal(await inspect(s.d, id, '{{.State.Running}}'), 'false');
  await s.d.docker('rm', id);
});

test('kill of a paused container answers once it is dead', T, async () => {
  const id = (await s.d.docker('run', '-d', 'busybox', 'sleep', '300')).stdout.trim();
  await s.d.docker('pause', id);
  const started = Date.now();
  await s.d.docker('kill', id);
  assert.ok(Date.now() - started < 5_000, 'the kill did not wait out its bound');
  assert.equal(await inspect(s.d, id, '{{.State.Status}}'), 'exited');
  await s.d.docker('rm', id);
});

test('a restarting container is not removed without -f, as Docker refuses it', T, async () => {
  const id = (await s.d.docker('run', '-d', '--restart', 'always', 'busybox', 'false')).stdout.trim();
  // Its restart delay doubles from 100 ms, so after a few exits it spends most of its time restarting.
  await eventually('a refusal while restarting', async () => {
    await waitStatus(s.d, id, 'restarting');
    const r = await s.d.dockerResult(['rm', id]);
    if (r.code === 0) throw new Error('removed without -f');
    if (!r.stderr.includes('restarting')) return false; // it was starting again when rm looked
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `Error response from daemon: You cannot remove a restarting container ${id}. Stop the container before attempting removal or force remove\n`,
    );
    return true;
  });
  await s.d.docker('rm', '-f', id);
});
