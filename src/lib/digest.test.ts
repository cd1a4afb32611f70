import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { test } from 'node:test';
import { isInvalidParameter, isSystem } from '../errdefs/index.js';
import {
  computeDigest,
  DigestStream,
  digestHex,
  digestOfStream,
  isDigest,
  isFullId,
  isShortId,
  parseDigest,
  sha256,
  shortId,
  validateDigest,
} from './digest.js';

const EMPTY = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const H64 = '1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a';

test('computes sha256 digests of bytes and UTF-8 strings', () => {
  assert.equal(sha256(''), EMPTY);
  assert.equal(sha256(new Uint8Array()), EMPTY);
  assert.equal(sha256('abc'), 'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.equal(sha256('é'), sha256(Buffer.from('é', 'utf8')));
  assert.equal(computeDigest('abc', 'sha512'), `sha512:${createHash('sha512').update('abc').digest('hex')}`);
});

test('parses valid digests into algorithm and encoded parts', () => {
  assert.deepEqual(parseDigest(`sha256:${H64}`), { algorithm: 'sha256', encoded: H64, digest: `sha256:${H64}` });
  assert.equal(parseDigest(`sha512:${H64}${H64}`).algorithm, 'sha512');
  assert.equal(parseDigest(`sha384:${H64}${H64.slice(0, 32)}`).algorithm, 'sha384');
  assert.equal(digestHex(EMPTY), EMPTY.slice(7));
  assert.equal(validateDigest(EMPTY), EMPTY);
});

test("refuses malformed digests with go-digest's messages", () => {
  const cases: [string, RegExp][] = [
    ['', /^invalid checksum digest format$/],
    ['sha256', /^invalid checksum digest format$/],
    ['sha256:', /^invalid checksum digest format$/],
    [`:${H64}`, /^invalid checksum digest format$/],
    [`sha256:${H64.toUpperCase()}`, /^invalid checksum digest format$/],
    [`sha256:${H64.slice(1)}g`, /^invalid checksum digest format$/],
    [`sha256:${H64.slice(1)}`, /^invalid checksum digest length$/],
    [`sha256:${H64}0`, /^invalid checksum digest length$/],
    [`sha512:${H64}`, /^invalid checksum digest length$/],
    ['md5:0123456789abcdef0123456789abcdef', /^unsupported digest algorithm$/],
    ['sha256+b64:abc', /^unsupported digest algorithm$/],
    [`SHA256:${H64}`, /^invalid checksum digest format$/],
    [`sha256:../../${H64.slice(6)}`, /^invalid checksum digest format$/],
  ];
  for (const [input, message] of cases) {
    assert.throws(
      () => parseDigest(input),
      (e: unknown) => isInvalidParameter(e) && message.test(e.message),
      input,
    );
    assert.equal(isDigest(input), false, input);
  }
  assert.equal(isDigest(42), false);
  assert.equal(isDigest(EMPTY), true);
});

test('DigestStream passes bytes through unchanged and reports digest and size at the end', async () => {
  const chunks = [Buffer.from('hello '), Buffer.from('world'), Buffer.alloc(100_000, 7)];
  const hasher = new DigestStream();
  const out: Buffer[] = [];
  assert.equal(hasher.done, false);
  assert.throws(() => hasher.digest(), isSystem);
  await pipeline(
    Readable.from(chunks),
    hasher,
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        out.push(chunk);
        cb();
      },
    }),
  );
  const all = Buffer.concat(chunks);
  assert.deepEqual(Buffer.concat(out), all);
  assert.equal(hasher.done, true);
  assert.equal(hasher.size, all.length);
  assert.equal(hasher.digest(), sha256(all));
});

test('DigestStream of an empty stream is the empty digest', async () => {
  const hasher = new DigestStream();
  await pipeline(Readable.from([]), hasher, new Writable({ write: (_c, _e, cb) => cb() }));
  assert.equal(hasher.digest(), EMPTY);
  assert.equal(hasher.size, 0);
});

test('digestOfStream hashes an async iterable without collecting it', async () => {
  async function* gen() {
    for (let i = 0; i < 10; i++) yield Buffer.alloc(1000, i);
    yield 'tail';
  }
  const expected = createHash('sha256');
  for (let i = 0; i < 10; i++) expected.update(Buffer.alloc(1000, i));
  expected.update('tail');
  assert.deepEqual(await digestOfStream(gen()), { digest: `sha256:${expected.digest('hex')}`, size: 10_004 });
});

test("shortId truncates like Docker's TruncateID; isShortId/isFullId recognise IDs", () => {
  assert.equal(shortId(`sha256:${H64}`), H64.slice(0, 12));
  assert.equal(shortId(H64), H64.slice(0, 12));
  assert.equal(shortId('abc'), 'abc');
  assert.equal(isShortId(H64.slice(0, 12)), true);
  assert.equal(isShortId(H64.slice(0, 11)), false);
  assert.equal(isShortId(H64.slice(0, 12).toUpperCase()), false);
  assert.equal(isFullId(H64), true);
  assert.equal(isFullId(`sha256:${H64}`), false);
});
