// The layer store on real drivers (root, real mounts), overlay2 and vfs: chains, whiteouts, dedup, reference counts,
// containers' copy-on-write layers, diff/commit round trips, and that nothing is left mounted or half-written.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isConflict, isInvalidParameter, isNotFound, isSystem } from '../../errdefs/index.js';
import { type Digest, sha256 } from '../../lib/digest.js';
import { chainIds, type LayerRefs } from '../../image/store/index.js';
import { ChangeKind } from '../archive/index.js';
import { buildTar, describeTree, type TestEntry } from '../../archive/testing.js';
import type { GraphDriver } from '../graphdriver/index.js';
import { LayerStore } from './index.js';
import { DRIVERS, driverLayerIds, mountsUnder, openDriver, readAll } from './testing.js';

const T = 1_600_000_000;
const short = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);

const L1: TestEntry[] = [
  { name: 'bin/', type: 'directory' },
  { name: 'bin/sh', type: 'file', mode: 0o755, content: 'sh' },
  { name: 'etc/', type: 'directory' },
  { name: 'etc/passwd', type: 'file', content: 'root' },
  { name: 'etc/conf.d/', type: 'directory' },
  { name: 'etc/conf.d/a', type: 'file', content: 'a' },
  { name: 'etc/conf.d/b', type: 'file', content: 'b' },
  { name: 'var/', type: 'directory' },
  { name: 'var/log/', type: 'directory' },
  { name: 'var/log/old', type: 'file', content: 'old' },
];
const L2: TestEntry[] = [
  { name: 'etc/', type: 'directory' },
  { name: 'etc/.wh.passwd', type: 'file' },
  { name: 'etc/conf.d/', type: 'directory' },
  { name: 'etc/conf.d/.wh..wh..opq', type: 'file' },
  { name: 'etc/conf.d/c', type: 'file', content: 'c' },
  { name: 'var/.wh.log', type: 'file' },
];
const L3: TestEntry[] = [
  { name: 'etc/', type: 'directory' },
  { name: 'etc/passwd', type: 'file', content: 'root2' },
  { name: 'var/', type: 'directory' },
  { name: 'var/log/', type: 'directory' },
  { name: 'var/log/new', type: 'file', content: 'new' },
  { name: 'bin/.wh.sh', type: 'file' },
];
const MERGED = [
  'bin d 755 0:0',
  'etc d 755 0:0',
  'etc/conf.d d 755 0:0',
  `etc/conf.d/c f 644 0:0 t=${T} size=1 sha=${short('c')}`,
  `etc/passwd f 644 0:0 t=${T} size=5 sha=${short('root2')}`,
  'var d 755 0:0',
  'var/log d 755 0:0',
  `var/log/new f 644 0:0 t=${T} size=3 sha=${short('new')}`,
];

