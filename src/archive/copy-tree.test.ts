import assert from 'node:assert/strict';
import {
  chmod,
  chown,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  readlink,
  rm,
  stat,
  symlink,
  writeFile,
  link,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { InvalidParameter } from '../errdefs/index.js';
import { lgetxattr, lsetxattr } from '../sys/ffi-libc.js';
import { copyUp } from './copy-tree.js';

const root = process.getuid?.() === 0 ? undefined : 'needs root (chown)';
const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function fixture(): Promise<{ rootfs: string; vol: string }> {
  const d = await mkdtemp(join(tmpdir(), 'berth-copyup-'));
  dirs.push(d);
  const rootfs = join(d, 'rootfs');
  const vol = join(d, 'vol');
  await mkdir(join(rootfs, 'data', 'sub'), { recursive: true });
  await mkdir(vol);
  await writeFile(join(rootfs, 'data', 'sub', 'f'), 'hello');
  await writeFile(join(rootfs, 'data', 'suid'), '#!');
  await link(join(rootfs, 'data', 'sub', 'f'), join(rootfs, 'data', 'hard'));
  await symlink('sub/f', join(rootfs, 'data', 'link'));
  await chown(join(rootfs, 'data', 'suid'), 1000, 1001);
  await chmod(join(rootfs, 'data', 'suid'), 0o4750);
  await chown(join(rootfs, 'data'), 1000, 1000);
  await chmod(join(rootfs, 'data'), 0o710);
  await lsetxattr(join(rootfs, 'data', 'sub', 'f'), 'user.note', Buffer.from('kept'));
  return { rootfs, vol };
}

describe('copyUp', { skip: root }, () => {
  it('fills an empty volume with the directory: owners, modes, set-id bits, xattrs, links, times', async () => {
    const { rootfs, vol } = await fixture();
    assert.equal(await copyUp(rootfs, '/data', vol), true);
    assert.equal(await readFile(join(vol, 'sub', 'f'), 'utf8'), 'hello');
    const top = await stat(vol);
    assert.deepEqual([top.uid, top.gid, top.mode & 0o7777], [1000, 1000, 0o710]);
    const suid = await stat(join(vol, 'suid'));
    assert.deepEqual([suid.uid, suid.gid, suid.mode & 0o7777], [1000, 1001, 0o4750]);
    assert.equal((await lgetxattr(join(vol, 'sub', 'f'), 'user.note'))?.toString(), 'kept');
    assert.equal(await readlink(join(vol, 'link')), 'sub/f');
    assert.equal((await lstat(join(vol, 'hard'))).ino, (await lstat(join(vol, 'sub', 'f'))).ino, 'hard link kept');
    const src = await stat(join(rootfs, 'data', 'sub', 'f'));
    assert.equal(Math.floor((await stat(join(vol, 'sub', 'f'))).mtimeMs), Math.floor(src.mtimeMs));
  });

  it('leaves a volume with content, a missing or empty source alone', async () => {
    const { rootfs, vol } = await fixture();
    await writeFile(join(vol, 'mine'), 'x');
    assert.equal(await copyUp(rootfs, '/data', vol), false);
    await rm(join(vol, 'mine'));
    assert.equal(await copyUp(rootfs, '/absent', vol), false);
    await mkdir(join(rootfs, 'empty'));
    assert.equal(await copyUp(rootfs, '/empty', vol), false);
  });

  it('refuses a destination that escapes the root through a symlink', async () => {
    const { rootfs, vol } = await fixture();
    await symlink('../../..', join(rootfs, 'data', 'up'));
    await assert.rejects(copyUp(rootfs, '/data/up/etc', vol), InvalidParameter);
  });
});
