import assert from 'node:assert/strict';
import { open } from 'node:fs/promises';
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { findTailStart, type TailFile } from './tail.js';
import { tempLogPath } from './shim-log.fixture.js';

/** Opens files with the given contents (oldest first) and runs findTailStart with several chunk sizes. */
async function tailStarts(t: { after(fn: () => void): void }, contents: string[], n: number) {
  const path = tempLogPath(t);
  const files: TailFile[] = [];
  for (const [i, text] of contents.entries()) {
    writeFileSync(`${path}.${i}`, text);
    const handle = await open(`${path}.${i}`, 'r');
    t.after(() => handle.close());
    files.push({ handle, size: Buffer.byteLength(text) });
  }
  const results = new Set<string>();
  for (const chunk of [1, 2, 3, 7, 64 * 1024]) {
    results.add(JSON.stringify(await findTailStart(files, n, chunk)));
  }
  assert.equal(results.size, 1, `chunk sizes disagree: ${[...results].join(' ')}`);
  return JSON.parse([...results][0]!);
}

test('the start of the last n lines, whatever the read-back chunk size', async (t) => {
  assert.deepEqual(await tailStarts(t, ['aa\nbb\ncc\n'], 1), { index: 0, offset: 6 });
  assert.deepEqual(await tailStarts(t, ['aa\nbb\ncc\n'], 2), { index: 0, offset: 3 });
  assert.deepEqual(await tailStarts(t, ['aa\nbb\ncc\n'], 3), { index: 0, offset: 0 });
  assert.deepEqual(await tailStarts(t, ['aa\nbb\ncc\n'], 4), { index: 0, offset: 0 });
});

test('a torn last line is not counted, and tail 0 is the end of the last complete line', async (t) => {
  assert.deepEqual(await tailStarts(t, ['aa\nbb\ncc'], 1), { index: 0, offset: 3 });
  assert.deepEqual(await tailStarts(t, ['aa\nbb\ncc'], 0), { index: 0, offset: 6 });
  assert.deepEqual(await tailStarts(t, ['aa\nbb\n'], 0), { index: 0, offset: 6 });
  assert.deepEqual(await tailStarts(t, ['torn'], 0), { index: 0, offset: 0 });
  assert.deepEqual(await tailStarts(t, [''], 0), { index: 0, offset: 0 });
});

test('empty lines are not entries', async (t) => {
  assert.deepEqual(await tailStarts(t, ['aa\n\n\nbb\n\n'], 2), { index: 0, offset: 0 });
  assert.deepEqual(await tailStarts(t, ['aa\n\n\nbb\n\n'], 1), { index: 0, offset: 5 });
});

test('counting goes on into older files', async (t) => {
  const set = ['a1\na2\n', 'b1\nb2\n', 'c1\n'];
  assert.deepEqual(await tailStarts(t, set, 1), { index: 2, offset: 0 });
  assert.deepEqual(await tailStarts(t, set, 2), { index: 1, offset: 3 });
  assert.deepEqual(await tailStarts(t, set, 3), { index: 1, offset: 0 });
  assert.deepEqual(await tailStarts(t, set, 4), { index: 0, offset: 3 });
  assert.deepEqual(await tailStarts(t, set, 5), { index: 0, offset: 0 });
  assert.deepEqual(await tailStarts(t, set, 50), { index: 0, offset: 0 });
  assert.deepEqual(await tailStarts(t, ['a1\n', '', ''], 1), { index: 0, offset: 0 });
});
