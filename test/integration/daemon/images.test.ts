// Images through the docker CLI against berthd: import, commit, save/load round trips, tag/rmi (untag vs delete,
// refusing an image a container uses), images/history/inspect, and invalid references.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { DOCKER_CLI, runCommand } from '../../fixtures/berthd.js';
import { daemonSuite } from './helpers.js';

// layered:1 — busybox plus one committed layer holding /layered-file, for the save/load and history tests.
const s = await daemonSuite({
  setup: async (d) => {
    await d.docker('run', '--name', 'layered', 'busybox', 'sh', '-c', 'echo kept > /layered-file');
    await d.docker('commit', 'layered', 'layered:1');
    await d.docker('rm', 'layered');
  },
});
const T = { skip: s.skip, timeout: 60_000 };

let scratch: string | undefined;
async function scratchDir(): Promise<string> {
  scratch ??= await mkdtemp(join(tmpdir(), 'berth-images-it-'));
  return scratch;
}
after(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const execFileP = promisify(execFile);
const imageId = async (ref: string) => (await s.d.docker('image', 'inspect', '-f', '{{.Id}}', ref)).stdout.trim();

test('the imported busybox is listed by images, with its ID and CMD from --change', T, async () => {
  const r = await s.d.docker('images', '--no-trunc', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}', 'busybox');
  assert.equal(r.stdout, `busybox:latest ${s.busyboxId}\n`);
  assert.equal((await s.d.docker('image', 'inspect', '-f', '{{json .Config.Cmd}}', 'busybox')).stdout, '["sh"]\n');
  const table = await s.d.docker('images');
  assert.match(table.stdout, /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE\n/);
  assert.match(table.stdout, new RegExp(`\\nbusybox\\s+latest\\s+${s.busyboxId.slice(7, 19)}\\s+`));
});

test('import of an exported tar with a message and --change makes a runnable image', T, async () => {
  await s.d.docker('create', '--name', 'to-export', 'busybox', 'true');
  const file = join(await scratchDir(), 'exported.tar');
  await s.d.docker('export', '-o', file, 'to-export');
  const imported = await s.d.docker(
    'import',
    '--change',
    'ENV IMPORTED=yes',
    '--change',
    'CMD ["sh", "-c", "echo $IMPORTED"]',
    '-m',
    'from an export',
    file,
    'reimported:1',
  );
  assert.match(imported.stdout, /^sha256:[0-9a-f]{64}\n$/);
  const run = await s.d.dockerResult(['run', '--rm', 'reimported:1']);
  assert.equal(run.stdout, 'yes\n');
  const comment = await s.d.docker('history', '--format', '{{.Comment}}', 'reimported:1');
  assert.match(comment.stdout, /from an export/);
  await s.d.docker('rm', 'to-export');
  await s.d.docker('rmi', 'reimported:1');
});

test('export writes the container filesystem as a tar (docker export | tar -t)', T, async () => {
  await s.d.docker('run', '--name', 'exported', 'busybox', 'sh', '-c', 'echo data > /exported-file');
  const file = join(await scratchDir(), 'fs.tar');
  await s.d.docker('export', '-o', file, 'exported');
  const list = await runCommand('tar', ['-tf', file]);
  assert.equal(list.code, 0, list.stderr);
  const names = list.stdout.split('\n').map((n) => n.replace(/^\.\//, ''));
  for (const want of ['bin/busybox', 'etc/passwd', 'exported-file'])
    assert.ok(names.includes(want), `${want} not in export`);
  const content = await runCommand('tar', [
    '-xOf',
    file,
    names.includes('exported-file') ? 'exported-file' : './exported-file',
  ]);
  assert.equal(content.stdout, 'data\n');
  // To stdout as well.
  const piped = await runCommand(
    'bash',
    ['-c', 'set -o pipefail; "$1" export exported | tar -t | grep -c busybox', 'bash', DOCKER_CLI],
    { env: { ...process.env, DOCKER_HOST: s.d.host } },
  );
  assert.equal(piped.code, 0, piped.stderr);
  await s.d.docker('rm', 'exported');
});

test('commit makes an image of the container changes that runs with them', T, async () => {
  await s.d.docker('run', '--name', 'committed', 'busybox', 'sh', '-c', 'echo kept > /committed-file && rm /bin/vi');
  const id = (
    await s.d.docker('commit', '-m', 'a message', '-c', 'ENV COMMITTED=1', 'committed', 'snap:1')
  ).stdout.trim();
  assert.match(id, /^sha256:[0-9a-f]{64}$/);
  assert.equal(await imageId('snap:1'), id);
  const r = await s.d.dockerResult([
    'run',
    '--rm',
    'snap:1',
    'sh',
    '-c',
    'cat /committed-file; echo $COMMITTED; ls /bin/vi',
  ]);
  assert.equal(r.stdout, 'kept\n1\n');
  assert.match(r.stderr, /No such file/);
  const history = await s.d.docker('history', '--format', '{{.Comment}}', 'snap:1');
  assert.match(history.stdout.split('\n')[0] ?? '', /a message/);
  // The new layer holds the container's changes only: not the mount points the runtime made (/etc/hostname…).
  const dir = await mkdtemp(join(await scratchDir(), 'commit-'));
  await s.d.docker('save', '-o', join(dir, 'snap.tar'), 'snap:1');
  await execFileP('tar', ['-xf', join(dir, 'snap.tar'), '-C', dir]);
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as { Layers: string[] }[];
  const top = manifest[0]?.Layers.at(-1) ?? '';
  const entries = (await execFileP('tar', ['-tf', join(dir, top)])).stdout.split('\n').filter(Boolean).sort();
  assert.deepEqual(entries, ['bin/', 'bin/.wh.vi', 'committed-file']);
  const parent = await s.d.docker('image', 'inspect', '-f', '{{len .RootFS.Layers}}', 'snap:1');
  assert.equal(parent.stdout.trim(), '2');
  await s.d.docker('rm', 'committed');
  await s.d.docker('rmi', 'snap:1');
});

test('save | load round trip keeps the image ID and tags', T, async () => {
  const file = join(await scratchDir(), 'saved.tar');
  const before = await imageId('layered:1');
  await s.d.docker('save', '-o', file, 'layered:1');
  assert.ok((await stat(file)).size > 1024);
  await s.d.docker('rmi', 'layered:1');
  assert.equal((await s.d.dockerResult(['image', 'inspect', 'layered:1'])).code, 1);
  const loaded = await s.d.docker('load', '-i', file);
  assert.equal(loaded.stdout, 'Loaded image: layered:1\n');
  assert.equal(await imageId('layered:1'), before);
  const r = await s.d.dockerResult(['run', '--rm', 'layered:1', 'cat', '/layered-file']);
  assert.equal(r.stdout, 'kept\n');
});

test('save to stdout and load from stdin (docker save | docker load)', T, async () => {
  const r = await runCommand('bash', ['-c', 'set -o pipefail; "$1" save busybox | "$1" load', 'bash', DOCKER_CLI], {
    env: { ...process.env, DOCKER_HOST: s.d.host },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'Loaded image: busybox:latest\n');
  assert.equal(await imageId('busybox'), s.busyboxId);
});

test('tag adds a name to the same image; rmi of one name only untags', T, async () => {
  await s.d.docker('tag', 'busybox', 'mybox:v1');
  assert.equal(await imageId('mybox:v1'), s.busyboxId);
  const r = await s.d.docker('rmi', 'mybox:v1');
  assert.equal(r.stdout, 'Untagged: mybox:v1\n');
  assert.equal(await imageId('busybox'), s.busyboxId);
});

test('rmi of the last name deletes the image', T, async () => {
  await s.d.docker('run', '--name', 'short-lived', 'busybox', 'sh', '-c', 'echo x > /f');
  const id = (await s.d.docker('commit', 'short-lived', 'doomed:1')).stdout.trim();
  await s.d.docker('rm', 'short-lived');
  const r = await s.d.docker('rmi', 'doomed:1');
  assert.equal(r.stdout, `Untagged: doomed:1\nDeleted: ${id}\n`);
  const gone = await s.d.dockerResult(['image', 'inspect', id]);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /No such image/);
});

test('rmi refuses an image a container uses; -f untags it and keeps it for the running container', T, async () => {
  await s.d.docker('tag', 'busybox', 'in-use:1');
  await s.d.docker('rmi', 'busybox'); // another name is left, so this only untags
  await s.d.docker('run', '-d', '--name', 'user-of-image', 'in-use:1', 'sleep', '300');
  const refused = await s.d.dockerResult(['rmi', 'in-use:1']);
  assert.equal(refused.code, 1);
  assert.match(
    refused.stderr,
    /conflict: unable to (remove repository reference|delete) .*in-use.* \(must force\) - container [0-9a-f]{12} is using its referenced image/,
  );
  const forced = await s.d.dockerResult(['rmi', '-f', 'in-use:1']);
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(forced.stdout, 'Untagged: in-use:1\n');
  // The running container's image stays (dangling) until the container goes.
  const images = await s.d.docker('images', '-a', '--no-trunc', '--format', '{{.ID}} {{.Repository}}');
  assert.match(images.stdout, new RegExp(`${s.busyboxId} <none>`));
  await s.d.docker('rm', '-f', 'user-of-image');
  await s.d.docker('tag', s.busyboxId, 'busybox:latest');
});

test('rmi of an image ID with several names is refused without -f', T, async () => {
  await s.d.docker('tag', 'busybox', 'second-name:1');
  const r = await s.d.dockerResult(['rmi', s.busyboxId.slice(7, 19)]);
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /conflict: unable to delete [0-9a-f]{12} \(must be forced\) - image is referenced in multiple repositories/,
  );
  await s.d.docker('rmi', 'second-name:1');
});

test('rmi and tag of an unknown image fail with "No such image"', T, async () => {
  const r = await s.d.dockerResult(['rmi', 'nosuch:latest']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'Error response from daemon: No such image: nosuch:latest\n');
  const t = await s.d.dockerResult(['tag', 'nosuch:latest', 'other:1']);
  assert.equal(t.code, 1);
  assert.match(t.stderr, /No such image: nosuch:latest/);
});

test('history lists the layers of an image, newest first', T, async () => {
  const r = await s.d.docker('history', '--no-trunc', '--format', '{{.ID}}', 'layered:1');
  const rows = r.stdout.trim().split('\n');
  assert.equal(rows[0], await imageId('layered:1'));
  assert.ok(rows.length >= 2);
});

test('image inspect shows Docker fields (Id, RepoTags, RootFS, Config, Os, Architecture)', T, async () => {
  const got = JSON.parse((await s.d.docker('image', 'inspect', 'busybox')).stdout) as Array<{
    Id: string;
    RepoTags: string[];
    RootFS: { Type: string; Layers: string[] };
    Os: string;
    Architecture: string;
    Size: number;
  }>;
  const img = got[0];
  assert.ok(img);
  assert.equal(img.Id, s.busyboxId);
  assert.ok(img.RepoTags.includes('busybox:latest'));
  assert.equal(img.RootFS.Type, 'layers');
  assert.equal(img.RootFS.Layers.length, 1);
  assert.equal(img.Os, 'linux');
  assert.ok(img.Size > 1_000_000);
});

test('an invalid reference is refused by the daemon with 400 "invalid reference format"', T, async () => {
  const tag = await s.d.request('POST', '/images/busybox/tag?repo=Bad::x');
  assert.equal(tag.status, 400);
  assert.match(tag.body, /invalid reference format/);
  const pull = await s.d.request('POST', '/images/create?fromImage=Bad::ref');
  assert.equal(pull.status, 400);
  assert.match(pull.body, /invalid reference format/);
  const create = await s.d.request('POST', '/containers/create', JSON.stringify({ Image: 'Bad::ref' }), {
    'Content-Type': 'application/json',
  });
  assert.equal(create.status, 400);
  assert.match(create.body, /invalid reference format/);
});

test(
  'a pull from Docker Hub without a route out fails naming the registry (the sandbox has loopback only)',
  T,
  async () => {
    const r = await s.d.dockerResult(['pull', 'alpine:3.19']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Error response from daemon: .*registry-1\.docker\.io/);
  },
);
