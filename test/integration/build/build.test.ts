// docker build through berthd (the legacy /build API the docker CLI uses without buildx): each instruction's effect
// checked by running the image, the cache, multi-stage builds, BuildKit-style mounts and secrets, reproducible IDs.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCommand } from '../../fixtures/process.js';
import { repoRoot } from '../../fixtures/rootfs.js';
import { daemonSuite } from '../daemon/helpers.js';

const suite = await daemonSuite();
const skip = suite.skip ? { skip: suite.skip } : {};

/** A context directory with `files` (path → content). */
async function context(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(suite.d.dir, 'ctx-'));
  for (const [p, content] of Object.entries(files)) {
    await mkdir(join(dir, p, '..'), { recursive: true });
    await writeFile(join(dir, p), content);
  }
  return dir;
}

const build = (dir: string, ...args: string[]) => suite.d.dockerResult(['build', ...args, dir]);
/** berth's own CLI against the same daemon (its build has --secret, which the docker CLI keeps for BuildKit). */
const berth = async (args: string[]) =>
  runCommand(join(await repoRoot(), 'bin', 'berth'), args, {
    env: { ...process.env, DOCKER_HOST: suite.d.host, DOCKER_CONFIG: join(suite.d.dir, 'cli') },
    timeoutMs: 120_000,
  });
const run = async (image: string, ...cmd: string[]) => (await suite.d.docker('run', '--rm', image, ...cmd)).stdout;

