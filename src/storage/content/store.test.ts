import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { isInvalidParameter, isNotFound } from '../../errdefs/index.js';
import { digestOfStream, sha256 } from '../../lib/digest.js';
import { ContentStore } from './index.js';

async function withStore(fn: (store: ContentStore, root: string) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'berth-content-'));
  try {
    await fn(await ContentStore.open(root), root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

const ingestEntries = (root: string) => readdir(join(root, 'ingest'));
const blobEntries = (root: string) => readdir(join(root, 'blobs', 'sha256'));

async function collect(r: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** Deterministic pseudo-random chunks, generated on demand. */
function chunkAt(i: number, size: number): Buffer {
  const b = Buffer.alloc(size);
  let x = (i + 1) * 2654435761;
  for (let j = 0; j < size; j += 4) {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    b.writeUInt32LE(x, j);
  }
  return b;
}

test('round trip: put bytes, read them back every way, list, delete', async () => {
  await withStore(async (store, root) => {
    const data = Buffer.from('{"schemaVersion":2}');
    const info = await store.put(data);
    assert.deepEqual(info, { digest: sha256(data), size: data.length });
    assert.equal(await store.has(info.digest), true);
    assert.deepEqual(await store.get(info.digest), data);
    assert.deepEqual(await collect(await store.readStream(info.digest)), data);
    assert.deepEqual(await collect(await store.readStream(info.digest, { start: 2, end: 13 })), data.subarray(2, 14));
    assert.deepEqual(await store.info(info.digest), info);
    assert.deepEqual(await store.list(), [info]);
    assert.equal(store.blobPath(info.digest), join(root, 'blobs', 'sha256', info.digest.slice(7)));
    assert.deepEqual(await ingestEntries(root), []);

    await store.delete(info.digest);
    assert.equal(await store.has(info.digest), false);
    assert.deepEqual(await store.list(), []);
  });
});

test('a string is stored as UTF-8 and an empty blob is a blob', async () => {
  await withStore(async (store) => {
    const s = await store.put('héllo');
    assert.equal(s.digest, sha256(Buffer.from('héllo', 'utf8')));
    assert.equal(s.size, 6);
    const empty = await store.put(Readable.from([]));
    assert.deepEqual(empty, { digest: sha256(''), size: 0 });
    assert.equal((await store.get(empty.digest)).length, 0);
  });
});

test('missing blobs are NotFound with a containerd-like message', async () => {
  await withStore(async (store) => {
    const d = sha256('nothing');
    const notFound = (e: unknown) => isNotFound(e) && e.message === `content digest ${d}: not found`;
    await assert.rejects(store.get(d), notFound);
    await assert.rejects(store.readStream(d), notFound);
    await assert.rejects(store.info(d), notFound);
    await assert.rejects(store.delete(d), notFound);
    assert.equal(await store.has(d), false);
  });
});

test('malformed or non-sha256 digests are refused before touching the disk', async () => {
  await withStore(async (store) => {
    for (const bad of ['sha256:../../etc/passwd', 'abc', `sha256:${'A'.repeat(64)}`]) {
      await assert.rejects(store.get(bad), isInvalidParameter, bad);
      await assert.rejects(store.has(bad), isInvalidParameter, bad);
      await assert.rejects(store.put('x', bad), isInvalidParameter, bad);
    }
    await assert.rejects(store.get(`sha512:${'a'.repeat(128)}`), /unsupported digest algorithm: sha512/);
    await assert.rejects(store.put('x', { size: -1 }), /invalid expected size/);
  });
});

test('verification: a matching expectation passes, a mismatch leaves nothing behind', async () => {
  await withStore(async (store, root) => {
    const data = Buffer.from('layer bytes');
    const good = sha256(data);
    assert.equal((await store.put(Readable.from([data]), good)).digest, good);
    assert.equal((await store.put(data, { digest: good, size: data.length })).digest, good);
    await store.delete(good);

    const wrong = sha256('something else');
    const mismatch = new RegExp(`^digest mismatch: expected ${wrong}, got ${good}$`);
    await assert.rejects(
      store.put(Readable.from([data]), wrong),
      (e) => isInvalidParameter(e) && mismatch.test(e.message),
    );
    await assert.rejects(store.put(data, wrong), (e) => isInvalidParameter(e) && mismatch.test(e.message));
    await assert.rejects(store.put(Readable.from([data]), { size: 5 }), /size mismatch: expected 5 bytes, got more/);
    await assert.rejects(store.put(Readable.from([data]), { size: 50 }), /size mismatch: expected 50 bytes, got 11/);
    assert.equal(await store.has(good), false);
    assert.deepEqual(await blobEntries(root), []);
    assert.deepEqual(await ingestEntries(root), []);
  });
});

test('a source that fails mid-stream rejects the put and leaves nothing behind', async () => {
  await withStore(async (store, root) => {
    async function* failing() {
      yield Buffer.alloc(1000, 1);
      throw new Error('connection reset');
    }
    await assert.rejects(store.put(failing()), /connection reset/);
    assert.deepEqual(await blobEntries(root), []);
    assert.deepEqual(await ingestEntries(root), []);
  });
});

test('concurrent puts of the same content all succeed and store one blob', async () => {
  await withStore(async (store, root) => {
    const chunks = Array.from({ length: 16 }, (_, i) => chunkAt(i, 16 * 1024));
    const digest = sha256(Buffer.concat(chunks));
    const puts = Array.from({ length: 8 }, (_, i) =>
      i % 2 === 0 ? store.put(Readable.from(chunks), digest) : store.put(Buffer.concat(chunks)),
    );
    const results = await Promise.all(puts);
    for (const r of results) assert.deepEqual(r, { digest, size: 16 * 16 * 1024 });
    assert.deepEqual(await blobEntries(root), [digest.slice(7)]);
    assert.deepEqual(await ingestEntries(root), []);
    assert.equal(sha256(await store.get(digest)), digest);
  });
});

test('an existing blob is kept, not rewritten', async () => {
  await withStore(async (store) => {
    const { digest } = await store.put('same');
    const before = await stat(store.blobPath(digest));
    await new Promise((r) => setTimeout(r, 20));
    await store.put(Readable.from(['sa', 'me']));
    await store.put('same');
    const after = await stat(store.blobPath(digest));
    assert.equal(after.ino, before.ino);
    assert.equal(after.mtimeMs, before.mtimeMs);
  });
});

test('opening a store sweeps what a crash left in ingest/, and nothing else', async () => {
  const root = await mkdtemp(join(tmpdir(), 'berth-content-'));
  try {
    const first = await ContentStore.open(root);
    const kept = await first.put('committed');
    await writeFile(join(root, 'ingest', 'deadbeef.tmp'), 'half a lay');
    await mkdir(join(root, 'ingest', 'olddir'));
    await writeFile(join(root, 'ingest', 'olddir', 'data'), 'x');
    const reopened = await ContentStore.open(root);
    assert.deepEqual(await ingestEntries(root), []);
    assert.deepEqual(await reopened.get(kept.digest), Buffer.from('committed'));
    assert.equal(await reopened.sweepIngest(), 0);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('sweepIngest leaves a put that is still running alone', async () => {
  await withStore(async (store, root) => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let firstWritten!: () => void;
    const started = new Promise<void>((r) => {
      firstWritten = r;
    });
    async function* slow() {
      yield Buffer.from('first half, ');
      firstWritten();
      await gate;
      yield Buffer.from('second half');
    }
    const put = store.put(slow());
    await started;
    await writeFile(join(root, 'ingest', 'leftover.tmp'), 'crash');
    assert.equal(await store.sweepIngest(), 1);
    assert.equal((await ingestEntries(root)).length, 1);
    release();
    const info = await put;
    assert.equal(info.digest, sha256('first half, second half'));
    assert.deepEqual(await ingestEntries(root), []);
  });
});

test('10 MB is streamed in and out without being buffered whole', async () => {
  await withStore(async (store, root) => {
    const CHUNK = 64 * 1024;
    const COUNT = 160; // 10 MiB
    const expected = createHash('sha256');
    for (let i = 0; i < COUNT; i++) expected.update(chunkAt(i, CHUNK));
    const digest = `sha256:${expected.digest('hex')}`;

    // The producer checks, each time it is asked for more, that what it produced so far is (nearly) all on disk:
    // the store pulls a chunk only after writing the previous one.
    let maxLag = 0;
    async function* produce() {
      for (let i = 0; i < COUNT; i++) {
        if (i > 0) {
          const [tmp] = await ingestEntries(root);
          const onDisk = tmp ? (await stat(join(root, 'ingest', tmp))).size : 0;
          maxLag = Math.max(maxLag, i * CHUNK - onDisk);
        }
        yield chunkAt(i, CHUNK);
      }
    }
    const info = await store.put(Readable.from(produce()), { digest, size: COUNT * CHUNK });
    assert.deepEqual(info, { digest, size: COUNT * CHUNK });
    assert.ok(maxLag <= 2 * CHUNK, `producer ran ${maxLag} bytes ahead of the disk`);

    // Reading back streams too: chunks arrive at the fs stream's size, never as one 10 MB buffer.
    const stream = await store.readStream(digest);
    let biggest = 0;
    const hashed = await digestOfStream(
      (async function* () {
        for await (const c of stream) {
          biggest = Math.max(biggest, (c as Buffer).length);
          yield c as Buffer;
        }
      })(),
    );
    assert.deepEqual(hashed, { digest, size: COUNT * CHUNK });
    assert.ok(biggest <= 1024 * 1024, `read a ${biggest}-byte chunk`);
  });
});

test('list ignores files that are not blobs', async () => {
  await withStore(async (store, root) => {
    const a = await store.put('a');
    const b = await store.put('b');
    await writeFile(join(root, 'blobs', 'sha256', 'README'), 'not a blob');
    const listed = (await store.list()).map((i) => i.digest).sort();
    assert.deepEqual(listed, [a.digest, b.digest].sort());
  });
});
