// `volume` commands: berth's CLI side by side with the real docker CLI against one sandboxed berthd (ls table, -q,
// --format, filters, inspect, create's output and refusals, rm of a missing or used volume, prune, help), and
// docker-compose (Debian's 1.29) with a named and an anonymous volume, whose `down -v` removes both.
import assert from 'node:assert/strict';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCommand } from '../../fixtures/berthd.js';
import { assertSameOutput, binaryNames, cliSkipReason, type Sandbox, startSandbox } from './harness.js';

const skip = await cliSkipReason();
let s: Sandbox;
const T = { skip, timeout: 60_000 };

before(async () => {
  if (skip) return;
  s = await startSandbox();
  for (const args of [
    ['volume', 'create', '--label', 'tier=front', 'vol10'],
    ['volume', 'create', 'vol2'],
    ['volume', 'create', '-o', 'type=tmpfs', '-o', 'device=tmpfs', 'vol1'],
    ['create', '--name', 'user', '-v', 'vol2:/x', 'busybox'],
  ]) {
    const r = await s.docker(args);
    assert.equal(r.code, 0, r.stderr);
  }
});

after(async () => {
  if (skip) return;
  await s?.docker(['rm', '-f', 'user']);
  await s?.stop();
});

const same = (args: string[], input?: string) =>
  it(args.join(' '), T, async () => {
    await assertSameOutput(s, args, input !== undefined ? { input } : {});
  });

describe('berth volume prints what docker volume prints', () => {
  it('ls is the DRIVER / VOLUME NAME table in natural order', T, async () => {
    const r = await assertSameOutput(s, ['volume', 'ls']);
    assert.equal(r.stdout, 'DRIVER    VOLUME NAME\nlocal     vol1\nlocal     vol2\nlocal     vol10\n');
  });
  same(['volume', 'ls', '-q']);
  same(['volume', 'ls', '--filter', 'dangling=true']);
  same(['volume', 'ls', '--filter', 'label=tier', '--format', '{{.Name}}\t{{.Labels}}\t{{.Label "tier"}}']);
  same(['volume', 'ls', '--format', 'table {{.Name}}\t{{.Scope}}\t{{.Links}}\t{{.Size}}']);
  same(['volume', 'ls', '--format', '{{json .}}', '--filter', 'name=vol1$']);
  same(['volume', 'ls', '--filter', 'nope=1']);
  same(['volume', 'inspect', 'vol1', 'vol10']);
  same(['volume', 'inspect', '--format', '{{.Name}} {{.Options}}', 'vol1']);
  same(['volume', 'inspect', 'missing']);
  same(['volume', 'create', 'x/y']);
  same(['volume', 'create', '-o', 'bogus=1', 'v9']);
  same(['volume', 'rm', 'missing']);
  same(['volume', 'rm', '-f', 'missing']);
  for (const args of [
    ['volume', '--help'],
    ['volume', 'create', '--help'],
    ['volume', 'ls', '--help'],
    ['volume', 'rm', '--help'],
    ['volume', 'prune', '--help'],
  ]) {
    it(args.join(' '), T, async () => {
      const [d, b] = [await s.docker(args), await s.berth(args)];
      assert.deepEqual([b.code, binaryNames(b.stdout)], [d.code, binaryNames(d.stdout)]);
    });
  }
  same(['volume', 'update', 'vol1']);

  it('rm of a used volume is refused; create prints the name', T, async () => {
    const d = await s.docker(['volume', 'rm', 'vol2']);
    const b = await s.berth(['volume', 'rm', 'vol2']);
    assert.equal(b.code, 1);
    assert.equal(b.code, d.code);
    assert.match(b.stderr, /volume is in use/);
    assert.equal((await s.berth(['volume', 'create', 'made1'])).stdout, 'made1\n');
    assert.equal((await s.berth(['volume', 'rm', 'made1'])).stdout, 'made1\n');
  });

  it('prune -f removes unused anonymous volumes and reports them', T, async () => {
    assert.equal((await s.docker(['run', '--name', 'a1', '-v', '/anon', 'busybox', 'true'])).code, 0);
    const name = (await s.docker(['inspect', '-f', '{{(index .Mounts 0).Name}}', 'a1'])).stdout.trim();
    await s.docker(['rm', 'a1']);
    const r = await s.berth(['volume', 'prune', '-f']);
    assert.equal(r.stdout, `Deleted Volumes:\n${name}\n\nTotal reclaimed space: 0B\n`);
    assert.equal((await s.berth(['volume', 'prune', '-f'])).stdout, 'Total reclaimed space: 0B\n');
  });
});

const composeSkip =
  skip ??
  (await access('/usr/bin/docker-compose').then(
    () => undefined,
    () => 'no docker-compose',
  ));

describe('docker-compose 1.29 with volumes', () => {
  it('up creates a named and an anonymous volume, data survives a recreate, down -v removes both', {
    skip: composeSkip,
    timeout: 120_000,
  }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-compose-vol-'));
    try {
      await writeFile(
        join(dir, 'docker-compose.yml'),
        [
          "version: '3.8'",
          'services:',
          '  app:',
          '    image: busybox',
          '    command: sh -c "echo $$HOSTNAME >> /named/log; touch /anon/here; sleep 300"',
          '    volumes:',
          '      - data:/named',
          '      - /anon',
          'volumes:',
          '  data: {}',
          '',
        ].join('\n'),
      );
      const compose = (...args: string[]) =>
        runCommand('/usr/bin/docker-compose', ['-p', 'vt', ...args], {
          env: { ...s.env, COMPOSE_INTERACTIVE_NO_CLI: '1', PWD: dir },
          timeoutMs: 90_000,
        }).then((r) => {
          assert.equal(r.code, 0, `docker-compose ${args.join(' ')}: ${r.stderr}`);
          return r;
        });
      const run = (args: string[]) => compose('-f', join(dir, 'docker-compose.yml'), ...args);
      await run(['up', '-d']);
      assert.ok(
        (await s.docker(['volume', 'ls', '-q'])).stdout.split('\n').includes('vt_data'),
        'the named volume vt_data',
      );
      await run(['up', '-d', '--force-recreate']);
      const log = await s.docker(['exec', 'vt_app_1', 'sh', '-c', 'sleep 0.2; cat /named/log']);
      assert.equal(log.stdout.trim().split('\n').length, 2, "the named volume kept the first run's line");
      // A fresh container (compose hands a recreated one its predecessor's anonymous volume by name, which only
      // the project's removal below takes along with -v if it is still anonymous: so start from a clean one).
      await run(['down']);
      await run(['up', '-d']);
      const mounts = JSON.parse((await s.docker(['inspect', '-f', '{{json .Mounts}}', 'vt_app_1'])).stdout) as {
        Name: string;
        Destination: string;
      }[];
      const anon = mounts.find((m) => m.Destination === '/anon')?.Name ?? '';
      assert.match(anon, /^[0-9a-f]{64}$/);
      await run(['down', '-v']);
      const left = (await s.docker(['volume', 'ls', '-q'])).stdout;
      assert.doesNotMatch(left, /vt_data/);
      assert.doesNotMatch(left, new RegExp(anon));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
