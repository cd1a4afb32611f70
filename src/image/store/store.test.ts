import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { isInvalidParameter, isNotFound } from '../../errdefs/index.js';
import type { Digest } from '../../lib/digest.js';
import { chainIds } from './chain-id.js';
import { configBytes, diffIdOf, withFixture } from './testing.js';

const notFound = (message: string) => (e: unknown) => isNotFound(e) && e.message === message;
const invalid = (message: string | RegExp) => (e: unknown) =>
  isInvalidParameter(e) && (typeof message === 'string' ? e.message === message : message.test(e.message));

test('the image ID is the sha256 of the config bytes exactly as given, and the config lands in the content store', async () => {
  await withFixture(async ({ store, content, add }) => {
    const bytes = configBytes({ layers: ['base', 'app'] });
    const id = await add({ layers: ['base', 'app'] });
    assert.equal(id, `sha256:${createHash('sha256').update(bytes).digest('hex')}`);
    assert.deepEqual(await content.get(id), bytes);
    const img = store.get(id);
    assert.deepEqual(img.chainIds, chainIds([diffIdOf('base'), diffIdOf('app')]));
    // The same JSON with different whitespace is a different image, as in Docker.
    const spaced = Buffer.from(JSON.stringify(JSON.parse(bytes.toString()), null, 1));
    assert.notEqual(await store.put(spaced), id);
    // Putting the same bytes again is a no-op.
    assert.equal(await add({ layers: ['base', 'app'] }), id);
    assert.equal(store.images().length, 2);
  });
});

test('put refuses invalid configs and configs whose layers are not in the layer store', async () => {
  await withFixture(async ({ store, content }) => {
    await assert.rejects(store.put('{"architecture":"amd64"}'), invalid('invalid image JSON, no RootFS key'));
    await assert.rejects(store.put('not json'), invalid(/^invalid image config/));
    await assert.rejects(store.put(configBytes({ layers: ['unregistered'] })), notFound('layer does not exist'));
    assert.deepEqual(await content.list(), []);
    assert.deepEqual(store.images(), []);
  });
});

test('tag normalises names, moves an existing tag, records the tag time; untag removes only the reference', async () => {
  let clock = Date.parse('2024-05-01T10:00:00Z');
  const now = () => new Date(clock);
  await withFixture(
    async ({ store, add }) => {
      const a = await add({ layers: ['a'] });
      const b = await add({ layers: ['b'] });
      const stored = await store.tag(a, 'myapp');
      assert.deepEqual(stored, { domain: 'docker.io', path: 'library/myapp', tag: 'latest' });
      await store.tag(a, 'docker.io/library/myapp:v1');
      await store.tag(a, 'localhost:5000/team/app:1.0');
      assert.deepEqual(
        store.repoTags(a),
        ['myapp:latest', 'myapp:v1', 'localhost:5000/team/app:1.0'].sort(sortCanonical),
      );
      assert.equal(store.get(a).lastTagTime, '2024-05-01T10:00:00.000Z');

      // Re-tagging moves the tag.
      clock += 1000;
      await store.tag('myapp:v1', 'myapp:v1'); // same image: no change
      await store.tag(b, 'myapp:v1');
      assert.deepEqual(store.repoTags(b), ['myapp:v1']);
      assert.ok(!store.repoTags(a).includes('myapp:v1'));
      assert.equal(store.resolve('myapp:v1').id, b);
      assert.equal(store.get(b).lastTagTime, '2024-05-01T10:00:01.000Z');

      // Untag.
      assert.equal(await store.untag('myapp'), a);
      assert.equal(store.has(a), true);
      await assert.rejects(store.untag('myapp'), notFound('No such image: myapp:latest'));
    },
    {},
    now,
  );
});

// References sort by canonical string (docker.io/library/… before localhost…).
function sortCanonical(x: string, y: string): number {
  const canon = (s: string) => (s.startsWith('localhost') ? s : `docker.io/library/${s}`);
  return canon(x) < canon(y) ? -1 : 1;
}

test('tagging refuses digests and ambiguous names with Docker messages; unknown sources are NotFound', async () => {
  await withFixture(async ({ store, add }) => {
    const a = await add({});
    const digest = `sha256:${'1'.repeat(64)}`;
    await assert.rejects(store.tag(a, `myapp@${digest}`), invalid('refusing to create a tag with a digest reference'));
    await assert.rejects(
      store.tag(a, 'sha256:latest'),
      invalid('refusing to create an ambiguous tag using digest algorithm as name'),
    );
    await assert.rejects(store.tag(a, 'Upper'), invalid(/must be lowercase/));
    await assert.rejects(store.tag('nosuch', 'x'), notFound('No such image: nosuch:latest'));
  });
});

