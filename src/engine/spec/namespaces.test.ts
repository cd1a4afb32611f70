import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HostConfig } from '../../api/index.js';
import { Conflict, InvalidParameter } from '../../errdefs/index.js';
import { checkNamespaceModes, type NamespaceDonor, resolveNamespaceJoins, specNamespaces } from './namespaces.js';

const known = (ref: string) => (ref === 'web' ? { id: 'a'.repeat(64) } : undefined);

describe('checkNamespaceModes (create)', () => {
  it("fills in dockerd's defaults: ipc private, cgroupns host on v1 and private on v2", () => {
    const v1: HostConfig = {};
    checkNamespaceModes({}, v1, 1, known);
    assert.equal(v1.IpcMode, 'private');
    assert.equal(v1.CgroupnsMode, 'host');
    const v2: HostConfig = { IpcMode: 'shareable' };
    checkNamespaceModes({}, v2, 2, known);
    assert.deepEqual([v2.IpcMode, v2.CgroupnsMode], ['shareable', 'private']);
  });

  it("refuses unknown modes with Docker's messages", () => {
    assert.throws(() => checkNamespaceModes({}, { IpcMode: 'bogus' }, 2, known), {
      name: InvalidParameter.name,
      message: 'Invalid IPC mode: bogus',
    });
    assert.throws(() => checkNamespaceModes({}, { CgroupnsMode: 'x' }, 2, known), {
      message: 'invalid cgroup namespace mode: x',
    });
    assert.throws(() => checkNamespaceModes({}, { PidMode: 'x' }, 2, known), { message: 'invalid PID mode: x' });
    assert.throws(() => checkNamespaceModes({}, { UTSMode: 'x' }, 2, known), { message: 'invalid UTS mode: x' });
  });

  it('refuses a hostname with --uts=host', () => {
    assert.throws(() => checkNamespaceModes({ Hostname: 'h' }, { UTSMode: 'host' }, 2, known), {
      message: 'conflicting options: hostname and the UTS mode',
    });
  });

  it('names in container: modes must exist', () => {
    checkNamespaceModes({}, { IpcMode: 'container:web', PidMode: 'container:web' }, 2, known);
    assert.throws(() => checkNamespaceModes({}, { IpcMode: 'container:nope' }, 2, known), {
      name: InvalidParameter.name,
      message: 'No such container: nope',
    });
    assert.throws(() => checkNamespaceModes({}, { PidMode: 'container:nope' }, 2, known), {
      message: 'No such container: nope',
    });
  });
});

describe('resolveNamespaceJoins (start)', () => {
  const id = 'b'.repeat(64);
  const donor = (d: Partial<NamespaceDonor>) => (): NamespaceDonor => ({ id, running: true, pid: 42, ...d });

  it('a shareable donor: its ipc namespace and its /dev/shm', () => {
    const j = resolveNamespaceJoins({ IpcMode: 'container:x' }, donor({ shmPath: '/d/shm' }), undefined);
    assert.deepEqual(j, { ipc: '/proc/42/ns/ipc', shm: { path: '/d/shm' } });
  });

  it("Docker's errors: a donor that does not run, or is not shareable", () => {
    assert.throws(() => resolveNamespaceJoins({ IpcMode: 'container:x' }, donor({ running: false }), undefined), {
      name: Conflict.name,
      message: `can't join IPC of container ${id}: container ${id} is not running`,
    });
    assert.throws(() => resolveNamespaceJoins({ IpcMode: 'container:x' }, donor({}), undefined), {
      message: `can't join IPC of container ${id}: non-shareable IPC (hint: use IpcMode:shareable for the donor container)`,
    });
    assert.throws(() => resolveNamespaceJoins({ PidMode: 'container:x' }, donor({ running: false }), undefined), {
      message: `container ${id} is not running`,
    });
  });

  it('/dev/shm: none, the host one, a shareable one', () => {
    const none = () => assert.fail('no donor');
    assert.equal(resolveNamespaceJoins({ IpcMode: 'none' }, none, undefined).shm, 'none');
    assert.deepEqual(resolveNamespaceJoins({ IpcMode: 'host' }, none, undefined).shm, { path: '/dev/shm' });
    assert.deepEqual(resolveNamespaceJoins({ IpcMode: 'shareable' }, none, '/s').shm, { path: '/s' });
    assert.equal(resolveNamespaceJoins({ IpcMode: 'private' }, none, undefined).shm, 'own');
  });
});

describe('specNamespaces', () => {
  it('host modes leave the namespace out; container: modes join by path', () => {
    const hc: HostConfig = { IpcMode: 'host', PidMode: 'container:x', UTSMode: 'host', CgroupnsMode: 'host' };
    assert.deepEqual(specNamespaces(hc, 'new', 2, { pid: '/proc/7/ns/pid' }), [
      { type: 'pid', path: '/proc/7/ns/pid' },
      { type: 'mount' },
      { type: 'network' },
    ]);
    assert.deepEqual(specNamespaces({ IpcMode: 'container:x', PidMode: 'host' }, 'host', 1, { ipc: '/p' }), [
      { type: 'ipc', path: '/p' },
      { type: 'uts' },
      { type: 'mount' },
    ]);
  });

  it('cgroupns private on v1 too when asked', () => {
    assert.ok(specNamespaces({ CgroupnsMode: 'private' }, 'new', 1).some((n) => n.type === 'cgroup'));
  });
});
