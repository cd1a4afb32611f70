import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidParameter } from '../../errdefs/index.js';
import { validateSysctls } from './sysctls.js';

const check = (Sysctls: Record<string, string>, more: object = {}, net: 'own' | 'host' | 'shared' = 'own') =>
  validateSysctls({ Sysctls, ...more }, net);

describe("validateSysctls (runc's namespaced-only rule)", () => {
  it('takes the namespaced ones', () => {
    check({
      'kernel.shmmax': '1',
      'kernel.shm_rmid_forced': '1',
      'fs.mqueue.msg_max': '20',
      'net.ipv4.ip_forward': '1',
      'kernel.domainname': 'x',
    });
    check({ 'net.core.somaxconn': '1' }, {}, 'shared');
  });

  it("refuses what would reach the host, with runc's messages", () => {
    assert.throws(() => check({ 'kernel.shmmax': '1' }, { IpcMode: 'host' }), {
      name: InvalidParameter.name,
      message: 'sysctl "kernel.shmmax" is not allowed in the hosts ipc namespace',
    });
    assert.throws(() => check({ 'fs.mqueue.msg_max': '1' }, { IpcMode: 'host' }), /hosts ipc namespace/);
    assert.throws(() => check({ 'net.ipv4.ip_forward': '1' }, {}, 'host'), {
      message: 'sysctl "net.ipv4.ip_forward" not allowed in host network namespace',
    });
    assert.throws(() => check({ 'kernel.domainname': 'x' }, { UTSMode: 'host' }), {
      message: 'sysctl "kernel.domainname" is not in a separate kernel namespace',
    });
    assert.throws(() => check({ 'kernel.hostname': 'x' }), {
      message: 'sysctl "kernel.hostname" is not allowed as it conflicts with the OCI "hostname" field',
    });
    assert.throws(() => check({ 'vm.swappiness': '1' }), {
      message: 'sysctl "vm.swappiness" is not in a separate kernel namespace',
    });
  });
});
