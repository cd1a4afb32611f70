// Layer apply/diff against real files (root): metadata survives round trips, whiteouts land as each mode wants,
// hostile tars are refused without touching anything outside the target, broken input fails clearly.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, chown, lstat, lutimes, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { isInvalidParameter } from '../../errdefs/index.js';
import { lgetxattr, lsetxattr, makedev, mknod, S_IFBLK, S_IFCHR } from '../../sys/ffi-libc.js';
import { readTar, type TarHeader } from '../../archive/index.js';
import { applyLayer, changesDirs, exportChanges, overlayDiff } from './index.js';
import { buildTar, chunked, collect, describeTree, scratch, type TestEntry } from '../../archive/testing.js';

const run = promisify(execFile);

// security.capability for cap_setuid,cap_net_raw=ep (revision 2): bytes ≥ 0x80 that a UTF-8 round trip would break.
const CAPS = Buffer.from('0100000280200000000000000000000000000000', 'hex');

let tmp: Awaited<ReturnType<typeof scratch>>;
before(async () => {
  tmp = await scratch('berth-archive-');
});
after(async () => {
  await tmp.remove();
});
const fresh = () => tmp.dir();

async function headers(tar: Buffer): Promise<TarHeader[]> {
  const out: TarHeader[] = [];
  for await (const { header } of readTar(chunked(tar))) out.push(header);
  return out;
}

/** A tree with every kind of entry and metadata a layer carries. */
async function richTree(dir: string): Promise<void> {
  await mkdir(path.join(dir, 'usr/bin'), { recursive: true });
  await writeFile(path.join(dir, 'usr/bin/ping'), 'ping binary');
  await lsetxattr(path.join(dir, 'usr/bin/ping'), 'security.capability', CAPS);
  await writeFile(path.join(dir, 'usr/bin/su'), 'su binary');
  await chmod(path.join(dir, 'usr/bin/su'), 0o4755);
  await mkdir(path.join(dir, 'tmp'));
  await chmod(path.join(dir, 'tmp'), 0o1777);
  await mkdir(path.join(dir, 'home/user'), { recursive: true });
  await writeFile(path.join(dir, 'home/user/file'), 'x'.repeat(100_000));
  await chown(path.join(dir, 'home/user'), 1000, 1000);
  await chown(path.join(dir, 'home/user/file'), 1000, 2000);
  await lsetxattr(path.join(dir, 'home/user/file'), 'user.comment', Buffer.from('hello'));
  await run('/usr/bin/ln', [path.join(dir, 'usr/bin/su'), path.join(dir, 'usr/bin/su-hardlink')]);
  await symlink('../usr/bin/su', path.join(dir, 'home/su-link'));
  await symlink('/usr/bin/ping', path.join(dir, 'home/abs-link'));
  await mkdir(path.join(dir, 'dev'));
  await mknod(path.join(dir, 'dev/null'), S_IFCHR | 0o666, makedev(1, 3));
  await mknod(path.join(dir, 'dev/loop9'), S_IFBLK | 0o660, makedev(7, 9));
  await run('/usr/bin/mkfifo', [path.join(dir, 'dev/fifo')]);
  const long = path.join(dir, 'deep', 'a'.repeat(90), 'b'.repeat(90), 'c'.repeat(90));
  await mkdir(long, { recursive: true });
  await writeFile(path.join(long, `${'n'.repeat(120)}.txt`), 'long');
  await writeFile(path.join(dir, 'héllo wörld ✓'), 'unicode');
  for (const p of ['usr/bin/ping', 'home/user/file', 'dev/null', 'home/su-link']) {
    await lutimes(path.join(dir, p), 1_500_000_000, 1_500_000_000);
  }
}

