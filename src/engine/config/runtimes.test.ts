import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRuntimes } from './runtimes.js';

test('--add-runtime name=path and daemon.json runtimes merge; berth stays the default', () => {
  const r = parseRuntimes(
    ['runc=/usr/sbin/runc'],
    { crun: { path: '/usr/bin/crun', runtimeArgs: ['--debug'] } },
    undefined,
  );
  assert.deepEqual(r.commands, {
    runc: { path: '/usr/sbin/runc', runtimeArgs: [] },
    crun: { path: '/usr/bin/crun', runtimeArgs: ['--debug'] },
  });
  assert.equal(r.defaultRuntime, 'berth');
});

test('default-runtime must name a configured runtime (or berth)', () => {
  assert.equal(parseRuntimes(['runc=/usr/sbin/runc'], undefined, 'runc').defaultRuntime, 'runc');
  assert.throws(() => parseRuntimes([], undefined, 'runc'), /specified default runtime 'runc' does not exist/);
});

test("berth's name is reserved; malformed values are refused", () => {
  assert.throws(() => parseRuntimes(['berth=/x'], undefined, undefined), /runtime name 'berth' is reserved/);
  assert.throws(() => parseRuntimes(['runc'], undefined, undefined), /invalid runtime argument: runc/);
  assert.throws(() => parseRuntimes([], { runc: {} }, undefined), /needs a "path"/);
});
