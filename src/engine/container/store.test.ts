import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Conflict, InvalidParameter, NotFound } from '../../errdefs/index.js';
import { type ContainerRecord, newState } from './model.js';
import { ContainerStore } from './store.js';

const ID_A = `abc1${'0'.repeat(60)}`;
const ID_B = `abc2${'0'.repeat(60)}`;
const ID_C = `def0${'1'.repeat(60)}`;

function record(id: string, name: string): ContainerRecord {
  return {
    id,
    name,
    created: '2024-01-01T00:00:00Z',
    image: `sha256:${'f'.repeat(64)}`,
    imageRef: 'busybox',
    path: 'sh',
    args: [],
    config: { Image: 'busybox' },
    hostConfig: {},
    mounts: [],
    state: newState(),
    restartCount: 0,
    manuallyStopped: false,
    hasBeenStarted: false,
    driver: 'vfs',
  };
}

describe('ContainerStore', () => {
  let root: string;
  let store: ContainerStore;

  beforeEach(async () => {
    root = join(await mkdtemp(join(tmpdir(), 'berth-store-')), 'containers');
    ({ store } = await ContainerStore.open(root));
    for (const [id, name] of [
      [ID_A, 'alpha'],
      [ID_B, 'beta'],
      [ID_C, 'gamma'],
    ] as const) {
      store.reserveName(name, id);
      await store.save(record(id, name));
    }
  });

  afterEach(async () => {
    await rm(join(root, '..'), { recursive: true, force: true });
  });

  it('finds a container by full ID', () => {
    assert.equal(store.get(ID_A).name, 'alpha');
  });

  it('finds a container by name, with or without the leading slash', () => {
    assert.equal(store.get('beta').id, ID_B);
    assert.equal(store.get('/beta').id, ID_B);
  });

  it('finds a container by a unique ID prefix', () => {
    assert.equal(store.get('abc1').id, ID_A);
    assert.equal(store.get('d').id, ID_C);
  });

  it('a name wins over an ID prefix', async () => {
    store.reserveName('abc2', ID_A);
    const other = record(ID_A, 'abc2');
    await store.save(other);
    assert.equal(store.get('abc2').id, ID_A);
  });

  it('refuses an ambiguous ID prefix', () => {
    assert.throws(
      () => store.get('abc'),
      (e: unknown) => e instanceof InvalidParameter && e.message === 'multiple IDs found with provided prefix: abc',
    );
  });

  it('says "No such container" for what it does not know', () => {
    for (const ref of ['nope', 'fff', '']) {
      assert.throws(
        () => store.get(ref),
        (e: unknown) => e instanceof NotFound && e.message === `No such container: ${ref}`,
      );
      assert.equal(store.find(ref), undefined);
    }
  });

  it("refuses a name in use with Docker's conflict message, and frees it on release", () => {
    assert.throws(
      () => store.reserveName('alpha', ID_B),
      (e: unknown) =>
        e instanceof Conflict &&
        e.message ===
          `Conflict. The container name "/alpha" is already in use by container "${ID_A}". You have to remove (or rename) that container to be able to reuse that name.`,
    );
    store.reserveName('alpha', ID_A); // the owner may reserve it again
    store.releaseName('alpha', ID_B); // not the owner: no effect
    assert.equal(store.hasName('alpha'), true);
    store.releaseName('alpha', ID_A);
    assert.equal(store.hasName('alpha'), false);
    store.reserveName('alpha', ID_B);
  });

  it('delete removes the record, its directory and its name', async () => {
    await store.delete(ID_B);
    assert.equal(store.find(ID_B), undefined);
    assert.equal(store.hasName('beta'), false);
    assert.equal((await readdir(root)).includes(ID_B), false, 'the record is out of sight when delete resolves');
    await store.settled();
    assert.deepEqual((await readdir(root)).sort(), [ID_A, ID_C]);
  });

  it('open() deletes a directory a removal set aside and a crash left behind', async () => {
    const gone = `7${'8'.repeat(63)}`;
    await mkdir(join(root, `${gone}.removed`));
    await writeFile(join(root, `${gone}.removed`, 'config.json'), JSON.stringify(record(gone, 'gone')));
    const { store: again, incomplete } = await ContainerStore.open(root);
    assert.deepEqual(incomplete, []);
    assert.equal(again.find(gone), undefined);
    assert.equal((await readdir(root)).includes(`${gone}.removed`), false);
  });

  it('keeps containers and names across a reopen', async () => {
    const rec = store.get('alpha');
    rec.state.status = 'exited';
    rec.state.exitCode = 3;
    await store.save(rec);
    const { store: again, incomplete } = await ContainerStore.open(root);
    assert.deepEqual(incomplete, []);
    assert.deepEqual(
      again
        .all()
        .map((r) => r.name)
        .sort(),
      ['alpha', 'beta', 'gamma'],
    );
    assert.equal(again.get('alpha').state.exitCode, 3);
    assert.equal(again.get('abc2').name, 'beta');
    assert.throws(() => again.reserveName('gamma', ID_A), Conflict);
  });

  it('reports container directories without a readable record, and ignores other entries', async () => {
    const noRecord = `1${'2'.repeat(63)}`;
    const corrupt = `3${'4'.repeat(63)}`;
    const wrongId = `5${'6'.repeat(63)}`;
    await mkdir(join(root, noRecord));
    await mkdir(join(root, corrupt));
    await writeFile(join(root, corrupt, 'config.json'), '{"id": "trunc');
    await mkdir(join(root, wrongId));
    await writeFile(join(root, wrongId, 'config.json'), JSON.stringify(record(ID_A, 'imposter')));
    await mkdir(join(root, 'not-a-container'));
    const { store: again, incomplete } = await ContainerStore.open(root);
    assert.deepEqual(incomplete.sort(), [noRecord, corrupt, wrongId].sort());
    assert.equal(again.all().length, 3);
    assert.equal(again.get('alpha').id, ID_A);
  });

  it('keeps records in <root>/<id>/config.json', () => {
    assert.equal(store.dir(ID_A), join(root, ID_A));
    assert.equal(store.configPath(ID_A), join(root, ID_A, 'config.json'));
  });
});