describe('layer apply and diff', () => {
  it('round trip: apply → diff → apply gives the same tree and the same bytes (delete and overlay modes)', async () => {
    const src = await fresh();
    await richTree(src);
    const first = await collect(exportChanges(src, await changesDirs(src, undefined)));
    const a = await fresh();
    const ra = await applyLayer(a, chunked(first, 1000), { whiteoutMode: 'delete' });
    assert.equal(ra.diffId, `sha256:${createHash('sha256').update(first).digest('hex')}`);
    assert.deepEqual(await describeTree(a), await describeTree(src));
    const second = exportChanges(a, await changesDirs(a, undefined));
    const secondBytes = await collect(second);
    assert.ok(secondBytes.equals(first), 'the diff of an applied layer is byte-identical');
    assert.equal(second.digest(), ra.diffId);
    const b = await fresh();
    await applyLayer(b, [secondBytes], { whiteoutMode: 'overlay' });
    assert.deepEqual(await describeTree(b), await describeTree(src));
    assert.ok((await collect(overlayDiff(b))).equals(first), 'the overlay walk produces the same tar');
  });

  it('keeps hard links, symlinks (with their mtimes), modes, owners, xattrs and device nodes', async () => {
    const src = await fresh();
    await richTree(src);
    const dst = await fresh();
    await applyLayer(dst, overlayDiff(src), { whiteoutMode: 'delete' });
    const su = await lstat(path.join(dst, 'usr/bin/su'));
    assert.equal(su.mode & 0o7777, 0o4755);
    assert.equal(su.ino, (await lstat(path.join(dst, 'usr/bin/su-hardlink'))).ino);
    assert.equal((await lstat(path.join(dst, 'tmp'))).mode & 0o7777, 0o1777);
    assert.deepEqual(await lgetxattr(path.join(dst, 'usr/bin/ping'), 'security.capability'), CAPS);
    const file = await lstat(path.join(dst, 'home/user/file'));
    assert.deepEqual([file.uid, file.gid, file.mtimeMs], [1000, 2000, 1_500_000_000_000]);
    assert.equal((await lstat(path.join(dst, 'home/su-link'))).mtimeMs, 1_500_000_000_000);
    const dev = await lstat(path.join(dst, 'dev/null'));
    assert.ok(dev.isCharacterDevice());
    assert.equal(dev.rdev, Number(makedev(1, 3)));
    assert.ok((await lstat(path.join(dst, 'dev/loop9'))).isBlockDevice());
    assert.ok((await lstat(path.join(dst, 'dev/fifo'))).isFIFO());
  });

  it('interoperates with GNU tar in both directions (PAX xattrs, long names)', async () => {
    const src = await fresh();
    await richTree(src);
    const gnu = path.join(await fresh(), 'gnu.tar');
    await run('/usr/bin/tar', ['--xattrs', '--xattrs-include=*', '--format=pax', '-C', src, '-cf', gnu, '.']);
    const a = await fresh();
    await applyLayer(a, [await readFile(gnu)], { whiteoutMode: 'delete' });
    assert.deepEqual(await describeTree(a), await describeTree(src));
    const ours = path.join(await fresh(), 'ours.tar');
    await writeFile(ours, await collect(overlayDiff(src)));
    const b = await fresh();
    await run('/usr/bin/tar', ['--xattrs', '--xattrs-include=*', '-C', b, '-xpf', ours]);
    assert.deepEqual(await describeTree(b, { dirTimes: false }), await describeTree(src, { dirTimes: false }));
  });

  it('applies gzip layers (detected by magic) and reports the diffID of the uncompressed tar', async () => {
    const tar = buildTar([{ name: 'f', type: 'file', content: 'gz' }]);
    const d = await fresh();
    const r = await applyLayer(d, chunked(gzipSync(tar), 7), { whiteoutMode: 'delete' });
    assert.equal(r.compression, 'gzip');
    assert.equal(r.diffId, `sha256:${createHash('sha256').update(tar).digest('hex')}`);
    assert.equal(r.size, 2);
    assert.equal(await readFile(path.join(d, 'f'), 'utf8'), 'gz');
  });

  it('overlay mode turns whiteouts into 0:0 devices and opaque xattrs, and the overlay diff turns them back', async () => {
    const d = await fresh();
    await applyLayer(
      d,
      [
        buildTar([
          { name: 'etc/', type: 'directory' },
          { name: 'etc/.wh.passwd', type: 'file' },
          { name: 'var/', type: 'directory', mode: 0o750 },
          { name: 'var/.wh..wh..opq', type: 'file' },
          { name: 'var/new', type: 'file', content: 'n' },
        ]),
      ],
      { whiteoutMode: 'overlay' },
    );
    const wh = await lstat(path.join(d, 'etc/passwd'));
    assert.ok(wh.isCharacterDevice());
    assert.equal(wh.rdev, 0);
    assert.equal((await lgetxattr(path.join(d, 'var'), 'trusted.overlay.opaque'))?.toString(), 'y');
    const names = (await headers(await collect(overlayDiff(d)))).map((h) => `${h.name} ${h.mode.toString(8)}`);
    assert.deepEqual(names, ['etc/ 755', 'etc/.wh.passwd 600', 'var/ 750', 'var/.wh..wh..opq 750', 'var/new 644']);
  });

  it('delete mode removes whited-out paths, and an opaque marker keeps only what this layer wrote', async () => {
    const d = await fresh();
    const lower: TestEntry[] = [
      { name: 'a', type: 'file', content: 'a' },
      { name: 'gone/', type: 'directory' },
      { name: 'gone/x', type: 'file', content: 'x' },
      { name: 'dir/', type: 'directory' },
      { name: 'dir/old', type: 'file', content: 'old' },
      { name: 'dir/sub/', type: 'directory' },
      { name: 'dir/sub/old', type: 'file', content: 'old' },
    ];
    await applyLayer(d, [buildTar(lower)], { whiteoutMode: 'delete' });
    await applyLayer(
      d,
      [
        buildTar([
          { name: '.wh.a', type: 'file' },
          { name: '.wh.gone', type: 'file' },
          { name: 'dir/', type: 'directory' },
          { name: 'dir/-early', type: 'file', content: 'sorted before the marker' },
          { name: 'dir/.wh..wh..opq', type: 'file' },
          { name: 'dir/sub/', type: 'directory' },
          { name: 'dir/sub/new', type: 'file', content: 'new' },
        ]),
      ],
      { whiteoutMode: 'delete' },
    );
    const tree = (await describeTree(d, { dirTimes: false })).map((l) => l.split(' ')[0]);
    assert.deepEqual(tree, ['dir', 'dir/-early', 'dir/sub', 'dir/sub/new']);
  });

  it('many small files written concurrently: all land, and a path repeated in one tar ends with its last entry', async () => {
    const entries: TestEntry[] = [{ name: 'd/', type: 'directory' }];
    for (let i = 0; i < 100; i++) entries.push({ name: `d/f${i}`, type: 'file', content: `v${i}`, mode: 0o640 });
    entries.push({ name: 'd/f7', type: 'file', content: 'last' });
    const d = await fresh();
    await applyLayer(d, [buildTar(entries)], { whiteoutMode: 'delete' });
    assert.equal(await readFile(path.join(d, 'd/f99'), 'utf8'), 'v99');
    assert.equal(await readFile(path.join(d, 'd/f7'), 'utf8'), 'last');
    assert.equal((await lstat(path.join(d, 'd/f3'))).mode & 0o777, 0o640);
  });

  it('an entry replaces what is there: a file over a directory, a directory over a symlink', async () => {
    const d = await fresh();
    await applyLayer(
      d,
      [
        buildTar([
          { name: 'x/', type: 'directory' },
          { name: 'x/inner', type: 'file', content: 'i' },
          { name: 'y', type: 'symlink', linkname: 'x' },
        ]),
      ],
      { whiteoutMode: 'delete' },
    );
    await applyLayer(
      d,
      [
        buildTar([
          { name: 'x', type: 'file', content: 'now a file' },
          { name: 'y/', type: 'directory' },
          { name: 'y/f', type: 'file', content: 'f' },
        ]),
      ],
      { whiteoutMode: 'delete' },
    );
    assert.equal(await readFile(path.join(d, 'x'), 'utf8'), 'now a file');
    assert.ok((await lstat(path.join(d, 'y'))).isDirectory());
  });
});

