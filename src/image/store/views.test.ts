import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isInvalidParameter, isNotFound } from '../../errdefs/index.js';
import type { Digest } from '../../lib/digest.js';
import { formatRfc3339Nano } from './time.js';
import { type Fixture, withFixture } from './testing.js';
import type { ImageSummary } from './wire.js';

const SIZES = { b: 10, m: 20, a: 30, d: 40, p: 50 };
const MANIFEST = `sha256:${'9'.repeat(64)}` as Digest;
const unix = (s: string) => Date.parse(s) / 1000;

/** base:1 ← mid (untagged, intermediate) ← app:1 + localhost:5000/team/app:2; dang (no refs); pulled (digest only). */
async function scene(f: Fixture) {
  const base = await f.add({ layers: ['b'], created: '2024-01-01T00:00:00Z', config: { Labels: { tier: 'base' } } });
  const mid = await f.add({ layers: ['b', 'm'], created: '2024-01-15T00:00:00Z' }, { parent: base });
  const app = await f.add(
    {
      layers: ['b', 'm', 'a'],
      created: '2024-02-01T12:00:00.123456780Z',
      config: {
        Env: ['PATH=/usr/bin'],
        Cmd: ['/app/run'],
        ExposedPorts: { '80/tcp': {} },
        WorkingDir: '/app',
        Labels: { tier: 'app', team: 'x' },
      },
      history: [
        { created: '2024-01-01T00:00:00Z', created_by: '/bin/sh -c #(nop) ADD file:x in /' },
        { created: '2024-01-01T00:00:01Z', created_by: '/bin/sh -c #(nop)  CMD ["sh"]', empty_layer: true },
        { created: '2024-01-15T00:00:00Z', created_by: 'RUN make' },
        { created: '2024-02-01T12:00:00Z', created_by: 'COPY . /app', comment: 'buildkit.dockerfile.v0' },
      ],
      extra: { author: 'me', docker_version: '20.10.24', variant: 'v8' },
    },
    { parent: mid },
  );
  const dang = await f.add({ layers: ['d'], created: '2024-03-01T00:00:00Z' });
  const pulled = await f.add({ layers: ['p'], created: '2023-12-01T00:00:00Z' });
  await f.store.tag(base, 'base:1');
  await f.store.tag(app, 'app:1');
  await f.store.tag(app, 'localhost:5000/team/app:2');
  await f.store.addDigest({ domain: 'docker.io', path: 'library/pulled', digest: MANIFEST }, pulled);
  return { base, mid, app, dang, pulled };
}

const ids = (list: ImageSummary[]) => list.map((s) => s.Id);

test('list: the /images/json shape, newest first, intermediate images only with all', async () => {
  await withFixture(async (f) => {
    const { base, mid, app, dang, pulled } = await scene(f);
    const list = await f.store.list();
    assert.deepEqual(ids(list), [dang, app, base, pulled]);
    assert.deepEqual(list[1], {
      Id: app,
      ParentId: mid,
      RepoTags: ['app:1', 'localhost:5000/team/app:2'],
      RepoDigests: [],
      Created: Math.floor(unix('2024-02-01T12:00:00Z')),
      Size: 60,
      SharedSize: -1,
      VirtualSize: 60,
      Labels: { tier: 'app', team: 'x' },
      Containers: -1,
    });
    assert.deepEqual(list[0]?.RepoTags, []);
    assert.deepEqual(list[3]?.RepoDigests, [`pulled@${MANIFEST}`]);
    assert.deepEqual(ids(await f.store.list({ all: true })), [dang, app, mid, base, pulled]);
  }, SIZES);
});

test('list filters: dangling, label, before, since, reference (globs), and their errors', async () => {
  await withFixture(async (f) => {
    const { base, app, dang, pulled } = await scene(f);
    const list = async (filters: Record<string, string[]>) => ids(await f.store.list({ filters }));
    // Digest-only images count as dangling, as in Docker.
    assert.deepEqual(await list({ dangling: ['true'] }), [dang, pulled]);
    assert.deepEqual(await list({ dangling: ['false'] }), [app, base, pulled]);
    assert.deepEqual(await list({ label: ['tier=app'] }), [app]);
    assert.deepEqual(await list({ label: ['tier'] }), [app, base]);
    assert.deepEqual(await list({ label: ['tier', 'team=x'] }), [app]);
    assert.deepEqual(await list({ label: ['tier=nope'] }), []);
    assert.deepEqual(await list({ before: ['app:1'] }), [base, pulled]);
    assert.deepEqual(await list({ since: ['base:1'] }), [dang, app]);
    assert.deepEqual(await list({ since: ['base:1'], before: [dang.slice(7, 19)] }), [app]);
    assert.deepEqual(await list({ reference: ['app'] }), [app]);
    assert.deepEqual(await list({ reference: ['*:1'] }), [app, base]);
    assert.deepEqual(await list({ reference: ['*/*/app'] }), [app]);
    assert.deepEqual(await list({ reference: ['nothing*'] }), []);
    // Only the matching references are shown.
    const [only] = await f.store.list({ filters: { reference: ['localhost:5000/*/*'] } });
    assert.deepEqual(only?.RepoTags, ['localhost:5000/team/app:2']);

    await assert.rejects(list({ foo: ['x'] }), (e) => isInvalidParameter(e) && e.message === "invalid filter 'foo'");
    await assert.rejects(
      list({ dangling: ['maybe'] }),
      (e) => isInvalidParameter(e) && e.message === "invalid filter 'dangling=[maybe]'",
    );
    await assert.rejects(
      list({ reference: ['['] }),
      (e) => isInvalidParameter(e) && e.message === 'syntax error in pattern',
    );
    await assert.rejects(
      list({ before: ['nosuch'] }),
      (e) => isNotFound(e) && e.message === 'No such image: nosuch:latest',
    );
  }, SIZES);
});

