import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isInvalidParameter } from '../errdefs/index.js';
import { sha256 } from '../lib/digest.js';
import {
  isIndexMediaType,
  isLayerMediaType,
  isManifestMediaType,
  MediaType,
  parseImageConfig,
  parseIndex,
  parseManifest,
} from './types.js';

const L1 = sha256('layer one');
const L2 = sha256('layer two');

// Shaped like the config of a real `docker build` image.
const dockerConfig = {
  architecture: 'amd64',
  config: {
    Hostname: '',
    Domainname: '',
    User: '',
    AttachStdin: false,
    Tty: false,
    Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    Cmd: ['sh'],
    Image: 'sha256:abc',
    Volumes: null,
    WorkingDir: '',
    Entrypoint: null,
    OnBuild: null,
    Labels: null,
    ExposedPorts: { '80/tcp': {} },
    StopSignal: 'SIGQUIT',
    Healthcheck: { Test: ['CMD-SHELL', 'true'], Interval: 30_000_000_000, Retries: 3 },
    Shell: ['/bin/sh', '-c'],
  },
  container: '3b2a…',
  created: '2023-05-19T20:19:21.578437134Z',
  docker_version: '20.10.23',
  history: [
    { created: '2023-05-19T20:19:21.4Z', created_by: '/bin/sh -c #(nop) ADD file:… in / ' },
    { created: '2023-05-19T20:19:21.5Z', created_by: '/bin/sh -c #(nop)  CMD ["sh"]', empty_layer: true },
    { created: '2023-05-19T20:19:21.6Z', created_by: 'RUN true', comment: 'buildkit.dockerfile.v0' },
  ],
  os: 'linux',
  rootfs: { type: 'layers', diff_ids: [L1, L2] },
};

function rejects(fn: () => unknown, message: string | RegExp): void {
  assert.throws(
    fn,
    (e: unknown) =>
      isInvalidParameter(e) && (typeof message === 'string' ? e.message === message : message.test(e.message)),
  );
}

test('parses a Docker-built image config from bytes, text or an object', () => {
  const text = JSON.stringify(dockerConfig);
  for (const input of [text, Buffer.from(text), dockerConfig]) {
    const cfg = parseImageConfig(input);
    assert.deepEqual(cfg.rootfs.diff_ids, [L1, L2]);
    assert.deepEqual(cfg.config?.Cmd, ['sh']);
    assert.equal(cfg.config?.Healthcheck?.Retries, 3);
    assert.equal(cfg.history?.length, 3);
  }
});

test('accepts a minimal config: Docker does not insist on os/architecture or history', () => {
  const cfg = parseImageConfig('{"rootfs":{"type":"layers","diff_ids":[]}}');
  assert.deepEqual(cfg, { rootfs: { type: 'layers', diff_ids: [] } });
  // diff_ids null (an image with no layers written by Go) reads as empty.
  assert.deepEqual(parseImageConfig('{"rootfs":{"type":"layers","diff_ids":null}}').rootfs.diff_ids, []);
});

test('reads a string Cmd/Entrypoint/Shell as a one-element array, without changing the caller object', () => {
  const input = { rootfs: { type: 'layers', diff_ids: [] }, config: { Cmd: 'sh', Entrypoint: '/init', Shell: 'bash' } };
  const cfg = parseImageConfig(input);
  assert.deepEqual(cfg.config?.Cmd, ['sh']);
  assert.deepEqual(cfg.config?.Entrypoint, ['/init']);
  assert.deepEqual(cfg.config?.Shell, ['bash']);
  assert.equal(input.config.Cmd, 'sh');
});

test("refuses a config without rootfs with Docker's message", () => {
  rejects(() => parseImageConfig('{"architecture":"amd64","os":"linux"}'), 'invalid image JSON, no RootFS key');
  rejects(() => parseImageConfig('{"rootfs":null}'), 'invalid image JSON, no RootFS key');
});

test('refuses malformed configs naming the field', () => {
  const base = { rootfs: { type: 'layers', diff_ids: [L1] } };
  const cases: [unknown, RegExp][] = [
    ['not json', /^invalid image config: /],
    ['[]', /must be a JSON object/],
    [{ rootfs: 'layers' }, /rootfs must be an object/],
    [{ rootfs: { type: 'tar', diff_ids: [] } }, /rootfs\.type must be "layers", got "tar"/],
    [{ rootfs: { type: 'layers', diff_ids: 'x' } }, /rootfs\.diff_ids must be an array/],
    [{ rootfs: { type: 'layers', diff_ids: ['abc'] } }, /rootfs\.diff_ids\[0\] must be a digest/],
    [{ ...base, architecture: 5 }, /architecture must be a string/],
    [{ ...base, created: 'yesterday' }, /created is not an RFC 3339 time/],
    [{ ...base, config: [] }, /config must be an object/],
    [{ ...base, config: { Env: 'A=1' } }, /config\.Env must be an array of strings/],
    [{ ...base, config: { Cmd: [1] } }, /config\.Cmd must be an array of strings/],
    [{ ...base, config: { Labels: { a: 1 } } }, /config\.Labels must be an object of strings/],
    [{ ...base, config: { ExposedPorts: { '80/tcp': true } } }, /config\.ExposedPorts must be an object of \{\}/],
    [{ ...base, config: { Healthcheck: { Interval: '30s' } } }, /config\.Healthcheck\.Interval must be an integer/],
    [{ ...base, config: { ArgsEscaped: 'yes' } }, /config\.ArgsEscaped must be a boolean/],
    [{ ...base, history: {} }, /history must be an array/],
    [{ ...base, history: [{ empty_layer: 'no' }] }, /history\[0\]\.empty_layer must be a boolean/],
  ];
  for (const [input, message] of cases) rejects(() => parseImageConfig(input), message);
});

