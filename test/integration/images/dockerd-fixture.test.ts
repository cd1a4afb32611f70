// The sandboxed dockerd fixture itself: it answers on its own socket only, and stop() takes down dockerd, containerd,
// shims and a still-running container, leaving no process, mount or directory.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { dockerdSkipReason, mountsUnder, processesUnder, startDockerd } from '../../fixtures/dockerd.js';
import { busyboxRootfs } from '../../fixtures/rootfs.js';

const run = promisify(execFile);
const skip = await dockerdSkipReason();

test('stop() ends dockerd with a running container and leaves no process, mount or directory', { skip }, async () => {
  const work = await mkdtemp(join(tmpdir(), 'berth-dkf-'));
  const d = await startDockerd();
  try {
    assert.equal(d.host, `unix://${join(d.dir, 'docker.sock')}`);
    const tar = join(work, 'rootfs.tar');
    await run('tar', ['-C', await busyboxRootfs(), '-cf', tar, '.']);
    await d.docker('import', tar, 'busybox:latest');
    const id = (
      await d.docker('run', '-d', '--network', 'none', '--stop-timeout', '1', 'busybox:latest', 'sleep', '1000')
    ).stdout.trim();
    const ps = await d.docker('ps', '-q', '--no-trunc');
    assert.equal(ps.stdout.trim(), id);
    // dockerd's processes are visible on the host (their command lines carry the sandbox directory).
    assert.ok((await processesUnder(d.dir)).some((p) => p.includes('dockerd')));
  } finally {
    await d.stop();
    await rm(work, { recursive: true, force: true });
  }
  assert.deepEqual(await processesUnder(d.dir), []);
  assert.deepEqual(await mountsUnder(d.dir), []);
  await assert.rejects(stat(d.dir), { code: 'ENOENT' });
  await d.stop(); // idempotent
});
