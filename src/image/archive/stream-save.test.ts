// save and load over the real layer store (vfs driver): layers stream into the archive with no temp files (the
// store knows each tar's size), and load checks every diff ID in one pass, committing nothing for a bad image.
import assert from 'node:assert/strict';
import { mkdtemp, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { sha256 } from '../../lib/digest.js';
import { ContentStore } from '../../storage/content/index.js';
import { VfsDriver } from '../../storage/graphdriver/index.js';
import { LayerStore } from '../../storage/layer/index.js';
import { ImageStore } from '../store/index.js';
import type { LayerAccess } from './layers.js';
import { loadImages } from './load.js';
import { saveImages } from './save.js';
import { addImage, archiveOf, collect, configFor, layerTar, openEnv, withTemp } from './testing.js';

const base = layerTar({ 'bin/sh': 'shell', 'etc/os-release': 'ID=test' });
const app = layerTar({ 'app/run': 'run'.repeat(50_000) });

async function storeEnv(dir: string, name: string) {
  const root = join(dir, name);
  const driver = await VfsDriver.init(join(root, 'layers'));
  const layerStore = await LayerStore.open({ root: join(root, 'image'), driver });
  // The layer store is the archive code's LayerAccess as it is (registerChain, layerTarSize included).
  const layers: LayerAccess = layerStore;
  const content = await ContentStore.open(join(root, 'content'));
  const images = await ImageStore.open({ root: join(root, 'image'), content, layers: layerStore });
  return { root, layerStore, layers, content, images, driver };
}

test('save streams layers from the layer store straight into the archive: no temp files, same bytes', async () => {
  await withTemp(async (dir) => {
    const src = await openEnv(dir, 'src');
    await addImage(src, { layers: [base, app], tags: ['app:1'] });
    const archive = await collect(saveImages(['app:1'], src));

    const env = await storeEnv(dir, 'dst');
    const { ids } = await loadImages([archive], { ...env, tmpDir: await mkdtemp(join(dir, 'work-')) });
    assert.equal(ids.length, 1);
    const spoolParent = await mkdtemp(join(dir, 'spool-'));
    const stream = saveImages(['app:1'], { ...env, tmpDir: spoolParent });
    const parts: Buffer[] = [];
    for await (const c of stream) {
      parts.push(c as Buffer);
      assert.deepEqual(await readdir(spoolParent), [], 'nothing spooled');
    }
    assert.ok(Buffer.concat(parts).equals(archive), 'the archive saved again is byte for byte the one loaded');

    // A size that does not match what layerTar yields fails the stream instead of writing a corrupt archive.
    const lying: LayerAccess = {
      register: (t, p) => env.layerStore.register(t, p),
      has: (c) => env.layerStore.has(c),
      layerTar: (c) => env.layerStore.layerTar(c),
      layerTarSize: async (c) => (await env.layerStore.layerTarSize(c)) + 512,
    };
    await assert.rejects(collect(saveImages(['app:1'], { ...env, layers: lying })), (e: Error) => {
      assert.equal(e.name, 'System');
      assert.match(e.message, /bytes, not the \d+ recorded/);
      return true;
    });
    await env.driver.cleanup();
  });
});

test('load with registerChain refuses a diff ID mismatch, plain or gzip, and registers nothing', async () => {
  await withTemp(async (dir) => {
    const other = layerTar({ 'app/run': 'other' });
    const cases = {
      plain: archiveOf({
        'l0.tar': base,
        'l1.tar': other,
        'c.json': configFor({ layers: [base, app] }),
        'manifest.json': JSON.stringify([{ Config: 'c.json', RepoTags: ['bad:1'], Layers: ['l0.tar', 'l1.tar'] }]),
      }),
      gzip: archiveOf({
        'l0.tar.gz': gzipSync(base),
        'l1.tar.gz': gzipSync(other),
        'c.json': configFor({ layers: [base, app] }),
        'manifest.json': JSON.stringify([
          { Config: 'c.json', RepoTags: ['bad:1'], Layers: ['l0.tar.gz', 'l1.tar.gz'] },
        ]),
      }),
    };
    for (const [name, tar] of Object.entries(cases)) {
      const env = await storeEnv(dir, name);
      let chains = 0;
      const counted: LayerAccess = {
        ...env.layers,
        register: (t, p) => env.layerStore.register(t, p),
        has: (c) => env.layerStore.has(c),
        layerTar: (c) => env.layerStore.layerTar(c),
        registerChain: (t, p, e) => {
          chains++;
          return env.layerStore.registerChain(t, p, e);
        },
      };
      await assert.rejects(loadImages([tar], { ...env, layers: counted }), (e: Error) => {
        assert.equal(e.name, 'InvalidParameter', e.message);
        assert.match(
          e.message,
          new RegExp(`^invalid diffID for layer 1: expected "${sha256(app)}", got "${sha256(other)}"$`),
        );
        return true;
      });
      // A plain layer is refused from the digest taken while extracting; a gzip one while it is applied.
      assert.equal(chains, name === 'plain' ? 0 : 1, name);
      assert.deepEqual(env.layerStore.list(), [], `${name}: no layer registered`);
      assert.deepEqual(env.images.images(), []);
      assert.deepEqual(
        await readdir(join(env.root, 'layers', 'vfs', 'dir')).catch(() => []),
        [],
        `${name}: no driver layer left`,
      );
      await env.driver.cleanup();
    }
  });
});

test('save opens the next layer’s tar ahead; a save abandoned or failing destroys the tars it opened', async () => {
  await withTemp(async (dir) => {
    const src = await openEnv(dir, 'src');
    await addImage(src, { layers: [base, app], tags: ['app:1'] });
    const archive = await collect(saveImages(['app:1'], src));
    const env = await storeEnv(dir, 'dst');
    await loadImages([archive], { ...env, tmpDir: await mkdtemp(join(dir, 'work-')) });

    const opened: Readable[] = [];
    const watched = (lie: boolean | 'fail'): LayerAccess => ({
      register: (t, p) => env.layerStore.register(t, p),
      has: (c) => env.layerStore.has(c),
      layerTar: async (c) => {
        const s = await env.layerStore.layerTar(c);
        opened.push(s);
        return s;
      },
      layerTarSize: async (c) => {
        if (lie === 'fail') throw new Error('no size');
        return (await env.layerStore.layerTarSize(c)) + (lie ? 512 : 0);
      },
    });
    const settled = async () => {
      const deadline = Date.now() + 5000;
      while (!opened.every((s) => s.destroyed || s.readableEnded) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.ok(opened.length > 0);
      assert.ok(
        opened.every((s) => s.destroyed || s.readableEnded),
        'every tar opened is destroyed or read to its end',
      );
    };

    // Abandoned as soon as the first layer's bytes arrive: the second layer's tar was opened ahead.
    const stream = saveImages(['app:1'], { ...env, layers: watched(false) });
    for await (const _ of stream) {
      if (opened.length === 2) break;
    }
    assert.equal(opened.length, 2, 'the next layer was opened while the first streamed');
    await settled();

    // Failing on the first layer (its size is wrong): the one opened ahead is destroyed too.
    opened.length = 0;
    await assert.rejects(collect(saveImages(['app:1'], { ...env, layers: watched(true) })), /not the \d+ recorded/);
    await settled();
    // Failing before the first layer's bytes (its size is unknown): the tars opened are destroyed all the same.
    opened.length = 0;
    await assert.rejects(collect(saveImages(['app:1'], { ...env, layers: watched('fail') })), /no size/);
    await settled();
    // Nothing stays pinned (a destroyed tar's layer is unpinned once its reader has stopped): with no references
    // left, every layer is removed.
    const deadline = Date.now() + 5000;
    await env.layerStore.reset(new Map());
    while (env.layerStore.list().length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
      await env.layerStore.reset(new Map());
    }
    assert.deepEqual(env.layerStore.list(), [], 'no layer left pinned');
    await env.driver.cleanup();
  });
});
