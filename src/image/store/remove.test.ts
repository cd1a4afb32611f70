import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isConflict, isInvalidParameter, isNotFound } from '../../errdefs/index.js';
import { type Digest, shortId } from '../../lib/digest.js';
import { type Fixture, withFixture } from './testing.js';

const conflict = (message: string) => (e: unknown) => isConflict(e) && e.message === message;
const MANIFEST = `sha256:${'8'.repeat(64)}` as Digest;
const CONTAINER = 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00';

async function image(f: Fixture, layers: string[], tags: string[] = [], parent?: Digest): Promise<Digest> {
  const id = await f.add({ layers, created: '2024-01-01T00:00:00Z' }, parent ? { parent } : {});
  for (const t of tags) await f.store.tag(id, t);
  return id;
}

test('rmi by a tag that is not the last reference only untags; by the last one it deletes', async () => {
  await withFixture(async (f) => {
    const id = await image(f, ['x', 'y'], ['web:1', 'web:2']);
    assert.deepEqual(await f.store.remove('web:1'), { items: [{ Untagged: 'web:1' }], unusedChainIds: [] });
    assert.equal(f.store.has(id), true);
    const chain = f.store.get(id).chainIds;
    const r = await f.store.remove('web:2');
    assert.deepEqual(r.items, [{ Untagged: 'web:2' }, { Deleted: id }]);
    assert.deepEqual(r.unusedChainIds, [...chain].reverse());
    assert.equal(f.store.has(id), false);
    assert.equal(await f.content.has(id), false);
    // Gone for good, including after a reopen.
    const store = await f.reopen();
    assert.equal(store.has(id), false);
    await assert.rejects(store.remove('web:2'), (e) => isNotFound(e) && e.message === 'No such image: web:2');
  });
});

test('rmi of a name without a tag means :latest', async () => {
  await withFixture(async (f) => {
    const id = await image(f, ['x'], ['web', 'other:1']);
    assert.deepEqual((await f.store.remove('web')).items, [{ Untagged: 'web:latest' }]);
    assert.equal(f.store.has(id), true);
  });
});

test('rmi by ID: one repository is untagged and deleted; several repositories need force', async () => {
  await withFixture(async (f) => {
    const one = await image(f, ['a'], ['solo:1']);
    await f.store.addDigest({ domain: 'docker.io', path: 'library/solo', digest: MANIFEST }, one);
    // References go in Docker's order: sorted by canonical string (`…/solo:1` before `…/solo@sha256:…`).
    assert.deepEqual((await f.store.remove(one.slice(7, 19))).items, [
      { Untagged: 'solo:1' },
      { Untagged: `solo@${MANIFEST}` },
      { Deleted: one },
    ]);

    const many = await image(f, ['b'], ['left:1', 'right:1']);
    await assert.rejects(
      f.store.remove(many),
      conflict(
        `conflict: unable to delete ${shortId(many)} (must be forced) - image is referenced in multiple repositories`,
      ),
    );
    // Two tags of one repository are "multiple" too (only one tag is allowed for the single-reference rule).
    const twoTags = await image(f, ['c'], ['same:1', 'same:2']);
    await assert.rejects(f.store.remove(twoTags), isConflict);

    assert.deepEqual((await f.store.remove(many, { force: true })).items, [
      { Untagged: 'left:1' },
      { Untagged: 'right:1' },
      { Deleted: many },
    ]);
  });
});

test('untagging the last tag of a repository drops its digest references too', async () => {
  await withFixture(async (f) => {
    const id = await image(f, ['a'], ['web:1', 'other:1']);
    await f.store.addDigest({ domain: 'docker.io', path: 'library/web', digest: MANIFEST }, id);
    assert.deepEqual((await f.store.remove('web:1')).items, [{ Untagged: 'web:1' }, { Untagged: `web@${MANIFEST}` }]);
    assert.deepEqual(f.store.references(id).length, 1);
  });
});

test('a running container blocks removal, even forced; a stopped one only without force', async () => {
  await withFixture(async (f) => {
    const id = await image(f, ['a'], ['app:1']);
    f.users.set(id, [{ id: CONTAINER, running: true }]);
    const short = shortId(id);
    await assert.rejects(
      f.store.remove('app:1'),
      conflict(
        `conflict: unable to remove repository reference "app:1" (must force) - container ${CONTAINER.slice(0, 12)} is using its referenced image ${short}`,
      ),
    );
    const running = `conflict: unable to delete ${short} (cannot be forced) - image is being used by running container ${CONTAINER.slice(0, 12)}`;
    await assert.rejects(f.store.remove(id), conflict(running));
    await assert.rejects(f.store.remove(id, { force: true }), conflict(running));
    // Forcing the tag away untags, and the image stays quietly for the container.
    assert.deepEqual((await f.store.remove('app:1', { force: true })).items, [{ Untagged: 'app:1' }]);
    assert.equal(f.store.has(id), true);

    f.users.set(id, [{ id: CONTAINER, running: false }]);
    await assert.rejects(
      f.store.remove(id),
      conflict(
        `conflict: unable to delete ${short} (must be forced) - image is being used by stopped container ${CONTAINER.slice(0, 12)}`,
      ),
    );
    assert.deepEqual((await f.store.remove(id, { force: true })).items, [{ Deleted: id }]);
  });
});

