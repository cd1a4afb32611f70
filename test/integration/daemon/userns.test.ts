// berthd --userns-remap=default in a sandbox whose /etc is a private overlay: the `berth` user and its subordinate
// ranges are made there only; containers run as an unprivileged host range, see the image's files as their own
// through idmapped views of the shared layers, and `--userns=host` opts one out.
import assert from 'node:assert/strict';
import { chown, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { daemonSuite, inspect } from './helpers.js';

const s = await daemonSuite({ args: ['--userns-remap=default'], privateEtc: true });
const T = { skip: s.skip, timeout: 60_000 };

const HOST_FILES = ['/etc/passwd', '/etc/group', '/etc/subuid', '/etc/subgid'];
const hostBefore = new Map<string, string>();
let shared = '';
before(async () => {
  for (const f of HOST_FILES) hostBefore.set(f, await readFile(f, 'utf8').catch(() => ''));
  shared = await mkdtemp(join(tmpdir(), 'berth-userns-'));
});
after(async () => {
  if (shared) await rm(shared, { recursive: true, force: true });
});

/** The range the sandbox's /etc/subuid gave `berth` (the first free one at or above 100000). */
async function berthRange(): Promise<{ start: number; length: number }> {
  const r = await s.d.inSandbox('grep', ['^berth:', '/etc/subuid']);
  const [, start, length] = r.stdout.trim().split(':');
  return { start: Number(start), length: Number(length) };
}

/** The sandbox's mountinfo (nsenter, berthd's parent, is in its mount namespace). */
const sandboxMountinfo = () => readFile(`/proc/${s.d.pid()}/mountinfo`, 'utf8');

/** Overlay mounts under the data root, from the sandbox's mountinfo: mount point → lowerdir list. */
async function overlayLowers(): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const line of (await sandboxMountinfo()).split('\n')) {
    const [pre, post] = line.split(' - ');
    if (!pre || !post?.startsWith('overlay ')) continue;
    const point = pre.split(' ')[4] ?? '';
    if (!point.startsWith(join(s.d.dir, 'data'))) continue;
    const lower = /(?:^|,)lowerdir=([^,]+)/.exec(post.split(' ')[2] ?? '')?.[1] ?? '';
    out.set(point, lower.split(':'));
  }
  return out;
}

test('default makes the berth user and its ranges inside the sandbox only; info lists name=userns', T, async () => {
  const passwd = await s.d.inSandbox('grep', ['^berth:', '/etc/passwd']);
  assert.equal(passwd.code, 0, 'berth is in the sandbox passwd');
  const range = await berthRange();
  assert.ok(range.start >= 100000, `range starts at ${range.start}`);
  assert.equal(range.length, 65536);
  const gid = await s.d.inSandbox('grep', ['^berth:', '/etc/subgid']);
  assert.match(gid.stdout, /^berth:\d+:65536$/m);
  for (const f of HOST_FILES)
    assert.equal(await readFile(f, 'utf8').catch(() => ''), hostBefore.get(f), `${f} unchanged`);
  const info = await s.d.docker('info', '--format', '{{json .SecurityOptions}}');
  assert.ok((JSON.parse(info.stdout) as string[]).includes('name=userns'), info.stdout);
});

test('root in the container is the range on the host: id, uid_map, and a file made in a bind mount', T, async () => {
  const { start } = await berthRange();
  await chown(shared, start, start); // as Docker's docs have it: the remapped root must be able to write there
  const r = await s.d.docker(
    'run',
    '--rm',
    '-v',
    `${shared}:/data`,
    'busybox',
    'sh',
    '-c',
    'id -u; cat /proc/self/uid_map; touch /data/by-root; stat -c %u:%g /bin/busybox; touch /new-file',
  );
  const [uid, map, owner] = r.stdout.trim().split('\n');
  assert.equal(uid, '0');
  assert.deepEqual(map?.trim().split(/\s+/), ['0', String(start), '65536']);
  assert.equal(owner, '0:0', "the image's files are root's inside");
  const st = await stat(join(shared, 'by-root'));
  assert.equal(st.uid, start);
  assert.equal(st.gid, start);
});

test(
  'exec joins the user namespace; two containers share the idmapped views of one copy of the layers',
  T,
  async () => {
    await s.d.docker('run', '-d', '--name', 'u1', 'busybox', 'sleep', '300');
    await s.d.docker('run', '-d', '--name', 'u2', 'busybox', 'sleep', '300');
    assert.equal((await s.d.docker('exec', 'u1', 'id', '-u')).stdout.trim(), '0');
    assert.match((await s.d.docker('exec', 'u2', 'cat', '/proc/self/uid_map')).stdout, /^\s*0\s+1\d{5}\s+65536/);
    const lowers = [...(await overlayLowers()).values()];
    assert.equal(lowers.length, 2, 'one overlay per container');
    assert.deepEqual(lowers[0], lowers[1], 'the same lower dirs');
    const overlay2 = join(s.d.dir, 'data', 'layers', 'overlay2');
    for (const l of lowers[0] ?? [])
      assert.ok(l.startsWith(`${overlay2}/l/`) && l.split('/').length === overlay2.split('/').length + 3, l);
    // Each view is one idmapped mount, not a copy: the layer on disk keeps root's ids.
    const points = (await sandboxMountinfo()).split('\n').map((x) => x.split(' ')[4] ?? '');
    for (const l of lowers[0] ?? []) assert.equal(points.filter((p) => p === l).length, 1, `${l} mounted once`);
    const link = (lowers[0]?.[0] ?? '').split('/').pop() ?? '';
    const onDisk = await s.d.inSandbox('stat', ['-L', '-c', '%u', join(overlay2, 'l', link, 'bin', 'busybox')]);
    assert.equal(onDisk.stdout.trim(), '0');
    await s.d.docker('rm', '-f', 'u1', 'u2');
    assert.deepEqual((await s.d.leftovers()).mounts, [], 'the views go with the last container');
  },
);

