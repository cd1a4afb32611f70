// tar-split: a layer tar recorded on its way into applyLayer is rebuilt byte for byte from the record and the files
// applied (whatever wrote it: GNU tar, PAX, another order), and a changed file is caught by its size or CRC-64.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFile, link, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { isSystem } from '../../errdefs/index.js';
import { lsetxattr } from '../../sys/ffi-libc.js';
import { Crc64 } from './crc64.js';
import { applyLayer, contentFromDir, replayTarSplit, TarSplitRecorder, type WhiteoutMode } from './index.js';
import { buildTar, chunked, collect, scratch, type TestEntry } from '../../archive/testing.js';

const run = promisify(execFile);

let tmp: Awaited<ReturnType<typeof scratch>>;
before(async () => {
  tmp = await scratch('berth-tarsplit-');
});
after(async () => {
  await tmp.remove();
});
const fresh = () => tmp.dir();

/** A tree with what layers carry: dirs, a hard link, a symlink, a name over 100 bytes, an xattr, an empty file. */
export async function sampleTree(dir: string): Promise<void> {
  await mkdir(path.join(dir, 'usr/bin'), { recursive: true });
  await writeFile(path.join(dir, 'usr/bin/tool'), 'tool binary '.repeat(1000));
  await link(path.join(dir, 'usr/bin/tool'), path.join(dir, 'usr/bin/tool-link'));
  await symlink('tool', path.join(dir, 'usr/bin/alias'));
  await lsetxattr(path.join(dir, 'usr/bin/tool'), 'user.comment', Buffer.from([0x80, 0xff, 0x00, 0x41]));
  const deep = path.join(dir, 'deep', 'd'.repeat(60), 'e'.repeat(60));
  await mkdir(deep, { recursive: true });
  await writeFile(path.join(deep, `${'f'.repeat(90)}.txt`), 'long name');
  await writeFile(path.join(dir, 'empty'), '');
  await writeFile(path.join(dir, 'odd-size'), Buffer.alloc(513, 7));
}

/** GNU tar's archive of `dir` (format gnu: 'L' long names; pax: PAX records with atime/ctime and xattrs). */
export async function gnuTar(dir: string, format: 'gnu' | 'pax'): Promise<Buffer> {
  const args = ['-c', '-f', '-', '-C', dir, `--format=${format}`, ...(format === 'pax' ? ['--xattrs'] : []), '.'];
  const { stdout } = await run('tar', args, { encoding: 'buffer', maxBuffer: 64 << 20 });
  return stdout;
}

/** Applies `tar` (in small chunks) while recording it; returns the record, or why it is not reproducible. */
async function applyRecorded(target: string, tar: Buffer, mode: WhiteoutMode) {
  const rec = new TarSplitRecorder();
  const applied = await applyLayer(target, rec.wrap(chunked(tar, 1000)), { whiteoutMode: mode });
  return { applied, split: await rec.finish() };
}

async function replay(record: Buffer, dir: string): Promise<Buffer> {
  return collect(replayTarSplit(record, contentFromDir(dir)));
}

