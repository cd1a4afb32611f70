// overlay2 under --userns-remap, on the real kernel: idmapped views of the lower layers (berth-helper idmap-mount),
// shared by the containers of one mapping, gone with the last of them; the layers on disk keep their ids.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chown, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import type { IdentityMapping } from '../../lib/idmap.js';
import { helperIdmapMounter } from './idmap-mount.js';
import { mountPointsUnder } from './mount.js';
import { Overlay2Driver } from './overlay2.js';
import { VfsDriver } from './vfs.js';

function builtHelper(): string | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 6; up++, dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'native', 'build', 'berth-helper');
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}
const helper = builtHelper();
const skip = process.getuid?.() !== 0 ? 'needs root' : !helper ? 'native/build/berth-helper is not built' : undefined;

const remap: IdentityMapping = {
  uidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }],
  gidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }],
};

test('remapped container layers share idmapped views of the image layers', { skip, timeout: 30_000 }, async (tc) => {
  const root = await mkdtemp(path.join(tmpdir(), 'berth-ov-idmap-'));
  const d = await Overlay2Driver.init(root, { idmapMount: helperIdmapMounter(helper!) });
  const home = path.join(root, 'overlay2');
  try {
    await d.create('base');
    await d.create('top', 'base');
    await writeFile(path.join(await d.diffDir('base'), 'by-root'), 'x');
    await mkdir(path.join(await d.diffDir('top'), 'home'));
    await writeFile(path.join(await d.diffDir('top'), 'home', 'by-1000'), 'y');
    await chown(path.join(await d.diffDir('top'), 'home', 'by-1000'), 1000, 1000);
    await d.createReadWrite('c1', 'top', { idMapping: remap });
    await d.createReadWrite('c2', 'top', { idMapping: remap });
    await d.createReadWrite('plain', 'top');
    assert.equal((await stat(path.join(home, 'c1', 'diff'))).uid, 100000, "the upper dir is the container root's");

    let t = performance.now();
    const m1 = await d.get('c1');
    const first = performance.now() - t;
    t = performance.now();
    const m2 = await d.get('c2');
    const second = performance.now() - t;
    const mp = await d.get('plain');
    tc.diagnostic(`first remapped mount ${first.toFixed(1)} ms (helper), second ${second.toFixed(1)} ms`);
    for (const m of [m1, m2]) {
      assert.equal((await stat(path.join(m, 'by-root'))).uid, 100000);
      assert.equal((await stat(path.join(m, 'home', 'by-1000'))).uid, 101000);
    }
    assert.equal((await stat(path.join(mp, 'by-root'))).uid, 0, 'an unmapped container sees the ids on disk');
    // Written through the view: copied up with the mapped ids, the lower untouched.
    await writeFile(path.join(m1, 'by-root'), 'changed');
    assert.equal((await stat(path.join(home, 'c1', 'diff', 'by-root'))).uid, 100000);
    assert.equal(await readFile(path.join(await d.diffDir('base'), 'by-root'), 'utf8'), 'x');
    assert.equal((await stat(path.join(await d.diffDir('base'), 'by-root'))).uid, 0);

    const views = (await mountPointsUnder(path.join(home, 'l'))).sort();
    assert.equal(views.length, 2, `one view per image layer for both containers: ${views}`);
    await d.put('c1');
    assert.equal((await mountPointsUnder(path.join(home, 'l'))).length, 2, 'c2 still holds them');
    await d.put('c2');
    assert.deepEqual(await mountPointsUnder(path.join(home, 'l')), [], 'the last put unmounts the views');
    await d.put('plain');
    // A later get mounts them again.
    await d.get('c1');
    assert.equal((await mountPointsUnder(path.join(home, 'l'))).length, 2);
    await d.put('c1');
  } finally {
    await d.cleanup();
    assert.deepEqual(await mountPointsUnder(root), []);
    await rm(root, { recursive: true, force: true });
  }
});

test('vfs refuses a remapped layer', { skip: process.getuid?.() !== 0 && 'needs root' }, async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'berth-vfs-idmap-'));
  try {
    const d = await VfsDriver.init(root);
    await assert.rejects(d.createReadWrite('c', undefined, { idMapping: remap }), /needs the overlay2 storage driver/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