test('refuses more non-empty history entries than layers, as Docker does', () => {
  const cfg = { rootfs: { type: 'layers', diff_ids: [L1] }, history: [{}, { empty_layer: true }, {}] };
  rejects(() => parseImageConfig(cfg), 'too many non-empty layers in History section');
  cfg.history[2] = { empty_layer: true };
  assert.equal(parseImageConfig(cfg).history?.length, 3);
});

const manifest = {
  schemaVersion: 2,
  mediaType: MediaType.DockerManifest,
  config: { mediaType: MediaType.DockerConfig, size: 1469, digest: sha256('config') },
  layers: [{ mediaType: MediaType.DockerLayerGzip, size: 2_818_370, digest: L1 }],
};

test('parses Docker schema2 and OCI manifests', () => {
  assert.equal(parseManifest(JSON.stringify(manifest)).layers[0]?.digest, L1);
  const oci = {
    schemaVersion: 2,
    config: { mediaType: MediaType.OciConfig, size: 2, digest: sha256('{}') },
    layers: [],
    annotations: { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z' },
  };
  assert.deepEqual(parseManifest(oci), oci);
});

test('refuses malformed manifests', () => {
  const cases: [unknown, RegExp][] = [
    [{ ...manifest, schemaVersion: 1 }, /schema 1 manifests are not supported/],
    [{ ...manifest, schemaVersion: 3 }, /schemaVersion must be 2, got 3/],
    [{ ...manifest, mediaType: MediaType.DockerManifestList }, /mediaType is not an image manifest/],
    [{ ...manifest, config: undefined }, /config is required/],
    [{ ...manifest, layers: null }, /layers must be an array/],
    [{ ...manifest, layers: [{ mediaType: 'x', size: 1 }] }, /layers\[0\]\.digest is required/],
    [{ ...manifest, layers: [{ mediaType: 'x', size: -1, digest: L1 }] }, /layers\[0\]\.size must be a non-negative/],
    [{ ...manifest, config: { mediaType: 'x', size: 1, digest: 'md5:00' } }, /config\.digest must be a digest/],
  ];
  for (const [input, message] of cases) rejects(() => parseManifest(input), message);
});

test('parses manifest lists and indexes with platforms, and refuses bad entries', () => {
  const list = {
    schemaVersion: 2,
    mediaType: MediaType.DockerManifestList,
    manifests: [
      { mediaType: MediaType.DockerManifest, size: 527, digest: L1, platform: { architecture: 'amd64', os: 'linux' } },
      {
        mediaType: MediaType.DockerManifest,
        size: 527,
        digest: L2,
        platform: { architecture: 'arm', os: 'linux', variant: 'v7' },
      },
    ],
  };
  assert.equal(parseIndex(list).manifests[1]?.platform?.variant, 'v7');
  assert.equal(parseIndex({ schemaVersion: 2, manifests: [] }).manifests.length, 0);
  rejects(
    () => parseIndex({ ...list, manifests: [{ ...list.manifests[0], platform: { os: 'linux' } }] }),
    /invalid index: manifests\[0\]\.platform\.architecture is required/,
  );
  rejects(() => parseIndex({ ...list, mediaType: MediaType.OciManifest }), /is not an image index/);
  rejects(() => parseIndex({ schemaVersion: 2 }), /manifests must be an array/);
});

test('media type predicates know OCI and Docker types', () => {
  assert.equal(isManifestMediaType(MediaType.OciManifest), true);
  assert.equal(isManifestMediaType(MediaType.DockerManifest), true);
  assert.equal(isManifestMediaType(MediaType.DockerSchema1SignedManifest), false);
  assert.equal(isIndexMediaType(MediaType.DockerManifestList), true);
  assert.equal(isIndexMediaType(undefined), false);
  assert.equal(isLayerMediaType(MediaType.OciLayerZstd), true);
  assert.equal(isLayerMediaType(MediaType.DockerLayerGzip), true);
  assert.equal(isLayerMediaType(MediaType.OciConfig), false);
});
