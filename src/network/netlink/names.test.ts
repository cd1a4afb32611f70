import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isInvalidParameter } from '../../errdefs/index.js';
import { macFromIPv4, vethName } from './index.js';

test('vethName is deterministic, veth + 7 hex characters, and differs per container and per network', () => {
  const c = 'a'.repeat(64);
  const n = 'b'.repeat(64);
  const name = vethName(c, n);
  assert.match(name, /^veth[0-9a-f]{7}$/);
  assert.ok(name.length <= 15);
  assert.equal(vethName(c, n), name);
  assert.notEqual(vethName(c, 'c'.repeat(64)), name);
  assert.notEqual(vethName('d'.repeat(64), n), name);
  // The ids are not simply concatenated: ("ab","c") and ("a","bc") are different endpoints.
  assert.notEqual(vethName('ab', 'c'), vethName('a', 'bc'));
});

test("macFromIPv4 gives docker's 02:42 MAC", () => {
  assert.equal(macFromIPv4('172.17.0.2'), '02:42:ac:11:00:02');
  assert.equal(macFromIPv4('10.255.0.1'), '02:42:0a:ff:00:01');
  assert.equal(macFromIPv4('0.0.0.0'), '02:42:00:00:00:00');
  for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.0.0.1', 'a.b.c.d', 'fd00::1', '1.2.3.-4', '1.2.3.4 ']) {
    assert.throws(() => macFromIPv4(bad), isInvalidParameter, bad);
  }
});
