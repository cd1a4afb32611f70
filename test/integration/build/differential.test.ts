// The same Dockerfiles built by berth and by Debian's dockerd (its legacy builder, as the docker CLI drives both):
// the images must behave the same — what their commands print, their config, their files' owners and modes, and
// the history `docker history` shows (COPY's source hash aside: the two builders checksum differently).
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { differentialSuite } from '../daemon/helpers.js';

const suite = await differentialSuite();
const dockerdSkip = suite.dockerdSkip;
// Top-level hooks do not wait for each other: the contexts live in a directory of the file's own.
const scratch = await mkdtemp(join(tmpdir(), 'berth-build-diff-'));
after(() => rm(scratch, { recursive: true, force: true }));
const skip = suite.skip ?? dockerdSkip;

interface Engine {
  docker(...args: string[]): Promise<{ stdout: string }>;
}

const DOCKERFILE = `# escape=\\
FROM busybox AS base
ARG VERSION=1.2
ENV APP_HOME=/srv/app \\
    MODE="production mode"
LABEL version=$VERSION maintainer="someone <a@b.c>"
WORKDIR \${APP_HOME}
COPY --chown=1000:1000 src/ ./src/
COPY top.txt nested/*.cfg ./conf/
ADD layer.tar /opt/unpacked/
RUN echo "usr:x:2000:2000::/srv:/bin/sh" >> /etc/passwd && echo "grp:x:2000:" >> /etc/group && echo "v=$VERSION" > /srv/app/version
SHELL ["/bin/sh", "-c"]
RUN ["/bin/sh", "-c", "ls -ln /srv/app/src /srv/app/conf > /srv/app/listing"]
EXPOSE 80 443/tcp 5353/udp
VOLUME ["/data"]
USER usr:grp
HEALTHCHECK --interval=5s --timeout=2s --retries=4 CMD true
STOPSIGNAL SIGQUIT
FROM base
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["echo $MODE in $(pwd) as $(id -un):$(id -gn); cat version"]
`;

async function contextDir(): Promise<string> {
  const dir = await mkdtemp(join(scratch, 'ctx-'));
  const files: Record<string, string> = {
    Dockerfile: DOCKERFILE,
    'src/main.sh': 'echo main\n',
    'src/lib/util.sh': 'echo util\n',
    'top.txt': 'top\n',
    'nested/a.cfg': 'a\n',
    'nested/b.cfg': 'b\n',
    'nested/c.txt': 'not copied\n',
  };
  for (const [p, c] of Object.entries(files)) {
    await mkdir(join(dir, p, '..'), { recursive: true });
    await writeFile(join(dir, p), c);
  }
  const layer = join(scratch, 'layer-src');
  await mkdir(join(layer, 'sub'), { recursive: true });
  await writeFile(join(layer, 'sub', 'inner.txt'), 'inner\n');
  const { execFileSync } = await import('node:child_process');
  execFileSync('tar', ['-C', layer, '--owner=0', '--group=0', '-cf', join(dir, 'layer.tar'), 'sub']);
  return dir;
}

/** What a user sees of the built image. */
async function observe(e: Engine, tag: string) {
  const inspect = JSON.parse((await e.docker('inspect', tag)).stdout)[0];
  const c = inspect.Config;
  const history = (await e.docker('history', '--no-trunc', '--format', '{{.CreatedBy}}', tag)).stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => l.replace(/(file|dir|multi):[0-9a-f]{64}/, '$1:<hash>').trimEnd());
  const runCmd = (...args: string[]) => e.docker('run', '--rm', '--network', 'none', ...args);
  return {
    output: (await runCmd(tag)).stdout,
    listing: (await runCmd('--entrypoint', 'cat', tag, '/srv/app/listing')).stdout,
    files: (
      await runCmd(
        '--entrypoint',
        'sh',
        tag,
        '-c',
        'find /srv/app /opt/unpacked | sort | xargs stat -c "%n %u:%g %a %F"',
      )
    ).stdout,
    config: {
      Env: c.Env,
      Cmd: c.Cmd,
      Entrypoint: c.Entrypoint,
      WorkingDir: c.WorkingDir,
      User: c.User,
      ExposedPorts: c.ExposedPorts,
      Volumes: c.Volumes,
      Labels: c.Labels,
      StopSignal: c.StopSignal,
      Healthcheck: c.Healthcheck,
      Shell: c.Shell,
    },
    history,
  };
}

describe('berth and dockerd build the same Dockerfile into images that behave the same', { skip }, () => {
  it('same output, config, files and history', async () => {
    const dir = await contextDir();
    await suite.d.docker('build', '--network', 'none', '-t', 'same:1', dir);
    await suite.dockerd().docker('build', '--network', 'none', '-t', 'same:1', dir);
    const mine = await observe(suite.d, 'same:1');
    const theirs = await observe(suite.dockerd(), 'same:1');
    assert.equal(mine.output, theirs.output);
    assert.equal(mine.listing.replace(/\w{3} +\d+ +[\d:]+/g, 'T'), theirs.listing.replace(/\w{3} +\d+ +[\d:]+/g, 'T'));
    assert.equal(mine.files, theirs.files);
    assert.deepEqual(mine.config, theirs.config);
    assert.deepEqual(mine.history, theirs.history);
  });
});
