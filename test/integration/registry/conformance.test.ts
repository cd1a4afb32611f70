// The distribution API over real sockets: uploads (monolithic, chunked, mounts), blobs with Range, manifests by tag
// and digest, pagination, referrers, deletes, digest checks, corrupt blobs, concurrent pushes and GC.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../../fixtures/rootfs.js';
import { errorOf, pushBlob, pushImage, pushManifest } from './client.js';
import { blobOf, makeImage, sha256 } from './image.js';
import { type TestRegistry, inOwnNetns, req, run, skipReason, startRegistry } from './sandbox.js';

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

if (inOwnNetns(import.meta.url)) {
  describe('registry conformance (OCI distribution v1.1)', { ...(skipReason ? { skip: skipReason } : {}) }, () => {
    let r: TestRegistry;
    before(async () => {
      r = await startRegistry();
    });
    after(async () => {
      await r?.stop();
    });

    it('GET /v2/ answers 200 with Docker-Distribution-API-Version', async () => {
      const res = await req(`${r.url}/v2/`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('docker-distribution-api-version'), 'registry/2.0');
      assert.deepEqual(await res.json(), {});
    });

    it('monolithic POST ?digest= stores the blob; HEAD and GET serve it with its digest', async () => {
      const b = blobOf(randomBytes(5000), 'application/octet-stream');
      const res = await req(`${r.url}/v2/mono/app/blobs/uploads/?digest=${b.digest}`, {
        method: 'POST',
        body: Uint8Array.from(b.bytes),
      });
      assert.equal(res.status, 201);
      assert.equal(res.headers.get('location'), `/v2/mono/app/blobs/${b.digest}`);
      assert.equal(res.headers.get('docker-content-digest'), b.digest);
      const head = await req(`${r.url}/v2/mono/app/blobs/${b.digest}`, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get('content-length'), '5000');
      assert.equal(head.headers.get('docker-content-digest'), b.digest);
      const get = await req(`${r.url}/v2/mono/app/blobs/${b.digest}`);
      assert.deepEqual(Buffer.from(await get.arrayBuffer()), b.bytes);
      const other = await req(`${r.url}/v2/other/app/blobs/${b.digest}`, { method: 'HEAD' });
      assert.equal(other.status, 404, 'a blob is served only by the repositories it was pushed or mounted to');
    });

    it('POST then PUT with the body and the digest completes an upload (201)', async () => {
      const b = blobOf(randomBytes(3000), 'application/octet-stream');
      const start = await req(`${r.url}/v2/postput/app/blobs/uploads/`, { method: 'POST' });
      assert.equal(start.status, 202);
      assert.equal(start.headers.get('range'), '0-0');
      const location = start.headers.get('location') ?? '';
      assert.match(location, /^\/v2\/postput\/app\/blobs\/uploads\/[0-9a-f-]{36}$/);
      assert.equal(start.headers.get('docker-upload-uuid'), location.split('/').pop());
      const put = await req(`${r.url}${location}?digest=${b.digest}`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/octet-stream' },
        body: Uint8Array.from(b.bytes),
      });
      assert.equal(put.status, 201);
      assert.equal(put.headers.get('docker-content-digest'), b.digest);
    });

    it('chunked PATCH: Range advances, a wrong Content-Range is 416 with the current Range, PUT finishes', async () => {
      const b = blobOf(randomBytes(10_000), 'application/octet-stream');
      const start = await req(`${r.url}/v2/chunked/app/blobs/uploads/`, { method: 'POST' });
      const location = start.headers.get('location') ?? '';
      const patch = (from: number, to: number, body: Buffer) =>
        req(`${r.url}${location}`, {
          method: 'PATCH',
          headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `${from}-${to}` },
          body: Uint8Array.from(body),
        });
      const p1 = await patch(0, 3999, b.bytes.subarray(0, 4000));
      assert.equal(p1.status, 202);
      assert.equal(p1.headers.get('range'), '0-3999');
      const status = await req(`${r.url}${location}`);
      assert.equal(status.status, 204);
      assert.equal(status.headers.get('range'), '0-3999');
      const wrong = await patch(5000, 5999, b.bytes.subarray(5000, 6000));
      assert.equal(wrong.status, 416);
      assert.equal(wrong.headers.get('range'), '0-3999');
      assert.equal((await errorOf(wrong)).code, 'BLOB_UPLOAD_INVALID');
      const p2 = await patch(4000, 9999, b.bytes.subarray(4000));
      assert.equal(p2.status, 202);
      assert.equal(p2.headers.get('range'), '0-9999');
      const put = await req(`${r.url}${location}?digest=${b.digest}`, { method: 'PUT' });
      assert.equal(put.status, 201);
      const get = await req(`${r.url}/v2/chunked/app/blobs/${b.digest}`);
      assert.deepEqual(Buffer.from(await get.arrayBuffer()), b.bytes);
    });

    it('a digest mismatch is 400 DIGEST_INVALID and leaves nothing visible', async () => {
      const bytes = randomBytes(2000);
      const claimed = sha256(randomBytes(10));
      const mono = await req(`${r.url}/v2/bad/app/blobs/uploads/?digest=${claimed}`, {
        method: 'POST',
        body: Uint8Array.from(bytes),
      });
      assert.equal(mono.status, 400);
      assert.equal((await errorOf(mono)).code, 'DIGEST_INVALID');
      const start = await req(`${r.url}/v2/bad/app/blobs/uploads/`, { method: 'POST' });
      const location = start.headers.get('location') ?? '';
      const put = await req(`${r.url}${location}?digest=${claimed}`, { method: 'PUT', body: Uint8Array.from(bytes) });
      assert.equal(put.status, 400);
      assert.equal((await errorOf(put)).code, 'DIGEST_INVALID');
      assert.equal((await req(`${r.url}/v2/bad/app/blobs/${claimed}`, { method: 'HEAD' })).status, 404);
      assert.equal((await req(`${r.url}/v2/bad/app/blobs/${sha256(bytes)}`, { method: 'HEAD' })).status, 404);
      const gone = await req(`${r.url}${location}`);
      assert.equal(gone.status, 404);
      assert.equal((await errorOf(gone)).code, 'BLOB_UPLOAD_UNKNOWN');
      await assert.rejects(stat(join(r.root, 'blobs', 'sha256', claimed.slice(7, 9), claimed.slice(7))));
    });

    it('an upload cut off mid-body leaves no blob visible', async () => {
      const bytes = randomBytes(1 << 20);
      const d = sha256(bytes);
      await new Promise<void>((resolve) => {
        const cr = request(`${r.url}/v2/cut/app/blobs/uploads/?digest=${d}`, {
          method: 'POST',
          headers: { 'Content-Length': bytes.length },
        });
        cr.on('error', () => resolve());
        cr.write(bytes.subarray(0, 300_000), () => setTimeout(() => cr.destroy(), 50));
        cr.on('close', () => resolve());
      });
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline && !r.logs.some((l) => l.includes('/v2/cut/app/')))
        await new Promise((s) => setTimeout(s, 20));
      assert.equal((await req(`${r.url}/v2/cut/app/blobs/${d}`, { method: 'HEAD' })).status, 404);
      await assert.rejects(stat(join(r.root, 'blobs', 'sha256', d.slice(7, 9), d.slice(7))));
    });

    it('GET with Range answers 206 with Content-Range; an unsatisfiable range is 416', async () => {
      const b = blobOf(randomBytes(1000), 'application/octet-stream');
      await pushBlob(r.url, 'range/app', b);
      const part = await req(`${r.url}/v2/range/app/blobs/${b.digest}`, { headers: { Range: 'bytes=10-19' } });
      assert.equal(part.status, 206);
      assert.equal(part.headers.get('content-range'), 'bytes 10-19/1000');
      assert.deepEqual(Buffer.from(await part.arrayBuffer()), b.bytes.subarray(10, 20));
      const tail = await req(`${r.url}/v2/range/app/blobs/${b.digest}`, { headers: { Range: 'bytes=990-' } });
      assert.deepEqual(Buffer.from(await tail.arrayBuffer()), b.bytes.subarray(990));
      const bad = await req(`${r.url}/v2/range/app/blobs/${b.digest}`, { headers: { Range: 'bytes=5000-' } });
      assert.equal(bad.status, 416);
      assert.equal(bad.headers.get('content-range'), 'bytes */1000');
    });

    it('manifests: PUT by tag, GET/HEAD by tag and digest return the pushed bytes and media type', async () => {
      const img = makeImage([2000, 3000]);
      await pushImage(r.url, 'man/app', 'v1', img);
      for (const ref of ['v1', img.manifest.digest]) {
        const get = await req(`${r.url}/v2/man/app/manifests/${ref}`, { headers: { Accept: img.manifest.mediaType } });
        assert.equal(get.status, 200);
        assert.equal(get.headers.get('content-type'), img.manifest.mediaType);
        assert.equal(get.headers.get('docker-content-digest'), img.manifest.digest);
        assert.deepEqual(Buffer.from(await get.arrayBuffer()), img.manifest.bytes);
        const head = await req(`${r.url}/v2/man/app/manifests/${ref}`, { method: 'HEAD' });
        assert.equal(head.status, 200);
        assert.equal(head.headers.get('content-length'), String(img.manifest.bytes.length));
      }
      // A Docker schema2 manifest keeps its own media type.
      const doc = JSON.parse(img.manifest.bytes.toString()) as Record<string, unknown>;
      const docker = blobOf(Buffer.from(JSON.stringify({ ...doc, mediaType: DOCKER_MANIFEST })), DOCKER_MANIFEST);
      assert.equal((await pushManifest(r.url, 'man/app', 'docker', docker)).status, 201);
      const got = await req(`${r.url}/v2/man/app/manifests/docker`);
      assert.equal(got.headers.get('content-type'), DOCKER_MANIFEST);
      // An index of both.
      const index = blobOf(
        Buffer.from(
          JSON.stringify({
            schemaVersion: 2,
            mediaType: OCI_INDEX,
            manifests: [img.manifest, docker].map((m) => ({
              mediaType: m.mediaType,
              digest: m.digest,
              size: m.bytes.length,
            })),
          }),
        ),
        OCI_INDEX,
      );
      const put = await pushManifest(r.url, 'man/app', index.digest, index);
      assert.equal(put.status, 201);
      assert.equal(put.headers.get('location'), `/v2/man/app/manifests/${index.digest}`);
      assert.equal((await req(`${r.url}/v2/man/app/manifests/${index.digest}`)).headers.get('content-type'), OCI_INDEX);
    });

    it('manifest errors: unknown, missing blobs, digest mismatch, invalid name, bad JSON', async () => {
      const unknown = await req(`${r.url}/v2/man/app/manifests/nope`);
      assert.equal(unknown.status, 404);
      const e = await errorOf(unknown);
      assert.equal(e.code, 'MANIFEST_UNKNOWN');
      assert.equal(e.message, 'manifest unknown');
      const img = makeImage([100]);
      const missing = await pushManifest(r.url, 'man/other', 'v1', img.manifest);
      assert.equal(missing.status, 400);
      assert.equal((await errorOf(missing)).code, 'MANIFEST_BLOB_UNKNOWN');
      const mismatch = await pushManifest(r.url, 'man/app', sha256('x'), img.manifest);
      assert.equal(mismatch.status, 400);
      assert.equal((await errorOf(mismatch)).code, 'DIGEST_INVALID');
      const name = await req(`${r.url}/v2/Bad..Name/manifests/v1`);
      assert.equal(name.status, 400);
      assert.equal((await errorOf(name)).code, 'NAME_INVALID');
      const json = await pushManifest(
        r.url,
        'man/app',
        'v1',
        blobOf(Buffer.from('{not json'), 'application/vnd.oci.image.manifest.v1+json'),
      );
      assert.equal(json.status, 400);
      assert.equal((await errorOf(json)).code, 'MANIFEST_INVALID');
      const tags = await req(`${r.url}/v2/never/pushed/tags/list`);
      assert.equal(tags.status, 404);
      assert.equal((await errorOf(tags)).code, 'NAME_UNKNOWN');
    });

    it('cross-repository mount: 201 when the source has the blob, 202 (an upload) when not', async () => {
      const b = blobOf(randomBytes(1234), 'application/octet-stream');
      await pushBlob(r.url, 'mount/src', b);
      const ok = await req(`${r.url}/v2/mount/dst/blobs/uploads/?mount=${b.digest}&from=mount/src`, { method: 'POST' });
      assert.equal(ok.status, 201);
      assert.equal(ok.headers.get('location'), `/v2/mount/dst/blobs/${b.digest}`);
      assert.equal((await req(`${r.url}/v2/mount/dst/blobs/${b.digest}`, { method: 'HEAD' })).status, 200);
      const miss = await req(`${r.url}/v2/mount/dst2/blobs/uploads/?mount=${b.digest}&from=mount/elsewhere`, {
        method: 'POST',
      });
      assert.equal(miss.status, 202);
      assert.match(miss.headers.get('location') ?? '', /\/blobs\/uploads\//);
    });

    it('tags/list and _catalog paginate with n/last and a Link header', async () => {
      const img = makeImage([10]);
      for (const t of ['t3', 't1', 't0', 't4', 't2']) await pushImage(r.url, 'page/app', t, img);
      const all = await req(`${r.url}/v2/page/app/tags/list`);
      assert.deepEqual(await all.json(), { name: 'page/app', tags: ['t0', 't1', 't2', 't3', 't4'] });
      const p1 = await req(`${r.url}/v2/page/app/tags/list?n=2`);
      assert.deepEqual(((await p1.json()) as { tags: string[] }).tags, ['t0', 't1']);
      const link = p1.headers.get('link') ?? '';
      assert.equal(link, '</v2/page/app/tags/list?n=2&last=t1>; rel="next"');
      const p2 = await req(`${r.url}${link.slice(1, link.indexOf('>'))}`);
      assert.deepEqual(((await p2.json()) as { tags: string[] }).tags, ['t2', 't3']);
      const p3 = await req(`${r.url}/v2/page/app/tags/list?n=2&last=t3`);
      assert.deepEqual(((await p3.json()) as { tags: string[] }).tags, ['t4']);
      assert.equal(p3.headers.get('link'), null);
      const cat = await req(`${r.url}/v2/_catalog`);
      const repos = ((await cat.json()) as { repositories: string[] }).repositories;
      assert.ok(repos.includes('page/app') && repos.includes('man/app'), repos.join());
      assert.deepEqual(repos, [...repos].sort());
      const c1 = await req(`${r.url}/v2/_catalog?n=1`);
      assert.equal(((await c1.json()) as { repositories: string[] }).repositories.length, 1);
      assert.match(c1.headers.get('link') ?? '', /^<\/v2\/_catalog\?n=1&last=[^>]+>; rel="next"$/);
    });

    it('referrers: a manifest with a subject gets OCI-Subject and is listed, filterable by artifactType', async () => {
      const subject = makeImage([50]);
      await pushImage(r.url, 'ref/app', 'v1', subject);
      const empty = blobOf(Buffer.from('{}'), 'application/vnd.oci.empty.v1+json');
      await pushBlob(r.url, 'ref/app', empty);
      const sig = blobOf(
        Buffer.from(
          JSON.stringify({
            schemaVersion: 2,
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            artifactType: 'application/vnd.example.sig',
            config: { mediaType: empty.mediaType, digest: empty.digest, size: 2 },
            layers: [{ mediaType: empty.mediaType, digest: empty.digest, size: 2 }],
            subject: {
              mediaType: subject.manifest.mediaType,
              digest: subject.manifest.digest,
              size: subject.manifest.bytes.length,
            },
            annotations: { 'org.example': 'yes' },
          }),
        ),
        'application/vnd.oci.image.manifest.v1+json',
      );
      const put = await pushManifest(r.url, 'ref/app', sig.digest, sig);
      assert.equal(put.status, 201);
      assert.equal(put.headers.get('oci-subject'), subject.manifest.digest);
      const list = await req(`${r.url}/v2/ref/app/referrers/${subject.manifest.digest}`);
      assert.equal(list.status, 200);
      assert.equal(list.headers.get('content-type'), OCI_INDEX);
      const index = (await list.json()) as { manifests: Array<Record<string, unknown>> };
      assert.deepEqual(index.manifests, [
        {
          mediaType: sig.mediaType,
          digest: sig.digest,
          size: sig.bytes.length,
          artifactType: 'application/vnd.example.sig',
          annotations: { 'org.example': 'yes' },
        },
      ]);
      const filtered = await req(
        `${r.url}/v2/ref/app/referrers/${subject.manifest.digest}?artifactType=application/other`,
      );
      assert.equal(filtered.headers.get('oci-filters-applied'), 'artifactType');
      assert.deepEqual(((await filtered.json()) as { manifests: unknown[] }).manifests, []);
      const none = await req(`${r.url}/v2/ref/app/referrers/${sha256('nothing')}`);
      assert.equal(none.status, 200);
      assert.deepEqual(((await none.json()) as { manifests: unknown[] }).manifests, []);
    });

    it('deletes: a tag, a manifest by digest (with its tags), a blob link, an upload', async () => {
      const img = makeImage([64]);
      await pushImage(r.url, 'del/app', 'a', img);
      await pushImage(r.url, 'del/app', 'b', img);
      assert.equal((await req(`${r.url}/v2/del/app/manifests/a`, { method: 'DELETE' })).status, 202);
      assert.equal((await req(`${r.url}/v2/del/app/manifests/a`)).status, 404);
      assert.equal((await req(`${r.url}/v2/del/app/manifests/b`)).status, 200);
      assert.equal(
        (await req(`${r.url}/v2/del/app/manifests/${img.manifest.digest}`, { method: 'DELETE' })).status,
        202,
      );
      assert.equal((await req(`${r.url}/v2/del/app/manifests/b`)).status, 404);
      assert.equal((await req(`${r.url}/v2/del/app/manifests/${img.manifest.digest}`)).status, 404);
      const again = await req(`${r.url}/v2/del/app/manifests/${img.manifest.digest}`, { method: 'DELETE' });
      assert.equal(again.status, 404);
      const layer = img.layers[0]?.digest ?? '';
      assert.equal((await req(`${r.url}/v2/del/app/blobs/${layer}`, { method: 'DELETE' })).status, 202);
      assert.equal((await req(`${r.url}/v2/del/app/blobs/${layer}`, { method: 'HEAD' })).status, 404);
      const start = await req(`${r.url}/v2/del/app/blobs/uploads/`, { method: 'POST' });
      const location = start.headers.get('location') ?? '';
      assert.equal((await req(`${r.url}${location}`, { method: 'DELETE' })).status, 204);
      assert.equal((await req(`${r.url}${location}`)).status, 404);
    });

    it('concurrent pushes of one blob all succeed and leave it intact', async () => {
      const b = blobOf(randomBytes(2 << 20), 'application/octet-stream');
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          req(`${r.url}/v2/race/app${i % 2}/blobs/uploads/?digest=${b.digest}`, {
            method: 'POST',
            body: Uint8Array.from(b.bytes),
          }),
        ),
      );
      assert.deepEqual(
        results.map((x) => x.status),
        [201, 201, 201, 201, 201, 201],
      );
      const get = await req(`${r.url}/v2/race/app1/blobs/${b.digest}`);
      assert.equal(sha256(Buffer.from(await get.arrayBuffer())), b.digest);
      const tmp = await readdir(join(r.root, 'tmp')).catch(() => []);
      assert.deepEqual(tmp, [], 'no temp file is left');
    });

    it('a corrupted blob on disk is refused (small: an error; big: the body is cut short) and logged', async () => {
      const small = blobOf(randomBytes(4000), 'application/octet-stream');
      const big = blobOf(randomBytes(9 << 20), 'application/octet-stream');
      await pushBlob(r.url, 'rot/app', small);
      await pushBlob(r.url, 'rot/app', big);
      for (const b of [small, big]) {
        const path = join(r.root, 'blobs', 'sha256', b.digest.slice(7, 9), b.digest.slice(7));
        const bytes = await readFile(path);
        bytes[100] = (bytes[100] ?? 0) ^ 0xff;
        await writeFile(path, bytes);
      }
      const res = await req(`${r.url}/v2/rot/app/blobs/${small.digest}`);
      assert.equal(res.status, 500);
      assert.equal((await errorOf(res)).detail && true, true);
      const ranged = await req(`${r.url}/v2/rot/app/blobs/${big.digest}`, { headers: { Range: 'bytes=0-9' } });
      assert.equal(ranged.status, 500, 'a range of an unverified blob is verified first');
      const whole = await req(`${r.url}/v2/rot/app/blobs/${big.digest}`);
      await assert.rejects(whole.arrayBuffer(), 'the body of a corrupt big blob ends in an error');
      assert.ok(
        r.logs.some((l) => l.includes(`blob ${big.digest} is corrupt`)),
        r.logs.join('\n'),
      );
      assert.ok(r.logs.some((l) => l.includes(`blob ${small.digest} is corrupt`)));
    });

    it('gc --dry-run lists unreferenced blobs and keeps them; gc deletes them and keeps what tags reach', async () => {
      const root = await repoRoot();
      const kept = makeImage([300]);
      const dropped = makeImage([400]);
      await pushImage(r.url, 'gc/app', 'keep', kept);
      await pushImage(r.url, 'gc/app', 'drop', dropped);
      assert.equal((await req(`${r.url}/v2/gc/app/manifests/drop`, { method: 'DELETE' })).status, 202);
      const gc = (...extra: string[]) =>
        run(
          process.execPath,
          [join(root, 'dist', 'bin', 'berth-registry.cjs'), 'gc', '--root', r.root, '--grace', '0', ...extra],
          {
            timeout: 60_000,
          },
        );
      const layerPath = (d: string) => join(r.root, 'blobs', 'sha256', d.slice(7, 9), d.slice(7));
      const droppedLayer = dropped.layers[0]?.digest ?? '';
      const dry = await gc('--dry-run');
      assert.match(dry.stdout, new RegExp(`blob ${droppedLayer} \\d+ would delete`));
      assert.match(dry.stdout, new RegExp(`manifest gc/app@${dropped.manifest.digest} would delete`));
      await stat(layerPath(droppedLayer));
      const real = await gc();
      assert.match(real.stdout, new RegExp(`blob ${droppedLayer} \\d+ deleted`));
      await assert.rejects(stat(layerPath(droppedLayer)));
      await assert.rejects(stat(layerPath(dropped.manifest.digest)));
      assert.equal((await req(`${r.url}/v2/gc/app/blobs/${droppedLayer}`, { method: 'HEAD' })).status, 404);
      for (const b of [kept.config, ...kept.layers, kept.manifest]) await stat(layerPath(b.digest));
      assert.equal((await req(`${r.url}/v2/gc/app/manifests/keep`)).status, 200);
      // Referrers of a live subject survive (ref/app's signature from the referrers test).
      const refs = await req(
        `${r.url}/v2/ref/app/referrers/${(await req(`${r.url}/v2/ref/app/manifests/v1`)).headers.get('docker-content-digest')}`,
      );
      assert.equal(((await refs.json()) as { manifests: unknown[] }).manifests.length, 1);
    });
  });
}
