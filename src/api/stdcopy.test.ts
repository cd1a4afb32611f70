import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isInvalidParameter } from '../errdefs/index.js';
import { demux, encodeFrame, frameHeader, type StdStreamId } from './stdcopy.js';

test('a frame is [stream, 0, 0, 0, length u32 BE] and the payload', () => {
  assert.deepEqual(frameHeader(1, 5), Buffer.from([1, 0, 0, 0, 0, 0, 0, 5]));
  assert.deepEqual(frameHeader(2, 0x01020304), Buffer.from([2, 0, 0, 0, 1, 2, 3, 4]));
  assert.deepEqual(encodeFrame(2, 'hé'), Buffer.from([2, 0, 0, 0, 0, 0, 0, 3, 0x68, 0xc3, 0xa9]));
  assert.deepEqual(encodeFrame(1, Buffer.alloc(0)), Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]));
  assert.throws(() => frameHeader(1, -1), RangeError);
  assert.throws(() => frameHeader(1, 2 ** 32), RangeError);
});

test('demux gives back the frames however the bytes are split', () => {
  const frames: [StdStreamId, Buffer][] = [
    [1, Buffer.from('hello\n')],
    [2, Buffer.from('oops\n')],
    [1, Buffer.alloc(0)],
    [1, Buffer.alloc(70_000, 7)],
    [3, Buffer.from('daemon trouble')],
    [0, Buffer.from('in')],
  ];
  const wire = Buffer.concat(frames.map(([s, p]) => encodeFrame(s, p)));
  for (const size of [1, 3, 8, 9, 1000, wire.length]) {
    const got: [StdStreamId, Buffer][] = [];
    const d = demux((s, p) => got.push([s, Buffer.from(p)]));
    for (let at = 0; at < wire.length; at += size) d.push(wire.subarray(at, at + size));
    assert.deepEqual(got, frames, `chunks of ${size}`);
    assert.equal(d.pending, 0);
  }
});

test('demux keeps an unfinished frame even when the caller reuses its buffer', () => {
  const got: string[] = [];
  const d = demux((_, p) => got.push(p.toString()));
  const wire = encodeFrame(1, 'abcdef');
  const reused = Buffer.alloc(4);
  for (let at = 0; at < wire.length; at += 4) {
    reused.fill(0);
    const n = wire.copy(reused, 0, at, at + 4);
    d.push(reused.subarray(0, n));
  }
  assert.deepEqual(got, ['abcdef']);
  d.push(frameHeader(2, 10));
  d.push(Buffer.from('abc'));
  assert.equal(d.pending, 11, 'a cut frame stays pending');
});

test('demux rejects an unknown stream, as moby does', () => {
  const d = demux(() => {});
  const bad = Buffer.from([9, 0, 0, 0, 0, 0, 0, 1, 0x41]);
  assert.throws(
    () => d.push(bad),
    (e: unknown) => isInvalidParameter(e) && e.message === 'Unrecognized input header: 9',
  );
  assert.throws(() => d.push(encodeFrame(1, 'x')), isInvalidParameter);
});
