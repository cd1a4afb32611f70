// berth's CLI driving a sandboxed berthd through container and image lifecycles: each test checks what the user
// sees (output, exit status) and what the daemon then reports.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cliSkipReason, eventually, type Sandbox, startSandbox } from './harness.js';

const skip = await cliSkipReason();
const T = { skip, timeout: 60_000 };
let s: Sandbox;
let work: string;

before(async () => {
  if (skip) return;
  work = await mkdtemp(join(tmpdir(), 'berth-cli-e2e-'));
  s = await startSandbox();
});

after(async () => {
  if (skip) return;
  try {
    await s?.stop();
  } finally {
    if (work) await rm(work, { recursive: true, force: true });
  }
});

/** Runs berth and asserts it exited 0; returns stdout. */
async function ok(...args: string[]): Promise<string> {
  const r = await s.berth(args);
  assert.equal(r.code, 0, `berth ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

const state = async (name: string) => (await ok('inspect', '-f', '{{.State.Status}}', name)).trim();

describe('container lifecycle', () => {
  it('run -d prints the full ID, which ps lists cut to 12 characters', T, async () => {
    const id = (await ok('run', '-d', '--name', 'lc-bg', 'busybox', 'sleep', '1000')).trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    assert.equal((await ok('ps', '-q', '--filter', 'name=lc-bg')).trim(), id.slice(0, 12));
    assert.equal(await state('lc-bg'), 'running');
  });

  it('stop, start, restart, pause, unpause, kill print the names and change the state', T, async () => {
    assert.equal(await ok('stop', '-t', '1', 'lc-bg'), 'lc-bg\n');
    assert.equal(await state('lc-bg'), 'exited');
    assert.equal(await ok('start', 'lc-bg'), 'lc-bg\n');
    assert.equal(await state('lc-bg'), 'running');
    const before = (await ok('inspect', '-f', '{{.State.StartedAt}}', 'lc-bg')).trim();
    assert.equal(await ok('restart', '-t', '1', 'lc-bg'), 'lc-bg\n');
    assert.notEqual((await ok('inspect', '-f', '{{.State.StartedAt}}', 'lc-bg')).trim(), before);
    assert.equal(await ok('pause', 'lc-bg'), 'lc-bg\n');
    assert.equal(await state('lc-bg'), 'paused');
    assert.equal(await ok('unpause', 'lc-bg'), 'lc-bg\n');
    assert.equal(await state('lc-bg'), 'running');
    assert.equal(await ok('kill', '-s', 'KILL', 'lc-bg'), 'lc-bg\n');
    await eventually(async () => (await state('lc-bg')) === 'exited', 5000, 'the killed container to exit');
  });

  it('rename gives a new name; rm refuses a running container, rm -f removes it', T, async () => {
    await ok('start', 'lc-bg');
    await ok('rename', 'lc-bg', 'lc-renamed');
    assert.equal((await ok('ps', '--format', '{{.Names}}', '--filter', 'name=lc-renamed')).trim(), 'lc-renamed');
    const refused = await s.berth(['rm', 'lc-renamed']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^Error response from daemon: .*(running|stop)/i);
    assert.equal(await ok('rm', '-f', 'lc-renamed'), 'lc-renamed\n');
    assert.equal((await s.berth(['inspect', 'lc-renamed'])).code, 1);
  });

  it('create then start -a streams the output and exits with the container status; wait prints it', T, async () => {
    const id = (
      await ok('create', '--name', 'lc-created', 'busybox', 'sh', '-c', 'echo hi; echo oops >&2; exit 5')
    ).trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    assert.equal(await state('lc-created'), 'created');
    const r = await s.berth(['start', '-a', 'lc-created']);
    assert.deepEqual([r.code, r.stdout, r.stderr], [5, 'hi\n', 'oops\n']);
    assert.equal(await ok('wait', 'lc-created'), '5\n');
    await ok('rm', 'lc-created');
  });

  it('run --rm removes the container; --cidfile gets the ID; -i pipes stdin', T, async () => {
    const cidfile = join(work, 'cid');
    const r = await s.berth(
      ['run', '--rm', '--cidfile', cidfile, '-i', '-l', 'lc=rm', 'busybox', 'sh', '-c', 'cat; exit 2'],
      {
        input: 'through stdin\n',
      },
    );
    assert.deepEqual([r.code, r.stdout], [2, 'through stdin\n']);
    assert.match(await readFile(cidfile, 'utf8'), /^[0-9a-f]{64}$/);
    assert.equal(await ok('ps', '-aq', '--filter', 'label=lc=rm'), '');
    const again = await s.berth(['run', '--rm', '--cidfile', cidfile, 'busybox', 'true']);
    assert.equal(again.code, 125);
    assert.match(again.stderr, /container ID file found/);
  });

  it('logs -f follows the output until the container exits', T, async () => {
    await ok('run', '-d', '--name', 'lc-logs', 'busybox', 'sh', '-c', 'echo one; sleep 1; echo two >&2; echo three');
    const r = await s.berth(['logs', '-f', 'lc-logs']);
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, 'one\nthree\n', 'two\n']);
    await ok('rm', 'lc-logs');
  });

  it('exec -d runs in the background; exec passes the exit status on', T, async () => {
    await ok('run', '-d', '--name', 'lc-exec', 'busybox', 'sleep', '1000');
    await ok('exec', '-d', 'lc-exec', 'sh', '-c', 'echo bg > /tmp/bg');
    await eventually(
      async () => (await s.berth(['exec', 'lc-exec', 'cat', '/tmp/bg'])).stdout === 'bg\n',
      5000,
      'exec -d',
    );
    assert.equal((await s.berth(['exec', 'lc-exec', 'sh', '-c', 'exit 9'])).code, 9);
  });

  it('sig-proxy passes SIGTERM to the container and exits with its status', T, async () => {
    const child = spawn(
      s.berthBin,
      [
        'run',
        '--rm',
        'busybox',
        'sh',
        '-c',
        'trap "echo got TERM; exit 7" TERM; echo ready; while :; do sleep 0.1; done',
      ],
      {
        env: s.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      await eventually(() => out.includes('ready'), 10_000, 'the container to start');
      child.kill('SIGTERM');
      assert.equal(await exited, 7);
      assert.match(out, /got TERM/);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('events streams what happens, in the requested format', T, async () => {
    const child = spawn(
      s.berthBin,
      ['events', '--filter', 'event=start', '--format', '{{.Action}} {{.Actor.Attributes.name}}'],
      {
        env: s.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    try {
      // The stream is open once the daemon answered; a start after that is seen.
      await new Promise((r) => setTimeout(r, 500));
      await ok('run', '--rm', '--name', 'lc-event', 'busybox', 'true');
      await eventually(() => out.includes('start lc-event\n'), 10_000, 'the start event');
    } finally {
      child.kill('SIGINT');
    }
  });

  it("stats --no-stream prints docker's table with a row per running container", T, async () => {
    const out = await ok('stats', '--no-stream', 'lc-exec');
    const [header, row, ...rest] = out.split('\n');
    // Column widths follow the values (NET I/O is counted now that containers have interfaces).
    assert.match(
      header!,
      /^CONTAINER ID {3}NAME {6}CPU % {5}MEM USAGE \/ LIMIT {3}MEM % {5}NET I\/O +BLOCK I\/O +PIDS$/,
    );
    assert.match(
      row!,
      /^[0-9a-f]{12} {3}lc-exec {3}\d+\.\d\d% +[\d.]+[KMG]?i?B \/ [\d.]+[KMG]?i?B +\d+\.\d\d% +\S+ \/ \S+ +\S+ \/ \S+ +\d+$/,
    );
    assert.deepEqual(rest, ['']);
    await ok('rm', '-f', 'lc-exec');
  });
});

describe('files and images', () => {
  it('cp copies files and directories both ways, a trailing /. copying contents', T, async () => {
    const src = join(work, 'src');
    await mkdir(join(src, 'sub'), { recursive: true });
    await writeFile(join(src, 'a.txt'), 'hello\n');
    await writeFile(join(src, 'sub', 'b.txt'), 'deep\n');
    await ok('run', '-d', '--name', 'lc-cp', 'busybox', 'sleep', '1000');
    await ok('cp', src, 'lc-cp:/tmp/');
    assert.equal(await ok('exec', 'lc-cp', 'cat', '/tmp/src/sub/b.txt'), 'deep\n');
    await ok('cp', `${src}/.`, 'lc-cp:/tmp/contents');
    assert.equal(await ok('exec', 'lc-cp', 'ls', '/tmp/contents'), 'a.txt\nsub\n');
    await ok('cp', join(src, 'a.txt'), 'lc-cp:/tmp/renamed.txt');
    assert.equal(await ok('exec', 'lc-cp', 'cat', '/tmp/renamed.txt'), 'hello\n');

    await ok('exec', 'lc-cp', 'sh', '-c', 'mkdir -p /data/d && echo x > /data/d/f && ln -s f /data/d/l');
    await ok('cp', 'lc-cp:/data/d', join(work, 'out'));
    assert.equal(await readFile(join(work, 'out', 'f'), 'utf8'), 'x\n');
    assert.equal(await readlink(join(work, 'out', 'l')), 'f');
    await ok('cp', 'lc-cp:/data/d/f', join(work, 'single'));
    assert.equal(await readFile(join(work, 'single'), 'utf8'), 'x\n');

    const tar = await s.berth(['cp', 'lc-cp:/data/d/f', '-']);
    assert.equal(tar.code, 0);
    assert.equal(tar.stdout.slice(0, 1), 'f', 'a tar stream whose first entry is the file');
    const missing = await s.berth(['cp', 'lc-cp:/nosuch', join(work, 'x')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^Error response from daemon: .*\/nosuch/);
    const noLocal = await s.berth(['cp', join(work, 'nosuch'), 'lc-cp:/tmp']);
    assert.deepEqual([noLocal.code, noLocal.stderr], [1, `lstat ${join(work, 'nosuch')}: no such file or directory\n`]);
    assert.equal((await s.berth(['cp', 'a', 'b'])).stderr, 'must specify at least one container source\n');
  });

  it('cp - reads a tar stream from stdin into a container directory', T, async () => {
    const tar = await new Promise<string>((resolve, reject) => {
      const p = spawn('tar', ['-C', join(work, 'src'), '-cf', '-', 'a.txt'], { stdio: ['ignore', 'pipe', 'inherit'] });
      const chunks: Buffer[] = [];
      p.stdout.on('data', (d: Buffer) => chunks.push(d));
      p.on('error', reject);
      p.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    });
    const child = spawn(s.berthBin, ['cp', '-', 'lc-cp:/tmp'], { env: s.env, stdio: ['pipe', 'inherit', 'inherit'] });
    child.stdin.end(Buffer.from(tar, 'latin1'));
    assert.equal(await new Promise((r) => child.on('exit', r)), 0);
    assert.equal(await ok('exec', 'lc-cp', 'cat', '/tmp/a.txt'), 'hello\n');
  });

  it('diff, commit and history show the container changes as an image', T, async () => {
    const diff = await ok('diff', 'lc-cp');
    assert.match(diff, /^A \/data$/m);
    assert.match(diff, /^C \/tmp$/m);
    const id = (await ok('commit', '-c', 'ENV COMMITTED=yes', '-m', 'a commit', 'lc-cp', 'lc/committed:v1')).trim();
    assert.match(id, /^sha256:[0-9a-f]{64}$/);
    assert.equal(await ok('run', '--rm', 'lc/committed:v1', 'sh', '-c', 'echo $COMMITTED; cat /data/d/f'), 'yes\nx\n');
    const history = await ok('history', '--format', '{{.Comment}}', 'lc/committed:v1');
    assert.match(history, /^a commit$/m);
    await ok('rm', '-f', 'lc-cp');
  });

  it('export -o and import (file and stdin) make a runnable image', T, async () => {
    await ok('create', '--name', 'lc-export', 'busybox');
    const tarPath = join(work, 'fs.tar');
    assert.equal(await ok('export', '-o', tarPath, 'lc-export'), '');
    assert.ok((await stat(tarPath)).size > 1_000_000);
    const fromFile = (await ok('import', '-c', 'CMD ["echo", "imported"]', tarPath, 'lc/imported:file')).trim();
    assert.match(fromFile, /^sha256:[0-9a-f]{64}$/);
    assert.equal(await ok('run', '--rm', 'lc/imported:file'), 'imported\n');
    const fromStdin = await s.berth(['import', '-m', 'from stdin', '-', 'lc/imported:stdin'], {
      input: (await readFile(tarPath)).toString('latin1'),
    });
    assert.equal(fromStdin.code, 1, 'a tar read as text is mangled: the daemon refuses it');
    await ok('rm', 'lc-export');
    const missing = await s.berth(['import', join(work, 'nosuch.tar')]);
    assert.deepEqual(
      [missing.code, missing.stderr],
      [1, `open ${join(work, 'nosuch.tar')}: no such file or directory\n`],
    );
  });

  it('save -o and load -i round-trip an image; tag and rmi report what they did', T, async () => {
    assert.equal(await ok('tag', 'lc/imported:file', 'lc/saved:v1'), '');
    const archive = join(work, 'saved.tar');
    assert.equal(await ok('save', '-o', archive, 'lc/saved:v1'), '');
    const rmi = await ok('rmi', 'lc/saved:v1');
    assert.equal(rmi, 'Untagged: lc/saved:v1\n');
    assert.equal(await ok('load', '-i', archive), 'Loaded image: lc/saved:v1\n');
    assert.match(await ok('images', '--format', '{{.Repository}}:{{.Tag}}'), /^lc\/saved:v1$/m);
    const badOut = await s.berth(['save', '-o', '/nonexistent/dir/x.tar', 'busybox']);
    assert.deepEqual(
      [badOut.code, badOut.stderr],
      [1, 'failed to save image: invalid output path: stat /nonexistent/dir: no such file or directory\n'],
    );
  });

  it('container prune and image prune ask first, and -f removes', T, async () => {
    await ok('run', '--name', 'lc-stopped', 'busybox', 'true');
    const no = await s.berth(['container', 'prune'], { input: 'n\n' });
    assert.deepEqual(
      [no.code, no.stdout],
      [0, 'WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] '],
    );
    assert.equal(await state('lc-stopped'), 'exited');
    const yes = await s.berth(['container', 'prune'], { input: 'y\n' });
    assert.equal(yes.code, 0);
    assert.match(yes.stdout, /\[y\/N\] Deleted Containers:\n[0-9a-f]{64}\n/);
    assert.match(yes.stdout, /\nTotal reclaimed space: \S+\n$/);
    assert.equal((await s.berth(['inspect', 'lc-stopped'])).code, 1);
    const images = await s.berth(['image', 'prune', '-f']);
    assert.equal(images.code, 0);
    assert.match(images.stdout, /Total reclaimed space: /);
  });
});
