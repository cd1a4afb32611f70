import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { Overlay2Driver, MAX_DEPTH } from './overlay2.js';
import { selectDriver } from './select.js';
import { runGraphDriverSuite } from './testsuite.js';
import { isInvalidParameter } from '../../errdefs/index.js';

runGraphDriverSuite('overlay2', (root) => Overlay2Driver.init(root));

describe('overlay2 specifics', () => {
  it('keeps moby’s layout: 26-character short links in l/ and a relative lower chain', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'berth-ov-'));
    try {
      const d = await Overlay2Driver.init(root);
      await d.create('a');
      await d.create('b', 'a');
      await d.create('c', 'b');
      const home = path.join(root, 'overlay2');
      const links = await readdir(path.join(home, 'l'));
      assert.equal(links.length, 3);
      for (const l of links) assert.match(l, /^[A-Z2-7]{26}$/);
      const linkOf = (id: string) => readFile(path.join(home, id, 'link'), 'utf8');
      assert.equal(
        await readFile(path.join(home, 'c', 'lower'), 'utf8'),
        `l/${await linkOf('b')}:l/${await linkOf('a')}`,
      );
      assert.deepEqual((await d.status())[0], ['Backing Filesystem', 'extfs']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it(`mounts a chain of ${MAX_DEPTH} layers and refuses one more`, async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'berth-ov-'));
    const d = await Overlay2Driver.init(root);
    try {
      await d.create('l0');
      for (let i = 1; i < MAX_DEPTH + 1; i++) await d.create(`l${i}`, `l${i - 1}`);
      await assert.rejects(d.create('toodeep', `l${MAX_DEPTH}`), isInvalidParameter);
      const merged = await d.get(`l${MAX_DEPTH}`);
      assert.ok(merged.endsWith('/merged'));
      await d.put(`l${MAX_DEPTH}`);
    } finally {
      await d.cleanup();
      await rm(root, { recursive: true, force: true });
    }
  });

  it('selectDriver honours an explicit choice, rejects unknown names and defaults to overlay2 here', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'berth-sel-'));
    try {
      assert.equal((await selectDriver(root, 'vfs')).driver.name, 'vfs');
      await assert.rejects(selectDriver(root, 'aufs'), /unknown storage driver "aufs"/);
      const fresh = await mkdtemp(path.join(tmpdir(), 'berth-sel-'));
      assert.equal((await selectDriver(fresh)).driver.name, 'overlay2');
      await rm(fresh, { recursive: true, force: true });
      // A root that already holds vfs layers keeps vfs (dockerd's prior-driver rule).
      const { driver } = await selectDriver(root, 'vfs');
      await driver.create('x');
      assert.equal((await selectDriver(root)).driver.name, 'vfs');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
