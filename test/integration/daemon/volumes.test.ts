// Volumes against a real sandboxed berthd: named volumes outlive their containers, binds (directory, file, :ro),
// --volumes-from, tmpfs (--tmpfs and tmpfs-type local volumes), copy-up from the image, the image's VOLUMEs as
// anonymous volumes that `rm -v` removes, `volume rm`/`prune` rules, references across restart and crash, `docker cp`
// through a volume, and the refusals (a bad name, a destination escaping the rootfs through a symlink).
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCommand } from '../../fixtures/berthd.js';
import { daemonSuite, inspect } from './helpers.js';

const s = await daemonSuite({
  // An image with a VOLUME over a directory of files owned by 1000:1000 (mode 0750), one with a setuid bit, one
  // with an xattr-free symlink: what copy-up must reproduce.
  setup: async (d) => {
    await d.docker(
      'run',
      '--name',
      'imgsrc',
      'busybox',
      'sh',
      '-c',
      'mkdir -p /data/sub && echo hello > /data/sub/f && echo top > /data/top && ln -s top /data/link && chown -R 1000:1000 /data && chmod 4755 /data/top && chmod 750 /data',
    );
    await d.docker('commit', '--change', 'VOLUME /data', 'imgsrc', 'voltest:1');
    await d.docker('rm', 'imgsrc');
  },
});
const T = { skip: s.skip, timeout: 60_000 };

let tmp: string | undefined;
after(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});
async function hostDir(): Promise<string> {
  tmp ??= await mkdtemp(join(tmpdir(), 'berth-volumes-it-'));
  return tmp;
}

const out = async (...args: string[]) => (await s.d.docker(...args)).stdout.trim();