test('resolve: full ID with or without sha256:, unique prefixes of any length, names, digests; misses are NotFound', async () => {
  await withFixture(async ({ store, add }) => {
    const ids: Digest[] = [];
    for (let i = 0; i < 3; i++) ids.push(await add({ layers: [`l${i}`] }));
    const hex = (id: Digest) => id.slice(7);
    const target = ids[0]!;
    // The shortest prefix of the target that no other ID shares.
    let uniqueLen = 1;
    while (ids.some((x) => x !== target && hex(x).startsWith(hex(target).slice(0, uniqueLen)))) uniqueLen++;
    const prefix = hex(target).slice(0, uniqueLen);
    assert.equal(store.resolve(target).id, target);
    assert.equal(store.resolve(hex(target)).id, target);
    assert.equal(store.resolve(prefix).id, target);
    assert.equal(store.resolve(`sha256:${prefix}`).id, target);
    assert.equal(store.resolve(hex(target).slice(0, 12)).id, target);

    await store.tag(target, 'web:1');
    assert.equal(store.resolve('web:1').id, target);
    assert.equal(store.resolve('docker.io/library/web:1').id, target);
    const manifest = `sha256:${'2'.repeat(64)}` as Digest;
    await store.addDigest({ domain: 'docker.io', path: 'library/web', digest: manifest }, target);
    assert.equal(store.resolve(`web@${manifest}`).id, target);
    assert.deepEqual(store.repoDigests(target), [`web@${manifest}`]);

    assert.throws(() => store.resolve('web'), notFound('No such image: web:latest'));
    assert.throws(() => store.resolve(`sha256:${'f'.repeat(64)}`), notFound(`No such image: sha256:${'f'.repeat(64)}`));
    assert.throws(() => store.resolve('zzz'), notFound('No such image: zzz:latest'));
    assert.throws(
      () => store.resolve(`web@sha256:${'3'.repeat(64)}`),
      notFound(`No such image: web@sha256:${'3'.repeat(64)}`),
    );
    assert.throws(() => store.resolve('UPPER'), isInvalidParameter);
  });
});

test('a short prefix matching several images is "ambiguous reference"', async () => {
  await withFixture(async ({ store, add }) => {
    const ids: Digest[] = [];
    // 17 images: two must share a first hex digit.
    for (let i = 0; i < 17; i++) ids.push(await add({ layers: [`p${i}`] }));
    const counts = new Map<string, number>();
    for (const id of ids) counts.set(id[7]!, (counts.get(id[7]!) ?? 0) + 1);
    const [first] = [...counts.entries()].find(([, n]) => n > 1)!;
    assert.throws(() => store.resolve(first), notFound('ambiguous reference'));
    assert.throws(() => store.resolve(`sha256:${first}`), notFound('ambiguous reference'));
  });
});

test('reopening keeps images, parents, tag times and references', async () => {
  await withFixture(async (f) => {
    const base = await f.add({ layers: ['base'] });
    const child = await f.add({ layers: ['base', 'top'] }, { parent: base });
    await f.store.tag(child, 'app:1');
    const manifest = `sha256:${'4'.repeat(64)}` as Digest;
    await f.store.addDigest({ domain: 'docker.io', path: 'library/app', digest: manifest }, child);
    const before = f.store.get(child);
    const store = await f.reopen();
    assert.deepEqual(store.get(child), before);
    assert.equal(store.get(child).parent, base);
    assert.deepEqual(store.children(base), [child]);
    assert.equal(store.resolve('app:1').id, child);
    assert.deepEqual(store.repoDigests(child), [`app@${manifest}`]);
    assert.deepEqual(store.reconciled, {
      droppedImages: [],
      droppedReferences: [],
      clearedParents: [],
      removedTempFiles: 0,
    });
    // Docker's repositories.json layout.
    const file = JSON.parse(await readFile(join(f.root, 'repositories.json'), 'utf8'));
    assert.deepEqual(file, { Repositories: { app: { 'app:1': child, [`app@${manifest}`]: child } } });
  });
});

