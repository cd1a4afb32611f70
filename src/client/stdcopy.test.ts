import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { demux, FrameDecoder, STDERR, STDIN, STDOUT, SYSTEMERR } from './stdcopy.js';

function frame(stream: number, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

async function collect(chunks: Buffer[]): Promise<{ out: string; err: string }> {
  let out = '';
  let err = '';
  await demux(
    Readable.from(chunks),
    (b) => {
      out += b.toString();
    },
    (b) => {
      err += b.toString();
    },
  );
  return { out, err };
}

test('demux separates stdout and stderr frames, with stdin payload going to stdout as moby does', async () => {
  const data = Buffer.concat([frame(STDOUT, 'out1\n'), frame(STDERR, 'err1\n'), frame(STDIN, 'in\n'), frame(1, 'x')]);
  assert.deepEqual(await collect([data]), { out: 'out1\nin\nx', err: 'err1\n' });
});

test('demux reassembles frames split at every possible offset, headers included', async () => {
  const data = Buffer.concat([
    frame(STDOUT, 'hello '),
    frame(STDERR, 'oops'),
    frame(STDOUT, ''),
    frame(STDOUT, 'world'),
  ]);
  for (let cut = 1; cut < data.length; cut++) {
    const got = await collect([data.subarray(0, cut), data.subarray(cut)]);
    assert.deepEqual(got, { out: 'hello world', err: 'oops' }, `cut at ${cut}`);
  }
  const bytes = [...data].map((b) => Buffer.from([b]));
  assert.deepEqual(await collect(bytes), { out: 'hello world', err: 'oops' });
});

test('demux rejects with the text of a system-error frame', async () => {
  await assert.rejects(collect([frame(STDOUT, 'a'), frame(SYSTEMERR, 'broken pipe')]), /broken pipe/);
});

test('demux rejects an unknown stream byte', async () => {
  await assert.rejects(collect([frame(7, 'a')]), /unrecognized stream: 7/);
});

test('a stream cut mid-frame ends quietly with what arrived', async () => {
  const data = frame(STDOUT, 'abcdef');
  assert.deepEqual(await collect([data.subarray(0, 11)]), { out: 'abc', err: '' });
});

test('FrameDecoder passes large payloads on as they arrive', () => {
  const d = new FrameDecoder();
  const data = frame(STDOUT, 'x'.repeat(100));
  assert.deepEqual(d.push(data.subarray(0, 8)), []);
  assert.equal(d.push(data.subarray(8, 58))[0]?.data.length, 50);
  assert.equal(d.atBoundary, false);
  assert.equal(d.push(data.subarray(58))[0]?.data.length, 50);
  assert.equal(d.atBoundary, true);
});
