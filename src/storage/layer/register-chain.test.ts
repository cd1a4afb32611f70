// registerChain (an image's layers applied together, committed all or nothing) and the tar size the store records
// for save, on both drivers.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { isInvalidParameter } from '../../errdefs/index.js';
import { type Digest, sha256 } from '../../lib/digest.js';
import { buildTar, describeTree, type TestEntry } from '../../archive/testing.js';
import type { GraphDriver } from '../graphdriver/index.js';
import { chainIdOf, LayerStore } from './index.js';
import { DRIVERS, driverLayerIds, openDriver, readAll } from './testing.js';

const T = 1_600_000_000;
const L1: TestEntry[] = [
  { name: 'etc/', type: 'directory', mtime: T },
  { name: 'etc/passwd', type: 'file', content: 'root', mtime: T },
  { name: 'etc/empty', type: 'file', content: '', mtime: T },
  { name: 'var/', type: 'directory', mtime: T },
  { name: 'var/log', type: 'file', content: 'x'.repeat(70_000), mtime: T },
];
const L2: TestEntry[] = [
  { name: 'etc/', type: 'directory', mtime: T },
  { name: 'etc/.wh.passwd', type: 'file', mtime: T },
  { name: 'etc/group', type: 'file', content: 'wheel', mtime: T },
];
const L3: TestEntry[] = [
  { name: 'etc/', type: 'directory', mtime: T },
  { name: 'etc/passwd', type: 'file', content: 'root2', mtime: T },
];
const tars = [L1, L2, L3].map((l) => buildTar(l));

for (const driverName of DRIVERS) {
  describe(`registerChain and tar sizes on ${driverName}`, () => {
    let root: string;
    let driver: GraphDriver;
    let store: LayerStore;

    beforeEach(async () => {
      root = await mkdtemp(path.join(tmpdir(), `berth-chain-${driverName}-`));
      driver = await openDriver(driverName, path.join(root, 'layers'));
      store = await LayerStore.open({ root: path.join(root, 'image'), driver });
    });

    afterEach(async () => {
      assert.deepEqual(await readdir(path.join(root, 'image', 'layerdb', 'tmp')), [], 'no temp file is left');
      await driver.cleanup();
      await rm(root, { recursive: true, force: true });
    });

    const layerdb = (chainId: Digest, file: string) =>
      path.join(root, 'image', 'layerdb', 'sha256', chainId.slice('sha256:'.length), file);

    it('gives the chain IDs and trees one-by-one registers give, with each tar coming back byte for byte', async () => {
      const got = await store.registerChain(
        tars.map((t) => () => t),
        undefined,
        tars.map((t) => sha256(t)),
      );
      const want: Digest[] = [];
      for (const t of tars) want.push(chainIdOf(want.at(-1), sha256(t)));
      assert.deepEqual(
        got.map((r) => r.chainId),
        want,
      );
      assert.deepEqual(
        got.map((r) => r.created),
        [true, true, true],
      );
      for (const [i, r] of got.entries()) {
        assert.ok((await readAll(await store.layerTar(r.chainId))).equals(tars[i]!), `layer ${i} round-trips`);
        assert.equal(r.parent, i === 0 ? undefined : got[i - 1]!.chainId);
      }
      // The same chain registered one by one in another store has the same merged tree.
      const other = await LayerStore.open({ root: path.join(root, 'image2'), driver });
      let parent: Digest | undefined;
      for (const t of tars) parent = (await other.register(t, parent)).chainId;
      const cid = (s: LayerStore, c: Digest) => s.get(c).cacheId;
      const top = got.at(-1)!.chainId;
      if (driverName === 'vfs') {
        assert.deepEqual(
          await describeTree(await driver.diffDir(cid(store, top))),
          await describeTree(await driver.diffDir(cid(other, top))),
        );
      }
      // Each layer came with one reference: the last one released takes the whole chain.
      assert.deepEqual(await store.release(got[0]!.chainId), []);
      assert.deepEqual(await store.release(got[1]!.chainId), []);
      assert.deepEqual(await store.release(top), [...want].reverse());
    });

    it('commits nothing when a diff ID differs from the expected one, and leaves no driver layer', async () => {
      const before = await driverLayerIds(driverName, path.join(root, 'layers'));
      const expected = tars.map((t) => sha256(t));
      expected[2] = sha256('something else');
      await assert.rejects(
        store.registerChain(
          // gzip too: the diff ID is that of the plain tar, checked as it is applied.
          tars.map((t) => () => gzipSync(t)),
          undefined,
          expected,
        ),
        (e: Error) => isInvalidParameter(e) && /invalid diffID for layer 2/.test(e.message),
      );
      assert.deepEqual(store.list(), []);
      assert.deepEqual(await driverLayerIds(driverName, path.join(root, 'layers')), before);
    });

    it('records each layer’s tar size at register; older layers get it from tar-split or from their files', async () => {
      const [a, b] = await store.registerChain(
        tars.slice(0, 2).map((t) => () => t),
        undefined,
        tars.slice(0, 2).map((t) => sha256(t)),
      );
      const c = await store.register(gzipSync(tars[2]!), b!.chainId);
      for (const [i, r] of [a!, b!, c].entries()) {
        assert.equal(await store.layerTarSize(r.chainId), tars[i]!.length);
        assert.equal(await readFile(layerdb(r.chainId, 'tar-size'), 'utf8'), String(tars[i]!.length));
      }
      // A record from before tar-size: worked out from tar-split, written back, and kept across a reopen.
      await unlink(layerdb(a!.chainId, 'tar-size'));
      // And one without tar-split either: worked out by generating the (canonical) tar.
      const canonical = await readAll(await driver.diff(store.get(c.chainId).cacheId));
      const d = await store.register(canonical);
      await unlink(layerdb(d.chainId, 'tar-size'));
      await unlink(layerdb(d.chainId, 'tar-split.json.gz'));
      const reopened = await LayerStore.open({ root: path.join(root, 'image'), driver });
      await reopened.reset(new Map([c.chainId, d.chainId].map((id) => [id, 1])));
      assert.equal(await reopened.layerTarSize(a!.chainId), tars[0]!.length);
      assert.equal(await readFile(layerdb(a!.chainId, 'tar-size'), 'utf8'), String(tars[0]!.length));
      assert.equal(await reopened.layerTarSize(d.chainId), canonical.length);
      assert.equal(await readFile(layerdb(d.chainId, 'tar-size'), 'utf8'), String(canonical.length));
    });
  });
}
