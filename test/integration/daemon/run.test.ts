// `docker run` against berthd, with what Docker prints and returns as the reference (Debian's dockerd 20.10 and
// Docker 28 were run with the same commands): exit codes, environment, working directory, user, hostname, stdin,
// entrypoint, --rm.
import assert from 'node:assert/strict';
import { access, constants, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEBIAN_DOCKER_CLI } from '../../fixtures/berthd.js';
import { daemonSuite, eventually } from './helpers.js';

const s = await daemonSuite();
const T = { skip: s.skip, timeout: 30_000 };

test('run exits 0 when the command succeeds', T, async () => {
  const r = await s.d.dockerResult(['run', '--rm', 'busybox', 'true']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
});

test("run exits with the container's own exit code", T, async () => {
  const r = await s.d.dockerResult(['run', '--rm', 'busybox', 'sh', '-c', 'exit 3']);
  assert.equal(r.code, 3, r.stderr);
});

test('run exits 125 for an unknown flag', T, async () => {
  const r = await s.d.dockerResult(['run', '--no-such-flag', 'busybox', 'true']);
  assert.equal(r.code, 125);
  assert.match(r.stderr, /unknown flag: --no-such-flag/);
});

test('run exits 125 for an image that is not there', T, async () => {
  const r = await s.d.dockerResult(['run', '--rm', 'no-such-image-here', 'true']);
  assert.equal(r.code, 125);
  assert.match(r.stderr, /Unable to find image 'no-such-image-here:latest' locally/);
  assert.match(r.stderr, /Error response from daemon: /);
});

test('run exits 126 for a command that is not executable, saying why', T, async () => {
  const r = await s.d.dockerResult(['run', '--rm', 'busybox', '/etc/passwd']);
  assert.equal(r.code, 126);
  assert.match(r.stderr, /exec: "\/etc\/passwd": permission denied/);
});

test('run exits 127 for a command that does not exist, saying why', T, async () => {
  const r = await s.d.dockerResult(['run', '--rm', 'busybox', 'no-such-command']);
  assert.equal(r.code, 127);
  assert.match(r.stderr, /exec: "no-such-command": executable file not found in \$PATH/);
});

test('a container whose command could not start is left Created, as Docker leaves it', T, async () => {
  const r = await s.d.dockerResult(['run', '--name', 'never-started', 'busybox', 'no-such-command']);
  assert.equal(r.code, 127);
  const st = await s.d.docker('inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'never-started');
  assert.equal(st.stdout.trim(), 'created 127');
  await s.d.docker('rm', 'never-started');
});

test(
  'run passes -e, --env-file and -e NAME from the client environment, after PATH, HOSTNAME and HOME',
  T,
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-envfile-'));
    try {
      const file = join(dir, 'env');
      await writeFile(file, '# a comment\nA=1\n\nB=two words\n');
      const r = await s.d.dockerResult(
        ['run', '--rm', '-h', 'envhost', '-e', 'X=y', '-e', 'FROM_CLIENT', '--env-file', file, 'busybox', 'env'],
        { env: { FROM_CLIENT: 'client-value' } },
      );
      assert.equal(r.code, 0, r.stderr);
      const env = r.stdout.trim().split('\n');
      for (const want of [
        'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        'HOSTNAME=envhost',
        'HOME=/root',
        'X=y',
        'FROM_CLIENT=client-value',
        'A=1',
        'B=two words',
      ]) {
        assert.ok(env.includes(want), `${want} missing from ${JSON.stringify(env)}`);
      }
      assert.ok(!env.some((l) => l.includes('comment')), 'a comment line of the env file became a variable');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);

test('run -w sets the working directory, creating it when missing', T, async () => {
  const r = await s.d.dockerResult(['run', '--rm', '-w', '/made/for/you', 'busybox', 'sh', '-c', 'pwd && ls -d .']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '/made/for/you\n.\n');
});

test('run -u takes a uid, a name or uid:gid, with the primary group as a supplementary group', T, async () => {
  const id = async (user: string) => {
    const r = await s.d.dockerResult(['run', '--rm', '-u', user, 'busybox', 'id']);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
  };
  // Docker's output for each, busybox `id`.
  assert.equal(await id('65534'), 'uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)');
  assert.equal(await id('nobody'), 'uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)');
  assert.equal(await id('1000:1001'), 'uid=1000 gid=1001 groups=1001');
  const root = await s.d.dockerResult(['run', '--rm', 'busybox', 'id']);
  assert.equal(root.stdout.trim(), 'uid=0(root) gid=0(root) groups=0(root)');
});

test('run -u with an unknown user name fails with 125, naming the user', T, async () => {
  const r = await s.d.dockerResult(['run', '--rm', '-u', 'nosuchuser', 'busybox', 'id']);
  assert.equal(r.code, 125);
  assert.match(r.stderr, /unable to find user nosuchuser: no matching entries in passwd file/);
});

test('run -h sets the hostname; without it the hostname is the short container ID', T, async () => {
  const named = await s.d.dockerResult(['run', '--rm', '-h', 'myhost', 'busybox', 'hostname']);
  assert.equal(named.stdout, 'myhost\n');
  const r = await s.d.dockerResult(['run', '--name', 'hostname-default', 'busybox', 'hostname']);
  const id = (await s.d.docker('inspect', '-f', '{{.Id}}', 'hostname-default')).stdout.trim();
  assert.equal(r.stdout.trim(), id.slice(0, 12));
  await s.d.docker('rm', 'hostname-default');
});

test('run -i pipes stdin to the container: echo hi | docker run -i busybox cat', T, async () => {
  const r = await s.d.dockerResult(['run', '--rm', '-i', 'busybox', 'cat'], { input: 'hi\nthere\n' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'hi\nthere\n');
});

test('run -i passes a large stdin through whole to a fast reader', T, async () => {
  const input = `${'0123456789abcdef'.repeat(64 * 1024)}\n`; // 1 MiB
  const r = await s.d.dockerResult(['run', '--rm', '-i', 'busybox', 'sh', '-c', 'cat > /in; wc -c < /in'], { input });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), String(input.length));
});

test('run -i passes a large stdin through whole to a reader that falls behind', T, async () => {
  const input = `${'0123456789abcdef'.repeat(64 * 1024)}\n`;
  const r = await s.d.dockerResult(['run', '--rm', '-i', 'busybox', 'sh', '-c', 'sleep 0.3; wc -c'], { input });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), String(input.length));
});

