// `docker export`: a container's merged filesystem as one tar, image layers and the container's own writes together,
// deletions absent; the layer stays mounted only while the stream is read.
import assert from 'node:assert/strict';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { readTar } from '../../archive/index.js';
import { buildTar } from '../../archive/testing.js';
import type { GraphDriver } from '../graphdriver/index.js';
import { LayerStore } from './index.js';
import { DRIVERS, mountsUnder, openDriver } from './testing.js';

for (const driverName of DRIVERS) {
  describe(`container export on ${driverName}`, () => {
    let root: string;
    let driver: GraphDriver;
    let store: LayerStore;

    beforeEach(async () => {
      root = await mkdtemp(path.join(tmpdir(), `berth-export-${driverName}-`));
      driver = await openDriver(driverName, path.join(root, 'layers'));
      store = await LayerStore.open({ root: path.join(root, 'image'), driver });
    });

    afterEach(async () => {
      await driver.cleanup();
      await rm(root, { recursive: true, force: true });
    });

    it('streams the merged tree: image files, the container writes, without what it deleted', async () => {
      const base = await store.register(
        buildTar([
          { name: 'etc/', type: 'directory' },
          { name: 'etc/keep', type: 'file', content: 'kept' },
          { name: 'etc/gone', type: 'file', content: 'deleted later' },
        ]),
      );
      await store.createRW('c1', base.chainId);
      const dir = await store.mount('c1');
      await writeFile(path.join(dir, 'etc/new'), 'written by the container');
      await unlink(path.join(dir, 'etc/gone'));
      await store.unmount('c1');

      const tar = await store.exportRW('c1');
      const files = new Map<string, string>();
      for await (const e of readTar(tar)) {
        const parts: Buffer[] = [];
        for await (const b of e.body) parts.push(b);
        files.set(e.header.name.replace(/^\.?\/?/, '').replace(/\/$/, ''), Buffer.concat(parts).toString());
      }
      assert.equal(files.get('etc/keep'), 'kept');
      assert.equal(files.get('etc/new'), 'written by the container');
      assert.ok(!files.has('etc/gone'), 'a deleted file is not exported');
      assert.ok(![...files.keys()].some((n) => n.includes('.wh.')), 'no whiteouts in an export');
      // The stream has ended: the container's layer is unmounted again and can be removed.
      const deadline = Date.now() + 5000;
      while ((await mountsUnder(root)).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(await mountsUnder(root), []);
      await store.removeRW('c1');
      await store.release(base.chainId);
    });
  });
}