describe('tar-split', () => {
  it('CRC-64 is Go’s crc64.ISO (check value of "123456789"), also fed in pieces', () => {
    assert.equal(new Crc64().update(Buffer.from('123456789')).digest().toString('hex'), 'b90956c775a41001');
    const odd = Buffer.from('a fairly long input that spans several eight-byte strides, and a tail');
    const whole = new Crc64().update(odd).digest();
    assert.deepEqual(new Crc64().update(odd.subarray(0, 13)).update(odd.subarray(13)).digest(), whole);
  });

  for (const format of ['gnu', 'pax'] as const) {
    for (const mode of ['overlay', 'delete'] as const) {
      it(`GNU tar (${format}) applied in ${mode} mode is rebuilt byte for byte`, async () => {
        const src = await fresh();
        await sampleTree(src);
        const tar = await gnuTar(src, format);
        const target = await fresh();
        const { split } = await applyRecorded(target, tar, mode);
        assert.ok(split.reproducible, split.reproducible ? '' : split.reason);
        const out = await replay(split.record, target);
        assert.equal(out.length, tar.length);
        assert.ok(out.equals(tar), 'identical bytes');
        // Non-content bytes only: GNU tar pads to 10 KiB records; the compressed record is a small fraction.
        assert.ok(split.record.length < tar.length / 4, `record of ${split.record.length} bytes`);
      });
    }
  }

  it('the record is tar-split’s JSON lines: segments and files with their size and CRC-64', async () => {
    const tar = buildTar([
      { name: 'a/', type: 'directory' },
      { name: 'a/file', type: 'file', content: '123456789' },
    ]);
    const { split } = await applyRecorded(await fresh(), tar, 'delete');
    assert.ok(split.reproducible);
    const lines = gunzipSync(split.record)
      .toString()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: number; name?: string; size?: number; payload: string | null });
    assert.deepEqual(
      lines.map((l) => l.type),
      [2, 1, 2, 1, 2],
    );
    assert.deepEqual(lines[3], {
      type: 1,
      name: 'a/file',
      size: 9,
      payload: Buffer.from('b90956c775a41001', 'hex').toString('base64'),
      position: 3,
    });
    assert.deepEqual(lines[1], { type: 1, name: 'a/', payload: null, position: 1 });
  });

  it('another writer’s order and encoding (PAX paths, owner names, trailing garbage after the end) round trip', async () => {
    const entries: TestEntry[] = [
      { name: 'z/y/x', type: 'file', content: 'deepest first', uname: 'someone', gname: 'group', uid: 1234 },
      { name: 'z/y/', type: 'directory', mode: 0o700 },
      { name: 'z/', type: 'directory' },
      { name: 'héllo wörld ✓', type: 'file', content: 'unicode' },
      { name: `${'p'.repeat(120)}/${'q'.repeat(120)}`, type: 'file', content: 'pax path', mtime: 1.5 },
      { name: 'dev-link', type: 'symlink', linkname: `/${'t'.repeat(150)}` },
    ];
    const tar = Buffer.concat([buildTar(entries), Buffer.alloc(3000, 0), Buffer.from('junk')]);
    const target = await fresh();
    const { split } = await applyRecorded(target, tar, 'overlay');
    assert.ok(split.reproducible);
    assert.ok((await replay(split.record, target)).equals(tar));
  });

  it('whiteouts and opaque markers (with content a careless writer left in them) come back in both modes', async () => {
    for (const mode of ['overlay', 'delete'] as const) {
      const target = await fresh();
      await mkdir(path.join(target, 'etc/conf.d'), { recursive: true });
      await writeFile(path.join(target, 'etc/passwd'), 'root');
      const tar = buildTar([
        { name: 'etc/', type: 'directory' },
        { name: 'etc/.wh.passwd', type: 'file', content: 'not written anywhere' },
        { name: 'etc/conf.d/', type: 'directory' },
        { name: 'etc/conf.d/.wh..wh..opq', type: 'file' },
        { name: 'etc/conf.d/c', type: 'file', content: 'c' },
        { name: '.wh..wh.plnk/', type: 'directory' },
      ]);
      const { split } = await applyRecorded(target, tar, mode);
      assert.ok(split.reproducible);
      assert.ok((await replay(split.record, target)).equals(tar), mode);
    }
  });

  it('a path whose content is replaced later in the same tar is not reproducible; an empty one is', async () => {
    const twice = buildTar([
      { name: 'f', type: 'file', content: 'first' },
      { name: 'f', type: 'file', content: 'second' },
    ]);
    const r1 = await applyRecorded(await fresh(), twice, 'delete');
    assert.equal(r1.split.reproducible, false);
    assert.match(r1.split.reproducible ? '' : r1.split.reason, /"f" is replaced by a later entry/);

    const underDir = buildTar([
      { name: 'd/f', type: 'file', content: 'x' },
      { name: '.wh.d', type: 'file' },
    ]);
    assert.equal((await applyRecorded(await fresh(), underDir, 'overlay')).split.reproducible, false);

    const emptyFirst = buildTar([
      { name: 'f', type: 'file', content: '' },
      { name: 'f', type: 'file', content: 'second' },
    ]);
    const target = await fresh();
    const r3 = await applyRecorded(target, emptyFirst, 'delete');
    assert.ok(r3.split.reproducible);
    assert.ok((await replay(r3.split.record, target)).equals(emptyFirst));
  });

  it('a file changed after apply fails the replay with a System error naming it (content and size)', async () => {
    const src = await fresh();
    await sampleTree(src);
    const tar = await gnuTar(src, 'gnu');
    const target = await fresh();
    const { split } = await applyRecorded(target, tar, 'delete');
    assert.ok(split.reproducible);
    const tool = path.join(target, 'usr/bin/tool');
    await writeFile(tool, 'TOOL BINARY '.repeat(1000)); // same size, other bytes
    await assert.rejects(replay(split.record, target), (e: unknown) => {
      assert.ok(isSystem(e));
      // (Hard links share the inode: the content is read through whichever name the tar carried it under.)
      assert.match((e as Error).message, /"\.\/usr\/bin\/tool(-link)?" was modified: its checksum differs/);
      return true;
    });
    await writeFile(tool, 'tool binary '.repeat(1000));
    assert.ok((await replay(split.record, target)).equals(tar), 'restored, it replays again');
    const odd = path.join(target, 'odd-size');
    await appendFile(odd, 'more');
    await assert.rejects(replay(split.record, target), /"\.\/odd-size" was modified: it has more than 513 bytes/);
    await writeFile(odd, 'less');
    await assert.rejects(
      replay(split.record, target),
      /"\.\/odd-size" was modified: it has 4 bytes, the layer recorded 513/,
    );
    await rm(odd);
    await assert.rejects(replay(split.record, target), /"\.\/odd-size" cannot be read/);
  });

  it('a corrupt record fails with a System error', async () => {
    await assert.rejects(
      replay(Buffer.from('{"type":2,"payload":"AA=="}\nnot json\n'), await fresh()),
      (e: unknown) => {
        assert.ok(isSystem(e));
        assert.match((e as Error).message, /corrupt tar-split record/);
        return true;
      },
    );
  });

  it('broken input is passed through untouched, so apply reports it, and nothing is recorded', async () => {
    const tar = buildTar([{ name: 'f', type: 'file', content: 'x'.repeat(2000) }]).subarray(0, 1200);
    const rec = new TarSplitRecorder();
    await assert.rejects(applyLayer(await fresh(), rec.wrap(chunked(tar, 100)), { whiteoutMode: 'delete' }), {
      message: 'unexpected end of archive',
    });
    assert.equal((await rec.finish()).reproducible, false);
  });
});
