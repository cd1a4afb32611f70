// docker build through berthd (the legacy /build API the docker CLI uses without buildx): each instruction's effect
// checked by running the image, the cache, multi-stage builds, BuildKit-style mounts and secrets, reproducible IDs.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
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
});
