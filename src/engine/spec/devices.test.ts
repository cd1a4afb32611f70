// --device, --device-cgroup-rule and --privileged's devices, against the host's real /dev and nodes made in a
// temporary directory.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isInvalidParameter } from '../../errdefs/index.js';
import { makedev, mknod, S_IFBLK, S_IFCHR } from '../../sys/ffi-libc.js';
import { containerDevices, devicesFromPath, hostDevices, parseDeviceCgroupRule, validDeviceMode } from './devices.js';
import { buildSpec } from './oci.js';

const root = process.getuid?.() === 0;

describe('device cgroup rules (--device-cgroup-rule)', () => {
  it('parses moby’s format into allow rules, * as -1', () => {
    assert.deepEqual(parseDeviceCgroupRule('c 1:3 rwm'), { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' });
    assert.deepEqual(parseDeviceCgroupRule('a *:* rwm'), {
      allow: true,
      type: 'a',
      major: -1,
      minor: -1,
      access: 'rwm',
    });
    assert.deepEqual(parseDeviceCgroupRule('b 8:* r'), { allow: true, type: 'b', major: 8, minor: -1, access: 'r' });
  });

  it('refuses anything else with Docker’s message', () => {
    for (const bad of [
      '',
      'c 1:1  rwm',
      'c  1:1 rwm',
      ' c 1:1 rwm',
      'x 1:1 rwm',
      'c 1:1 rwx',
      'c 1 rwm',
      'c 1:1 rwmr',
    ]) {
      assert.throws(
        () => parseDeviceCgroupRule(bad),
        (e: unknown) => isInvalidParameter(e) && e.message === `invalid device cgroup rule format: '${bad}'`,
      );
    }
  });

  it('device modes are r, w and m, each at most once', () => {
    for (const ok of ['r', 'rw', 'rwm', 'mwr', 'm']) assert.ok(validDeviceMode(ok), ok);
    for (const bad of ['', 'rr', 'xyz', 'rwmx', 'R']) assert.ok(!validDeviceMode(bad), bad);
  });
});

describe('device mappings (--device)', () => {
  it('stats the host node: type, numbers, mode and owner, at the container path, with the given access', async () => {
    const { devices, rules } = await devicesFromPath('/dev/null', '/dev/mynull', 'r');
    assert.deepEqual(devices, [
      { path: '/dev/mynull', type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 },
    ]);
    assert.deepEqual(rules, [{ allow: true, type: 'c', major: 1, minor: 3, access: 'r' }]);
  });

  it('a missing path or a plain file is Docker’s "error gathering device information"', async () => {
    await assert.rejects(
      devicesFromPath('/dev/nope', '/dev/nope', 'rwm'),
      (e: unknown) =>
        isInvalidParameter(e) &&
        e.message ===
          'error gathering device information while adding custom device "/dev/nope": no such file or directory',
    );
    await assert.rejects(devicesFromPath('/etc/hostname', '/dev/x', 'rwm'), /not a device node/);
  });

  it('an invalid mode is refused before anything is looked up', async () => {
    await assert.rejects(
      containerDevices({
        Devices: [{ PathOnHost: '/dev/nope', PathInContainer: '/dev/nope', CgroupPermissions: 'xyz' }],
      }),
      (e: unknown) => isInvalidParameter(e) && e.message === 'invalid device mode: xyz',
    );
  });

  it('a directory maps every device below it (symlinks are not devices); a symlink to a node is followed', {
    skip: root ? undefined : 'needs root (mknod)',
  }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-devs-'));
    try {
      await mkdir(join(dir, 'sub'));
      await mknod(join(dir, 'a'), S_IFCHR | 0o640, makedev(1, 3));
      await mknod(join(dir, 'sub', 'b'), S_IFBLK | 0o600, makedev(7, 250));
      await symlink('a', join(dir, 'link'));
      const { devices, rules } = await devicesFromPath(dir, '/dev/mine', 'rw');
      assert.deepEqual(
        devices.map((d) => [d.path, d.type, d.major, d.minor, d.fileMode]),
        [
          ['/dev/mine/a', 'c', 1, 3, 0o640],
          ['/dev/mine/sub/b', 'b', 7, 250, 0o600],
        ],
      );
      assert.deepEqual(
        rules.map((r) => [r.type, r.major, r.minor, r.access]),
        [
          ['c', 1, 3, 'rw'],
          ['b', 7, 250, 'rw'],
        ],
      );
      const viaLink = await devicesFromPath(join(dir, 'link'), '/dev/l', 'rwm');
      assert.deepEqual([viaLink.devices[0]?.path, viaLink.devices[0]?.minor], ['/dev/l', 3]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rules: each mapping’s, then each --device-cgroup-rule, in order', async () => {
    const d = await containerDevices({
      Devices: [{ PathOnHost: '/dev/zero', PathInContainer: '/dev/z', CgroupPermissions: 'rw' }],
      DeviceCgroupRules: ['b 8:* r', 'c 10:229 rwm'],
    });
    assert.deepEqual(
      d.devices.map((x) => x.path),
      ['/dev/z'],
    );
    assert.deepEqual(
      d.rules.map((r) => `${r.type} ${r.major}:${r.minor} ${r.access}`),
      ['c 1:5 rw', 'b 8:-1 r', 'c 10:229 rwm'],
    );
  });
});

describe('privileged devices', () => {
  it('every host char/block device, none from /dev/pts or /dev/shm, no symlinks, no console or ptmx', async () => {
    const host = await hostDevices();
    const paths = host.map((d) => d.path);
    assert.ok(paths.includes('/dev/null'));
    assert.ok(!paths.some((p) => p.startsWith('/dev/pts/') || p.startsWith('/dev/shm/')));
    assert.ok(!paths.includes('/dev/console') && !paths.includes('/dev/fd') && !paths.includes('/dev/stdin'));
    const priv = await containerDevices({
      Privileged: true,
      DeviceCgroupRules: ['c 1:3 r'], // ignored, as by moby: the cgroup allows all
      Devices: [{ PathOnHost: '/dev/null', PathInContainer: '/dev/mynull', CgroupPermissions: 'r' }],
    });
    assert.deepEqual(priv.rules, []);
    assert.ok(!priv.devices.some((d) => d.path === '/dev/ptmx'));
    assert.deepEqual(priv.devices.at(-1), {
      path: '/dev/mynull',
      type: 'c',
      major: 1,
      minor: 3,
      fileMode: 0o666,
      uid: 0,
      gid: 0,
    });
  });
});

describe('the OCI spec', () => {
  const base = {
    id: 'c1',
    config: {},
    args: ['true'],
    rootfs: '/r',
    user: { uid: 0, gid: 0, additionalGids: [], home: '/root' },
    mounts: [],
    network: 'new' as const,
    cgroupsPath: '/berth/c1',
    cgroupVersion: 1 as const,
  };

  it('lists the devices and appends their rules after the default deny-all', async () => {
    const hostConfig = {
      Devices: [{ PathOnHost: '/dev/null', PathInContainer: '/dev/mynull', CgroupPermissions: 'rwm' }],
      DeviceCgroupRules: ['c 10:229 r'],
    };
    const spec = buildSpec({ ...base, hostConfig, devices: await containerDevices(hostConfig) });
    assert.deepEqual(
      spec.linux?.devices?.map((d) => d.path),
      ['/dev/mynull'],
    );
    assert.deepEqual(spec.linux?.resources?.devices, [
      { allow: false, access: 'rwm' },
      { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
      { allow: true, type: 'c', major: 10, minor: 229, access: 'r' },
    ]);
  });
});
