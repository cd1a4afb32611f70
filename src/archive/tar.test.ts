import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeHeader, readTar, tarHeader } from './tar.js';

async function names(bytes: Buffer): Promise<string[]> {
  const out: string[] = [];
  async function* source() {
    yield bytes;
  }
  for await (const e of readTar(source())) {
    for await (const _ of e.body);
    out.push(e.header.name);
  }
  return out;
}

test("a stream that stops right after the last file's content ends the archive (Go's reader; docker build -f -)", async () => {
  const data = Buffer.from('FROM busybox\n');
  const bytes = Buffer.concat([encodeHeader(tarHeader({ name: 'Dockerfile', type: 'file', size: data.length })), data]);
  assert.deepEqual(await names(bytes), ['Dockerfile']);
  // Part of the padding, or of the content, missing is still a truncated archive.
  await assert.rejects(names(Buffer.concat([bytes, Buffer.alloc(10)])), /unexpected end of archive/);
  await assert.rejects(names(bytes.subarray(0, bytes.length - 1)), /unexpected end of archive/);
});
