import assert from 'node:assert/strict';
import { mkdtemp, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { type Digest, sha256 } from '../../lib/digest.js';
import { loadImages } from './load.js';
import { saveImages } from './save.js';
import { addImage, archiveOf, collect, configFor, layerTar, openEnv, withTemp } from './testing.js';

const layer = layerTar({ 'etc/hostname': 'box' });
const config = configFor({ layers: [layer] });
const hex = (d: Digest) => d.slice(7);

/** Loads `tar` into a fresh store with its own work-dir parent; checks nothing was registered or left behind. */
async function refused(dir: string, tar: Buffer, message: RegExp) {
  const env = await openEnv(dir, `dst-${Math.random().toString(36).slice(2)}`);
  const work = await mkdtemp(join(dir, 'work-'));
  await assert.rejects(loadImages([tar], { ...env, tmpDir: work }), (e: Error) => {
    assert.equal(e.name, 'InvalidParameter', e.message);
    assert.match(e.message, message);
    return true;
  });
  assert.deepEqual(await readdir(work), [], 'work directory removed');
  assert.deepEqual(await readdir(env.layers.root), [], 'no layer registered');
  assert.deepEqual(env.images.images(), []);
}

const dockerArchive = (extra: Record<string, string | Buffer | { link: string }> = {}, manifest?: unknown) =>
  archiveOf({
    'layer.tar': layer,
    'config.json': config,
    'manifest.json': JSON.stringify(
      manifest ?? [{ Config: 'config.json', RepoTags: ['box:1'], Layers: ['layer.tar'] }],
    ),
    ...extra,
  });

test('a minimal Docker archive with manifest.json last loads (tar order does not matter)', async () => {
  await withTemp(async (dir) => {
    const env = await openEnv(dir, 'dst');
    const result = await loadImages([dockerArchive()], env);
    assert.deepEqual(result.loaded, ['Loaded image: box:1']);
    assert.equal(result.ids[0], sha256(config));
  });
});

test('Docker 25+ archives (blobs/sha256 paths) and Docker ≤24 ones (symlinked layer.tar) load', async () => {
  await withTemp(async (dir) => {
    const layer2 = layerTar({ 'etc/motd': 'hi' });
    const cfg2 = configFor({ layers: [layer, layer2] });
    const modern = archiveOf({
      [`blobs/sha256/${hex(sha256(layer))}`]: layer,
      [`blobs/sha256/${hex(sha256(layer2))}`]: layer2,
      [`blobs/sha256/${hex(sha256(cfg2))}`]: cfg2,
      'manifest.json': JSON.stringify([
        {
          Config: `blobs/sha256/${hex(sha256(cfg2))}`,
          RepoTags: ['m:1'],
          Layers: [`blobs/sha256/${hex(sha256(layer))}`, `blobs/sha256/${hex(sha256(layer2))}`],
        },
      ]),
    });
    const env = await openEnv(dir, 'dst');
    assert.deepEqual((await loadImages([modern], env)).loaded, ['Loaded image: m:1']);

    // Docker ≤24 deduplicated with relative symlinks between layer directories, even pointing "above" the root.
    const legacy = archiveOf({
      'aaa/layer.tar': gzipSync(layer),
      'bbb/layer.tar': { link: '../../../aaa/layer.tar' },
      'c.json': config,
      'manifest.json': JSON.stringify([{ Config: 'c.json', RepoTags: ['old:1'], Layers: ['bbb/layer.tar'] }]),
    });
    const env2 = await openEnv(dir, 'dst2');
    assert.deepEqual((await loadImages([legacy], env2)).loaded, ['Loaded image: old:1']);
  });
});

test('missing manifest, bad JSON, escaping paths and truncation are refused with nothing registered', async () => {
  await withTemp(async (dir) => {
    await refused(dir, archiveOf({ 'layer.tar': layer }), /^invalid archive: does not contain a manifest\.json$/);
    await refused(
      dir,
      archiveOf({ 'manifest.json': '[{"Config": ' }),
      /^invalid archive: failed to decode manifest\.json: /,
    );
    await refused(dir, archiveOf({ 'manifest.json': 'null' }), /manifest cannot be null/);
    await refused(
      dir,
      dockerArchive({}, [{ Config: '../../etc/passwd', RepoTags: [], Layers: [] }]),
      /path "\.\.\/\.\.\/etc\/passwd" in manifest\.json is outside the archive/,
    );
    await refused(
      dir,
      dockerArchive({}, [{ Config: 'config.json', RepoTags: [], Layers: ['x/../../layer.tar'] }]),
      /is outside the archive/,
    );
    await refused(dir, dockerArchive({ 'config.json': '{"rootfs": 3' }), /^invalid image config: /);
    await refused(
      dir,
      dockerArchive({}, [{ Config: 'config.json', RepoTags: [], Layers: [] }]),
      /^invalid manifest, layers length mismatch: expected 0, got 1$/,
    );
    await refused(
      dir,
      dockerArchive({}, [{ Config: 'config.json', RepoTags: ['box@sha256:' + 'a'.repeat(64)], Layers: ['layer.tar'] }]),
      /^invalid tag /,
    );
    await refused(dir, dockerArchive({}, [{ Config: 'nope.json', Layers: [] }]), /nope\.json .* is missing/);
    const whole = dockerArchive();
    await refused(dir, whole.subarray(0, 1500), /unexpected end of archive/);
    await refused(dir, gzipSync(whole).subarray(0, 200), /unexpected end of file|invalid gzip/);
    await refused(dir, archiveOf({ '../escape': 'x' }), /entry "\.\.\/escape" is outside it/);
  });
});

test('a layer that does not match its diff ID is refused before anything is registered', async () => {
  await withTemp(async (dir) => {
    const good = layerTar({ a: '1' });
    const other = layerTar({ a: '2' });
    const cfg = configFor({ layers: [good, good] });
    const tar = archiveOf({
      'l0.tar': good,
      'l1.tar': other,
      'c.json': cfg,
      'manifest.json': JSON.stringify([{ Config: 'c.json', RepoTags: ['bad:1'], Layers: ['l0.tar', 'l1.tar'] }]),
    });
    await refused(
      dir,
      tar,
      new RegExp(`^invalid diffID for layer 1: expected "${sha256(good)}", got "${sha256(other)}"$`),
    );
  });
});

test('a pure OCI layout loads: nested index, platform choice, gzip layers, names from annotations', async () => {
  await withTemp(async (dir) => {
    const gz = gzipSync(layer);
    const blob = (b: Buffer | string) => ({ digest: sha256(b), size: Buffer.byteLength(b) });
    const manifestFor = (cfg: Buffer) =>
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...blob(cfg) },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...blob(gz) }],
      });
    const armConfig = Buffer.from(config.toString().replace('"amd64"', '"arm64"'));
    const amd = manifestFor(config);
    const arm = manifestFor(armConfig);
    const { architecture } = (await import('./plan.js')).hostPlatform();
    const nested = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...blob(arm),
          platform: { os: 'linux', architecture: architecture === 'arm64' ? 'amd64' : 'arm64' },
        },
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...blob(amd),
          platform: { os: 'linux', architecture },
        },
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...blob(amd),
          platform: { os: 'unknown', architecture: 'unknown' },
          annotations: { 'vnd.docker.reference.type': 'attestation-manifest' },
        },
      ],
    });
    const files: Record<string, string | Buffer> = {
      'index.json': JSON.stringify({
        schemaVersion: 2,
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.index.v1+json',
            ...blob(nested),
            annotations: { 'org.opencontainers.image.ref.name': 'example.com/oci/box:2' },
          },
        ],
      }),
      'oci-layout': '{"imageLayoutVersion":"1.0.0"}',
    };
    for (const b of [gz, config, armConfig, amd, arm, nested]) files[`blobs/sha256/${hex(sha256(b))}`] = b;
    const env = await openEnv(dir, 'dst');
    const result = await loadImages([archiveOf(files)], env);
    const expected = architecture === 'arm64' ? sha256(armConfig) : sha256(config);
    assert.deepEqual(result.ids, [expected]);
    assert.deepEqual(result.loaded, ['Loaded image: example.com/oci/box:2']);

    // A blob whose bytes do not match its name is refused.
    const tampered = { ...files, [`blobs/sha256/${hex(sha256(gz))}`]: gzipSync(layerTar({ x: 'y' })) };
    await refused(dir, archiveOf(tampered), /invalid archive: blob sha256:[a-f0-9]+ has digest/);
  });
});

test("berth's own archive also loads through its OCI side alone", async () => {
  await withTemp(async (dir) => {
    const src = await openEnv(dir, 'src');
    const id = await addImage(src, { layers: [layer], tags: ['dual:1'] });
    const tar = await collect(saveImages(['dual:1'], src));
    // Drop manifest.json (and the legacy files) by re-reading only OCI entries.
    const { entries } = await import('./testing.js');
    const oci: Record<string, Buffer> = {};
    for (const e of await entries(tar)) {
      if (e.header.type === 'file' && (e.header.name.startsWith('blobs/') || e.header.name === 'index.json')) {
        oci[e.header.name] = e.data;
      }
    }
    const env = await openEnv(dir, 'dst');
    const result = await loadImages([archiveOf(oci)], env);
    assert.deepEqual(result.ids, [id]);
    assert.deepEqual(result.loaded, ['Loaded image: dual:1']);
  });
});
