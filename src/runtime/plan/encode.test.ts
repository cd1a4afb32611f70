import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodePlan } from './encode.js';
import { Opcode } from './ops.js';

test('encodes ops as length-prefixed opcode, argc and arguments', () => {
  const buf = encodePlan([{ op: 'hostname', name: 'box' }, { op: 'pivotRoot' }, { op: 'clone', flags: 1n << 40n }]);
  let off = 0;
  const u32 = () => {
    const v = buf.readUInt32LE(off);
    off += 4;
    return v;
  };
  assert.equal(u32(), buf.length - 4);
  assert.equal(u32(), Opcode.Hostname);
  assert.equal(u32(), 1);
  assert.equal(u32(), 3);
  assert.equal(buf.subarray(off, off + 3).toString(), 'box');
  off += 3;
  assert.equal(u32(), Opcode.PivotRoot);
  assert.equal(u32(), 0);
  assert.equal(u32(), Opcode.Clone);
  assert.equal(u32(), 1);
  const len = u32();
  assert.equal(buf.subarray(off, off + len).toString(), String(1n << 40n));
});
