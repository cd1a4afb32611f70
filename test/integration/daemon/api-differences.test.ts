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
