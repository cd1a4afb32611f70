// The shared graph driver suite (containerd's snapshotter testsuite habit): every driver runs these against the real
// kernel (root, real mounts). A driver's test file calls runGraphDriverSuite with a factory.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, symlink, writeFile, link, chmod, unlink, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isConflict, isInvalidParameter, isNotFound } from '../../errdefs/index.js';
import { ChangeKind } from '../archive/index.js';
import { buildTar, describeTree, type TestEntry } from '../../archive/testing.js';
import type { GraphDriver } from './driver.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);

/** Mount points at or under `dir`, from /proc/self/mounts (the one copy tests use for their leak checks). */
export async function mountsUnder(dir: string): Promise<string[]> {
  const text = await readFile('/proc/self/mounts', 'utf8');
  return text
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((m) => m === dir || m.startsWith(`${dir}/`));
}

const BASE: TestEntry[] = [
  { name: 'a', type: 'file', content: '1' },
  { name: 'dir/', type: 'directory' },
  { name: 'dir/b', type: 'file', content: 'b' },
  { name: 'dir/keep', type: 'file', content: 'keep' },
  { name: 'dir/sub/', type: 'directory' },
  { name: 'dir/sub/x', type: 'file', content: 'x' },
];

export function runGraphDriverSuite(name: string, open: (root: string) => Promise<GraphDriver>): void {
  describe(`graph driver suite: ${name}`, () => {
    let root: string;
    let driver: GraphDriver;

    beforeEach(async () => {
      root = await mkdtemp(path.join(tmpdir(), `berth-gd-${name}-`));
      driver = await open(root);
    });

    afterEach(async () => {
      await driver.cleanup();
      assert.deepEqual(await mountsUnder(root), [], 'no mount is left after cleanup()');
      await rm(root, { recursive: true, force: true });
    });

    async function layer(id: string, parent: string | undefined, entries: TestEntry[]): Promise<void> {
      await driver.create(id, parent);
      await driver.applyDiff(id, [buildTar(entries)]);
    }

    const read = (dir: string, p: string) => readFile(path.join(dir, p), 'utf8');
    const missing = async (dir: string, p: string) =>
      assert.equal(await readFile(path.join(dir, p)).catch((e: NodeJS.ErrnoException) => e.code), 'ENOENT');

    it('creates, checks and removes layers; refuses missing parents, duplicates and unsafe ids', async () => {
      await driver.create('base');
      assert.equal(await driver.exists('base'), true);
      await assert.rejects(driver.create('base'), isConflict);
      await assert.rejects(driver.create('child', 'nope'), isNotFound);
      await assert.rejects(driver.create('../evil'), isInvalidParameter);
      await assert.rejects(driver.get('nope'), isNotFound);
      await driver.create('child', 'base');
      await driver.remove('child');
      assert.equal(await driver.exists('child'), false);
      await driver.remove('child'); // a second remove is a no-op
      await driver.remove('base');
      assert.equal(await driver.exists('base'), false);
    });

    it('shows the files of every layer in the chain through the top layer', async () => {
      await layer('l1', undefined, BASE);
      await layer('l2', 'l1', [
        { name: 'a', type: 'file', content: '2' },
        { name: 'c', type: 'file', content: 'c' },
      ]);
      await driver.createReadWrite('rw', 'l2');
      const top = await driver.get('rw');
      assert.equal(await read(top, 'a'), '2');
      assert.equal(await read(top, 'c'), 'c');
      assert.equal(await read(top, 'dir/sub/x'), 'x');
      const bottom = await driver.get('l1');
      assert.equal(await read(bottom, 'a'), '1');
      await missing(bottom, 'c');
      await driver.put('rw');
      await driver.put('l1');
    });

    it('copy-on-write: two writable layers over one parent each see their own write; the parent is unchanged', async () => {
      await layer('l1', undefined, BASE);
      await driver.createReadWrite('rw1', 'l1');
      await driver.createReadWrite('rw2', 'l1');
      const m1 = await driver.get('rw1');
      const m2 = await driver.get('rw2');
      await writeFile(path.join(m1, 'dir/b'), 'from rw1');
      await writeFile(path.join(m2, 'dir/b'), 'from rw2');
      assert.equal(await read(m1, 'dir/b'), 'from rw1');
      assert.equal(await read(m2, 'dir/b'), 'from rw2');
      const parent = await driver.get('l1');
      assert.equal(await read(parent, 'dir/b'), 'b');
      for (const id of ['rw1', 'rw2', 'l1']) await driver.put(id);
    });

    it('a whiteout hides a lower file in the merged view; the parent keeps it', async () => {
      await layer('l1', undefined, BASE);
      await layer('l2', 'l1', [{ name: 'dir/.wh.b', type: 'file' }]);
      const top = await driver.get('l2');
      await missing(top, 'dir/b');
      assert.equal(await read(top, 'dir/keep'), 'keep');
      const parent = await driver.get('l1');
      assert.equal(await read(parent, 'dir/b'), 'b');
      await driver.put('l2');
      await driver.put('l1');
    });

    it('an opaque directory hides everything the lower layers had in it', async () => {
      await layer('l1', undefined, BASE);
      await layer('l2', 'l1', [
        { name: 'dir/', type: 'directory' },
        { name: 'dir/.wh..wh..opq', type: 'file' },
        { name: 'dir/new', type: 'file', content: 'new' },
      ]);
      const top = await driver.get('l2');
      assert.deepEqual(
        (await describeTree(path.join(top, 'dir'), { dirTimes: false })).map((l) => l.split(' ')[0]),
        ['new'],
      );
      await driver.put('l2');
    });

    it('three layers with whiteouts and an opaque directory mount exactly the expected tree', async () => {
      const t = 1_600_000_000;
      await layer('l1', undefined, [
        { name: 'bin/', type: 'directory', mtime: t },
        { name: 'bin/sh', type: 'file', mode: 0o755, content: 'sh', mtime: t },
        { name: 'etc/', type: 'directory', mtime: t },
        { name: 'etc/passwd', type: 'file', content: 'root', mtime: t },
        { name: 'etc/conf.d/', type: 'directory', mtime: t },
        { name: 'etc/conf.d/a', type: 'file', content: 'a', mtime: t },
        { name: 'etc/conf.d/b', type: 'file', content: 'b', mtime: t },
        { name: 'var/', type: 'directory', mtime: t },
        { name: 'var/log/', type: 'directory', mtime: t },
        { name: 'var/log/old', type: 'file', content: 'old', mtime: t },
      ]);
      await layer('l2', 'l1', [
        { name: 'etc/', type: 'directory', mtime: t },
        { name: 'etc/.wh.passwd', type: 'file' },
        { name: 'etc/conf.d/', type: 'directory', mtime: t },
        { name: 'etc/conf.d/.wh..wh..opq', type: 'file' },
        { name: 'etc/conf.d/c', type: 'file', content: 'c', mtime: t },
        { name: 'var/.wh.log', type: 'file' },
      ]);
      await layer('l3', 'l2', [
        { name: 'etc/', type: 'directory', mtime: t },
        { name: 'etc/passwd', type: 'file', content: 'root2', uid: 0, mtime: t },
        { name: 'var/', type: 'directory', mtime: t },
        { name: 'var/log/', type: 'directory', mtime: t },
        { name: 'var/log/new', type: 'file', content: 'new', mtime: t },
        { name: 'bin/.wh.sh', type: 'file' },
      ]);
      const top = await driver.get('l3');
      const tree = await describeTree(top, { dirTimes: false });
      assert.deepEqual(tree, [
        'bin d 755 0:0',
        'etc d 755 0:0',
        'etc/conf.d d 755 0:0',
        `etc/conf.d/c f 644 0:0 t=${t} size=1 sha=${sha('c')}`,
        `etc/passwd f 644 0:0 t=${t} size=5 sha=${sha('root2')}`,
        'var d 755 0:0',
        'var/log d 755 0:0',
        `var/log/new f 644 0:0 t=${t} size=3 sha=${sha('new')}`,
      ]);
      await driver.put('l3');
    });

    it('get and put are reference counted; the last put releases the view', async () => {
      await layer('l1', undefined, BASE);
      await driver.createReadWrite('rw', 'l1');
      const v1 = await driver.get('rw');
      const v2 = await driver.get('rw');
      assert.equal(v1, v2);
      const mounted = driver.name === 'overlay2';
      assert.equal((await mountsUnder(root)).includes(v1), mounted);
      await driver.put('rw');
      assert.equal(await read(v1, 'a'), '1', 'still usable after one of two puts');
      assert.equal((await mountsUnder(root)).includes(v1), mounted);
      await assert.rejects(driver.remove('rw'), isConflict, 'a layer in use cannot be removed');
      await driver.put('rw');
      assert.deepEqual(await mountsUnder(root), []);
      await driver.remove('rw');
    });

    it('a driver opened again on the same root (a daemon restart) knows a view left mounted: put and remove release it', async () => {
      await layer('l1', undefined, BASE);
      await driver.createReadWrite('rw', 'l1');
      await driver.createReadWrite('rw2', 'l1');
      const v = await driver.get('rw');
      const v2 = await driver.get('rw2');
      const again = await open(root);
      assert.equal(await again.get('rw'), v, 'the same view, not a second mount over it');
      await again.put('rw');
      assert.equal((await mountsUnder(root)).includes(v), false, 'its put unmounted the earlier mount');
      await again.remove('rw2');
      assert.equal((await mountsUnder(root)).includes(v2), false, 'remove unmounted what the earlier driver left');
      assert.equal(await again.exists('rw2'), false);
      await again.cleanup();
      assert.deepEqual(await mountsUnder(root), []);
    });

    it('cleanup() unmounts every layer', async () => {
      await layer('l1', undefined, BASE);
      for (const id of ['a', 'b', 'c']) {
        await driver.createReadWrite(id, 'l1');
        await driver.get(id);
      }
      await driver.get('a');
      await driver.cleanup();
      assert.deepEqual(await mountsUnder(root), []);
    });

    it('changes() lists added, modified and deleted paths like docker diff', async () => {
      await layer('l1', undefined, BASE);
      await driver.createReadWrite('rw', 'l1');
      const m = await driver.get('rw');
      await writeFile(path.join(m, 'a'), 'changed');
      await writeFile(path.join(m, 'c'), 'new');
      await unlink(path.join(m, 'dir/b'));
      await mkdir(path.join(m, 'newdir'));
      await writeFile(path.join(m, 'newdir/f'), 'f');
      const changes = (await driver.changes('rw')).sort((x, y) => (x.path < y.path ? -1 : 1));
      assert.deepEqual(changes, [
        { path: '/a', kind: ChangeKind.Modify },
        { path: '/c', kind: ChangeKind.Add },
        { path: '/dir', kind: ChangeKind.Modify },
        { path: '/dir/b', kind: ChangeKind.Delete },
        { path: '/newdir', kind: ChangeKind.Add },
        { path: '/newdir/f', kind: ChangeKind.Add },
      ]);
      await driver.put('rw');
    });

    it('diffSize() weighs the files a writable layer adds or modifies, a hard link once, deletions not', async () => {
      await layer('l1', undefined, BASE);
      await driver.createReadWrite('rw', 'l1');
      assert.equal(await driver.diffSize('rw'), 0);
      const m = await driver.get('rw');
      await writeFile(path.join(m, 'a'), 'changed'); // 7 bytes, modified
      await writeFile(path.join(m, 'c'), 'new!'); // 4 bytes, added
      await link(path.join(m, 'c'), path.join(m, 'c-again'));
      await unlink(path.join(m, 'dir/b'));
      assert.equal(await driver.diffSize('rw'), 11);
      await driver.put('rw');
    });

    it('diff() of a writable layer applied onto the parent reproduces its tree, with the same diffID', async () => {
      await layer('l1', undefined, BASE);
      await driver.createReadWrite('rw', 'l1');
      const m = await driver.get('rw');
      await writeFile(path.join(m, 'a'), 'changed');
      await chmod(path.join(m, 'a'), 0o4755);
      await unlink(path.join(m, 'dir/b'));
      await rm(path.join(m, 'dir/sub'), { recursive: true });
      await mkdir(path.join(m, 'dir/sub'));
      await writeFile(path.join(m, 'dir/sub/y'), 'y');
      await symlink('../a', path.join(m, 'dir/link'));
      await link(path.join(m, 'a'), path.join(m, 'hard'));
      const diff = await driver.diff('rw');
      const chunks: Buffer[] = [];
      for await (const c of diff) chunks.push(c as Buffer);
      await driver.create('replay', 'l1');
      const applied = await driver.applyDiff('replay', [Buffer.concat(chunks)]);
      assert.equal(applied.diffId, diff.digest());
      const replay = await driver.get('replay');
      assert.deepEqual(await describeTree(replay, { dirTimes: false }), await describeTree(m, { dirTimes: false }));
      await driver.put('replay');
      await driver.put('rw');
    });
  });
}