test('an image with children cannot be deleted; removing a child prunes its untagged parents', async () => {
  await withFixture(async (f) => {
    const base = await image(f, ['b'], ['base:1']);
    const mid = await image(f, ['b', 'm'], [], base);
    const app = await image(f, ['b', 'm', 'a'], ['app:1'], mid);
    await assert.rejects(
      f.store.remove(mid, { force: true }),
      conflict(`conflict: unable to delete ${shortId(mid)} (cannot be forced) - image has dependent child images`),
    );
    const chain = f.store.get(app).chainIds;
    const r = await f.store.remove('app:1');
    // app and the intermediate mid go; base is tagged, so it stays (quietly).
    assert.deepEqual(r.items, [{ Untagged: 'app:1' }, { Deleted: app }, { Deleted: mid }]);
    assert.deepEqual(r.unusedChainIds, [chain[2], chain[1]]);
    assert.equal(f.store.has(base), true);
    assert.deepEqual(f.store.children(base), []);
  });
});

test('--no-prune keeps the parents', async () => {
  await withFixture(async (f) => {
    const base = await image(f, ['b']);
    const app = await image(f, ['b', 'a'], ['app:1'], base);
    assert.deepEqual((await f.store.remove('app:1', { prune: false })).items, [
      { Untagged: 'app:1' },
      { Deleted: app },
    ]);
    assert.equal(f.store.has(base), true);
  });
});

test('layers shared with another image are not reported unused', async () => {
  await withFixture(async (f) => {
    const one = await image(f, ['shared', 'one'], ['one:1']);
    const two = await image(f, ['shared', 'two'], ['two:1']);
    const oneChain = f.store.get(one).chainIds;
    const r = await f.store.remove('one:1');
    // Only `one`'s own top layer: the bottom one is `two`'s too.
    assert.equal(oneChain[0], f.store.get(two).chainIds[0]);
    assert.deepEqual(r.unusedChainIds, [oneChain[1]]);
    assert.ok(!f.store.has(one));
  });
});

test('unknown or malformed names', async () => {
  await withFixture(async (f) => {
    await assert.rejects(
      f.store.remove('nosuch'),
      (e) => isNotFound(e) && e.message === 'No such image: nosuch:latest',
    );
    await assert.rejects(f.store.remove('Bad:Name'), isInvalidParameter);
  });
});

test('prune removes dangling images by default (digest-only ones too) and reports the space', async () => {
  await withFixture(
    async (f) => {
      const base = await image(f, ['b'], ['base:1']);
      const mid = await image(f, ['b', 'm'], [], base);
      await image(f, ['b', 'm', 'a'], ['app:1'], mid);
      const dang = await image(f, ['d']);
      const pulled = await image(f, ['p']);
      await f.store.addDigest({ domain: 'docker.io', path: 'library/pulled', digest: MANIFEST }, pulled);
      const r = await f.store.prune();
      const items = r.ImagesDeleted ?? [];
      assert.deepEqual(
        items.map((i) => JSON.stringify(i)).sort(),
        [{ Deleted: dang }, { Untagged: `pulled@${MANIFEST}` }, { Deleted: pulled }]
          .map((i) => JSON.stringify(i))
          .sort(),
      );
      assert.equal(r.SpaceReclaimed, 40 + 50);
      assert.equal(f.store.has(mid), true); // an intermediate image is not dangling
      assert.deepEqual(await f.store.prune(), { ImagesDeleted: null, SpaceReclaimed: 0, unusedChainIds: [] });
    },
    { d: 40, p: 50 },
  );
});

test('prune dangling=false removes every image no container uses; label and until filters narrow it', async () => {
  await withFixture(async (f) => {
    const base = await image(f, ['b'], ['base:1']);
    const used = await image(f, ['b', 'u'], ['used:1'], base);
    f.users.set(used, [{ id: CONTAINER, running: false }]);
    const old = await f.add({ layers: ['o'], created: '2020-01-01T00:00:00Z', config: { Labels: { keep: 'no' } } });
    await f.store.tag(old, 'old:1');
    const fresh = await f.add({ layers: ['n'], created: '2024-06-01T00:00:00Z', config: { Labels: { keep: 'yes' } } });
    await f.store.tag(fresh, 'fresh:1');

    const now = new Date('2024-06-02T00:00:00Z');
    const byLabel = await f.store.prune({
      filters: { dangling: ['false'], 'label!': ['keep=yes'], until: ['48h'] },
      now,
    });
    const deleted = (byLabel.ImagesDeleted ?? []).map((i) => JSON.stringify(i));
    assert.ok(
      deleted.includes(JSON.stringify({ Untagged: 'old:1' })) && deleted.includes(JSON.stringify({ Deleted: old })),
    );
    assert.equal(f.store.has(old), false);
    assert.equal(f.store.has(fresh), true); // labelled keep=yes, and newer than 48h
    // base has a child that a container uses: prune untags it, finds the child, and keeps it quietly (as Docker).
    assert.ok(deleted.includes(JSON.stringify({ Untagged: 'base:1' })));
    assert.equal(f.store.has(base), true);

    const all = await f.store.prune({ filters: { dangling: ['false'] }, now });
    assert.ok(all.ImagesDeleted?.some((i) => 'Deleted' in i && i.Deleted === fresh));
    // The image a container uses keeps its only tag (that would need force), and its parent stays under it.
    assert.equal(f.store.has(used), true);
    assert.deepEqual(f.store.repoTags(used), ['used:1']);
    assert.equal(f.store.has(base), true);

    await assert.rejects(
      f.store.prune({ filters: { reference: ['x'] } }),
      (e) => isInvalidParameter(e) && e.message === "invalid filter 'reference'",
    );
    await assert.rejects(
      f.store.prune({ filters: { until: ['soon'] } }),
      (e) =>
        isInvalidParameter(e) &&
        e.message === `invalid value for 'until' filter: failed to parse value as time or duration: "soon"`,
    );
  });
});
