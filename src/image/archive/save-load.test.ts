import assert from 'node:assert/strict';
import { mkdtemp, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { type Digest, sha256 } from '../../lib/digest.js';
import { loadImages } from './load.js';
import { saveImages } from './save.js';
import { addImage, chainOf, collect, entries, layerTar, openEnv, withTemp } from './testing.js';

const base = layerTar({ 'bin/sh': 'shell', 'etc/os-release': 'ID=test' });
const app = layerTar({ 'app/run': 'run' });
const tool = layerTar({ 'usr/bin/tool': 'tool' });

async function twoImages(dir: string) {
  const env = await openEnv(dir, 'src');
  const a = await addImage(env, { layers: [base, app], tags: ['app:1', 'registry.example:5000/team/app:latest'] });
  const b = await addImage(env, { layers: [base, tool], tags: ['tool:latest'], cmd: ['tool'] });
  return { env, a, b };
}

test('save then load into a fresh store gives the same images, layers and tags', async () => {
  await withTemp(async (dir) => {
    const { env, a, b } = await twoImages(dir);
    const tar = await collect(saveImages(['app:1', 'registry.example:5000/team/app', 'tool'], { ...env }));
    const fresh = await openEnv(dir, 'dst');
    const result = await loadImages([tar], fresh);
    assert.deepEqual(result.ids, [a, b]);
    assert.deepEqual(result.loaded, [
      'Loaded image: app:1',
      'Loaded image: registry.example:5000/team/app:latest',
      'Loaded image: tool:latest',
    ]);
    assert.equal(fresh.images.resolve('app:1').id, a);
    assert.equal(fresh.images.resolve('registry.example:5000/team/app:latest').id, a);
    assert.equal(fresh.images.resolve('tool').id, b);
    assert.deepEqual(fresh.images.get(a).config.rootfs.diff_ids, [sha256(base), sha256(app)]);
    for (const chain of [...chainOf([base, app]), ...chainOf([base, tool])]) {
      assert.ok(await fresh.layers.has(chain), `layer ${chain} registered`);
    }
    // The layer content survives byte for byte.
    assert.deepEqual(await collect(fresh.layers.layerTar(chainOf([base, tool])[1]!)), tool);
    // Loading again changes nothing and says so the same way.
    const again = await loadImages([tar], fresh);
    assert.deepEqual(again.ids, [a, b]);
  });
});

test('the archive is a Docker archive and an OCI layout, each shared layer written once', async () => {
  await withTemp(async (dir) => {
    const { env, a, b } = await twoImages(dir);
    const tar = await collect(saveImages(['app:1', 'tool:latest'], env));
    const list = await entries(tar);
    const names = list.map((e) => e.header.name);
    const byName = new Map(list.map((e) => [e.header.name, e]));
    const hex = (d: Digest) => d.slice(7);

    for (const f of ['manifest.json', 'repositories', 'index.json', 'oci-layout']) assert.ok(names.includes(f), f);
    assert.equal(byName.get('oci-layout')!.data.toString(), '{"imageLayoutVersion": "1.0.0"}');
    // Each layer's bytes appear once, as an OCI blob; the base layer is shared by both images.
    const layerFiles = list.filter((e) => e.header.type === 'file' && e.data.length >= 1024);
    assert.equal(layerFiles.length, 3);
    assert.equal(names.filter((n) => n === `blobs/sha256/${hex(sha256(base))}`).length, 1);

    const manifest = JSON.parse(byName.get('manifest.json')!.data.toString()) as {
      Config: string;
      RepoTags: string[];
      Layers: string[];
    }[];
    assert.deepEqual(
      manifest.map((m) => [m.Config, m.RepoTags]),
      [
        [`${hex(a)}.json`, ['app:1']],
        [`${hex(b)}.json`, ['tool:latest']],
      ],
    );
    // Shared base: both images name the same legacy directory for it.
    assert.equal(manifest[0]!.Layers[0], manifest[1]!.Layers[0]);
    for (const m of manifest) {
      for (const l of m.Layers) {
        const dir = l.replace(/\/layer\.tar$/, '');
        assert.equal(byName.get(`${dir}/VERSION`)!.data.toString(), '1.0');
        assert.equal(JSON.parse(byName.get(`${dir}/json`)!.data.toString()).id, dir);
        assert.equal(byName.get(l)!.header.type, 'symlink');
        assert.match(byName.get(l)!.header.linkname, /^\.\.\/blobs\/sha256\/[a-f0-9]{64}$/);
      }
    }
    assert.equal(byName.get(`${hex(a)}.json`)!.header.linkname, `blobs/sha256/${hex(a)}`);
    assert.equal(sha256(byName.get(`blobs/sha256/${hex(a)}`)!.data), a);

    const repositories = JSON.parse(byName.get('repositories')!.data.toString());
    assert.deepEqual(Object.keys(repositories), ['app', 'tool']);
    assert.equal(repositories.app['1'], manifest[0]!.Layers[1]!.split('/')[0]);

    const index = JSON.parse(byName.get('index.json')!.data.toString());
    assert.equal(index.mediaType, 'application/vnd.oci.image.index.v1+json');
    assert.deepEqual(
      index.manifests.map((m: { annotations: Record<string, string> }) => m.annotations),
      [
        { 'io.containerd.image.name': 'docker.io/library/app:1', 'org.opencontainers.image.ref.name': '1' },
        { 'io.containerd.image.name': 'docker.io/library/tool:latest', 'org.opencontainers.image.ref.name': 'latest' },
      ],
    );
    const ociManifest = JSON.parse(byName.get(`blobs/sha256/${hex(index.manifests[0].digest)}`)!.data.toString());
    assert.equal(ociManifest.config.digest, a);
    assert.deepEqual(
      ociManifest.layers.map((l: { digest: string; size: number }) => [l.digest, l.size]),
      [
        [sha256(base), base.length],
        [sha256(app), app.length],
      ],
    );
  });
});

test('an untagged image is saved by ID and loads as "Loaded image ID"', async () => {
  await withTemp(async (dir) => {
    const env = await openEnv(dir, 'src');
    const id = await addImage(env, { layers: [base] });
    const tar = await collect(saveImages([id.slice(7, 19)], env));
    const manifest = JSON.parse((await entries(tar)).find((e) => e.header.name === 'manifest.json')!.data.toString());
    assert.equal(manifest[0].RepoTags, null);
    const fresh = await openEnv(dir, 'dst');
    assert.deepEqual((await loadImages([tar], fresh)).loaded, [`Loaded image ID: ${id}`]);
  });
});

test('a gzip-compressed archive loads', async () => {
  await withTemp(async (dir) => {
    const { env, a } = await twoImages(dir);
    const tar = await collect(saveImages(['app:1'], env));
    const fresh = await openEnv(dir, 'dst');
    const result = await loadImages([gzipSync(tar)], fresh);
    assert.deepEqual(result.ids, [a]);
  });
});

test('save fails early for an unknown image, and the stream fails for a missing layer', async () => {
  await withTemp(async (dir) => {
    const { env } = await twoImages(dir);
    assert.throws(() => saveImages(['nope:1'], env), { name: 'NotFound', message: 'No such image: nope:1' });
    const spoolParent = await mkdtemp(join(dir, 'spool-'));
    const broken = {
      ...env,
      tmpDir: spoolParent,
      layers: {
        has: (c: Digest) => env.layers.has(c),
        register: env.layers.register.bind(env.layers),
        // biome-ignore lint/correctness/useYield: a layer that fails before yielding anything
        layerTar: async function* () {
          throw new Error('layer gone');
        },
      },
    };
    await assert.rejects(collect(saveImages(['app:1'], broken)), /layer gone/);
    assert.deepEqual(await readdir(spoolParent), [], 'spool directory removed');

    // A consumer that goes away mid-stream: the generator is closed and cleans up too.
    const stream = saveImages(['app:1'], { ...env, tmpDir: spoolParent });
    for await (const _ of stream) break;
    const deadline = Date.now() + 5000;
    while ((await readdir(spoolParent)).length > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(await readdir(spoolParent), [], 'spool directory removed after destroy');
  });
});

test('a 50 MB save streams: memory stays bounded while a slow consumer reads it', async () => {
  await withTemp(async (dir) => {
    const env = await openEnv(dir, 'src');
    // A 50 MB layer of incompressible-looking content, registered from a stream.
    const chunk = Buffer.alloc(1 << 20);
    let big: Digest | undefined;
    {
      const size = 50;
      async function* gen() {
        const { encodeHeader, padding, tarHeader, END_OF_ARCHIVE } = await import('../../archive/index.js');
        yield encodeHeader(tarHeader({ name: 'big', type: 'file', size: size << 20 }));
        for (let i = 0; i < size; i++) {
          chunk.fill(i);
          yield Buffer.from(chunk);
        }
        yield padding(size << 20);
        yield END_OF_ARCHIVE;
      }
      big = (await env.layers.register(gen())).diffId;
    }
    const config = Buffer.from(
      JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [big] } }),
    );
    const id = await env.images.put(config);
    await env.images.tag(id, 'big:1');

    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    let total = 0;
    const stream = saveImages(['big:1'], env);
    for await (const c of stream) {
      total += (c as Buffer).length;
      if (total % (8 << 20) < 65536) {
        peak = Math.max(peak, process.memoryUsage().rss);
        await new Promise((r) => setImmediate(r)); // a slow consumer
      }
    }
    assert.ok(total > 50 << 20);
    // Well under the archive's size: the archive is never held whole.
    const grew = (peak - before) / 1048576;
    if (process.env.BERTH_VERBOSE)
      console.log(`save of ${(total / 1048576).toFixed(0)} MiB: RSS grew ${grew.toFixed(1)} MiB`);
    assert.ok(grew < 30, `RSS grew by ${grew.toFixed(1)} MiB`);
  });
});
