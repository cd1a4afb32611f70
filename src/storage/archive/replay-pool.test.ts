// Tar-split replay on a worker thread (replayOffThread): the same bytes and sha256 as in-process, large files and
// many windows' worth of data streamed back in order, a changed file failing with System, and a replay left early or
// failing before anyone reads it stopping its worker without an unhandled rejection.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFile, readFile, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isSystem } from '../../errdefs/index.js';
import { applyLayer } from './apply.js';
import { replayOffThread } from './replay-pool.js';
import { contentFromDir, replayTarSplit, TarSplitRecorder } from './tarsplit.js';
import { buildTar, chunked, collect, scratch, type TestEntry } from '../../archive/testing.js';

const T = 1_600_000_000;

/** Applies `entries` as a layer into a fresh directory; returns it, the tar and the record's path. */
async function layer(s: Awaited<ReturnType<typeof scratch>>, entries: TestEntry[]) {
  const tar = buildTar(entries);
  const dir = await s.dir();
  const rec = new TarSplitRecorder();
  await applyLayer(dir, rec.wrap(chunked(tar, 100_000)), { whiteoutMode: 'overlay' });
  const split = await rec.finish();
  assert.ok(split.reproducible);
  const record = path.join(await s.dir(), 'tar-split.json.gz');
  await writeFile(record, split.record);
  return { dir, tar, record };
}

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('tar-split replay on a worker thread', () => {
  let s: Awaited<ReturnType<typeof scratch>>;
  let unhandled: unknown[];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  before(async () => {
    s = await scratch('berth-replay-pool-');
    unhandled = [];
    process.on('unhandledRejection', onUnhandled);
  });
  after(async () => {
    process.off('unhandledRejection', onUnhandled);
    await s.remove();
  });

  it('streams the bytes and sha256 the in-process replay gives, across many windows', async () => {
    const entries: TestEntry[] = [{ name: 'a/', type: 'directory', mtime: T }];
    // ~40 MiB: more than the worker's window, in small files, whole-read files and streamed (large) ones.
    for (let i = 0; i < 300; i++) {
      entries.push({ name: `a/small${i}`, type: 'file', content: Buffer.alloc(700 + i, i), mtime: T });
    }
    for (let i = 0; i < 6; i++) {
      entries.push({ name: `a/mid${i}`, type: 'file', content: Buffer.alloc((3 << 20) + i, i + 1), mtime: T });
    }
    entries.push({ name: 'a/large', type: 'file', content: Buffer.alloc((20 << 20) + 3, 9), mtime: T });
    entries.push({ name: 'a/link', type: 'symlink', linkname: 'large', mtime: T });
    const { dir, tar, record } = await layer(s, entries);
    const here = await collect(replayTarSplit(await readFile(record), contentFromDir(dir)));
    const off = await replayOffThread(record, dir);
    assert.ok(off, 'the worker script is beside the module');
    assert.equal(off.digest(), undefined, 'no digest before the end');
    const there = await collect(off.chunks);
    assert.ok(there.equals(tar), 'identical bytes');
    assert.ok(here.equals(tar));
    assert.equal(off.digest(), sha(tar));
    await off.close();
  });

  it('a file changed since register fails the stream with System', async () => {
    const { dir, record } = await layer(s, [{ name: 'f', type: 'file', content: 'original', mtime: T }]);
    await appendFile(path.join(dir, 'f'), 'more');
    const off = await replayOffThread(record, dir);
    assert.ok(off);
    await assert.rejects(collect(off.chunks), (e: unknown) => isSystem(e) && /"f" was modified/.test(String(e)));
    assert.equal(off.digest(), undefined);
  });

  it('a missing record or file, failing before anyone reads, is reported when read, never unhandled', async () => {
    const { dir, record } = await layer(s, [{ name: 'g', type: 'file', content: 'gone', mtime: T }]);
    const missing = await replayOffThread(path.join(dir, 'no-such-record'), dir);
    assert.ok(missing);
    await new Promise((r) => setTimeout(r, 200)); // the worker has failed by now
    await assert.rejects(collect(missing.chunks), /ENOENT/);
    await rm(path.join(dir, 'g'));
    const off = await replayOffThread(record, dir);
    assert.ok(off);
    await new Promise((r) => setTimeout(r, 200));
    await assert.rejects(collect(off.chunks), (e: unknown) => isSystem(e) && /cannot be read/.test(String(e)));
    assert.deepEqual(unhandled, []);
  });

  it('close() stops a replay left early or never read', async () => {
    const { dir, record } = await layer(s, [
      { name: 'big', type: 'file', content: Buffer.alloc(40 << 20, 1), mtime: T },
    ]);
    const unread = await replayOffThread(record, dir);
    assert.ok(unread);
    await unread.close();
    const early = await replayOffThread(record, dir);
    assert.ok(early);
    for await (const _ of early.chunks) break; // return() closes it
    await early.close();
    assert.equal(early.digest(), undefined);
    assert.deepEqual(unhandled, []);
  });
});
