// RootTree's confinement, through its own interface: whatever the tree's symlinks or an uploaded tar say, stat,
// archive and extract stay inside the root. Each case has a host directory beside the root (`outside/`, holding a
// sentinel) that a host-side resolution of the same path would reach, so a broken confinement fails the test.
import assert from 'node:assert/strict';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PathError } from './view.js';
import { ScopedResolver } from './scoped-resolver.js';
import { readTar } from './tar.js';
import { buildTar, collect, describeTree, scratch, type TestEntry } from './testing.js';
import { RootTree } from './tree.js';

let tmp: Awaited<ReturnType<typeof scratch>>;
before(async () => {
  tmp = await scratch('berth-tree-');
});
after(async () => {
  await tmp.remove();
});

interface Sandbox {
  root: string;
  outside: string;
  tree: RootTree;
  untouched(): Promise<void>;
}

/**
 * rootfs/ with links that escape on the host: /etc → / (absolute), /up → ../outside and /deep → ../../../.. plus
 * the outside path (relative), /host → the outside directory's absolute host path. rootfs/outside/secret is the
 * file those names lead to inside the root.
 */
async function sandbox(): Promise<Sandbox> {
  const base = await tmp.dir();
  const root = path.join(base, 'rootfs');
  const outside = path.join(base, 'outside');
  await mkdir(path.join(root, 'outside'), { recursive: true });
  await mkdir(path.join(root, 'tmp'));
  await writeFile(path.join(root, 'outside/secret'), 'inside\n');
  await mkdir(outside);
  await writeFile(path.join(outside, 'secret'), 'HOST SECRET\n');
  await symlink('/', path.join(root, 'etc'));
  await symlink('../outside', path.join(root, 'up'));
  await symlink(`../../../../../..${outside}`, path.join(root, 'deep'));
  await symlink(outside, path.join(root, 'host'));
  const before = await describeTree(outside);
  const tree = await RootTree.open(root, []);
  return {
    root,
    outside,
    tree,
    async untouched() {
      await tree.close();
      assert.deepEqual(await describeTree(outside), before, 'the host directory beside the root changed');
    },
  };
}

async function archived(tree: RootTree, p: string): Promise<Map<string, string>> {
  const { tar } = await tree.archive(p);
  const out = new Map<string, string>();
  for await (const { header, body } of readTar(tar)) out.set(header.name, (await collect(body)).toString());
  return out;
}

const noOpts = { noOverwriteDirNonDir: false, readOnlyRoot: false };
const upload = (entries: TestEntry[]) => [buildTar(entries)];
const isPathError = (code: string) => (e: unknown) => e instanceof PathError && e.code === code;

describe('RootTree: symlinks in the root resolve inside it', () => {
  for (const via of ['/etc/outside', '/up']) {
    it(`stat, archive and extract through ${via} reach the root's /outside, not the host's`, async () => {
      const s = await sandbox();
      const st = await s.tree.stat(`${via}/secret`);
      assert.equal(st.size, 'inside\n'.length);
      assert.deepEqual([...(await archived(s.tree, `${via}/secret`))], [['secret', 'inside\n']]);
      await s.tree.extract(via, upload([{ name: 'dropped', type: 'file', content: 'x' }]), noOpts);
      assert.equal(await readFile(path.join(s.root, 'outside/dropped'), 'utf8'), 'x');
      await s.untouched();
    });
  }

  for (const via of ['/host', '/deep']) {
    it(`${via}, a link to the host's path of outside/ (absolute, or climbing), is that path inside the root`, async () => {
      const s = await sandbox();
      await assert.rejects(s.tree.stat(`${via}/secret`), isPathError('ENOENT'));
      await assert.rejects(s.tree.archive(`${via}/secret`), isPathError('ENOENT'));
      await assert.rejects(
        s.tree.extract(via, upload([{ name: 'x', type: 'file', content: 'x' }]), noOpts),
        isPathError('ENOENT'),
      );
      await s.untouched();
    });
  }

  it('"../../.." above the root is the root; a symlink stat names where it leads inside the root', async () => {
    const s = await sandbox();
    assert.equal((await s.tree.stat('/../../../outside/secret')).size, 'inside\n'.length);
    assert.equal((await s.tree.stat('/up')).linkTarget, '/outside');
    assert.equal((await s.tree.stat('/etc')).linkTarget, '/');
    assert.equal((await s.tree.stat('/host')).linkTarget, `${s.outside}`);
    await s.untouched();
  });
});

describe('RootTree.extract: a tar cannot write outside the destination', () => {
  it('refuses ../ names; absolute names land under the destination', async () => {
    const s = await sandbox();
    for (const name of ['../../outside/pwned', 'a/../../x', '..']) {
      await assert.rejects(
        s.tree.extract('/tmp', upload([{ name, type: 'file', content: 'x' }]), noOpts),
        /path escapes the target directory/,
        name,
      );
    }
    await s.tree.extract('/tmp', upload([{ name: '/abs/file', type: 'file', content: 'abs' }]), noOpts);
    assert.equal(await readFile(path.join(s.root, 'tmp/abs/file'), 'utf8'), 'abs');
    await s.untouched();
  });

  it('a symlink entry, then a file through it: absolute links restart at the destination, climbs are refused', async () => {
    const s = await sandbox();
    await s.tree.extract(
      '/tmp',
      upload([
        { name: 'l', type: 'symlink', linkname: '/' },
        { name: 'l/outside/secret', type: 'file', content: 'through /' },
        { name: 'h', type: 'symlink', linkname: s.outside },
        { name: 'h/secret', type: 'file', content: 'through the host path' },
      ]),
      noOpts,
    );
    assert.equal(await readFile(path.join(s.root, 'tmp/outside/secret'), 'utf8'), 'through /');
    assert.equal(await readFile(path.join(s.root, 'tmp', s.outside, 'secret'), 'utf8'), 'through the host path');
    await assert.rejects(
      s.tree.extract(
        '/tmp',
        upload([
          { name: 'r', type: 'symlink', linkname: '../../../../../../..' },
          { name: `r${s.outside}/secret`, type: 'file', content: 'pwned' },
        ]),
        noOpts,
      ),
    );
    await assert.rejects(
      s.tree.extract('/tmp', upload([{ name: 'hl', type: 'link', linkname: '../../outside/secret' }]), noOpts),
      /invalid hardlink/,
    );
    await s.untouched();
  });

  it('a file entry over an existing symlink replaces the link, never writes where it points', async () => {
    const s = await sandbox();
    await symlink(path.join(s.outside, 'secret'), path.join(s.root, 'tmp/victim'));
    await s.tree.extract('/tmp', upload([{ name: 'victim', type: 'file', content: 'replaced' }]), noOpts);
    assert.equal(await readFile(path.join(s.root, 'tmp/victim'), 'utf8'), 'replaced');
    await s.untouched();
  });
});

describe('ScopedResolver (layer apply): the same confinement by paths', () => {
  it('follows links inside the target and refuses one that climbs out', async () => {
    const s = await sandbox();
    const r = new ScopedResolver(s.root, false);
    assert.equal(await r.dir('etc/outside', 'etc/outside/x'), path.join(s.root, 'outside'));
    // A layer's relative link may not climb above the target at all (cp's view clamps instead, as the kernel).
    await assert.rejects(r.dir('up', 'up/x'), /points outside the target directory/);
    await assert.rejects(r.dir('deep', 'deep/x'), /points outside the target directory/);
    assert.equal(await r.dir('host', 'host/x'), path.join(s.root, s.outside), 'an absolute link is made inside');
    await s.untouched();
  });
});
