import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { errnoCode } from '../errdefs/index.js';
import {
  devMajor,
  devMinor,
  LibcError,
  lgetxattr,
  llistxattr,
  lremovexattr,
  lsetxattr,
  makedev,
  mknod,
  S_IFCHR,
} from './ffi-libc.js';

describe('ffi-libc', () => {
  it('makedev, major and minor agree with glibc for large numbers', () => {
    assert.equal(makedev(1, 3), 259n);
    const dev = makedev(0x12345, 0x6789ab);
    assert.deepEqual([devMajor(dev), devMinor(dev)], [0x12345, 0x6789ab]);
  });

  it('sets, lists, reads and removes binary xattrs; absent ones read as undefined', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'berth-ffi-'));
    try {
      const f = path.join(dir, 'f');
      await writeFile(f, '');
      const value = Buffer.from([0x00, 0x80, 0xff, 0x41]);
      await lsetxattr(f, 'user.bin', value);
      await lsetxattr(f, 'user.big', Buffer.alloc(3000, 7)); // larger than the first read buffer
      assert.deepEqual((await llistxattr(f)).sort(), ['user.big', 'user.bin']);
      assert.deepEqual(await lgetxattr(f, 'user.bin'), value);
      assert.equal((await lgetxattr(f, 'user.big'))?.length, 3000);
      assert.equal(await lgetxattr(f, 'user.none'), undefined);
      await lremovexattr(f, 'user.bin');
      await lremovexattr(f, 'user.bin');
      assert.deepEqual(await llistxattr(f), ['user.big']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('failures name the call, the path and the errno', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'berth-ffi-'));
    try {
      const p = path.join(dir, 'dev');
      await mknod(p, S_IFCHR | 0o600, makedev(1, 3));
      await assert.rejects(mknod(p, S_IFCHR | 0o600, 0n), (e: unknown) => {
        assert.ok(e instanceof LibcError);
        assert.equal(errnoCode(e), 'EEXIST');
        assert.equal(e.message, `mknod ${p}: EEXIST (errno 17)`);
        return true;
      });
      await assert.rejects(
        lsetxattr(path.join(dir, 'missing'), 'user.x', Buffer.from('x')),
        /lsetxattr .*missing: ENOENT/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
