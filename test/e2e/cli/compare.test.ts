// berth's CLI side by side with the real docker CLI, both against one sandboxed berthd: for the everyday commands
// they must print the same (stdout and stderr, the binary's name aside) and exit with the same status.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertSameOutput, cliSkipReason, type Sandbox, startSandbox } from './harness.js';

const skip = await cliSkipReason();
let s: Sandbox;

before(async () => {
  if (skip) return;
  s = await startSandbox();
  const setup = [
    ['run', '-d', '--name', 'web', '-l', 'a=b', '-l', 'com.example.long-key=z', 'busybox', 'sleep', '1000'],
    ['run', '--name', 'done', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 3'],
    ['create', '--name', 'fresh', 'busybox', 'echo', 'a quite long command line that is cut'],
    ['tag', 'busybox', 'me/app:v1'],
    ['exec', 'web', 'sh', '-c', 'echo x > /tmp/new; rm -f /etc/hostname.bak'],
  ];
  for (const args of setup) {
    const r = await s.berth(args);
    assert.ok(r.code === 0 || (args[1] === '--name' && args[2] === 'done' && r.code === 3), `${args}: ${r.stderr}`);
  }
});

after(async () => {
  if (!skip) await s?.stop();
});

const same = (args: string[], input?: string) =>
  it(args.join(' '), { skip, timeout: 30_000 }, async () => {
    await assertSameOutput(s, args, input !== undefined ? { input } : {});
  });

describe('ps prints what docker ps prints', () => {
  same(['ps']);
  same(['ps', '-a']);
  same(['ps', '-aq']);
  same(['ps', '-a', '--no-trunc']);
  same(['ps', '-a', '-s']);
  same(['ps', '-n', '2']);
  same(['ps', '-l']);
  same(['container', 'ls', '-a', '--filter', 'status=exited']);
  same(['ps', '-a', '--filter', 'label=a=b']);
  same(['ps', '-a', '--format', 'json']);
  same([
    'ps',
    '-a',
    '--format',
    'table {{.Names}}\t{{.State}}\t{{.Label "com.example.long-key"}}\t{{.Labels}}\t{{.Size}}',
  ]);
  same(['ps', '-a', '--format', '{{.ID}} {{.Image}} {{.Command}} {{.CreatedAt}} {{.Ports}} {{.Mounts}} {{.Networks}}']);
  same(['ps', '-q', '--format', '{{.Names}}']);
  same(['ps', '--format', '{{.Nope}}']);
  same(['ps', '--format', '{{nope}}']);
});

describe('images prints what docker images prints', () => {
  same(['images']);
  same(['images', '-q']);
  same(['images', '--digests']);
  same(['images', '--no-trunc']);
  same(['images', 'me/app']);
  same(['image', 'ls', '--format', 'json']);
  same(['images', '--format', 'table {{.Repository}}:{{.Tag}}\t{{.Size}}\t{{.Containers}}']);
  same(['history', 'busybox']);
  same(['history', '--no-trunc', '-H=false', 'me/app:v1']);
  same(['history', '--format', 'json', 'busybox']);
});

describe('inspect prints what docker inspect prints', () => {
  same(['inspect', 'web']);
  same(['inspect', 'busybox']);
  same([
    'inspect',
    '-f',
    '{{.State.Status}} {{.State.ExitCode}} {{json .Config.Labels}} {{.Config.Cmd}}',
    'web',
    'done',
  ]);
  same(['image', 'inspect', '-f', '{{.Id}} {{.RepoTags}} {{.Config.Cmd}}', 'busybox']);
  same(['container', 'inspect', 'nosuch']);
  same(['inspect', 'nosuch', 'web']);
  same(['inspect', '--type', 'image', 'web']);
  same(['inspect', '-f', 'json', 'fresh']);
});

describe('logs, exec, wait, diff, port, top, stats print what docker prints', () => {
  same(['logs', 'done']);
  same(['logs', '-n', '1', 'done']);
  same(['logs', '-t', 'done']);
  same(['logs', 'nosuch']);
  same(['exec', 'web', 'sh', '-c', 'echo hi; echo e >&2; exit 4']);
  same(['exec', '-e', 'A=1', '-w', '/tmp', '-u', '1:2', 'web', 'sh', '-c', 'echo $A $(pwd) $(id -u)']);
  same(['exec', '-i', 'web', 'cat'], 'from stdin\n');
  same(['exec', 'done', 'true']);
  same(['wait', 'done']);
  same(['diff', 'web']);
  same(['port', 'web']);
  same(['port', 'web', '80']);
  same(['top', 'web']);
  same(['stats', '--no-stream', '--format', '{{.Name}} {{.PIDs}} {{.ID}}', 'web']);
  same(['system', 'df']);
});

describe('version and info print what docker prints', () => {
  same(['version', '-f', '{{.Server.Version}} {{.Server.APIVersion}} {{.Server.Os}}/{{.Server.Arch}}']);
  same(['version', '-f', '{{json .Server}}']);
  same(['info', '-f', '{{.ServerVersion}} {{.Containers}} {{.ContainersRunning}} {{json .Plugins}}']);
});

describe('errors read and exit as docker', () => {
  same(['stop', 'nosuch', 'other']);
  same(['rm', 'nosuch']);
  same(['rm', '-f', 'nosuch']);
  same(['rm', 'web']);
  same(['kill', 'nosuch']);
  same(['start', 'nosuch']);
  same(['rmi', 'nosuch']);
  same(['rename', 'nosuch', 'x']);
  same(['tag', 'busybox', 'BAD']);
  same(['ps', '--foo']);
  same(['ps', 'extra']);
  same(['logs']);
  same(['nosuchcommand']);
  same(['container', 'nosuch']);
});

describe('run exits as docker run', () => {
  same(['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
  same(['run', '--rm', '-i', 'busybox', 'cat'], 'piped\n');
  same([
    'run',
    '--rm',
    '-e',
    'A=1',
    '-w',
    '/tmp',
    '--hostname',
    'h1',
    'busybox',
    'sh',
    '-c',
    'echo $A $(pwd) $(hostname)',
  ]);
  same(['run', '--rm', '--entrypoint', 'echo', 'busybox', 'x', 'y']);
  same(['run', '--rm', '--foo', 'busybox']);
  same(['run', '--rm', '-p', 'abc', 'busybox', 'true']);
  same(['run', '--rm', '--restart', 'always', 'busybox', 'true']);
  same(['run', '--rm', 'no/such-image']);
  it('run of a missing command exits 127 with the daemon error, as docker', { skip, timeout: 30_000 }, async () => {
    const r = await assertSameOutput(s, ['run', '-l', 'e2e=missing', 'busybox', 'nosuchcmd']);
    assert.equal(r.code, 127);
    assert.match(r.stderr, /executable file not found/);
    const left = await s.berth(['ps', '-aq', '--filter', 'label=e2e=missing']);
    await s.berth(['rm', ...left.stdout.split('\n').filter(Boolean)]);
  });
});

describe('events print what docker events prints', () => {
  it('a closed time range, default format, json and a template', { skip, timeout: 30_000 }, async () => {
    const since = String(Math.floor(Date.now() / 1000) - 600);
    const until = String(Math.floor(Date.now() / 1000) + 1);
    await new Promise((r) => setTimeout(r, 1100));
    const plain = await assertSameOutput(s, ['events', '--since', since, '--until', until]);
    assert.match(
      plain.stdout,
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}(Z|[+-]\d\d:\d\d) container start [0-9a-f]{64} \(.*name=web/m,
    );
    await assertSameOutput(s, ['events', '--since', since, '--until', until, '--format', 'json']);
    await assertSameOutput(s, [
      'events',
      '--since',
      since,
      '--until',
      until,
      '--filter',
      'event=die',
      '--format',
      '{{.Type}} {{.Action}} {{.Actor.Attributes.name}} {{.Status}}',
    ]);
  });
});
