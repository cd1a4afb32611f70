// Crash safety: a register killed half-way (a real process, SIGKILL), and every kind of leftover a crash can leave
// (half-written records, half-removed layers, records whose driver data or parent is gone) are cleaned up on open;
// nothing incomplete is ever visible.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Digest } from '../../lib/digest.js';
import { buildTar, type TestEntry } from '../../archive/testing.js';
import type { GraphDriver } from '../graphdriver/index.js';
import { LayerStore } from './index.js';
import { DRIVERS, driverLayerIds, mountsUnder, openDriver } from './testing.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const file = (name: string, content: string | Buffer): TestEntry => ({ name, type: 'file', content });

// The child: registers a base layer, then a layer whose tar stops half-way; says so, and waits to be killed.
const CHILD = `
import { LayerStore } from ${JSON.stringify(path.join(here, 'index.js'))};
import { buildTar } from ${JSON.stringify(path.join(here, '..', '..', 'archive', 'testing.js'))};
import { Overlay2Driver, VfsDriver } from ${JSON.stringify(path.join(here, '..', 'graphdriver', 'index.js'))};
const { DRIVER, DRIVER_ROOT, STORE_ROOT } = process.env;
const driver = await (DRIVER === 'vfs' ? VfsDriver : Overlay2Driver).init(DRIVER_ROOT);
const store = await LayerStore.open({ root: STORE_ROOT, driver });
const base = await store.register(buildTar([{ name: 'base', type: 'file', content: 'base' }]));
const tar = buildTar([
  { name: 'a', type: 'file', content: 'a' },
  { name: 'big', type: 'file', content: Buffer.alloc(4 << 20, 1) },
]);
setInterval(() => {}, 1000);
await store.register((async function* () {
  yield tar.subarray(0, 2 << 20);
  process.stdout.write(base.chainId + '\\n');
  await new Promise(() => {});
})(), base.chainId);
`;

function runChildUntilHalfway(env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) child.kill('SIGKILL');
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal === 'SIGKILL' && out.includes('\n')) resolve(out.trim());
      else reject(new Error(`child exited before the register was half-way: ${err}`));
    });
  });
}

