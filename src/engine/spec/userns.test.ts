import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostConfig } from '../../api/index.js';
import type { IdentityMapping } from '../../lib/idmap.js';
import type { Spec } from '../../runtime/spec.js';
import { checkUsernsSettings, containerIdMapping, hostOwner, withUserNamespace } from './userns.js';

const remap: IdentityMapping = {
  uidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }],
  gidMappings: [
    { containerID: 0, hostID: 200000, size: 1000 },
    { containerID: 1000, hostID: 300000, size: 64536 },
  ],
};

test('a container gets the daemon mapping unless --userns=host', () => {
  assert.equal(containerIdMapping({}, undefined), undefined);
  assert.equal(containerIdMapping({}, remap), remap);
  assert.equal(containerIdMapping({ UsernsMode: 'host' }, remap), undefined);
});

test("dockerd's refusals apply to remapped containers only", () => {
  const refused: [HostConfig, RegExp][] = [
    [{ Privileged: true }, /privileged mode is incompatible with user namespaces/],
    [{ NetworkMode: 'host' }, /cannot share the host's network namespace/],
    [{ PidMode: 'host' }, /cannot share the host PID namespace/],
  ];
  for (const [hc, msg] of refused) {
    assert.throws(() => checkUsernsSettings(hc, remap), msg);
    checkUsernsSettings({ ...hc, UsernsMode: 'host' }, remap);
    checkUsernsSettings(hc, undefined);
  }
  assert.throws(() => checkUsernsSettings({ UsernsMode: 'private' }, remap), /invalid USER mode: private/);
});

test('the spec gets one user namespace and copies of the mappings; owners map through the ranges', () => {
  const spec: Spec = { ociVersion: '1.0.2', linux: { namespaces: [{ type: 'pid' }, { type: 'user' }] } };
  withUserNamespace(spec, remap);
  assert.deepEqual(spec.linux?.namespaces, [{ type: 'pid' }, { type: 'user' }]);
  assert.deepEqual(spec.linux?.gidMappings, remap.gidMappings);
  assert.notEqual(spec.linux?.uidMappings, remap.uidMappings);
  assert.deepEqual(hostOwner(remap, { uid: 0, gid: 0 }), { uid: 100000, gid: 200000 });
  assert.deepEqual(hostOwner(remap, { uid: 1000, gid: 1005 }), { uid: 101000, gid: 300005 });
  assert.deepEqual(hostOwner(undefined, { uid: 7, gid: 8 }), { uid: 7, gid: 8 });
  assert.throws(() => hostOwner(remap, { uid: 70000, gid: 0 }), /Container ID 70000 cannot be mapped/);
});
