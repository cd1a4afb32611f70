import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HostConfig } from '../../api/index.js';
import { InvalidParameter } from '../../errdefs/index.js';
import { resolveMounts } from './mounts.js';

const VOLUMES = { volumePath: (n: string) => `/v/${n}/_data`, newVolumeName: () => 'anon' };

const refuses = (hc: HostConfig, message: string | RegExp) =>
  assert.throws(
    () => resolveMounts(hc),
    (e: unknown) =>
      e instanceof InvalidParameter && (typeof message === 'string' ? e.message === message : message.test(e.message)),
  );

describe('resolveMounts: Binds', () => {
  it('a bind is rbind, rw, rprivate by default, and its source is created if missing', () => {
    const r = resolveMounts({ Binds: ['/srv/data:/data'] });
    assert.deepEqual(r.oci, [
      { destination: '/data', type: 'bind', source: '/srv/data', options: ['rbind', 'rw', 'rprivate'] },
    ]);
    assert.deepEqual(r.points, [
      { Type: 'bind', Source: '/srv/data', Destination: '/data', Mode: '', RW: true, Propagation: 'rprivate' },
    ]);
    assert.deepEqual(r.createSources, ['/srv/data']);
  });

  it('ro and a propagation mode', () => {
    const r = resolveMounts({ Binds: ['/srv/cfg:/etc/app:ro,rshared'] });
    assert.deepEqual(r.oci[0]?.options, ['rbind', 'ro', 'rshared']);
    assert.equal(r.points[0]?.RW, false);
    assert.equal(r.points[0]?.Mode, 'ro,rshared');
    assert.equal(r.points[0]?.Propagation, 'rshared');
  });

  it('accepts the modes Docker accepts', () => {
    for (const mode of ['rw', 'z', 'Z', 'nocopy', 'slave', 'rslave', 'private', 'shared', 'rprivate']) {
      assert.equal(resolveMounts({ Binds: [`/a:/b:${mode}`] }).oci.length, 1, mode);
    }
  });

  it('refuses an unknown mode', () => {
    refuses({ Binds: ['/a:/b:rx'] }, 'invalid mode: rx');
  });

  it('a named volume is a volume mount of its directory, Mode "z" as dockerd sets it', () => {
    const r = resolveMounts({ Binds: ['myvol:/data:ro'] }, VOLUMES);
    assert.deepEqual(r.points, [
      {
        Type: 'volume',
        Name: 'myvol',
        Source: '/v/myvol/_data',
        Destination: '/data',
        Driver: 'local',
        Mode: 'ro',
        RW: false,
        Propagation: '',
      },
    ]);
    assert.deepEqual(r.volumes, [{ name: 'myvol', dest: '/data', anonymous: false, noCopy: false, readOnly: true }]);
    assert.equal(resolveMounts({ Binds: ['myvol:/data'] }, VOLUMES).points[0]?.Mode, 'z');
  });

  it('refuses a volume name with a slash or dots', () => {
    assert.throws(() => resolveMounts({ Binds: ['a/b:/data'] }, VOLUMES), /invalid characters for a local volume name/);
    assert.throws(() => resolveMounts({ Binds: ['..:/data'] }, VOLUMES), /invalid characters for a local volume name/);
  });

  it('refuses a relative destination', () => {
    refuses(
      { Binds: ['/a:data'] },
      `invalid volume specification: '/a:data': invalid mount config for type "bind": invalid mount path: 'data' mount path must be absolute`,
    );
  });

  it("refuses '/' as the destination", () => {
    refuses(
      { Binds: ['/a:/'] },
      `invalid volume specification: '/a:/': invalid mount config for type "bind": invalid specification: destination can't be '/'`,
    );
  });

  it('refuses a malformed spec', () => {
    refuses({ Binds: ['/only'] }, "invalid volume specification: '/only'");
    refuses({ Binds: ['/a:/b:ro:extra'] }, "invalid volume specification: '/a:/b:ro:extra'");
  });

  it('refuses two mounts on the same point, whatever their kind', () => {
    refuses({ Binds: ['/a:/data', '/b:/data/'] }, 'Duplicate mount point: /data');
    refuses({ Binds: ['/a:/data'], Tmpfs: { '/data': '' } }, 'Duplicate mount point: /data');
    refuses(
      { Binds: ['/a:/data'], Mounts: [{ Type: 'bind', Source: '/b', Target: '/data' }] },
      /Duplicate mount point/,
    );
  });
});