describe('hostile layers', () => {
  let sentinel: string;
  let before: string[];
  const untouched = async () => assert.deepEqual(await describeTree(sentinel), before, 'nothing outside changed');

  // The target is <tmp>/hN/root and the sentinel <tmp>/hN/sentinel: "../sentinel" is one level up from the root.
  async function setup(): Promise<string> {
    const base = await fresh();
    sentinel = path.join(base, 'sentinel');
    await mkdir(sentinel);
    await writeFile(path.join(sentinel, 'secret'), 'secret');
    before = await describeTree(sentinel);
    const root = path.join(base, 'root');
    await mkdir(root);
    return root;
  }

  const refused = async (root: string, entries: TestEntry[], entry: string | RegExp) => {
    await assert.rejects(applyLayer(root, [buildTar(entries)], { whiteoutMode: 'delete' }), (e: unknown) => {
      assert.ok(isInvalidParameter(e), `InvalidParameter expected, got ${String(e)}`);
      assert.match((e as Error).message, typeof entry === 'string' ? new RegExp(JSON.stringify(entry)) : entry);
      return true;
    });
    await untouched();
  };

  it('refuses ../ escapes', async () => {
    const root = await setup();
    await refused(root, [{ name: '../sentinel/pwned', type: 'file', content: 'x' }], '../sentinel/pwned');
    await refused(root, [{ name: 'a/../../sentinel/pwned', type: 'file', content: 'x' }], 'a/../../sentinel/pwned');
  });

  it('takes absolute names relative to the root, as Docker does', async () => {
    const root = await setup();
    await applyLayer(
      root,
      [
        buildTar([
          { name: `${sentinel}/abs`, type: 'file', content: 'x' },
          { name: '/../../sentinel/clamped', type: 'file', content: 'x' },
        ]),
      ],
      { whiteoutMode: 'delete' },
    );
    assert.equal(await readFile(path.join(root, sentinel, 'abs'), 'utf8'), 'x');
    assert.equal(await readFile(path.join(root, 'sentinel/clamped'), 'utf8'), 'x');
    await untouched();
  });

  it('refuses a symlink out of the root, and writing through one already in the target', async () => {
    const root = await setup();
    await refused(
      root,
      [
        { name: 'evil', type: 'symlink', linkname: '../sentinel' },
        { name: 'evil/pwned', type: 'file', content: 'x' },
      ],
      /symlink to "..\/sentinel" points outside/,
    );
    await symlink('../sentinel', path.join(root, 'planted'));
    await refused(
      root,
      [{ name: 'planted/pwned', type: 'file', content: 'x' }],
      /"planted\/pwned".*outside the target/,
    );
    await symlink('sub/../../../sentinel', path.join(root, 'planted2'));
    await refused(root, [{ name: 'planted2/secret', type: 'file', content: 'x' }], 'planted2/secret');
  });

  it('resolves an absolute symlink inside the root (as in a chroot), never on the host', async () => {
    const root = await setup();
    await applyLayer(
      root,
      [
        buildTar([
          { name: 'evil', type: 'symlink', linkname: sentinel },
          { name: 'evil/pwned', type: 'file', content: 'x' },
        ]),
      ],
      { whiteoutMode: 'delete' },
    );
    assert.equal(await readFile(path.join(root, sentinel, 'pwned'), 'utf8'), 'x');
    await untouched();
  });

  it('refuses hard links to outside, also through symlinks', async () => {
    const root = await setup();
    await refused(root, [{ name: 'h', type: 'link', linkname: '../sentinel/secret' }], /path escapes/);
    await refused(
      root,
      [
        { name: 'up', type: 'symlink', linkname: '/' },
        { name: 'h', type: 'link', linkname: 'up/../../sentinel/secret' },
      ],
      /path escapes/,
    );
    await refused(
      root,
      [
        { name: 'evil', type: 'symlink', linkname: sentinel },
        { name: 'h', type: 'link', linkname: 'evil/secret' },
      ],
      /does not exist/,
    );
    await refused(root, [{ name: 'h', type: 'link', linkname: `${sentinel}/secret` }], /does not exist/);
  });
});

