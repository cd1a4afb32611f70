import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type OciCommand,
  createArgs,
  deleteArgs,
  execArgs,
  killArgs,
  launcherPlan,
  psArgs,
  runtimeError,
  startArgs,
  updateArgs,
} from './args.js';

const runc: OciCommand = { path: '/usr/sbin/runc', runtimeArgs: ['--debug'], root: '/run/berth/oci/runc' };

test('create puts global options (runtimeArgs, --root, --log) before the verb, the id last', () => {
  assert.deepEqual(
    createArgs(runc, { id: 'c1', bundle: '/b', pidFile: '/b/pid', logFile: '/b/log.json', consoleSocket: '/b/c.sock' }),
    [
      '--debug',
      '--root',
      '/run/berth/oci/runc',
      '--log',
      '/b/log.json',
      '--log-format',
      'json',
      'create',
      '--bundle',
      '/b',
      '--pid-file',
      '/b/pid',
      '--console-socket',
      '/b/c.sock',
      'c1',
    ],
  );
});

test('create without a terminal passes no --console-socket', () => {
  assert.ok(!createArgs(runc, { id: 'c1', bundle: '/b', pidFile: '/p', logFile: '/l' }).includes('--console-socket'));
});

test('exec is detached, with the process file and a pid file', () => {
  const args = execArgs(
    { ...runc, runtimeArgs: [] },
    { id: 'c1', processFile: '/x.json', pidFile: '/x.pid', logFile: '/l' },
  );
  assert.deepEqual(args.slice(args.indexOf('exec')), [
    'exec',
    '--process',
    '/x.json',
    '--detach',
    '--pid-file',
    '/x.pid',
    'c1',
  ]);
});

test('kill takes a numeric signal and --all; delete --force; ps as json; update reads stdin', () => {
  const bare = { ...runc, runtimeArgs: [] };
  assert.deepEqual(killArgs(bare, 'c1', 15, false), ['--root', runc.root, 'kill', 'c1', '15']);
  assert.deepEqual(killArgs(bare, 'c1', 9, true), ['--root', runc.root, 'kill', '--all', 'c1', '9']);
  assert.deepEqual(deleteArgs(bare, 'c1', true), ['--root', runc.root, 'delete', '--force', 'c1']);
  assert.deepEqual(deleteArgs(bare, 'c1', false), ['--root', runc.root, 'delete', 'c1']);
  assert.deepEqual(startArgs(bare, 'c1'), ['--root', runc.root, 'start', 'c1']);
  assert.deepEqual(psArgs(bare, 'c1'), ['--root', runc.root, 'ps', '--format', 'json', 'c1']);
  assert.deepEqual(updateArgs(bare, 'c1'), ['--root', runc.root, 'update', '--resources', '-', 'c1']);
});

test('the launcher plan: shim ops, ADOPT, a plain fork, then the command as the only child op', () => {
  const plan = launcherPlan({
    shim: { stdio: 'pty', openStdin: true, socketPath: '/s', exitFile: '/e', startGate: false },
    pidFile: '/p',
    consoleSocket: '/c',
    launcher: 'runc create',
    path: '/usr/sbin/runc',
    args: ['create', 'c1'],
  });
  assert.deepEqual(
    plan.map((o) => o.op),
    ['stdio', 'socket', 'exitFile', 'adopt', 'clone', 'env', 'exec'],
  );
  assert.deepEqual(plan[3], { op: 'adopt', pidFile: '/p', consoleSocket: '/c', launcher: 'runc create' });
  assert.deepEqual(plan.at(-1), { op: 'exec', file: '/usr/sbin/runc', argv: ['/usr/sbin/runc', 'create', 'c1'] });
});

test("runtimeError takes the last error of runc's json log, or the last plain line", () => {
  const log = [
    '{"level":"warning","msg":"ignored","time":"t"}',
    '{"level":"error","msg":"runc create failed: unable to start container process: exec: \\"nope\\": executable file not found in $PATH","time":"t"}',
    '',
  ].join('\n');
  assert.match(runtimeError(log), /^runc create failed: .*executable file not found/);
  assert.equal(runtimeError('some noise\ncontainer "x" does not exist\n'), 'container "x" does not exist');
  assert.equal(runtimeError(''), '');
});