describe('resolveMounts: Mounts (--mount)', () => {
  it('type=bind: rprivate by default, read-only on request, no source creation', () => {
    const r = resolveMounts({
      Mounts: [
        { Type: 'bind', Source: '/srv/a', Target: '/a' },
        { Type: 'bind', Source: '/srv/b', Target: '/b', ReadOnly: true, BindOptions: { Propagation: 'rslave' } },
      ],
    });
    assert.deepEqual(r.oci, [
      { destination: '/a', type: 'bind', source: '/srv/a', options: ['rbind', 'rw', 'rprivate'] },
      { destination: '/b', type: 'bind', source: '/srv/b', options: ['rbind', 'ro', 'rslave'] },
    ]);
    assert.deepEqual(
      r.points.map((p) => [p.Type, p.RW, p.Propagation]),
      [
        ['bind', true, 'rprivate'],
        ['bind', false, 'rslave'],
      ],
    );
    assert.deepEqual(r.createSources, []);
  });

  it('type=tmpfs with size and mode', () => {
    const r = resolveMounts({
      Mounts: [{ Type: 'tmpfs', Target: '/scratch', TmpfsOptions: { SizeBytes: 65536, Mode: 0o1777 } }],
    });
    assert.deepEqual(r.oci, [
      {
        destination: '/scratch',
        type: 'tmpfs',
        source: 'tmpfs',
        options: ['nosuid', 'nodev', 'noexec', 'size=65536', 'mode=1777'],
      },
    ]);
    assert.deepEqual(r.points, [
      { Type: 'tmpfs', Source: '', Destination: '/scratch', Mode: '', RW: true, Propagation: '' },
    ]);
  });

  it('a read-only tmpfs', () => {
    const r = resolveMounts({ Mounts: [{ Type: 'tmpfs', Target: '/t', ReadOnly: true }] });
    assert.ok(r.oci[0]?.options?.includes('ro'));
    assert.equal(r.points[0]?.RW, false);
  });

  it('refuses unknown types', () => {
    refuses({ Mounts: [{ Type: 'nfs', Target: '/v' }] }, 'mount type unknown: "nfs"');
  });

  it('refuses relative targets and relative bind sources', () => {
    refuses(
      { Mounts: [{ Type: 'tmpfs', Target: 'rel' }] },
      `invalid mount config for type "tmpfs": invalid mount path: 'rel' mount path must be absolute`,
    );
    refuses(
      { Mounts: [{ Type: 'bind', Source: 'rel', Target: '/abs' }] },
      `invalid mount config for type "bind": invalid mount path: 'rel' mount path must be absolute`,
    );
  });
});

describe('resolveMounts: Tmpfs (--tmpfs)', () => {
  it('noexec, nosuid, nodev by default, then the given options', () => {
    const r = resolveMounts({ Tmpfs: { '/run': '', '/cache': 'rw,size=64m,mode=1777' } });
    assert.deepEqual(r.oci, [
      { destination: '/run', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'noexec'] },
      {
        destination: '/cache',
        type: 'tmpfs',
        source: 'tmpfs',
        options: ['nosuid', 'nodev', 'noexec', 'rw', 'size=64m', 'mode=1777'],
      },
    ]);
    assert.deepEqual(r.points, []);
  });

  it('exec, suid and dev lift the matching default', () => {
    const r = resolveMounts({ Tmpfs: { '/x': 'exec,suid,dev' } });
    assert.deepEqual(r.oci[0]?.options, []);
  });

  it('refuses a relative path', () => {
    refuses({ Tmpfs: { tmp: '' } }, 'invalid tmpfs mount path: tmp');
  });
});

describe('resolveMounts: volumes', () => {
  it('every VOLUME of the image not mounted otherwise gets an anonymous volume; parents first', () => {
    const r = resolveMounts(
      { Binds: ['/host:/data/sub'], Tmpfs: { '/run': '' } },
      { ...VOLUMES, configVolumes: ['/data', '/run', '/data/sub'] },
    );
    assert.deepEqual(
      r.oci.map((m) => m.destination),
      ['/run', '/data', '/data/sub'],
    );
    assert.deepEqual(r.volumes, [{ name: 'anon', dest: '/data', anonymous: true, noCopy: false, readOnly: false }]);
  });

  it('--mount type=volume: named, anonymous, nocopy, labels and options for the create', () => {
    const r = resolveMounts(
      {
        Mounts: [
          { Type: 'volume', Source: 'v1', Target: '/a', VolumeOptions: { NoCopy: true, Labels: { x: 'y' } } },
          { Type: 'volume', Target: '/b', ReadOnly: true },
        ],
      },
      VOLUMES,
    );
    assert.deepEqual(r.volumes, [
      { name: 'v1', dest: '/a', anonymous: false, noCopy: true, readOnly: false, labels: { x: 'y' } },
      { name: 'anon', dest: '/b', anonymous: true, noCopy: false, readOnly: true },
    ]);
    assert.equal(r.points[1]?.RW, false);
  });

  it('--mount type=bind needs an existing source (checked at create), -v creates it', () => {
    const r = resolveMounts({ Mounts: [{ Type: 'bind', Source: '/nope', Target: '/x' }], Binds: ['/mk:/y'] });
    assert.deepEqual(r.mustExist, ['/nope']);
    assert.deepEqual(r.createSources, ['/mk']);
  });

  it("--volumes-from copies the other container's binds and volumes, :ro makes them read-only, explicit mounts win", () => {
    const other = {
      points: [
        {
          Type: 'volume',
          Name: 'v',
          Source: '/v/v/_data',
          Destination: '/d',
          Driver: 'local',
          Mode: 'z',
          RW: true,
          Propagation: '',
        },
        { Type: 'bind', Source: '/h', Destination: '/e', Mode: '', RW: true, Propagation: 'rprivate' },
      ],
      volumes: [{ name: 'v', dest: '/d', anonymous: false, noCopy: false, readOnly: false }],
    };
    const r = resolveMounts({ VolumesFrom: ['c1:ro'], Binds: ['/other:/e'] }, { ...VOLUMES, mountsOf: () => other });
    assert.equal(r.points.length, 2);
    assert.equal(r.points.find((p) => p.Destination === '/d')?.RW, false);
    assert.equal(r.points.find((p) => p.Destination === '/e')?.Source, '/other');
    assert.deepEqual(r.volumes, [{ name: 'v', dest: '/d', anonymous: false, noCopy: true, readOnly: true }]);
    assert.throws(
      () => resolveMounts({ VolumesFrom: ['c1:xx'] }, { ...VOLUMES, mountsOf: () => other }),
      /invalid mode: xx/,
    );
  });
});