for (const driverName of DRIVERS) {
  describe(`layer store on ${driverName}`, () => {
    let root: string;
    let driverRoot: string;
    let driver: GraphDriver;
    let store: LayerStore;

    beforeEach(async () => {
      root = await mkdtemp(path.join(tmpdir(), `berth-layer-${driverName}-`));
      driverRoot = path.join(root, 'layers');
      driver = await openDriver(driverName, driverRoot);
      store = await LayerStore.open({ root: path.join(root, 'image'), driver });
    });

    afterEach(async () => {
      for (const rw of store.listRW()) while (store.mountPath(rw.containerId)) await store.unmount(rw.containerId);
      assert.deepEqual(await mountsUnder(root), [], 'no mount is left');
      assert.deepEqual(await readdir(path.join(root, 'image', 'layerdb', 'tmp')), [], 'no temp file is left');
      await driver.cleanup();
      await rm(root, { recursive: true, force: true });
    });

    const layerdb = (...p: string[]) => path.join(root, 'image', 'layerdb', ...p);
    const hex = (d: Digest) => d.slice('sha256:'.length);

    async function registerChain(layers: TestEntry[][]): Promise<Digest[]> {
      const out: Digest[] = [];
      for (const entries of layers) out.push((await store.register(buildTar(entries), out.at(-1))).chainId);
      return out;
    }

    it('registers a 3-layer chain with moby’s chain IDs and layerdb files; a container sees the merged tree with whiteouts applied', async () => {
      const tars = [L1, L2, L3].map((e) => buildTar(e));
      const chain = await registerChain([L1, L2, L3]);
      const diffIds = tars.map((t) => sha256(t));
      assert.deepEqual(chain, chainIds(diffIds));
      assert.deepEqual(
        store.chain(chain[2]!).map((l) => l.diffId),
        diffIds,
      );
      const top = store.get(chain[2]!);
      const dir = layerdb('sha256', hex(chain[2]!));
      const cacheId = await readFile(path.join(dir, 'cache-id'), 'utf8');
      assert.deepEqual(top, { chainId: chain[2], diffId: diffIds[2], size: 8, parent: chain[1], cacheId });
      assert.equal(await driver.exists(cacheId), true);
      assert.deepEqual((await readdir(dir)).sort(), [
        'cache-id',
        'diff',
        'parent',
        'size',
        'tar-size',
        'tar-split.json.gz',
      ]);
      assert.equal(await readFile(path.join(dir, 'diff'), 'utf8'), diffIds[2]);
      assert.equal(await readFile(path.join(dir, 'parent'), 'utf8'), chain[1]);
      assert.equal(await readFile(path.join(dir, 'size'), 'utf8'), '8');
      assert.match(await readFile(path.join(dir, 'cache-id'), 'utf8'), /^[a-f0-9]{64}$/);
      assert.deepEqual(await readdir(layerdb('sha256', hex(chain[0]!))).then((f) => f.sort()), [
        'cache-id',
        'diff',
        'size',
        'tar-size',
        'tar-split.json.gz',
      ]);
      assert.equal(await store.has(chain[1]!), true);
      assert.equal(await store.size(chain[0]!), 2 + 4 + 1 + 1 + 3);

      const rw = await store.createRW('c1', chain[2]);
      assert.equal(rw.parent, chain[2]);
      assert.equal(await readFile(layerdb('mounts', 'c1', 'parent'), 'utf8'), chain[2]);
      assert.equal(await readFile(layerdb('mounts', 'c1', 'mount-id'), 'utf8'), rw.mountId);
      const merged = await store.mount('c1');
      assert.equal(store.mountPath('c1'), merged);
      assert.deepEqual(await describeTree(merged, { dirTimes: false }), MERGED);
      await store.unmount('c1');
      assert.equal(store.mountPath('c1'), undefined);
    });

    it('refuses unknown parents and malformed chain IDs', async () => {
      await assert.rejects(store.register(buildTar(L1), sha256('nope')), isNotFound);
      await assert.rejects(store.register(buildTar(L1), 'sha256:xyz'), isInvalidParameter);
      await assert.rejects(store.createRW('c1', sha256('nope')), isNotFound);
      await assert.rejects(store.createRW('../c1'), isInvalidParameter);
      await assert.rejects(store.size(sha256('nope')), isNotFound);
      assert.equal(await store.has(sha256('nope')), false);
      assert.deepEqual(await driverLayerIds(driverName, driverRoot), []);
    });

    it('a broken tar registers nothing and leaves no driver layer behind', async () => {
      const tar = buildTar(L1).subarray(0, 700);
      await assert.rejects(store.register(tar), isInvalidParameter);
      assert.deepEqual(store.list(), []);
      assert.deepEqual(await driverLayerIds(driverName, driverRoot), []);
    });

    it('stores a layer shared by two images once', async () => {
      const base = await store.register(buildTar(L1));
      const again = await store.register(buildTar(L1));
      assert.equal(base.created, true);
      assert.equal(again.created, false);
      assert.equal(again.chainId, base.chainId);
      const a = await store.register(buildTar(L2), base.chainId);
      const b = await store.register(buildTar(L3), again.chainId);
      assert.equal(a.parent, b.parent);
      assert.equal(store.list().length, 3);
      assert.equal((await driverLayerIds(driverName, driverRoot)).length, 3);
      assert.deepEqual((await readdir(layerdb('sha256'))).length, 3);
      const stats = await store.stats();
      assert.equal(stats.layers, 3);
      assert.equal(stats.size, base.size + a.size + b.size);
      assert.equal(stats.driver, driverName);
    });

    it('concurrent registers of the same content end with one layer holding every caller’s reference', async () => {
      const results = await Promise.all(Array.from({ length: 6 }, () => store.register(buildTar(L1))));
      assert.equal(new Set(results.map((r) => r.chainId)).size, 1);
      assert.equal(results.filter((r) => r.created).length, 1);
      assert.equal((await driverLayerIds(driverName, driverRoot)).length, 1);
      const id = results[0]!.chainId;
      for (let i = 0; i < 5; i++) assert.deepEqual(await store.release(id), []);
      assert.deepEqual(await store.release(id), [id]);
      assert.deepEqual(await driverLayerIds(driverName, driverRoot), []);
    });

    it('a layer goes when its last reference and last child go, then its unused parents in turn', async () => {
      const [a, b, c] = await registerChain([L1, L2, L3]);
      // Two images: img1 = [a, b, c], img2 = [a, b]; each retains every chain ID; then the registers' refs go.
      for (const id of [a, b, c, a, b]) await store.retain(id!);
      for (const id of [a, b, c]) assert.deepEqual(await store.release(id!), []);
      // Removing img1: c is unused and goes; b and a are still img2's.
      assert.deepEqual(await store.release(c!), [c]);
      assert.deepEqual(await store.release(b!), []);
      assert.deepEqual(await store.release(a!), []);
      assert.equal(await store.has(c!), false);
      assert.deepEqual(await readdir(layerdb('sha256')).then((d) => d.sort()), [hex(a!), hex(b!)].sort());
      // A container on b keeps b (and a) after img2 releases them.
      await store.createRW('c1', b);
      assert.deepEqual(await store.release(a!), []); // a has a child
      assert.deepEqual(await store.release(b!), []); // b has the container
      assert.equal(await store.has(a!), true);
      await assert.rejects(store.release(b!), isConflict, 'releasing more than retained is refused');
      await store.removeRW('c1');
      assert.deepEqual(store.list(), []);
      assert.deepEqual(await readdir(layerdb('sha256')), []);
      assert.deepEqual(await readdir(layerdb('mounts')), []);
      assert.deepEqual(await driverLayerIds(driverName, driverRoot), []);
    });

    it('reset() restores counts after a restart and removes what no image uses', async () => {
      const [a, b, c] = await registerChain([L1, L2, L3]);
      const other = (await store.register(buildTar([{ name: 'x', type: 'file', content: 'x' }]))).chainId;
      await store.createRW('c1', other);
      store = await LayerStore.open({ root: path.join(root, 'image'), driver });
      assert.equal(store.list().length, 4);
      assert.equal(store.listRW().length, 1);
      // The image store knows one image [a, b]; c is unused; `other` is kept by the container; one count is stale.
      const ghost = sha256('ghost');
      const report = await store.reset(
        new Map<Digest, number>([
          [a!, 1],
          [b!, 1],
          [ghost, 1],
        ]),
      );
      assert.deepEqual(report, { unknown: [ghost], removed: [c] });
      assert.deepEqual(
        store
          .list()
          .map((l) => l.chainId)
          .sort(),
        [a!, b!, other].sort(),
      );
      await store.removeRW('c1');
      assert.equal(await store.has(other), false, 'the container was the last user');
      assert.deepEqual(await store.release(b!), [b]);
      assert.deepEqual(await store.release(a!), [a]);
    });

    it('two containers from one image see their own writes (copy-on-write); the image layers are unchanged', async () => {
      const chain = await registerChain([L1, L2, L3]);
      const top = chain[2]!;
      const before = await readAll(await store.layerTar(top)).catch((e) => e as Error);
      await store.createRW('c1', top);
      await store.createRW('c2', top);
      const m1 = await store.mount('c1');
      const m2 = await store.mount('c2');
      assert.notEqual(m1, m2);
      await writeFile(path.join(m1, 'etc/passwd'), 'from c1');
      await writeFile(path.join(m2, 'etc/passwd'), 'from c2');
      await unlink(path.join(m1, 'var/log/new'));
      assert.equal(await readFile(path.join(m1, 'etc/passwd'), 'utf8'), 'from c1');
      assert.equal(await readFile(path.join(m2, 'etc/passwd'), 'utf8'), 'from c2');
      assert.equal(await readFile(path.join(m2, 'var/log/new'), 'utf8'), 'new');
      await store.createRW('c3', top);
      const m3 = await store.mount('c3');
      assert.deepEqual(await describeTree(m3, { dirTimes: false }), MERGED);
      const after = await readAll(await store.layerTar(top)).catch((e) => e as Error);
      assert.deepEqual(after, before, 'the image layer’s diff is unchanged');
      for (const c of ['c1', 'c2', 'c3']) {
        await store.unmount(c);
        await store.removeRW(c);
      }
    });

    it('mounts are counted; a mounted layer cannot be removed; unmount releases the mount', async () => {
      const [a] = await registerChain([L1]);
      await store.createRW('c1', a);
      await assert.rejects(store.createRW('c1', a), isConflict);
      const p1 = await store.mount('c1');
      const p2 = await store.mount('c1');
      assert.equal(p1, p2);
      await store.unmount('c1');
      assert.equal(await readFile(path.join(p1, 'etc/passwd'), 'utf8'), 'root');
      await assert.rejects(store.removeRW('c1'), isConflict);
      await store.unmount('c1');
      await store.unmount('c1'); // not mounted: a no-op
      assert.deepEqual(await mountsUnder(root), []);
      await store.removeRW('c1');
      await assert.rejects(store.mount('c1'), isNotFound);
      await assert.rejects(store.removeRW('c1'), isNotFound);
      // Removal in two steps: checked (and the caller's step made) first, the disk work after.
      await store.createRW('c2', a);
      await store.mount('c2');
      let called = false;
      const mark = async () => {
        called = true;
      };
      await assert.rejects(store.removeRWLater('c2', mark), isConflict);
      assert.equal(called, false, 'nothing of the caller runs for a layer that cannot be removed');
      await store.unmount('c2');
      const { removed } = await store.removeRWLater('c2', mark);
      assert.equal(called, true);
      assert.equal(
        store.listRW().some((l) => l.containerId === 'c2'),
        false,
        'no longer listed once answered',
      );
      await removed;
      assert.deepEqual(store.orphanRW([]), []);
      // A container without an image: an empty rootfs.
      await store.createRW('scratch');
      assert.deepEqual(await readdir(await store.mount('scratch')), []);
      await store.unmount('scratch');
      await store.removeRW('scratch');
    });

    it('changes() and diffRW() of a container; the diff registers as a commit whose layerTar round-trips its diff ID', async () => {
      const chain = await registerChain([L1, L2, L3]);
      await store.createRW('c1', chain[2]);
      const m = await store.mount('c1');
      await writeFile(path.join(m, 'etc/passwd'), 'changed');
      await writeFile(path.join(m, 'etc/hosts'), 'hosts');
      await unlink(path.join(m, 'var/log/new'));
      const changes = (await store.changes('c1')).sort((x, y) => (x.path < y.path ? -1 : 1));
      // As moby: the tree comparison (vfs) reports every ancestor of a change; the overlay walk only the parent.
      assert.deepEqual(changes, [
        { path: '/etc', kind: ChangeKind.Modify },
        { path: '/etc/hosts', kind: ChangeKind.Add },
        { path: '/etc/passwd', kind: ChangeKind.Modify },
        ...(driverName === 'vfs' ? [{ path: '/var', kind: ChangeKind.Modify }] : []),
        { path: '/var/log', kind: ChangeKind.Modify },
        { path: '/var/log/new', kind: ChangeKind.Delete },
      ]);
      const diff = await store.diffRW('c1');
      const tar = await readAll(diff);
      assert.equal(sha256(tar), diff.digest());
      await assert.rejects(store.removeRW('c1'), isConflict, 'still mounted');

      const committed = await store.register(tar, chain[2]);
      assert.equal(committed.diffId, diff.digest());
      const out = await readAll(await store.layerTar(committed.chainId));
      assert.equal(sha256(out), committed.diffId, 'layerTar reproduces the diff ID');
      assert.ok(out.equals(tar));

      await store.createRW('c2', committed.chainId);
      const m2 = await store.mount('c2');
      assert.equal(await readFile(path.join(m2, 'etc/passwd'), 'utf8'), 'changed');
      assert.equal(await readFile(path.join(m2, 'etc/hosts'), 'utf8'), 'hosts');
      await assert.rejects(readFile(path.join(m2, 'var/log/new')), { code: 'ENOENT' });
      for (const c of ['c1', 'c2']) {
        await store.unmount(c);
        await store.removeRW(c);
      }
    });

    it('without a tar-split record, layerTar regenerates a canonical tar; a non-canonical one fails with System', async () => {
      const dropRecord = (chainId: Digest) => unlink(layerdb('sha256', hex(chainId), 'tar-split.json.gz'));
      // What the driver exports is canonical: registered, it reads back byte for byte.
      const [a] = await registerChain([L1]);
      const canonical = await driverDiffOf(a!);
      const fresh = await store.register(canonical);
      await dropRecord(fresh.chainId);
      assert.equal(sha256(await readAll(await store.layerTar(fresh.chainId))), fresh.diffId);
      // A tar not written the way berth writes (here: owner names; buildTar's plain tars differ already) cannot be
      // rebuilt from the files alone: layerTar fails at the end rather than hand out a tar with another digest.
      const tar = buildTar(L1.map((e) => ({ ...e, uname: 'root' })));
      const odd = await store.register(tar);
      assert.ok(
        (await readAll(await store.layerTar(odd.chainId))).equals(tar),
        'with its record it comes back exactly',
      );
      await dropRecord(odd.chainId);
      await assert.rejects(readAll(await store.layerTar(odd.chainId)), isSystem);
      // The layer is not held by the failed read: it can still be removed.
      assert.deepEqual(await store.release(odd.chainId), [odd.chainId]);
    });

    it('the store satisfies the image store’s LayerRefs', async () => {
      const refs: LayerRefs = store;
      const [a] = await registerChain([L1]);
      assert.equal(await refs.has(a!), true);
      assert.equal(await refs.size(a!), 11);
    });

    /** The driver's own diff of a layer (when layerTar refuses a non-canonical original). */
    async function driverDiffOf(chainId: Digest): Promise<Buffer> {
      const name = (await readFile(layerdb('sha256', hex(chainId), 'cache-id'), 'utf8')).trim();
      return readAll(await driver.diff(name));
    }
  });
}
