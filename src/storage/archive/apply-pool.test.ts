// Layer apply on a worker thread (applyOffThread): the same files, digests and tar-split record as in-process,
// errors with their kind, a failing source stopping the apply, and layer files read by the worker itself.
import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { isInvalidParameter } from '../../errdefs/index.js';
import { sha256 } from '../../lib/digest.js';
import { applyOffThread } from './apply-pool.js';
import { applyRecorded } from './apply-recorded.js';
import { FileSource } from './file-source.js';
import { buildTar, chunked, describeTree, scratch, type TestEntry } from '../../archive/testing.js';

const T = 1_600_000_000;
const ENTRIES: TestEntry[] = [
  { name: 'bin/', type: 'directory', mode: 0o755, mtime: T },
  { name: 'bin/sh', type: 'file', content: 'shell', mode: 0o4755, uid: 1, gid: 2, mtime: T },
  { name: 'bin/big', type: 'file', content: Buffer.alloc(3 << 20, 7), mtime: T },
  { name: 'bin/ash', type: 'link', linkname: 'bin/sh', mtime: T },
  { name: 'bin/dash', type: 'symlink', linkname: 'sh', mtime: T },
  { name: 'etc/', type: 'directory', mtime: T },
  { name: 'etc/.wh.gone', type: 'file', mtime: T },
  { name: 'etc/conf', type: 'file', content: 'c', xattrs: new Map([['user.note', Buffer.from([0, 0x80, 0xff])]]) },
  { name: 'run/fifo', type: 'fifo', mode: 0o600, mtime: T },
];
const TAR = buildTar(ENTRIES);

describe('layer apply on a worker thread', () => {
  let s: Awaited<ReturnType<typeof scratch>>;
  before(async () => {
    s = await scratch('berth-apply-pool-');
  });
  after(async () => {
    await s.remove();
  });

  it('writes the tree, diff ID, sizes and tar-split record the in-process apply writes', async () => {
    const [a, b] = [await s.dir(), await s.dir()];
    const opts = { whiteoutMode: 'overlay' as const, recordTarSplit: true };
    const here = await applyRecorded(a, [TAR], opts);
    const there = await applyOffThread(b, chunked(TAR, 10_000), opts);
    assert.equal(there.diffId, sha256(TAR));
    assert.deepEqual(there, here);
    assert.ok(Buffer.isBuffer(there.tarSplit?.reproducible && there.tarSplit.record));
    // Times the tar does not set (a whiteout device, a directory made on the way) are the apply's clock: the two
    // applies may fall in different seconds.
    const tree = async (d: string) =>
      (await describeTree(d)).map((l) => l.replace(/ t=(\d+)/, (m, t) => (Number(t) === T ? m : ' t=now')));
    assert.deepEqual(await tree(b), await tree(a));
  });

  it('reads a layer file itself, plain or gzip', async () => {
    const files = await s.dir();
    for (const [name, bytes] of [
      ['plain.tar', TAR],
      ['layer.tar.gz', gzipSync(TAR)],
    ] as const) {
      const file = path.join(files, name);
      await writeFile(file, bytes);
      const target = await s.dir();
      const r = await applyOffThread(target, new FileSource(file), { whiteoutMode: 'delete' });
      assert.equal(r.diffId, sha256(TAR));
      assert.equal(r.tarSize, TAR.length);
      assert.equal(r.compression, name.endsWith('.gz') ? 'gzip' : 'none');
    }
  });

  it('refuses a path that climbs out with InvalidParameter, writing nothing outside', async () => {
    const outer = await s.dir();
    const target = path.join(outer, 'root');
    await writeFile(path.join(outer, 'keep'), '');
    await mkdir(target);
    const evil = buildTar([{ name: '../escaped', type: 'file', content: 'x' }]);
    await assert.rejects(applyOffThread(target, [evil], { whiteoutMode: 'overlay' }), (e: Error) => {
      return isInvalidParameter(e) && /escapes the target directory/.test(e.message);
    });
    assert.deepEqual((await readdir(outer)).sort(), ['keep', 'root']);
  });

  it('stops when its source fails, with the source’s error, and the worker serves the next layer', async () => {
    const target = await s.dir();
    const boom = new Error('connection reset');
    async function* failing() {
      yield TAR.subarray(0, 2 << 20);
      throw boom;
    }
    await assert.rejects(applyOffThread(target, failing(), { whiteoutMode: 'overlay' }), (e) => e === boom);
    const next = await applyOffThread(await s.dir(), [TAR], { whiteoutMode: 'overlay' });
    assert.equal(next.diffId, sha256(TAR));
  });
});
