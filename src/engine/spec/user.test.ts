import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InvalidParameter } from '../../errdefs/index.js';
import { resolveUser } from './user.js';

const PASSWD = `root:x:0:0:root:/root:/bin/sh
# a comment
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
app:x:1000:1000:App User:/home/app:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
`;

const GROUP = `root:x:0:
wheel:x:10:app,root
nogroup:x:65534:
app:x:1000:
docker:x:999:other,app
audio:x:29:other
`;

const rejects = (p: Promise<unknown>, message: string) =>
  assert.rejects(p, (e: unknown) => e instanceof InvalidParameter && e.message === message);

describe('resolveUser (runc GetExecUser, as moby uses it)', () => {
  let rootfs: string;
  let empty: string;

  before(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-user-'));
    rootfs = join(dir, 'rootfs');
    empty = join(dir, 'empty');
    await mkdir(join(rootfs, 'etc'), { recursive: true });
    await mkdir(empty);
    await writeFile(join(rootfs, 'etc/passwd'), PASSWD);
    await writeFile(join(rootfs, 'etc/group'), GROUP);
  });

  after(async () => {
    await rm(join(rootfs, '..'), { recursive: true, force: true });
  });

  it('"" is root, with the groups that list root', async () => {
    assert.deepEqual(await resolveUser(rootfs, ''), { uid: 0, gid: 0, additionalGids: [0, 10], home: '/root' });
  });

  it('a uid in /etc/passwd takes its primary group, home and supplementary groups', async () => {
    assert.deepEqual(await resolveUser(rootfs, '1000'), {
      uid: 1000,
      gid: 1000,
      additionalGids: [1000, 10, 999],
      home: '/home/app',
    });
  });

  it('a user name', async () => {
    assert.deepEqual(await resolveUser(rootfs, 'nobody'), {
      uid: 65534,
      gid: 65534,
      additionalGids: [65534],
      home: '/nonexistent',
    });
    assert.deepEqual((await resolveUser(rootfs, 'app')).additionalGids, [1000, 10, 999]);
  });

  it('a uid not in /etc/passwd runs with gid 0 and home /', async () => {
    assert.deepEqual(await resolveUser(rootfs, '4242'), { uid: 4242, gid: 0, additionalGids: [0], home: '/' });
  });

  it('uid:gid sets the group and no supplementary groups', async () => {
    assert.deepEqual(await resolveUser(rootfs, '1000:1000'), {
      uid: 1000,
      gid: 1000,
      additionalGids: [1000],
      home: '/home/app',
    });
    assert.deepEqual(await resolveUser(rootfs, '1000:5555'), {
      uid: 1000,
      gid: 5555,
      additionalGids: [5555],
      home: '/home/app',
    });
  });

  it('name:group', async () => {
    assert.deepEqual(await resolveUser(rootfs, 'nobody:nogroup'), {
      uid: 65534,
      gid: 65534,
      additionalGids: [65534],
      home: '/nonexistent',
    });
    assert.equal((await resolveUser(rootfs, 'app:docker')).gid, 999);
  });

  it('refuses an unknown user name', async () => {
    await rejects(resolveUser(rootfs, 'ghost'), 'unable to find user ghost: no matching entries in passwd file');
  });

  it('refuses an unknown group name', async () => {
    await rejects(resolveUser(rootfs, 'app:ghosts'), 'unable to find group ghosts: no matching entries in group file');
  });

  it('GroupAdd adds groups by name or number', async () => {
    assert.deepEqual((await resolveUser(rootfs, 'nobody', ['docker', '4242'])).additionalGids, [65534, 999, 4242]);
    // A group the user already has is not repeated.
    assert.deepEqual((await resolveUser(rootfs, 'app', ['wheel'])).additionalGids, [1000, 10, 999]);
  });

  it('refuses an unknown GroupAdd name', async () => {
    await rejects(
      resolveUser(rootfs, 'nobody', ['nope']),
      'Unable to find group nope: no matching entries in group file',
    );
  });

  it('without /etc/passwd and /etc/group, numeric ids still work and names do not', async () => {
    assert.deepEqual(await resolveUser(empty, '1000:1000'), {
      uid: 1000,
      gid: 1000,
      additionalGids: [1000],
      home: '/',
    });
    assert.deepEqual(await resolveUser(empty, ''), { uid: 0, gid: 0, additionalGids: [0], home: '/' });
    await rejects(resolveUser(empty, 'app'), 'unable to find user app: no matching entries in passwd file');
  });
});
