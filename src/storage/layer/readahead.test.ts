import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OpenContent } from '../archive/index.js';
import { readAhead } from './readahead.js';
import { readAll } from './testing.js';

/** An OpenContent over in-memory files that records the order of opens and how many are open at once. */
function fakeFiles(files: Record<string, string>) {
  const opened: string[] = [];
  let open = 0;
  let peak = 0;
  const fn: OpenContent = async (name) => {
    opened.push(name);
    const data = files[name];
    if (data === undefined) throw new Error(`no file ${name}`);
    open++;
    peak = Math.max(peak, open);
    await new Promise((r) => setImmediate(r));
    return (async function* () {
      try {
        yield Buffer.from(data);
      } finally {
        open--;
      }
    })();
  };
  return { fn, opened, peak: () => peak };
}

test('readAhead reads the next files before they are asked for, within its budget, and yields the same bytes', async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 20; i++) files[`f${i}`] = `content ${i}`.repeat(i + 1);
  const list = Object.entries(files).map(([name, c]) => ({ name, size: c.length }));
  const fake = fakeFiles(files);
  const ra = readAhead(fake.fn, list, { maxFiles: 4, maxBytes: 1 << 20 });
  await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(fake.opened, ['f0', 'f1', 'f2', 'f3'], 'four files read ahead, no more');
  for (const { name } of list) assert.equal((await readAll(await ra(name))).toString(), files[name]);
  assert.deepEqual(fake.opened, Object.keys(files), 'each file read once, in order');
  assert.ok(fake.peak() <= 5, 'four ahead, and the one being asked for');
});

test('readAhead streams large files when asked, opens out-of-order names directly, and reports errors on ask', async () => {
  const files = { a: 'aa', big: 'B'.repeat(1000), c: 'cc', odd: 'oo' };
  const list = [
    { name: 'a', size: 2 },
    { name: 'big', size: 1000 },
    { name: 'missing', size: 3 },
    { name: 'c', size: 2 },
  ];
  const fake = fakeFiles(files);
  const ra = readAhead(fake.fn, list, { maxBytes: 400 });
  await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(fake.opened, ['a', 'missing', 'c'], 'the large file is not held');
  assert.equal((await readAll(await ra('a'))).toString(), 'aa');
  assert.equal((await readAll(await ra('big'))).toString(), files.big);
  await assert.rejects(ra('missing'), /no file missing/);
  assert.equal((await readAll(await ra('odd'))).toString(), 'oo', 'a name not in the list is opened');
  assert.equal((await readAll(await ra('c'))).toString(), 'cc');
});
