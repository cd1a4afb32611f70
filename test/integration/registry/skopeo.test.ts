// Debian's skopeo copies images to and from berth-registry (its uploads are POST + PATCH + PUT), with and without
// token auth (`--creds`: skopeo follows the Bearer challenge as the docker client does); and a pull-through cache in
// front of a second berth-registry keeps serving what it fetched after its upstream is gone.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import bcrypt from 'bcryptjs';
import { parseConfig } from '../../../src/registry/index.js';
import { makeImage, writeOciLayout } from './image.js';
import { type TestRegistry, inOwnNetns, req, run, skipReason, startRegistry } from './sandbox.js';

const SKOPEO = '/usr/bin/skopeo';
const skip = skipReason ?? (existsSync(SKOPEO) ? undefined : 'needs skopeo (apt-get install skopeo)');

const skopeo = (...args: string[]) => run(SKOPEO, ['--insecure-policy', ...args], { timeout: 120_000 });

if (inOwnNetns(import.meta.url)) {
  describe('skopeo against berth-registry', { ...(skip ? { skip } : {}) }, () => {
    let tmp: string;
    const registries: TestRegistry[] = [];
    const image = makeImage([3 << 20, 70_000]);
    before(async () => {
      tmp = await mkdtemp(join(tmpdir(), 'berth-registry-skopeo-'));
      await writeOciLayout(join(tmp, 'src'), image, 'v1');
    });
    after(async () => {
      for (const r of registries) await r.stop();
      await rm(tmp, { recursive: true, force: true });
    });

    it('copies an OCI layout to the registry and back, byte for byte (chunked uploads)', async () => {
      const r = await startRegistry();
      registries.push(r);
      await skopeo('copy', '--dest-tls-verify=false', `oci:${join(tmp, 'src')}:v1`, `docker://${r.host}/proj/app:v1`);
      assert.ok(
        r.logs.some((l) => l.includes('"PATCH /v2/proj/app/blobs/uploads/')),
        'skopeo uploaded in chunks',
      );
      const m = await req(`${r.url}/v2/proj/app/manifests/v1`);
      assert.equal(m.headers.get('docker-content-digest'), image.manifest.digest);
      await skopeo('copy', '--src-tls-verify=false', `docker://${r.host}/proj/app:v1`, `oci:${join(tmp, 'back')}:v1`);
      for (const b of [image.config, ...image.layers, image.manifest]) {
        const back = await readFile(join(tmp, 'back', 'blobs', 'sha256', b.digest.slice(7)));
        assert.ok(back.equals(b.bytes), `${b.digest} came back unchanged`);
      }
      const { stdout } = await skopeo('list-tags', '--tls-verify=false', `docker://${r.host}/proj/app`);
      assert.deepEqual((JSON.parse(stdout) as { Tags: string[] }).Tags, ['v1']);
    });

    it('with token auth: --creds of a developer pushes, a guest pulls but cannot push', async () => {
      const h = (pw: string) => bcrypt.hashSync(pw, 4);
      const r = await startRegistry(
        parseConfig(`
auth: { token: { service: berth-registry, issuer: berth-test } }
users:
  dev: { password: '${h('dev-pw')}' }
  guest: { password: '${h('guest-pw')}' }
projects:
  proj: { members: { dev: developer, guest: guest } }
`),
      );
      registries.push(r);
      const src = `oci:${join(tmp, 'src')}:v1`;
      await skopeo(
        'copy',
        '--dest-tls-verify=false',
        '--dest-creds',
        'dev:dev-pw',
        src,
        `docker://${r.host}/proj/app:v1`,
      );
      await skopeo(
        'copy',
        '--src-tls-verify=false',
        '--src-creds',
        'guest:guest-pw',
        `docker://${r.host}/proj/app:v1`,
        `oci:${join(tmp, 'guest')}:v1`,
      );
      await assert.rejects(
        skopeo(
          'copy',
          '--dest-tls-verify=false',
          '--dest-creds',
          'guest:guest-pw',
          src,
          `docker://${r.host}/proj/app:v2`,
        ),
        /denied|unauthorized/i,
      );
      await assert.rejects(
        skopeo('copy', '--src-tls-verify=false', `docker://${r.host}/proj/app:v1`, `oci:${join(tmp, 'anon')}:v1`),
        /unauthorized|authentication required/i,
      );
    });

    it('a pull-through cache fetches from its upstream, keeps it, and serves it with the upstream gone', async () => {
      const upstream = await startRegistry();
      registries.push(upstream);
      await skopeo(
        'copy',
        '--dest-tls-verify=false',
        `oci:${join(tmp, 'src')}:v1`,
        `docker://${upstream.host}/lib/app:v1`,
      );
      const cache = await startRegistry(parseConfig(`proxy: { remoteurl: ${upstream.url} }`));
      registries.push(cache);
      await skopeo('copy', '--src-tls-verify=false', `docker://${cache.host}/lib/app:v1`, `oci:${join(tmp, 'c1')}:v1`);
      const fetched = upstream.logs.filter((l) => l.includes('"GET /v2/lib/app/blobs/')).length;
      assert.equal(fetched, 3, 'config and two layers fetched once each');
      // A second client of the same digest is served from the cache alone.
      await skopeo(
        'copy',
        '--src-tls-verify=false',
        `docker://${cache.host}/lib/app@${image.manifest.digest}`,
        `oci:${join(tmp, 'c2')}:v1`,
      );
      assert.equal(upstream.logs.filter((l) => l.includes('"GET /v2/lib/app/blobs/')).length, fetched);
      await upstream.stop();
      registries.splice(registries.indexOf(upstream), 1);
      await skopeo(
        'copy',
        '--src-tls-verify=false',
        `docker://${cache.host}/lib/app@${image.manifest.digest}`,
        `oci:${join(tmp, 'c3')}:v1`,
      );
      await skopeo('copy', '--src-tls-verify=false', `docker://${cache.host}/lib/app:v1`, `oci:${join(tmp, 'c4')}:v1`);
      const layer = image.layers[0];
      assert.ok(layer);
      const back = await readFile(join(tmp, 'c3', 'blobs', 'sha256', layer.digest.slice(7)));
      assert.ok(back.equals(layer.bytes));
      const push = await req(`${cache.url}/v2/lib/app/blobs/uploads/`, { method: 'POST' });
      assert.equal(push.status, 405, 'a pull-through cache is read-only');
    });
  });
}
