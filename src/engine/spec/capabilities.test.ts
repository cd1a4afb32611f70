import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidParameter } from '../../errdefs/index.js';
import { CAPABILITY_NAMES } from '../../runtime/capabilities.js';
import { DOCKER_DEFAULT_CAPS, containerCapabilities } from './capabilities.js';

describe('containerCapabilities (moby oci/caps TweakCapabilities)', () => {
  it("gives Docker's 14 default capabilities", () => {
    assert.deepEqual(containerCapabilities([], [], false), [
      'CAP_CHOWN',
      'CAP_DAC_OVERRIDE',
      'CAP_FSETID',
      'CAP_FOWNER',
      'CAP_MKNOD',
      'CAP_NET_RAW',
      'CAP_SETGID',
      'CAP_SETUID',
      'CAP_SETFCAP',
      'CAP_SETPCAP',
      'CAP_NET_BIND_SERVICE',
      'CAP_SYS_CHROOT',
      'CAP_KILL',
      'CAP_AUDIT_WRITE',
    ]);
  });

  it('adds a capability written with or without CAP_, in any case', () => {
    for (const name of ['NET_ADMIN', 'CAP_NET_ADMIN', 'net_admin', 'cap_net_admin', 'Net_Admin']) {
      const caps = containerCapabilities([name], [], false);
      assert.ok(caps.includes('CAP_NET_ADMIN'), name);
      assert.equal(caps.length, DOCKER_DEFAULT_CAPS.length + 1, name);
    }
  });

  it('drops a capability written with or without CAP_, in any case', () => {
    for (const name of ['CHOWN', 'CAP_CHOWN', 'chown']) {
      const caps = containerCapabilities([], [name], false);
      assert.ok(!caps.includes('CAP_CHOWN'), name);
      assert.equal(caps.length, DOCKER_DEFAULT_CAPS.length - 1, name);
    }
  });

  it('adding a default capability does not list it twice', () => {
    assert.deepEqual(containerCapabilities(['KILL'], [], false), DOCKER_DEFAULT_CAPS);
  });

  it('drop ALL keeps only what is added', () => {
    assert.deepEqual(containerCapabilities(['NET_BIND_SERVICE'], ['ALL'], false), ['CAP_NET_BIND_SERVICE']);
    assert.deepEqual(containerCapabilities([], ['all'], false), []);
  });

  it('add ALL gives every capability but the dropped ones', () => {
    const caps = containerCapabilities(['ALL'], ['MKNOD'], false);
    assert.deepEqual(
      caps,
      CAPABILITY_NAMES.filter((c) => c !== 'CAP_MKNOD'),
    );
  });

  it('add ALL with drop ALL gives every capability (add ALL wins, as moby)', () => {
    assert.deepEqual(containerCapabilities(['ALL'], ['ALL'], false), [...CAPABILITY_NAMES]);
  });

  it('privileged gives every capability whatever is added or dropped', () => {
    assert.deepEqual(containerCapabilities([], ['ALL'], true), [...CAPABILITY_NAMES]);
  });

  it("refuses an unknown capability with Docker's message", () => {
    assert.throws(
      () => containerCapabilities(['BOGUS'], [], false),
      (e: unknown) => e instanceof InvalidParameter && e.message === 'invalid CapAdd: unknown capability: "CAP_BOGUS"',
    );
    assert.throws(
      () => containerCapabilities([], ['cap_bogus'], false),
      (e: unknown) => e instanceof InvalidParameter && e.message === 'invalid CapDrop: unknown capability: "CAP_BOGUS"',
    );
  });
});
