import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { test } from 'node:test';
import { StreamError } from './errors.js';
import { collectProgress, decodeJsonStream, jsonStream } from './jsonstream.js';

async function decode(chunks: (string | Buffer)[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const v of decodeJsonStream(Readable.from(chunks))) out.push(v);
  return out;
}

test('values split anywhere (inside strings with braces, quotes and escapes) decode whole', async () => {
  const values = [{ a: 'x}{"\\' }, { b: [1, { c: '"]' }] }, [2, 3], { d: 'é€😀' }];
  const text = Buffer.from(values.map((v) => JSON.stringify(v)).join('\r\n') + '\n');
  for (let cut = 1; cut < text.length; cut++) {
    assert.deepEqual(await decode([text.subarray(0, cut), text.subarray(cut)]), values, `cut at ${cut}`);
  }
});

test('several values in one chunk, without separators, decode in order', async () => {
  assert.deepEqual(await decode(['{"a":1}{"b":2} {"c":3}']), [{ a: 1 }, { b: 2 }, { c: 3 }]);
});

test('a stream ending inside a value is an error', async () => {
  await assert.rejects(decode(['{"a":1}{"b":']), /unexpected EOF/);
});

test('collectProgress returns the entries and rejects with an errorDetail message', async () => {
  const ok = await collectProgress(Readable.from(['{"status":"a"}\n{"status":"sha256:abc"}\n']));
  assert.deepEqual(ok, [{ status: 'a' }, { status: 'sha256:abc' }]);
  const seen: unknown[] = [];
  const err = await collectProgress(
    Readable.from(['{"status":"a"}\n{"errorDetail":{"message":"archive/tar: invalid tar header"},"error":"x"}\n']),
    (m) => seen.push(m),
  ).catch((e: unknown) => e);
  assert.ok(err instanceof StreamError);
  assert.equal(err.message, 'archive/tar: invalid tar header');
  assert.deepEqual(seen, [{ status: 'a' }]);
  await assert.rejects(collectProgress(Readable.from(['{"error":"old style"}'])), /old style/);
});

test('jsonStream.close() ends an open stream without error', async () => {
  const body = new PassThrough();
  const stream = jsonStream<{ n: number }>(body);
  body.write('{"n":1}\n');
  const got: number[] = [];
  for await (const v of stream) {
    got.push(v.n);
    stream.close();
  }
  assert.deepEqual(got, [1]);
  assert.equal(body.destroyed, true);
});
