// `berth cp`'s local side: a tree tarred and extracted again comes back the same, and a tar from a (hostile)
// container cannot write outside the destination, also not through symlinks it made itself.
import assert from 'node:assert/strict';
import { mkdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { buildTar, describeTree, scratch, type TestEntry } from '../../archive/testing.js';
import { extractTar, tarTree } from './cp-tar.js';

let tmp: Awaited<ReturnType<typeof scratch>>;
before(async () => {
  tmp = await scratch('berth-cp-tar-');
});
after(async () => {
  await tmp.remove();
});

const tarOf = (entries: TestEntry[]) => Readable.from([buildTar(entries)]);

/** dest/ to extract into, and outside/ beside it with a sentinel that must stay as it is. */
async function sandbox() {
  const base = await tmp.dir();
  const dest = path.join(base, 'dest');
  const outside = path.join(base, 'outside');
  await mkdir(dest);
  await mkdir(outside);
  await writeFile(path.join(outside, 'sentinel'), 'keep\n');
  const before = await describeTree(outside);
  return { base, dest, outside, untouched: async () => assert.deepEqual(await describeTree(outside), before) };
}

describe('berth cp, local side', () => {
  it('a tree tarred on the shared codec extracts to the same files, links and modes', async () => {
    const s = await sandbox();
    const src = path.join(s.base, 'src');
    await mkdir(path.join(src, 'tree/sub'), { recursive: true });
    await writeFile(path.join(src, 'tree/a.txt'), 'a');
    await writeFile(path.join(src, 'tree/sub/b.txt'), 'b'.repeat(70_000), { mode: 0o600 });
    await symlink('sub/b.txt', path.join(src, 'tree/link'));
    await writeFile(path.join(src, `tree/${'n'.repeat(150)}`), 'long name');
    const total = await extractTar(tarTree(src, 'tree', 'copy'), s.dest);
    assert.equal(total, 1 + 70_000 + 'long name'.length);
    assert.deepEqual(await describeTree(path.join(s.dest, 'copy')), await describeTree(path.join(src, 'tree')));
    assert.equal(await readlink(path.join(s.dest, 'copy/link')), 'sub/b.txt');
  });

  it('refuses ../ names; absolute names land under the destination', async () => {
    const s = await sandbox();
    await assert.rejects(
      extractTar(tarOf([{ name: '../outside/pwned', type: 'file', content: 'x' }]), s.dest),
      /is outside of/,
    );
    await extractTar(tarOf([{ name: '/abs', type: 'file', content: 'abs' }]), s.dest);
    assert.equal(await readFile(path.join(s.dest, 'abs'), 'utf8'), 'abs');
    await s.untouched();
  });

  it('a file under a symlink the tar made stays inside: absolute links restart at the destination, climbs fail', async () => {
    const s = await sandbox();
    await extractTar(
      tarOf([
        { name: 'abs', type: 'symlink', linkname: s.outside },
        { name: 'abs/sentinel', type: 'file', content: 'pwned' },
      ]),
      s.dest,
    );
    assert.equal(await readFile(path.join(s.dest, s.outside, 'sentinel'), 'utf8'), 'pwned');
    await assert.rejects(
      extractTar(
        tarOf([
          { name: 'up', type: 'symlink', linkname: '../outside' },
          { name: 'up/sentinel', type: 'file', content: 'pwned' },
        ]),
        s.dest,
      ),
      /is outside of/,
    );
    await assert.rejects(
      extractTar(tarOf([{ name: 'hl', type: 'link', linkname: 'up/sentinel' }]), s.dest),
      /invalid hardlink/,
    );
    await s.untouched();
  });
});