test('--userns=host runs as the real root; privileged needs it', T, async () => {
  const r = await s.d.docker(
    'run',
    '--rm',
    '--userns=host',
    '--name',
    'hostns',
    '-v',
    `${shared}:/data`,
    'busybox',
    'sh',
    '-c',
    'cat /proc/self/uid_map; touch /data/by-real-root',
  );
  assert.deepEqual(r.stdout.trim().split(/\s+/), ['0', '0', '4294967295']);
  assert.equal((await stat(join(shared, 'by-real-root'))).uid, 0);
  const refused = await s.d.dockerResult(['run', '--rm', '--privileged', 'busybox', 'true']);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /privileged mode is incompatible with user namespaces/);
  await s.d.docker('run', '--rm', '--privileged', '--userns=host', 'busybox', 'true');
  await s.d.docker('create', '--name', 'hostmode', '--userns=host', 'busybox');
  assert.equal(await inspect(s.d, 'hostmode', '{{.HostConfig.UsernsMode}}'), 'host');
  await s.d.docker('rm', 'hostmode');
});

test('the daemon restarts with its user and ranges, and remapped containers run again', T, async () => {
  const before = await berthRange();
  await s.d.docker('create', '--name', 'survivor', 'busybox', 'sleep', '300');
  await s.d.restart();
  assert.deepEqual(await berthRange(), before, 'no second range');
  const count = await s.d.inSandbox('grep', ['-c', '^berth:', '/etc/subuid']);
  assert.equal(count.stdout.trim(), '1');
  await s.d.docker('start', 'survivor');
  assert.equal((await s.d.docker('exec', 'survivor', 'id', '-u')).stdout.trim(), '0');
  await s.d.docker('rm', '-f', 'survivor');
  assert.deepEqual(await s.d.leftovers(), { processes: [], cgroups: [], mounts: [], links: [], netns: [] });
});

test(
  "docker cp translates owners through the mapping: in, the container's ids become the range's; out, the reverse",
  T,
  async () => {
    const { start } = await berthRange();
    await s.d.docker('run', '-d', '--name', 'cp-remapped', 'busybox', 'sleep', '60');
    try {
      const src = await mkdtemp(join(s.d.dir, 'cp-'));
      await writeFile(join(src, 'owned-by-7'), 'x\n');
      await chown(join(src, 'owned-by-7'), 7, 7);
      await s.d.docker('cp', '-a', join(src, 'owned-by-7'), 'cp-remapped:/tmp/');
      // Inside, the file is owned by 7:7, as it was on the client: on the host that is the range's 7.
      const inside = await s.d.docker('exec', 'cp-remapped', 'stat', '-c', '%u:%g', '/tmp/owned-by-7');
      assert.equal(inside.stdout.trim(), '7:7');
      // Out: the archive names the container's ids (root's file is 0:0, not the range's start).
      const out = join(s.d.dir, 'cp-out.tar');
      await s.d.docker('exec', 'cp-remapped', 'touch', '/tmp/by-root');
      const r = await s.d.dockerResult(['cp', 'cp-remapped:/tmp/by-root', '-'], {});
      await writeFile(out, r.stdout, 'latin1');
      const listed = await s.d.inSandbox('tar', ['--numeric-owner', '-tvf', out]);
      assert.match(listed.stdout, / 0\/0 /, listed.stdout);
      assert.ok(start > 0);
    } finally {
      await s.d.dockerResult(['rm', '-f', 'cp-remapped']);
    }
  },
);

test("builds and commits under the remap store the container's own ids in the layer, not the host's", T, async () => {
  const ctx = await mkdtemp(join(s.d.dir, 'build-'));
  await writeFile(
    join(ctx, 'Dockerfile'),
    'FROM busybox\nRUN --mount=type=cache,target=/cache touch /cache/ok && touch /made-by-run && chown 7:7 /made-by-run\n',
  );
  const built = await s.d.dockerResult(['build', '-t', 'remapped-build:1', ctx]);
  assert.equal(built.code, 0, built.stderr + built.stdout);
  // Run without the remap: the layer's own ids show as they are.
  const owners = await s.d.docker(
    'run',
    '--rm',
    '--userns=host',
    'remapped-build:1',
    'stat',
    '-c',
    '%u:%g',
    '/made-by-run',
  );
  assert.equal(owners.stdout.trim(), '7:7');
  await s.d.docker('run', '--name', 'commit-remapped', 'busybox', 'touch', '/by-root');
  try {
    await s.d.docker('commit', 'commit-remapped', 'remapped-commit:1');
    const r = await s.d.docker('run', '--rm', '--userns=host', 'remapped-commit:1', 'stat', '-c', '%u:%g', '/by-root');
    assert.equal(r.stdout.trim(), '0:0');
  } finally {
    await s.d.dockerResult(['rm', '-f', 'commit-remapped']);
    await s.d.dockerResult(['rmi', 'remapped-build:1', 'remapped-commit:1']);
  }
});
