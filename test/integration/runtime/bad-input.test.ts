// Bad bundles fail with a clear error and leave nothing behind: no state, no cgroup, no process.
import assert from 'node:assert/strict';
import { symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { RuntimeHarness } from './harness.js';

let h: RuntimeHarness;
before(async () => {
  h = await RuntimeHarness.create();
});
after(async () => {
  await h.cleanup();
});

async function refused(id: string, bundle: string, pattern: RegExp) {
  const r = await h.run(['run', '--bundle', bundle, id]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, pattern);
  assert.equal((await h.run(['list', '-q'])).stdout, '', 'nothing registered');
}

describe('bad input', () => {
  test('a missing rootfs names the step and the path', async () => {
    const b = await h.bundle({ args: ['true'], mutate: (s) => (s.root = { path: '/no/such/rootfs' }) });
    await refused('bad1', b.dir, /rootfs \/no\/such\/rootfs: ENOENT/);
  });

  test('a malformed config.json is an invalid JSON error', async () => {
    const b = await h.bundle({ args: ['true'] });
    await writeFile(join(b.dir, 'config.json'), '{"ociVersion": "1.0.2", "process": ');
    await refused('bad2', b.dir, /config\.json: invalid JSON/);
  });

  test('an unknown namespace type is refused', async () => {
    const b = await h.bundle({ args: ['true'], mutate: (s) => s.linux!.namespaces!.push({ type: 'bogus' as 'pid' }) });
    await refused('bad3', b.dir, /unknown namespace type "bogus"/);
  });

  test('a mount onto a path escaping the rootfs through a symlink is refused', async () => {
    const b = await h.bundle({ args: ['true'], writableRootfs: true });
    await symlink('../../../../../../tmp', join(b.rootfs, 'escape'));
    const spec = JSON.parse(JSON.stringify(b.spec));
    spec.mounts.push({ destination: '/escape/x', type: 'tmpfs', source: 'tmpfs' });
    await writeFile(join(b.dir, 'config.json'), JSON.stringify(spec));
    await refused('bad4', b.dir, /escapes the container's root filesystem through the symbolic link \/escape/);
  });

  test('a bad mount type names the mount', async () => {
    const b = await h.bundle({
      args: ['true'],
      mutate: (s) => s.mounts!.push({ destination: '/mnt', type: 'nosuchfs', source: 'x' }),
    });
    await refused('bad5', b.dir, /mount x to \/mnt: ENODEV/);
  });

  test('an invalid id and a duplicate id are refused', async () => {
    const b = await h.bundle({ args: ['sleep', '10'] });
    const bad = await h.run(['create', '--bundle', b.dir, '../evil']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /invalid id format/);
    assert.equal((await h.run(['create', '--bundle', b.dir, 'dup'])).code, 0);
    const dup = await h.run(['create', '--bundle', b.dir, 'dup']);
    assert.notEqual(dup.code, 0);
    assert.match(dup.stderr, /container with id exists: dup/);
    assert.equal((await h.run(['delete', 'dup'])).code, 0);
  });

  test('unknown flags and verbs are errors', async () => {
    const r = await h.run(['create', '--bogus', 'x']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Unknown option '--bogus'/);
    const v = await h.run(['frobnicate']);
    assert.notEqual(v.code, 0);
    assert.match(v.stderr, /unknown command "frobnicate"/);
  });
});