test('list skips an image whose top layer has gone from the layer store', async () => {
  await withFixture(async (f) => {
    const { dang } = await scene(f);
    const top = f.store.get(dang).chainIds.at(-1)!;
    f.layers.sizes.delete(top);
    assert.ok(!ids(await f.store.list()).includes(dang));
  }, SIZES);
});

test('inspect: the /images/{name}/json shape', async () => {
  await withFixture(async (f) => {
    const { app, mid } = await scene(f);
    const img = f.store.get(app);
    const emptyConfig = {
      Hostname: '',
      Domainname: '',
      User: '',
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      Tty: false,
      OpenStdin: false,
      StdinOnce: false,
      Env: null,
      Cmd: null,
      Image: '',
      Volumes: null,
      WorkingDir: '',
      Entrypoint: null,
      OnBuild: null,
      Labels: null,
    };
    const inspect = await f.store.inspect('app:1');
    assert.deepEqual(inspect, {
      Id: app,
      RepoTags: ['app:1', 'localhost:5000/team/app:2'],
      RepoDigests: [],
      Parent: mid,
      Comment: 'buildkit.dockerfile.v0',
      Created: '2024-02-01T12:00:00.12345678Z',
      Container: '',
      ContainerConfig: emptyConfig,
      DockerVersion: '20.10.24',
      Author: 'me',
      Config: {
        ...emptyConfig,
        ExposedPorts: { '80/tcp': {} },
        Env: ['PATH=/usr/bin'],
        Cmd: ['/app/run'],
        WorkingDir: '/app',
        Labels: { tier: 'app', team: 'x' },
      },
      Architecture: 'amd64',
      Variant: 'v8',
      Os: 'linux',
      Size: 60,
      VirtualSize: 60,
      RootFS: { Type: 'layers', Layers: img.config.rootfs.diff_ids },
      Metadata: { LastTagTime: formatRfc3339Nano(img.lastTagTime) },
    });
    // Go's JSON key order for Config, so `docker inspect` output diffs cleanly against Docker's.
    assert.deepEqual(Object.keys(inspect.Config ?? {}).slice(0, 7), [
      'Hostname',
      'Domainname',
      'User',
      'AttachStdin',
      'AttachStdout',
      'AttachStderr',
      'ExposedPorts',
    ]);
    // Never tagged: Go's zero time. No layers: no Layers key. No `created`: no Created key.
    const bare = await f.store.put('{"rootfs":{"type":"layers","diff_ids":[]}}');
    const b = await f.store.inspect(bare);
    assert.equal(b.Metadata.LastTagTime, '0001-01-01T00:00:00Z');
    assert.deepEqual(b.RootFS, { Type: 'layers' });
    assert.equal('Created' in b, false);
    assert.equal(b.Config, null);
    assert.equal(b.Os, 'linux');
    assert.equal(b.Size, 0);
  }, SIZES);
});

test('history: newest first, local parents named, the rest <missing>, empty layers sized 0', async () => {
  await withFixture(async (f) => {
    const { app, mid, base, pulled } = await scene(f);
    assert.deepEqual(await f.store.history('app:1'), [
      {
        Id: app,
        Created: unix('2024-02-01T12:00:00Z'),
        CreatedBy: 'COPY . /app',
        Tags: ['app:1', 'localhost:5000/team/app:2'],
        Size: 30,
        Comment: 'buildkit.dockerfile.v0',
      },
      { Id: mid, Created: unix('2024-01-15T00:00:00Z'), CreatedBy: 'RUN make', Tags: null, Size: 20, Comment: '' },
      {
        Id: base,
        Created: unix('2024-01-01T00:00:01Z'),
        CreatedBy: '/bin/sh -c #(nop)  CMD ["sh"]',
        Tags: ['base:1'],
        Size: 0,
        Comment: '',
      },
      {
        Id: '<missing>',
        Created: unix('2024-01-01T00:00:00Z'),
        CreatedBy: '/bin/sh -c #(nop) ADD file:x in /',
        Tags: null,
        Size: 10,
        Comment: '',
      },
    ]);
    assert.deepEqual(await f.store.history(pulled), []);
  }, SIZES);
});

test("times print as Go's RFC3339Nano", () => {
  assert.equal(formatRfc3339Nano('2024-02-01T12:00:00.123456789Z'), '2024-02-01T12:00:00.123456789Z');
  assert.equal(formatRfc3339Nano('2024-02-01T12:00:00.100000000Z'), '2024-02-01T12:00:00.1Z');
  assert.equal(formatRfc3339Nano('2024-02-01T12:00:00.000Z'), '2024-02-01T12:00:00Z');
  assert.equal(formatRfc3339Nano('2024-02-01T12:00:00+02:00'), '2024-02-01T12:00:00+02:00');
  assert.equal(formatRfc3339Nano('2024-02-01T12:00:00+00:00'), '2024-02-01T12:00:00Z');
  assert.equal(formatRfc3339Nano('2024-02-01T12:00:00.1234567891Z'), '2024-02-01T12:00:00.123456789Z');
  assert.equal(formatRfc3339Nano(undefined), undefined);
});
