// Staged layers (stage → registerChain): a tar applied before its place in a chain is known gives the chain, trees
// and tars registering it later gives; unused or cut short, nothing is left that open() does not remove.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { type Digest, sha256 } from '../../lib/digest.js';
import { buildTar, describeTree, type TestEntry } from '../../archive/testing.js';
import type { GraphDriver } from '../graphdriver/index.js';
import { chainIdOf, LayerStore, StagedLayer } from './index.js';
import { DRIVERS, driverLayerIds, mountsUnder, openDriver, readAll } from './testing.js';

const T = 1_600_000_000;
const L1: TestEntry[] = [
  { name: 'etc/', type: 'directory', mtime: T },
  { name: 'etc/passwd', type: 'file', content: 'root', mtime: T },
  { name: 'etc/hosts', type: 'file', content: 'localhost', mtime: T },
];
const L2: TestEntry[] = [
  { name: 'etc/', type: 'directory', mtime: T },
  { name: 'etc/.wh.passwd', type: 'file', mtime: T },
  { name: 'usr/', type: 'directory', mtime: T },
  { name: 'usr/bin', type: 'file', content: 'x'.repeat(100_000), mode: 0o755, mtime: T },
];
const L3: TestEntry[] = [
  { name: 'usr/', type: 'directory', mtime: T },
  { name: 'usr/.wh..wh..opq', type: 'file', mtime: T },
  { name: 'usr/lib', type: 'file', content: 'lib', mtime: T },
];
const tars = [L1, L2, L3].map((l) => buildTar(l));
const diffIds = tars.map((t) => sha256(t));

for (const driverName of DRIVERS) {
  describe(`staged layers on ${driverName}`, () => {
    let root: string;
    let driver: GraphDriver;
    let store: LayerStore;
    const layersRoot = () => path.join(root, 'layers');

    beforeEach(async () => {
      root = await mkdtemp(path.join(tmpdir(), `berth-stage-${driverName}-`));
      driver = await openDriver(driverName, layersRoot());
      store = await LayerStore.open({ root: path.join(root, 'image'), driver });
    });

    afterEach(async () => {
      assert.deepEqual(await readdir(path.join(root, 'image', 'layerdb', 'tmp')), [], 'no temp file is left');
      await driver.cleanup();
      assert.deepEqual(await mountsUnder(root), []);
      await rm(root, { recursive: true, force: true });
    });

    it('registerChain takes layers staged together, before any knew its parent, as if it had applied them', async () => {
      const staged = await Promise.all(tars.map((t) => store.stage(() => t)));
      if (driverName === 'vfs') {
        // A vfs layer copies its parent, so it cannot be applied before the parent is known.
        assert.deepEqual(staged, [undefined, undefined, undefined]);
        return;
      }
      assert.ok(staged.every((s) => s instanceof StagedLayer));
      assert.deepEqual(
        staged.map((s) => s!.diffId),
        diffIds,
      );
      assert.deepEqual(store.list(), [], 'a staged layer is not a layer');
      const got = await store.registerChain(
        staged.map((s) => s!),
        undefined,
        diffIds,
      );
      const want: Digest[] = [];
      for (const d of diffIds) want.push(chainIdOf(want.at(-1), d));
      assert.deepEqual(
        got.map((r) => r.chainId),
        want,
      );
      for (const [i, r] of got.entries()) {
        assert.ok((await readAll(await store.layerTar(r.chainId))).equals(tars[i]!), `layer ${i} round-trips`);
      }
      // The merged tree is the one of the same chain registered one by one.
      const other = await LayerStore.open({ root: path.join(root, 'image2'), driver });
      let parent: Digest | undefined;
      for (const t of tars) parent = (await other.register(t, parent)).chainId;
      const merged = async (s: LayerStore, id: string) => {
        await s.createRW(id, want.at(-1));
        try {
          return await describeTree(await s.mount(id));
        } finally {
          await s.unmount(id);
          await s.removeRW(id);
        }
      };
      assert.deepEqual(await merged(store, 'c1'), await merged(other, 'c2'));
      // Taken: discarding it now is a no-op.
      await store.discardStaged(staged[0]!);
      assert.equal(store.list().length, 3);
    });

    it('a staged layer used twice in a chain is applied again for the second place', async () => {
      const s = await store.stage(() => tars[0]!);
      if (!s) return; // vfs: nothing staged (checked above)
      const got = await store.registerChain([s, s], undefined, [diffIds[0]!, diffIds[0]!]);
      assert.equal(got[1]!.parent, got[0]!.chainId);
      assert.notEqual(store.get(got[0]!.chainId).cacheId, store.get(got[1]!.chainId).cacheId);
    });

    it('discardStaged removes what no chain took; a tar that does not apply stages nothing', async () => {
      const before = await driverLayerIds(driverName, layersRoot());
      const s = await store.stage(() => tars[1]!);
      if (s) await store.discardStaged(s);
      assert.equal(await store.stage(() => buildTar([{ name: '../escape', type: 'file', content: 'x' }])), undefined);
      assert.deepEqual(await driverLayerIds(driverName, layersRoot()), before);
    });

    it('a staged layer never taken (a load cut short) is removed by the next open', async () => {
      const s = await store.stage(() => tars[0]!);
      if (!s) return;
      const reopened = await LayerStore.open({ root: path.join(root, 'image'), driver });
      assert.deepEqual(reopened.reconciled.removedDriverLayers, [s.cacheId]);
      assert.deepEqual(reopened.list(), []);
      assert.equal(await driver.exists(s.cacheId), false);
    });

    it('stage skips a tar whose likely diff ID the store has (an image loaded again)', async () => {
      await store.register(tars[0]!);
      assert.equal(await store.stage(() => tars[0]!, diffIds[0]!), undefined);
    });
  });
}