for (const driverName of DRIVERS) {
  describe(`layer store crash safety on ${driverName}`, () => {
    let root: string;
    let driverRoot: string;
    let storeRoot: string;
    let driver: GraphDriver;

    beforeEach(async () => {
      root = await mkdtemp(path.join(tmpdir(), `berth-layer-crash-${driverName}-`));
      driverRoot = path.join(root, 'layers');
      storeRoot = path.join(root, 'image');
      driver = await openDriver(driverName, driverRoot);
    });

    afterEach(async () => {
      await driver.cleanup();
      assert.deepEqual(await mountsUnder(root), []);
      await rm(root, { recursive: true, force: true });
    });

    const tmpEntries = () => readdir(path.join(storeRoot, 'layerdb', 'tmp'));

    it('a register killed half-way (SIGKILL) leaves nothing visible, and open removes its driver layer', async () => {
      const base = (await runChildUntilHalfway({
        DRIVER: driverName,
        DRIVER_ROOT: driverRoot,
        STORE_ROOT: storeRoot,
      })) as Digest;
      const cut = (await tmpEntries()).filter((n) => n.startsWith('intent-'));
      assert.equal(cut.length, 1, 'the cut register left its intent');
      const cutId = cut[0]!.slice('intent-'.length);
      assert.equal((await driverLayerIds(driverName, driverRoot)).length, 2);

      const store = await LayerStore.open({ root: storeRoot, driver });
      assert.deepEqual(
        store.list().map((l) => l.chainId),
        [base],
      );
      assert.deepEqual(store.reconciled.removedDriverLayers, [cutId]);
      assert.equal(await driver.exists(cutId), false);
      assert.equal((await driverLayerIds(driverName, driverRoot)).length, 1);
      assert.deepEqual(await tmpEntries(), []);
      // The store works on: the same content registers whole this time.
      const again = await store.register(buildTar([file('a', 'a')]), base);
      assert.equal(again.parent, base);
    });

    it('a register in flight is not visible until it is complete', async () => {
      const store = await LayerStore.open({ root: storeRoot, driver });
      let release!: () => void;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      let pulled!: () => void;
      const started = new Promise<void>((r) => {
        pulled = r;
      });
      const tar = buildTar([file('a', 'a'), file('b', Buffer.alloc(100_000, 2))]);
      const pending = store.register(
        (async function* () {
          yield tar.subarray(0, 1024);
          pulled();
          await gate;
          yield tar.subarray(1024);
        })(),
      );
      await started;
      assert.deepEqual(store.list(), []);
      assert.equal((await store.stats()).layers, 0);
      assert.deepEqual(await readdir(path.join(storeRoot, 'layerdb', 'sha256')), []);
      release();
      const done = await pending;
      assert.equal(await store.has(done.chainId), true);
      assert.deepEqual(await tmpEntries(), []);
    });

    it('open repairs every leftover a crash can leave and reports it', async () => {
      let store = await LayerStore.open({ root: storeRoot, driver });
      const a = await store.register(buildTar([file('a', 'a')]));
      const b = await store.register(buildTar([file('b', 'b')]), a.chainId);
      const gone = await store.register(buildTar([file('gone', 'g')]), a.chainId);
      const half = await store.register(buildTar([file('half', 'h')]), a.chainId);
      const orphan = await store.register(buildTar([file('orphan', 'o')]), half.chainId);
      await store.createRW('keep', b.chainId);
      await store.createRW('lost', gone.chainId);
      const db = path.join(storeRoot, 'layerdb');
      const cacheId = (c: Digest) => readFile(path.join(db, 'sha256', c.slice(7), 'cache-id'), 'utf8');
      const goneId = await cacheId(gone.chainId);
      const halfId = await cacheId(half.chainId);
      const orphanId = await cacheId(orphan.chainId);
      const lostMount = store.getRW('lost').mountId;
      const keepMount = store.getRW('keep').mountId;
      const bId = await cacheId(b.chainId);

      // A driver layer created by a register that never reached its record.
      const strayId = 'f'.repeat(64);
      await driver.create(strayId, await cacheId(a.chainId));
      await writeFile(path.join(db, 'tmp', `intent-${strayId}`), '');
      // A record being written when the crash came, and a temp file.
      await mkdir(path.join(db, 'tmp', 'write-0123'));
      await writeFile(path.join(db, 'tmp', 'write-0123', 'diff'), 'sha256:');
      await writeFile(path.join(db, 'tmp', 'junk.tmp'), '');
      // A layer whose driver data vanished (and the container on it).
      await driver.remove(goneId);
      // A removal cut short after its record moved out of sight: its child loses its parent too.
      await rename(path.join(db, 'sha256', half.chainId.slice(7)), path.join(db, 'tmp', 'remove-cafe'));
      // A record without its size file (damaged by hand): the container on it goes too.
      await rm(path.join(db, 'sha256', b.chainId.slice(7), 'size'));

      store = await LayerStore.open({ root: storeRoot, driver });
      const r = store.reconciled;
      assert.deepEqual(
        store.list().map((l) => l.chainId),
        [a.chainId],
      );
      assert.deepEqual(r.droppedLayers.map((d) => d.chainId).sort(), [b.chainId, gone.chainId, orphan.chainId].sort());
      assert.match(r.droppedLayers.find((d) => d.chainId === gone.chainId)!.reason, /driver layer .* is missing/);
      assert.match(r.droppedLayers.find((d) => d.chainId === orphan.chainId)!.reason, /parent .* is missing/);
      assert.deepEqual(r.droppedMounts.map((d) => d.containerId).sort(), ['keep', 'lost']);
      // Every driver layer but a's: half's (its removal finished), b's (its record is damaged), orphan's (no parent),
      // the stray one, and the containers' (their image layers are gone); gone's was gone already.
      assert.deepEqual(
        [...r.removedDriverLayers].sort(),
        [halfId, bId, orphanId, strayId, lostMount, keepMount].sort(),
      );
      assert.equal(r.removedTempFiles, 4); // write-0123, junk.tmp, remove-cafe, the stray intent
      assert.deepEqual(await tmpEntries(), []);
      assert.deepEqual(await driverLayerIds(driverName, driverRoot), [(await cacheId(a.chainId)).trim()]);
      assert.equal(await driver.exists(goneId), false);
      assert.deepEqual(await readdir(path.join(db, 'mounts')), []);
    });

    it('a read-write layer whose creation a crash cut short (its intent still there) is dropped with its driver data', async () => {
      let store = await LayerStore.open({ root: storeRoot, driver });
      const a = await store.register(buildTar([file('a', 'a')]));
      await store.createRW('done', a.chainId);
      await store.createRW('cut', a.chainId);
      const cut = store.getRW('cut').mountId;
      // What createRW leaves when killed after its record and before the intent's removal (the record and the
      // driver's directories are written side by side, so either may be whole or not).
      const db = path.join(storeRoot, 'layerdb');
      await writeFile(path.join(db, 'tmp', `intent-${cut}`), '');
      store = await LayerStore.open({ root: storeRoot, driver });
      assert.deepEqual(
        store.listRW().map((l) => l.containerId),
        ['done'],
      );
      assert.equal(await driver.exists(cut), false);
      assert.deepEqual(await tmpEntries(), []);
      await store.removeRW('done');
    });

    it('read-write layers survive a restart; those of containers the engine no longer has are listed', async () => {
      let store = await LayerStore.open({ root: storeRoot, driver });
      const a = await store.register(buildTar([file('a', 'a')]));
      await store.createRW('c1', a.chainId);
      await store.createRW('c2', a.chainId);
      await store.createRW('c3');
      await writeFile(path.join(await store.mount('c1'), 'x'), 'x');
      await store.unmount('c1');
      store = await LayerStore.open({ root: storeRoot, driver });
      assert.deepEqual(store.orphanRW(['c1', 'c9']).sort(), ['c2', 'c3']);
      assert.equal(await readFile(path.join(await store.mount('c1'), 'x'), 'utf8'), 'x');
      await store.unmount('c1');
      await store.reset(new Map());
      assert.equal(await store.has(a.chainId), true, 'kept by its containers');
      for (const c of ['c1', 'c2', 'c3']) await store.removeRW(c);
      assert.equal(await store.has(a.chainId), false);
      assert.deepEqual(await driverLayerIds(driverName, driverRoot), []);
    });
  });
}
