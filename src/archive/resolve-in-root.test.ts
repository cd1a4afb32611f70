import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveInRoot } from './resolve-in-root.js';

test('resolves symlinks inside the root and refuses a relative link that climbs out', async () => {
  const root = await mkdtemp(join(tmpdir(), 'berth-rootfs-path-'));
  try {
    await mkdir(join(root, 'run'));
    await mkdir(join(root, 'var'));
    await symlink('/run', join(root, 'var/run'));
    await symlink('../run', join(root, 'var/rel'));
    await symlink('../../../../etc', join(root, 'escape'));
    await symlink('loop2', join(root, 'loop1'));
    await symlink('loop1', join(root, 'loop2'));
    assert.equal(await resolveInRoot(root, '/var/run/x.sock'), '/run/x.sock');
    assert.equal(await resolveInRoot(root, '/var/rel/a'), '/run/a');
    assert.equal(await resolveInRoot(root, '/../../new/dir'), '/new/dir');
    await assert.rejects(resolveInRoot(root, '/escape/passwd'), /escapes the container's root filesystem/);
    await assert.rejects(resolveInRoot(root, '/loop1/x'), /too many levels of symbolic links/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