describe('docker build', skip, () => {
  it('builds each instruction into an image that runs as written', async () => {
    const dir = await context({
      Dockerfile: [
        'FROM busybox',
        'ARG GREETING=hello',
        'ENV APP=/app NAME="berth build"',
        'LABEL org.example.kind=test',
        'WORKDIR $APP',
        'COPY greet.sh ./',
        'COPY conf/ /etc/demo/',
        'RUN echo "$GREETING from RUN" > /built.txt && chmod +x greet.sh',
        'EXPOSE 8080/tcp 53/udp',
        'USER nobody',
        'VOLUME /data',
        'STOPSIGNAL SIGINT',
        'ENTRYPOINT ["/app/greet.sh"]',
        'CMD ["world"]',
      ].join('\n'),
      'greet.sh': '#!/bin/sh\necho "hi $1 from $NAME in $(pwd) as $(id -u)"\n',
      'conf/a.conf': 'a=1\n',
      'conf/sub/b.conf': 'b=2\n',
    });
    const r = await build(dir, '-t', 'built:1');
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /Step 1\/14 : FROM busybox/);
    assert.match(r.stdout, /Successfully built [0-9a-f]{12}/);
    assert.match(r.stdout, /Successfully tagged built:1/);
    assert.equal(await run('built:1'), 'hi world from berth build in /app as 65534\n');
    assert.equal(await run('built:1', 'there'), 'hi there from berth build in /app as 65534\n');
    const cat = (p: string) => suite.d.docker('run', '--rm', '--entrypoint', 'cat', 'built:1', p);
    assert.equal((await cat('/built.txt')).stdout, 'hello from RUN\n');
    assert.equal((await cat('/etc/demo/sub/b.conf')).stdout, 'b=2\n');
    const inspect = JSON.parse((await suite.d.docker('inspect', 'built:1')).stdout)[0];
    const c = inspect.Config;
    assert.deepEqual(Object.keys(c.ExposedPorts).sort(), ['53/udp', '8080/tcp']);
    assert.deepEqual(c.Volumes, { '/data': {} });
    assert.equal(c.StopSignal, 'SIGINT');
    assert.equal(c.Labels['org.example.kind'], 'test');
    assert.ok(c.Env.includes('APP=/app') && c.Env.includes('NAME=berth build'));
    assert.ok(!c.Env.some((e: string) => e.startsWith('GREETING=')), 'an ARG is not kept in the image');
    const history = (await suite.d.docker('history', '--no-trunc', '--format', '{{.CreatedBy}}', 'built:1')).stdout;
    assert.match(history, /\|1 GREETING=hello \/bin\/sh -c echo "\$GREETING from RUN"/);
    assert.match(history, /#\(nop\) {2}CMD \["world"\]/);
    assert.match(history, /#\(nop\) COPY file:[0-9a-f]{64} in \.\/ /);
  });

  it('reuses the cache until a file, an ARG or an instruction above changes, and --no-cache rebuilds', async () => {
    const dir = await context({
      Dockerfile: 'FROM busybox\nARG V=1\nRUN echo run-$V > /v\nCOPY a.txt /\nRUN cat /a.txt /v > /both\n',
      'a.txt': 'one\n',
    });
    const first = await build(dir, '-t', 'cached:1');
    assert.equal(first.code, 0, first.stderr);
    const again = await build(dir, '-t', 'cached:1');
    assert.equal(again.code, 0, again.stderr);
    assert.equal((again.stdout.match(/Using cache/g) ?? []).length, 4, again.stdout);
    const id = (s: string) => /Successfully built ([0-9a-f]{12})/.exec(s)?.[1];
    assert.equal(id(again.stdout), id(first.stdout));

    await writeFile(join(dir, 'a.txt'), 'two\n');
    const changedFile = await build(dir, '-t', 'cached:2');
    assert.equal((changedFile.stdout.match(/Using cache/g) ?? []).length, 2, changedFile.stdout);
    assert.equal(await run('cached:2', 'cat', '/both'), 'two\nrun-1\n');

    const changedArg = await build(dir, '--build-arg', 'V=2', '-t', 'cached:3');
    assert.equal((changedArg.stdout.match(/Using cache/g) ?? []).length, 1, changedArg.stdout);
    assert.equal(await run('cached:3', 'cat', '/both'), 'two\nrun-2\n');

    const noCache = await build(dir, '--no-cache', '-t', 'cached:4');
    assert.doesNotMatch(noCache.stdout, /Using cache/);
    // The cache survives a daemon restart (it is the image store plus one index file).
    await suite.d.restart();
    const afterRestart = await build(dir, '-t', 'cached:2');
    assert.equal((afterRestart.stdout.match(/Using cache/g) ?? []).length, 4, afterRestart.stdout);
  });

  it('.dockerignore excludes files, with ! exceptions, and a context symlink never reaches outside', async () => {
    const dir = await context({
      Dockerfile: 'FROM busybox\nCOPY . /ctx/\n',
      '.dockerignore': 'secret*\n**/*.log\n!keep.log\n',
      'secret.txt': 'x',
      'app/run.log': 'x',
      'keep.log': 'kept',
      'app/main.txt': 'main',
    });
    await symlink('/etc/shadow', join(dir, 'shadow-link'));
    const r = await build(dir, '-t', 'ignored:1');
    assert.equal(r.code, 0, r.stderr);
    const listing = await run('ignored:1', 'sh', '-c', 'cd /ctx && find . | sort');
    assert.match(listing, /\.\/keep\.log/);
    assert.match(listing, /\.\/app\/main\.txt/);
    assert.doesNotMatch(listing, /secret|run\.log/);
    // The symlink is copied as a symlink: inside the image it leads to the image's own /etc/shadow (none in busybox).
    assert.equal(await run('ignored:1', 'readlink', '/ctx/shadow-link'), '/etc/shadow\n');
  });

  it('multi-stage: COPY --from a stage, --target builds only the stages it needs', async () => {
    const dir = await context({
      Dockerfile: [
        'FROM busybox AS base',
        'RUN echo base > /base',
        'FROM busybox AS unused',
        'RUN exit 7',
        'FROM base AS tools',
        'RUN echo tools > /tools',
        'FROM busybox',
        'COPY --from=tools /tools /base /out/',
        'COPY --from=busybox:latest /bin/busybox /out/bb',
        'CMD ["cat", "/out/tools", "/out/base"]',
      ].join('\n'),
    });
    const target = await build(dir, '--target', 'tools', '-t', 'stages:tools');
    assert.equal(target.code, 0, target.stderr + target.stdout);
    assert.doesNotMatch(target.stdout, /exit 7/, 'the unused stage is not built');
    assert.equal(await run('stages:tools', 'cat', '/tools'), 'tools\n');
    const full = await build(dir, '-t', 'stages:final');
    assert.equal(full.code, 0, full.stderr + full.stdout);
    assert.doesNotMatch(full.stdout, /exit 7/);
    assert.equal(await run('stages:final'), 'tools\nbase\n');
    const missing = await build(dir, '--target', 'nope');
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /failed to reach build target nope in Dockerfile/);
  });

  it('RUN --mount: a cache directory persists between builds; a secret is readable in its RUN and in no layer', async () => {
    const dir = await context({
      Dockerfile: [
        'FROM busybox',
        'ARG N',
        'RUN --mount=type=cache,target=/cache echo $N >> /cache/runs && cat /cache/runs > /seen',
        'RUN --mount=type=secret,id=token cat /run/secrets/token | wc -c > /token-length',
        'RUN --mount=type=tmpfs,target=/scratch touch /scratch/x && ls /scratch > /tmpfs-seen',
      ].join('\n'),
    });
    const secretFile = join(suite.d.dir, 'token.txt');
    await writeFile(secretFile, 'sup3r-s3cret');
    const first = await build(dir, '--build-arg', 'N=1', '--secret', `id=token,src=${secretFile}`, '-t', 'mounts:1');
    // The docker CLI has no --secret for the legacy builder: berth's own CLI sends it.
    assert.notEqual(first.code, 0, 'docker build rejects --secret without BuildKit');
    const b1 = await berth([
      'build',
      dir,
      '--build-arg',
      'N=1',
      '--secret',
      `id=token,src=${secretFile}`,
      '-t',
      'mounts:1',
    ]);
    assert.equal(b1.code, 0, b1.stderr + b1.stdout);
    const b2 = await berth([
      'build',
      dir,
      '--build-arg',
      'N=2',
      '--secret',
      `id=token,src=${secretFile}`,
      '-t',
      'mounts:2',
    ]);
    assert.equal(b2.code, 0, b2.stderr + b2.stdout);
    assert.equal(await run('mounts:2', 'cat', '/seen'), '1\n2\n');
    assert.equal((await run('mounts:2', 'cat', '/token-length')).trim(), '12');
    assert.equal(await run('mounts:2', 'cat', '/tmpfs-seen'), 'x\n');
    const tarFile = join(suite.d.dir, 'mounts.tar');
    await suite.d.docker('save', '-o', tarFile, 'mounts:2');
    const saved = await readFile(tarFile);
    assert.ok(!saved.includes(Buffer.from('sup3r-s3cret')), 'the secret is in no layer');
    const history = (await suite.d.docker('history', '--no-trunc', 'mounts:2')).stdout;
    assert.doesNotMatch(history, /sup3r/);
  });

  it('a failing RUN stops the build with its exit code and leaves no container; a bad instruction names its line', async () => {
    const before = (await suite.d.docker('ps', '-aq')).stdout;
    const failing = await context({ Dockerfile: 'FROM busybox\nRUN echo partial > /p\nRUN exit 3\nRUN echo never\n' });
    const r = await build(failing);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /The command '\/bin\/sh -c exit 3' returned a non-zero code: 3/);
    assert.doesNotMatch(r.stdout, /never/);
    assert.equal((await suite.d.docker('ps', '-aq')).stdout, before);
    const bad = await context({ Dockerfile: 'FROM busybox\nRUN true\nFROMM busybox\n' });
    const b = await build(bad);
    assert.notEqual(b.code, 0);
    assert.match(b.stderr, /line 3: unknown instruction: FROMM/i);
    const badFrom = await context({ Dockerfile: 'FROM no-such-image-here:1\n' });
    const f = await build(badFrom);
    assert.notEqual(f.code, 0);
  });

  it('ONBUILD triggers run in a child build', async () => {
    const parent = await context({
      Dockerfile: 'FROM busybox\nONBUILD COPY marker /marker\nONBUILD RUN echo triggered > /t\n',
    });
    assert.equal((await build(parent, '-t', 'onbuild:parent')).code, 0);
    const child = await context({ Dockerfile: 'FROM onbuild:parent\n', marker: 'from-child\n' });
    const r = await build(child, '-t', 'onbuild:child');
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /Executing 2 build triggers/);
    assert.equal(await run('onbuild:child', 'cat', '/marker', '/t'), 'from-child\ntriggered\n');
    const cfg = JSON.parse((await suite.d.docker('inspect', '-f', '{{json .Config.OnBuild}}', 'onbuild:child')).stdout);
    assert.ok(cfg === null || cfg.length === 0, 'the child does not carry the triggers on');
  });

  it('SOURCE_DATE_EPOCH makes two no-cache builds give the same image ID', async () => {
    // RUN and COPY make layers, ENV an empty one; a second apart, only the epoch can make the IDs meet.
    const stable = await context({
      Dockerfile: 'FROM busybox\nRUN echo x > /x && mkdir -p /d/e\nCOPY f /f\nENV A=1\n',
      f: 'c\n',
    });
    const again: string[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await build(stable, '--no-cache', '-q', '--build-arg', 'SOURCE_DATE_EPOCH=1700000000');
      assert.equal(r.code, 0, r.stderr);
      again.push(r.stdout.trim());
      await new Promise((res) => setTimeout(res, 1100));
    }
    assert.match(again[0] ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.equal(again[0], again[1]);
    const created = (await suite.d.docker('inspect', '-f', '{{.Created}}', again[0] ?? '')).stdout.trim();
    assert.match(created, /^2023-11-14T22:13:20/);
  });

  it('-f from stdin, --label, two -t, --iidfile, --cache-from, and builder prune', async () => {
    const dir = await context({ 'data.txt': 'payload\n' });
    const dockerfile = 'FROM busybox\nCOPY data.txt /data.txt\nRUN cat /data.txt > /copied\n';
    const iid = join(suite.d.dir, 'iid');
    const r = await suite.d.dockerResult(
      ['build', '-f', '-', '--label', 'team=core', '-t', 'multi:a', '-t', 'multi:b', '--iidfile', iid, dir],
      { input: dockerfile },
    );
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const id = (await readFile(iid, 'utf8')).trim();
    assert.match(id, /^sha256:[0-9a-f]{64}$/);
    const tags = (await suite.d.docker('inspect', '-f', '{{join .RepoTags ","}}', id)).stdout.trim().split(',').sort();
    assert.deepEqual(tags, ['multi:a', 'multi:b']);
    assert.equal((await suite.d.docker('inspect', '-f', '{{index .Config.Labels "team"}}', id)).stdout.trim(), 'core');
    assert.equal(await run('multi:a', 'cat', '/copied'), 'payload\n');

    // builder prune forgets the cache: the next build runs every step again...
    const pruned = await berth(['builder', 'prune', '-f']);
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.match(pruned.stdout, /Total reclaimed space/);
    const afterPrune = await suite.d.dockerResult(['build', '-f', '-', '-t', 'multi:c', dir], { input: dockerfile });
    assert.equal(afterPrune.code, 0, afterPrune.stderr);
    assert.doesNotMatch(afterPrune.stdout, /Using cache/);
    // ...unless an image given with --cache-from holds the steps (its layers are reused under this build's config).
    await berth(['builder', 'prune', '-f']);
    const withCacheFrom = await suite.d.dockerResult(['build', '-f', '-', '--cache-from', 'multi:c', dir], {
      input: dockerfile,
    });
    assert.equal(withCacheFrom.code, 0, withCacheFrom.stderr);
    assert.equal((withCacheFrom.stdout.match(/Using cache/g) ?? []).length, 2, withCacheFrom.stdout);
  });
});