test('a named volume outlives its container and is seen by the next; ls and inspect show it', T, async () => {
  await s.d.docker('run', '--rm', '-v', 'keep1:/d', 'busybox', 'sh', '-c', 'echo kept > /d/f');
  assert.equal(await out('run', '--rm', '-v', 'keep1:/d', 'busybox', 'cat', '/d/f'), 'kept');
  assert.match(await out('volume', 'ls'), /^DRIVER\s+VOLUME NAME\n(.*\n)*local\s+keep1$/m);
  const v = JSON.parse(await out('volume', 'inspect', 'keep1'))[0];
  assert.equal(v.Name, 'keep1');
  assert.equal(v.Driver, 'local');
  assert.equal(v.Scope, 'local');
  assert.match(v.Mountpoint, /\/volumes\/keep1\/_data$/);
  assert.match(v.CreatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  await s.d.docker('volume', 'rm', 'keep1');
  assert.equal((await s.d.dockerResult(['volume', 'inspect', 'keep1'])).code, 1);
});

test(
  'volume create with labels and --format; ls filters by name, label and dangling; ps --filter volume=',
  T,
  async () => {
    await s.d.docker('volume', 'create', '--label', 'team=a', 'lab1');
    await s.d.docker('volume', 'create', 'lab2');
    await s.d.docker('create', '--name', 'user2', '-v', 'lab2:/x', 'busybox');
    assert.equal(await out('volume', 'ls', '-q', '--filter', 'label=team=a'), 'lab1');
    assert.equal(await out('volume', 'ls', '-q', '--filter', 'name=lab', '--filter', 'dangling=true'), 'lab1');
    assert.equal(
      await out('volume', 'ls', '--format', '{{.Name}} {{.Labels}}', '--filter', 'name=lab1'),
      'lab1 team=a',
    );
    assert.equal(await out('ps', '-a', '--filter', 'volume=lab2', '--format', '{{.Names}}'), 'user2');
    assert.equal(await out('ps', '-a', '--filter', 'volume=/x', '--format', '{{.Names}}'), 'user2');
    assert.equal(await out('ps', '-a', '--filter', 'volume=lab1', '--format', '{{.Names}}'), '');
    await s.d.docker('rm', 'user2');
    await s.d.docker('volume', 'rm', 'lab1', 'lab2');
  },
);

test('bind mounts: a directory, a single file, :ro really read-only; --mount needs an existing source', T, async () => {
  const dir = await hostDir();
  await writeFile(join(dir, 'file.txt'), 'from host\n');
  const r = await s.d.dockerResult([
    'run',
    '--rm',
    '-v',
    `${dir}:/h`,
    '-v',
    `${dir}/file.txt:/etc/one.txt:ro`,
    'busybox',
    'sh',
    '-c',
    'echo w > /h/written && cat /etc/one.txt && echo x >> /etc/one.txt',
  ]);
  assert.equal(r.stdout, 'from host\n');
  assert.notEqual(r.code, 0, 'writing a :ro file bind fails');
  assert.match(r.stderr, /Read-only file system/);
  assert.equal(await readFile(join(dir, 'written'), 'utf8'), 'w\n');
  const ro = await s.d.dockerResult(['run', '--rm', '-v', `${dir}:/h:ro`, 'busybox', 'touch', '/h/nope']);
  assert.notEqual(ro.code, 0);
  const missing = await s.d.dockerResult([
    'run',
    '--rm',
    '--mount',
    `type=bind,source=${dir}/absent,target=/x`,
    'busybox',
    'true',
  ]);
  assert.equal(missing.code, 125);
  assert.match(missing.stderr, /bind source path does not exist/);
});

test('--volumes-from shares the other container\'s volumes (":ro" read-only)', T, async () => {
  await s.d.docker('create', '--name', 'owner', '-v', 'sharedv:/s', '-v', '/anon', 'busybox');
  await s.d.docker(
    'run',
    '--rm',
    '--volumes-from',
    'owner',
    'busybox',
    'sh',
    '-c',
    'echo 1 > /s/a && echo 2 > /anon/b',
  );
  assert.equal(await out('run', '--rm', '--volumes-from', 'owner', 'busybox', 'cat', '/s/a', '/anon/b'), '1\n2');
  const ro = await s.d.dockerResult(['run', '--rm', '--volumes-from', 'owner:ro', 'busybox', 'touch', '/s/c']);
  assert.notEqual(ro.code, 0);
  await s.d.docker('rm', '-v', 'owner');
  await s.d.docker('volume', 'rm', 'sharedv');
});

test('tmpfs: --tmpfs and a tmpfs-type local volume are tmpfs, and their content is gone after a stop', T, async () => {
  assert.equal(await out('run', '--rm', '--tmpfs', '/t', 'busybox', 'stat', '-f', '-c', '%T', '/t'), 'tmpfs');
  await s.d.docker('volume', 'create', '-o', 'type=tmpfs', '-o', 'device=tmpfs', '-o', 'o=size=1m', 'tv');
  const v = JSON.parse(await out('volume', 'inspect', 'tv'))[0];
  assert.deepEqual(v.Options, { type: 'tmpfs', device: 'tmpfs', o: 'size=1m' });
  await s.d.docker('run', '--name', 'tuser', '-v', 'tv:/t', 'busybox', 'sh', '-c', 'stat -f -c %T /t; echo x > /t/f');
  assert.equal(await out('logs', 'tuser'), 'tmpfs');
  assert.deepEqual((await s.d.leftovers()).mounts, [], 'unmounted after its last user stopped');
  await s.d.docker('start', '-a', 'tuser').catch(() => undefined);
  assert.equal(await out('run', '--rm', '-v', 'tv:/t', 'busybox', 'ls', '/t'), '');
  await s.d.docker('rm', 'tuser');
  await s.d.docker('volume', 'rm', 'tv');
});

test(
  'copy-up fills a fresh named volume from the image, ownership and modes kept; nocopy leaves it empty',
  T,
  async () => {
    const ls = await out(
      'run',
      '--rm',
      '-v',
      'cu1:/data',
      'voltest:1',
      'sh',
      '-c',
      'cd /data && stat -c "%n %u:%g %a" . sub sub/f top && readlink link && cat sub/f',
    );
    assert.equal(ls, '. 1000:1000 750\nsub 1000:1000 755\nsub/f 1000:1000 644\ntop 1000:1000 4755\ntop\nhello');
    // A volume with content is not copied into again.
    await s.d.docker('run', '--rm', '-v', 'cu1:/data', 'busybox', 'sh', '-c', 'rm -rf /data/* && echo mine > /data/m');
    assert.equal(await out('run', '--rm', '-v', 'cu1:/data', 'voltest:1', 'ls', '/data'), 'm');
    assert.equal(await out('run', '--rm', '-v', 'cu2:/data:nocopy', 'voltest:1', 'ls', '-A', '/data'), '');
    await s.d.docker('volume', 'rm', 'cu1', 'cu2');
  },
);

test("an image's VOLUME gets an anonymous volume (copied up) that `rm -v` deletes; named ones stay", T, async () => {
  await s.d.docker('create', '--name', 'anon1', '-v', 'named1:/n', 'voltest:1', 'cat', '/data/sub/f');
  const mounts = JSON.parse(await inspect(s.d, 'anon1', '{{json .Mounts}}')) as {
    Type: string;
    Name: string;
    Destination: string;
    Mode: string;
  }[];
  const anon = mounts.find((m) => m.Destination === '/data');
  assert.equal(anon?.Type, 'volume');
  assert.match(anon?.Name ?? '', /^[0-9a-f]{64}$/);
  assert.equal(mounts.find((m) => m.Destination === '/n')?.Mode, 'z');
  assert.equal(await out('start', '-a', 'anon1'), 'hello');
  const labels = await out('volume', 'inspect', '-f', '{{json .Labels}}', anon?.Name ?? '');
  assert.equal(labels, '{"com.docker.volume.anonymous":""}');
  await s.d.docker('rm', '-v', 'anon1');
  assert.equal((await s.d.dockerResult(['volume', 'inspect', anon?.Name ?? ''])).code, 1, 'anonymous volume removed');
  assert.equal(await out('volume', 'inspect', '-f', '{{.Name}}', 'named1'), 'named1', 'named volume kept');
  await s.d.docker('volume', 'rm', 'named1');
});

test(
  'volume rm of a volume in use is refused (409), also with -f; prune keeps named volumes unless --all',
  T,
  async () => {
    await s.d.docker('create', '--name', 'holder', '-v', 'busy:/b', 'busybox');
    const refused = await s.d.request('DELETE', '/volumes/busy?force=1');
    assert.equal(refused.status, 409);
    assert.match(refused.body, /volume is in use/);
    await s.d.docker('rm', 'holder');
    await s.d.docker('run', '--name', 'anon2', '-v', '/x', 'busybox', 'true');
    const anonName = await inspect(s.d, 'anon2', '{{(index .Mounts 0).Name}}');
    await s.d.docker('rm', 'anon2'); // without -v: the anonymous volume stays, unused
    const pruned = await out('volume', 'prune', '-f');
    assert.match(pruned, new RegExp(`Deleted Volumes:\\n${anonName}\\n`));
    assert.match(pruned, /Total reclaimed space: /);
    assert.equal(await out('volume', 'ls', '-q', '--filter', 'name=busy'), 'busy');
    assert.match(await out('volume', 'prune', '-f', '--all'), /busy/);
    assert.equal(await out('volume', 'ls', '-q', '--filter', 'name=busy'), '');
  },
);

test('a daemon restart and a crash keep every volume and its users', T, async () => {
  await s.d.docker('create', '--name', 'rs', '-v', 'persist:/p', 'busybox');
  await s.d.docker('run', '--rm', '-v', 'persist:/p', 'busybox', 'sh', '-c', 'echo 7 > /p/n');
  for (const again of [() => s.d.restart(), () => s.d.crash()]) {
    await again();
    assert.equal(await out('run', '--rm', '-v', 'persist:/p', 'busybox', 'cat', '/p/n'), '7');
    const r = await s.d.dockerResult(['volume', 'rm', 'persist']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /volume is in use/);
  }
  await s.d.docker('rm', 'rs');
  await s.d.docker('volume', 'rm', 'persist');
});

test('docker cp into and out of a path inside a volume', T, async () => {
  const dir = await hostDir();
  await writeFile(join(dir, 'in.txt'), 'copied in\n');
  await s.d.docker('create', '--name', 'cpv', '-v', 'cpvol:/vol', 'busybox', 'cat', '/vol/in.txt');
  await s.d.docker('cp', join(dir, 'in.txt'), 'cpv:/vol/in.txt');
  assert.equal(await out('start', '-a', 'cpv'), 'copied in');
  assert.equal(await out('run', '--rm', '-v', 'cpvol:/v', 'busybox', 'cat', '/v/in.txt'), 'copied in');
  await s.d.docker('cp', 'cpv:/vol/in.txt', join(dir, 'out.txt'));
  assert.equal(await readFile(join(dir, 'out.txt'), 'utf8'), 'copied in\n');
  await s.d.docker('rm', 'cpv');
  await s.d.docker('volume', 'rm', 'cpvol');
});

test('refused: a volume name with "/" or "..", a destination escaping the rootfs through a symlink', T, async () => {
  const bad = await s.d.request('POST', '/volumes/create', JSON.stringify({ Name: '../x' }), {
    'Content-Type': 'application/json',
  });
  assert.equal(bad.status, 400);
  const slash = await s.d.dockerResult(['run', '--rm', '-v', 'a/b:/x', 'busybox', 'true']);
  assert.equal(slash.code, 125);
  assert.match(slash.stderr, /invalid characters for a local volume name/);
  // A symlink climbing out of the root (no image layer may carry one; `docker cp` can put one in a container).
  const dir = await hostDir();
  await symlink('../../../../../..', join(dir, 'escape'));
  await runCommand('tar', ['-C', dir, '-cf', join(dir, 'escape.tar'), 'escape']);
  await s.d.docker('create', '--name', 'esc', '-v', 'escv:/escape/tmp', 'busybox', 'true');
  await s.d.dockerResult(['cp', '-', 'esc:/'], { input: await readFile(join(dir, 'escape.tar')) });
  const esc = await s.d.dockerResult(['start', '-a', 'esc']);
  assert.notEqual(esc.code, 0);
  assert.match(esc.stderr, /escapes the container's root filesystem/);
  await s.d.docker('rm', '-v', 'esc');
  await s.d.docker('volume', 'rm', 'escv');
});

test('system df -v lists volume sizes and links; volume events', T, async () => {
  const since = String(Math.floor(Date.now() / 1000) - 1);
  await s.d.docker('run', '--rm', '-v', 'dfv:/d', 'busybox', 'sh', '-c', 'head -c 4096 /dev/zero > /d/z');
  assert.match(await out('system', 'df', '-v'), /dfv\s+0\s+4\.096kB/);
  await s.d.docker('volume', 'rm', 'dfv');
  const until = String(Math.floor(Date.now() / 1000) + 1);
  const events = await out(
    'events',
    '--since',
    since,
    '--until',
    until,
    '--filter',
    'type=volume',
    '--format',
    '{{.Action}} {{.Actor.ID}} {{.Actor.Attributes.driver}}',
  );
  assert.deepEqual(
    events.split('\n').filter((l) => l.includes(' dfv ')),
    ['create dfv local', 'mount dfv local', 'unmount dfv local', 'destroy dfv local'],
  );
});
