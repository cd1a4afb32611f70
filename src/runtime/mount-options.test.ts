import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  MS_NODEV,
  MS_NOEXEC,
  MS_NOSUID,
  MS_PRIVATE,
  MS_RDONLY,
  MS_REC,
  MS_SLAVE,
  parseMountOptions,
} from './mount-options.js';

test('splits mount options into flags, propagation and data', () => {
  const p = parseMountOptions(['nosuid', 'ro', 'rw', 'noexec', 'nodev', 'mode=755', 'size=64k', 'rslave', 'private']);
  assert.equal(p.flags, MS_NOSUID | MS_NOEXEC | MS_NODEV);
  assert.deepEqual(p.propagation, [MS_SLAVE | MS_REC, MS_PRIVATE]);
  assert.equal(p.data, 'mode=755,size=64k');
  assert.equal(parseMountOptions(['ro']).flags, MS_RDONLY);
});
