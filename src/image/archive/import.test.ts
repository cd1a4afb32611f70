import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { sha256 } from '../../lib/digest.js';
import { applyChanges, parseDuration } from './changes.js';
import { importImage } from './import.js';
import { layerTar, once, openEnv, withTemp } from './testing.js';

const rootfs = layerTar({ 'bin/sh': 'shell' });
const ZERO =
  '{"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":null,"Cmd":null,"Image":"","Volumes":null,"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":null}';

test('import writes the config Docker writes, with --change CMD/ENV/WORKDIR applied', async () => {
  await withTemp(async (dir) => {
    const env = await openEnv(dir, 'dst');
    const now = new Date('2025-03-04T05:06:07.890Z');
    const { id } = await importImage(
      once(gzipSync(rootfs)),
      {
        changes: [
          'CMD ["/bin/sh", "-c", "echo hi"]',
          'ENV A=1 B="two words"',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a Dockerfile variable, not a template
          'ENV C ${A}-x',
          'WORKDIR /srv',
          'WORKDIR app',
        ],
        ref: 'imported',
        platform: 'linux/amd64',
        now: () => now,
      },
      env,
    );
    const config = env.images.get(id).config;
    assert.deepEqual(config.config?.Cmd, ['/bin/sh', '-c', 'echo hi']);
    assert.deepEqual(config.config?.Env, ['A=1', 'B=two words', 'C=1-x']);
    assert.equal(config.config?.WorkingDir, '/srv/app');
    assert.deepEqual(config.rootfs.diff_ids, [sha256(rootfs)]);
    assert.deepEqual(config.history, [{ created: '2025-03-04T05:06:07.89Z', comment: 'Imported from -' }]);
    assert.equal(env.images.resolve('imported:latest').id, id);
    // Byte for byte what dockerd 28 marshals (image.Image field order, Go's time format).
    const raw = (await env.content.get(id)).toString();
    const cfg = ZERO.replace(
      '"Env":null,"Cmd":null',
      '"Env":["A=1","B=two words","C=1-x"],"Cmd":["/bin/sh","-c","echo hi"]',
    ).replace('"WorkingDir":""', '"WorkingDir":"/srv/app"');
    assert.equal(
      raw,
      `{"comment":"Imported from -","created":"2025-03-04T05:06:07.89Z","container_config":${ZERO},"config":${cfg},"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["${sha256(rootfs)}"]},"history":[{"created":"2025-03-04T05:06:07.89Z","comment":"Imported from -"}]}`,
    );
  });
});

test('import refuses bad changes and platforms before registering anything', async () => {
  await withTemp(async (dir) => {
    const env = await openEnv(dir, 'dst');
    await assert.rejects(importImage(once(rootfs), { changes: ['RUN make'] }, env), {
      name: 'InvalidParameter',
      message: 'run is not a valid change command',
    });
    await assert.rejects(importImage(once(rootfs), { platform: 'windows/amd64' }, env), /unsupported os windows/);
    await assert.rejects(importImage(once(rootfs), { ref: 'a@sha256:' + 'a'.repeat(64) }, env), {
      name: 'InvalidParameter',
    });
    const { readdir } = await import('node:fs/promises');
    assert.deepEqual(await readdir(env.layers.root), []);
  });
});

test('--change instructions: the forms Docker accepts', () => {
  const c = applyChanges([
    'ENTRYPOINT ["/init"]',
    'CMD run --fast',
    'USER app:app',
    'LABEL a=1 "b c"="d e"',
    'LABEL legacy form value',
    'EXPOSE 80 53/udp 8000-8001',
    'VOLUME ["/data", "/logs"]',
    'VOLUME /cache',
    'STOPSIGNAL SIGQUIT',
    'HEALTHCHECK --interval=30s --retries=3 CMD curl -f http://localhost/',
    'ONBUILD RUN echo built',
    '# a comment',
    'ENV P=/x \\',
    '    Q=y',
  ]);
  assert.deepEqual(c.Entrypoint, ['/init']);
  assert.deepEqual(c.Cmd, ['/bin/sh', '-c', 'run --fast']);
  assert.equal(c.User, 'app:app');
  assert.deepEqual(c.Labels, { a: '1', 'b c': 'd e', legacy: 'form value' });
  assert.deepEqual(Object.keys(c.ExposedPorts!), ['80/tcp', '53/udp', '8000/tcp', '8001/tcp']);
  assert.deepEqual(Object.keys(c.Volumes!), ['/data', '/logs', '/cache']);
  assert.equal(c.StopSignal, 'SIGQUIT');
  assert.deepEqual(c.Healthcheck, { Test: ['CMD-SHELL', 'curl -f http://localhost/'], Interval: 30e9, Retries: 3 });
  assert.deepEqual(c.OnBuild, ['RUN echo built']);
  assert.deepEqual(c.Env, ['P=/x', 'Q=y']);
  // ENTRYPOINT drops an inherited CMD unless these changes set one first.
  assert.equal(applyChanges(['ENTRYPOINT /x'], { Cmd: ['old'] }).Cmd, null);
  assert.equal(parseDuration('1m30s'), 90e9);
});

test('--change errors say what is wrong', () => {
  const bad: [string, RegExp][] = [
    ['FROM busybox', /^from is not a valid change command$/],
    ['COPY a b', /^copy is not a valid change command$/],
    ['ENV', /ENV requires at least one argument/],
    ['ENV onlykey', /ENV must have two arguments/],
    ['ENV =x', /ENV names can not be blank/],
    ['EXPOSE 99999', /invalid containerPort: 99999/],
    ['EXPOSE 80/xyz', /invalid proto: xyz/],
    ['STOPSIGNAL NOPE', /Invalid signal: NOPE/],
    ['HEALTHCHECK FOO x', /Unknown type "FOO" in HEALTHCHECK \(try CMD\)/],
    ['HEALTHCHECK --interval=1us CMD true', /cannot be less than 1ms/],
    ['ONBUILD ONBUILD RUN x', /Chaining ONBUILD/],
    ['ONBUILD FROM x', /FROM isn't allowed as an ONBUILD trigger/],
    ['USER', /USER requires exactly one argument/],
    ['LABEL a="unterminated', /matching double-quote/],
  ];
  for (const [change, message] of bad) {
    assert.throws(
      () => applyChanges([change]),
      (e: Error) => e.name === 'InvalidParameter' && message.test(e.message),
      change,
    );
  }
});