test('a repositories.json written by Docker is read as is', async () => {
  await withFixture(async (f) => {
    const id = await f.add({ layers: ['x'] });
    const manifest = `sha256:${'5'.repeat(64)}`;
    await writeFile(
      join(f.root, 'repositories.json'),
      JSON.stringify({
        Repositories: {
          busybox: { 'busybox:latest': id, [`busybox@${manifest}`]: id },
          'quay.io/org/tool': { 'quay.io/org/tool:2': id },
        },
      }),
    );
    const store = await f.reopen();
    assert.deepEqual(store.repoTags(id), ['busybox:latest', 'quay.io/org/tool:2']);
    assert.deepEqual(store.repoDigests(id), [`busybox@${manifest}`]);
  });
});

test('open reconciles crash leftovers: records without config, references to missing images, temp files, parents', async () => {
  await withFixture(async (f) => {
    const keep = await f.add({ layers: ['k'] });
    const lost = await f.add({ layers: ['l'] });
    const child = await f.add({ layers: ['l', 'c'] }, { parent: lost });
    await f.store.tag(keep, 'keep:1');
    await f.store.tag(lost, 'lost:1');
    await f.store.tag(child, 'child:1');
    // The config of `lost` vanished (a crash mid-delete, or a hand edit); temp files of interrupted writes remain.
    await f.content.delete(lost);
    const metaDir = join(f.root, 'imagedb', 'metadata');
    await writeFile(join(metaDir, `${lost.slice(7)}.json.ab12cd34.tmp`), '{"id":');
    await writeFile(join(f.root, 'repositories.json.0011aabb.tmp'), '{');
    // A record whose config blob never existed (copied in by hand, or from another data root).
    const ghost = `sha256:${'6'.repeat(64)}`;
    await writeFile(join(metaDir, `${'6'.repeat(64)}.json`), JSON.stringify({ id: ghost, added: 'x' }));

    const store = await f.reopen();
    assert.deepEqual(store.reconciled.droppedImages.sort(), [lost, ghost].sort());
    assert.deepEqual(store.reconciled.droppedReferences, ['lost:1']);
    assert.deepEqual(store.reconciled.clearedParents, [child]);
    assert.equal(store.reconciled.removedTempFiles, 2);
    assert.equal(store.has(lost), false);
    assert.equal(store.get(child).parent, undefined);
    assert.equal(store.resolve('keep:1').id, keep);
    assert.throws(() => store.resolve('lost:1'), notFound('No such image: lost:1'));
    assert.deepEqual((await readdir(metaDir)).sort(), [`${keep.slice(7)}.json`, `${child.slice(7)}.json`].sort());
    // The repair was written: a second open finds nothing to do.
    const again = await f.reopen();
    assert.deepEqual(again.reconciled, {
      droppedImages: [],
      droppedReferences: [],
      clearedParents: [],
      removedTempFiles: 0,
    });
  });
});

test('a store opened on an empty directory is empty and writes an empty repositories.json', async () => {
  await withFixture(async (f) => {
    await rm(join(f.root, 'repositories.json'), { force: true });
    const store = await f.reopen();
    assert.deepEqual(store.images(), []);
    assert.deepEqual(JSON.parse(await readFile(join(f.root, 'repositories.json'), 'utf8')), { Repositories: {} });
  });
});

test('parents must exist and must not make a cycle', async () => {
  await withFixture(async ({ store, add }) => {
    const a = await add({ layers: ['a'] });
    const b = await add({ layers: ['a', 'b'] }, { parent: a });
    await assert.rejects(store.setParent(a, b), invalid(/cannot be its own ancestor/));
    const missing = `sha256:${'7'.repeat(64)}` as Digest;
    await assert.rejects(store.setParent(a, missing), notFound(`unknown parent image ID ${missing}`));
  });
});

test('concurrent tags and puts are serialised: every one of them is on disk afterwards', async () => {
  await withFixture(async (f) => {
    const ids = await Promise.all(Array.from({ length: 8 }, (_, i) => f.add({ layers: [`c${i}`] })));
    await Promise.all(ids.flatMap((id, i) => [f.store.tag(id, `many:${i}`), f.store.tag(id, `also/many:${i}`)]));
    const store = await f.reopen();
    ids.forEach((id, i) => {
      assert.deepEqual(store.repoTags(id), [`also/many:${i}`, `many:${i}`]);
    });
  });
});
