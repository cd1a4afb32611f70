import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HostConfig } from '../../api/index.js';
import { InvalidParameter } from '../../errdefs/index.js';
import { resolveMounts } from './mounts.js';

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

  it('refuses a named volume, not supported yet', () => {
    refuses({ Binds: ['myvol:/data'] }, /not supported yet/);
    refuses({ Binds: ['./relative:/data'] }, /not supported yet/);
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

  it('refuses volume mounts (not supported yet) and unknown types', () => {
    refuses({ Mounts: [{ Type: 'volume', Source: 'v', Target: '/v' }] }, 'mount type "volume" is not supported yet');
    refuses({ Mounts: [{ Type: 'nfs', Target: '/v' }] }, 'mount type unknown: "nfs"');
  });

  it('refuses relative targets and relative bind sources', () => {
    refuses({ Mounts: [{ Type: 'tmpfs', Target: 'rel' }] }, 'invalid mount config: mount path must be absolute: rel');
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
