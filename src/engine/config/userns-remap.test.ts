import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { nextRangeStart, parseSubIdFile, setupRemappedRoot } from './userns-remap.js';

describe('userns-remap', () => {
  let etc: string;
  before(async () => {
    etc = await mkdtemp(join(tmpdir(), 'remap-'));
  });
  after(() => rm(etc, { recursive: true, force: true }));

  const files = async (f: { passwd?: string; group?: string; subuid?: string; subgid?: string }) => {
    for (const name of ['passwd', 'group', 'subuid', 'subgid'] as const) {
      await rm(join(etc, name), { force: true });
      const text = f[name];
      if (text !== undefined) await writeFile(join(etc, name), text, { mode: 0o644 });
    }
  };

  test('the first free range at or above 100000 skips overlapping ones', () => {
    assert.equal(nextRangeStart([]), 100000);
    assert.equal(nextRangeStart(parseSubIdFile('a:100000:65536\n')), 165536);
    assert.equal(nextRangeStart(parseSubIdFile('a:300000:10\nb:100000:65536\n')), 165536);
    assert.equal(nextRangeStart(parseSubIdFile('a:150000:100000\n')), 250000);
    assert.equal(nextRangeStart(parseSubIdFile('a:1000:10\n')), 100000);
  });

  test('"default" adds the berth user, then ranges after the ones listed', async () => {
    await files({ passwd: 'root:x:0:0::/root:/bin/sh\n', group: 'root:x:0:\n', subuid: 'alice:100000:65536' });
    const added: string[] = [];
    const r = await setupRemappedRoot('default', {
      etc,
      addUser: async (name) => {
        added.push(name);
        await writeFile(join(etc, 'passwd'), `root:x:0:0::/root:/bin/sh\n${name}:x:998:998::/:/bin/false\n`);
        await writeFile(join(etc, 'group'), `root:x:0:\n${name}:x:998:\n`);
      },
    });
    assert.deepEqual(added, ['berth']);
    assert.equal(r?.remappedRoot, 'berth:berth');
    assert.deepEqual(r?.mapping.uidMappings, [{ containerID: 0, hostID: 165536, size: 65536 }]);
    assert.deepEqual(r?.mapping.gidMappings, [{ containerID: 0, hostID: 100000, size: 65536 }]);
    assert.equal(await readFile(join(etc, 'subuid'), 'utf8'), 'alice:100000:65536\nberth:165536:65536\n');
    assert.equal(await readFile(join(etc, 'subgid'), 'utf8'), 'berth:100000:65536\n');
    assert.equal((await stat(join(etc, 'subuid'))).mode & 0o777, 0o644);
    // A second start finds the user and its ranges: nothing is added again.
    const again = await setupRemappedRoot('default', { etc, addUser: () => Promise.reject(new Error('no')) });
    assert.deepEqual(again, r);
  });

  test('user, user:group, uid and uid:gid read their ranges; several ranges lie end to end', async () => {
    await files({
      passwd: 'root:x:0:0::/root:/bin/sh\nbob:x:1000:1000::/home/bob:/bin/sh\n',
      group: 'root:x:0:\nbob:x:1000:\nstaff:x:50:\n',
      subuid: 'bob:200000:1000\n1000:500000:2000\n',
      subgid: 'bob:300000:65536\nstaff:400000:65536\n',
    });
    const bob = await setupRemappedRoot('bob', { etc });
    assert.deepEqual(bob?.mapping.uidMappings, [
      { containerID: 0, hostID: 200000, size: 1000 },
      { containerID: 1000, hostID: 500000, size: 2000 },
    ]);
    assert.deepEqual(bob?.mapping.gidMappings, [{ containerID: 0, hostID: 300000, size: 65536 }]);
    assert.equal((await setupRemappedRoot('bob:staff', { etc }))?.mapping.gidMappings[0]?.hostID, 400000);
    assert.equal((await setupRemappedRoot('1000', { etc }))?.remappedRoot, 'bob:bob');
    assert.equal((await setupRemappedRoot('1000:50', { etc }))?.remappedRoot, 'bob:staff');
  });

  test("dockerd's errors", async () => {
    await files({
      passwd: 'root:x:0:0::/root:/bin/sh\nbob:x:1000:1000::/:/bin/sh\n',
      group: 'root:x:0:\nbob:x:1000:\n',
    });
    await assert.rejects(setupRemappedRoot('a:b:c', { etc }), /Invalid user\/group specification in --userns-remap/);
    await assert.rejects(setupRemappedRoot('nobody2', { etc }), /Error during uid lookup for "nobody2"/);
    await assert.rejects(setupRemappedRoot('4242', { etc }), /Uid 4242 has no entry in \/etc\/passwd/);
    await assert.rejects(setupRemappedRoot('bob:nogroup2', { etc }), /Error during groupname lookup for "nogroup2"/);
    await assert.rejects(setupRemappedRoot('bob', { etc }), /no subuid ranges found for user "bob"/);
    await writeFile(join(etc, 'subuid'), 'bob:100000:65536\n');
    await assert.rejects(setupRemappedRoot('bob', { etc }), /no subgid ranges found for group "bob"/);
    const warned: string[] = [];
    assert.equal(await setupRemappedRoot('root', { etc, warn: (m) => warned.push(m) }), undefined);
    assert.match(warned[0] ?? '', /root cannot be remapped/);
  });
});