test('run without -i gives the container an empty stdin', T, async () => {
  const r = await s.d.dockerResult(['run', '--rm', 'busybox', 'cat'], { input: 'ignored\n' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
});

test('run separates stdout and stderr', T, async () => {
  const r = await s.d.dockerResult(['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2']);
  assert.equal(r.stdout, 'out\n');
  assert.equal(r.stderr, 'err\n');
});

test('--entrypoint replaces the entrypoint and the arguments follow it', T, async () => {
  const r = await s.d.dockerResult(['run', '--rm', '--entrypoint', 'echo', 'busybox', 'hello', 'world']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'hello world\n');
});

test('--entrypoint "" clears the entrypoint of an image that has one', T, async () => {
  await s.d.docker(
    'commit',
    '--change',
    'ENTRYPOINT ["echo", "from-entrypoint"]',
    await created(),
    'with-entrypoint:1',
  );
  const withIt = await s.d.dockerResult(['run', '--rm', 'with-entrypoint:1', 'x']);
  assert.equal(withIt.stdout, 'from-entrypoint x\n');
  const cleared = await s.d.dockerResult(['run', '--rm', '--entrypoint', '', 'with-entrypoint:1', 'echo', 'plain']);
  assert.equal(cleared.code, 0, cleared.stderr);
  assert.equal(cleared.stdout, 'plain\n');
  await s.d.docker('rmi', 'with-entrypoint:1');
});

test('the image CMD runs when no command is given', T, async () => {
  await s.d.docker('commit', '--change', 'CMD ["echo", "from-cmd"]', await created(), 'with-cmd:1');
  const r = await s.d.dockerResult(['run', '--rm', 'with-cmd:1']);
  assert.equal(r.stdout, 'from-cmd\n');
  await s.d.docker('rmi', 'with-cmd:1');
});

test('--rm removes the container once it exits', T, async () => {
  const r = await s.d.dockerResult(['run', '--rm', '--name', 'auto-removed', 'busybox', 'true']);
  assert.equal(r.code, 0, r.stderr);
  await eventually('auto-removed to be gone', async () => {
    const ps = await s.d.docker('ps', '-a', '-q', '--filter', 'name=^auto-removed$');
    return ps.stdout.trim() === '';
  });
});

test('--rm -d removes a detached container when it exits', T, async () => {
  await s.d.docker('run', '-d', '--rm', '--name', 'auto-removed-d', 'busybox', 'sh', '-c', 'sleep 0.2');
  await eventually('auto-removed-d to be gone', async () => {
    const r = await s.d.dockerResult(['inspect', 'auto-removed-d']);
    return r.code === 1 && /No such object/.test(r.stderr);
  });
});

test('run -m puts the container in a memory cgroup with that limit', T, async () => {
  const id = (await s.d.docker('run', '-d', '-m', '32m', 'busybox', 'sleep', '30')).stdout.trim();
  try {
    const v1 = `/sys/fs/cgroup/memory/${s.d.cgroupParent}/${id}/memory.limit_in_bytes`;
    const v2 = `/sys/fs/cgroup/${s.d.cgroupParent}/${id}/memory.max`;
    const limit = await readFile(v1, 'utf8').catch(() => readFile(v2, 'utf8'));
    assert.equal(limit.trim(), String(32 * 1024 * 1024));
  } finally {
    await s.d.docker('rm', '-f', id);
  }
});

/** A throwaway stopped container to commit images from. */
let base: string | undefined;
async function created(): Promise<string> {
  base ??= (await s.d.docker('create', 'busybox', 'true')).stdout.trim();
  return base;
}

test("Debian's docker 20.10 client (API 1.41) runs, execs, lists and reads logs against berthd", T, async (t) => {
  try {
    await access(DEBIAN_DOCKER_CLI, constants.X_OK);
  } catch {
    t.skip(`${DEBIAN_DOCKER_CLI} is not installed (apt-get install docker.io)`);
    return;
  }
  const old = (args: string[], input?: string) => s.d.dockerResult(args, { cli: DEBIAN_DOCKER_CLI, input });
  const v = await old(['version', '--format', '{{.Client.APIVersion}} {{.Server.APIVersion}}']);
  assert.equal(v.code, 0, v.stderr);
  assert.match(v.stdout, /^1\.41 1\.\d+\n$/);
  const run = await old(['run', '--rm', '-i', 'busybox', 'sh', '-c', 'cat; exit 5'], 'via 20.10\n');
  assert.equal(run.code, 5);
  assert.equal(run.stdout, 'via 20.10\n');
  assert.equal(
    (await old(['run', '-d', '--name', 'old-client', 'busybox', 'sh', '-c', 'echo logged; sleep 300'])).code,
    0,
  );
  const exec = await old(['exec', 'old-client', 'sh', '-c', 'echo in; exit 2']);
  assert.equal(exec.code, 2);
  assert.equal(exec.stdout, 'in\n');
  const ps = await old(['ps', '--filter', 'name=old-client', '--format', '{{.Names}} {{.Status}}']);
  assert.match(ps.stdout, /^old-client Up /);
  await eventually('the log line', async () => (await old(['logs', 'old-client'])).stdout === 'logged\n');
  assert.equal((await old(['rm', '-f', 'old-client'])).code, 0);
});