describe('broken layers', () => {
  const tar = buildTar([
    { name: 'f', type: 'file', content: 'x'.repeat(5000) },
    { name: 'g', type: 'file', content: 'y' },
  ]);

  const fails = async (data: Buffer, message: RegExp) => {
    const d = await fresh();
    await assert.rejects(applyLayer(d, [data], { whiteoutMode: 'delete' }), (e: unknown) => {
      assert.ok(isInvalidParameter(e), `InvalidParameter expected, got ${String(e)}`);
      assert.match((e as Error).message, message);
      return true;
    });
  };

  it('a truncated tar is "unexpected end of archive"', async () => {
    await fails(tar.subarray(0, 3000), /unexpected end of archive/);
    await fails(tar.subarray(0, 100), /unexpected end of archive/);
  });

  it('a corrupt header is a checksum error', async () => {
    const bad = Buffer.from(tar);
    bad[10] = 0x41;
    await fails(bad, /invalid tar header: checksum mismatch/);
    await fails(Buffer.from('this is not a tar file at all'.repeat(40)), /invalid tar header/);
  });

  it('truncated or corrupt gzip is an invalid gzip error', async () => {
    const gz = gzipSync(tar);
    await fails(gz.subarray(0, gz.length - 10), /invalid gzip data/);
    const bad = Buffer.from(gz);
    bad[20] = bad[20]! ^ 0xff;
    await fails(bad, /invalid gzip data|invalid tar header/);
  });

  it('an empty stream is an empty layer', async () => {
    const d = await fresh();
    const r = await applyLayer(d, [], { whiteoutMode: 'delete' });
    assert.equal(r.size, 0);
  });
});
