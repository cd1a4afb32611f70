// create → start → running → exit → delete through the berth-runtime command, with signals and Docker's exit codes.
import assert from 'node:assert/strict';
import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { detectCgroupDriver } from '../../../src/runtime/cgroups/index.js';
import { Runtime, defaultHelperPath } from '../../../src/runtime/runtime.js';
import { ForkServer } from '../../../src/runtime/shim/forkserver.js';
import { TEST_INIT } from '../../fixtures/index.js';
import { RuntimeHarness, eventually, helperProcesses } from './harness.js';

const T = TEST_INIT;
let h: RuntimeHarness;
before(async () => {
  h = await RuntimeHarness.create();
});
after(async () => {
  await h.cleanup();
});

const state = async (id: string) => {
  const r = await h.run(['state', id]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as { status: string; pid: number; id: string; bundle: string; ociVersion: string };
};

describe('lifecycle', () => {
  test('create parks the process, start runs it, state follows, delete removes everything', async () => {
    const b = await h.bundle({ args: [T, 'sleep', '30'] });
    const c = await h.run(['create', '--bundle', b.dir, 'life1']);
    assert.equal(c.code, 0, c.stderr);
    const created = await state('life1');
    assert.equal(created.status, 'created');
    assert.ok(created.pid > 0);
    assert.equal(created.bundle, b.dir);
    // Parked before execve: the process is still the helper, not the command.
    assert.match(await readFile(`/proc/${created.pid}/cmdline`, 'utf8'), /berth-helper/);
    assert.equal((await h.run(['start', 'life1'])).code, 0);
    assert.equal((await state('life1')).status, 'running');
    assert.match(await readFile(`/proc/${created.pid}/cmdline`, 'utf8'), /berth-test-init/);
    const again = await h.run(['start', 'life1']);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /already running/);
    const refused = await h.run(['delete', 'life1']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /not stopped: running/);
    assert.equal((await h.run(['kill', 'life1', 'KILL'])).code, 0);
    await eventually(async () => ((await state('life1')).status === 'stopped' ? true : undefined), 5000, 'stopped');
    assert.equal((await h.run(['delete', 'life1'])).code, 0);
    const gone = await h.run(['state', 'life1']);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /does not exist/);
  });

  test('a runtime with a forkserver starts containers through it and leaves no helper after close', async () => {
    const rt = await Runtime.open({ root: h.root, cgroups: await detectCgroupDriver(), forkServer: true });
    try {
      for (const id of ['pool1', 'pool2']) {
        const b = await h.bundle({ args: ['sh', '-c', 'exit 4'] });
        await rt.create(id, b.dir, { stdio: { log: { path: `${b.dir}/log.json`, maxSize: 0, maxFiles: 1 } } });
        await rt.start(id);
        assert.equal((await rt.wait(id))?.exitCode, 4);
        await rt.delete(id);
      }
    } finally {
      rt.close();
    }
    await eventually(async () => ((await helperProcesses()).length === 0 ? true : undefined), 5000, 'no helper left');
  });

  test('a runtime whose forkserver died spawns its shims itself', async () => {
    const rt = await Runtime.open({ root: h.root, cgroups: await detectCgroupDriver(), forkServer: true });
    try {
      const server = (await helperProcesses()).find((l) => l.includes(' forkserver ') && l.includes(h.root));
      assert.ok(server, 'the forkserver runs');
      process.kill(Number(server.split(' ')[0]), 'SIGKILL');
      const b = await h.bundle({ args: ['sh', '-c', 'exit 5'] });
      await rt.create('orphaned', b.dir, { stdio: { log: { path: `${b.dir}/log.json`, maxSize: 0, maxFiles: 1 } } });
      await rt.start('orphaned');
      assert.equal((await rt.wait('orphaned'))?.exitCode, 5);
      await rt.delete('orphaned');
    } finally {
      rt.close();
    }
    await eventually(async () => ((await helperProcesses()).length === 0 ? true : undefined), 5000, 'no helper left');
  });

  test("a forkserver ending late leaves a newer forkserver's socket in place", async () => {
    // A daemon restarted quickly binds a new forkserver where the old one, not yet at its stdin's EOF, still runs.
    const path = join(h.root, 'fs-test.sock');
    const old = await ForkServer.start(defaultHelperPath(), path);
    const fresh = await ForkServer.start(defaultHelperPath(), path);
    try {
      old.close();
      await eventually(
        async () => ((await helperProcesses()).some((l) => l.startsWith(`${old.pid} `)) ? undefined : true),
        5000,
        'the old forkserver gone',
      );
      (await fresh.connect()).destroy(); // its socket is still there (the shim it made exits without a plan)
    } finally {
      fresh.close();
    }
    await assert.rejects(access(path), { code: 'ENOENT' });
    await eventually(async () => ((await helperProcesses()).length === 0 ? true : undefined), 5000, 'no helper left');
  });

  test('a created container can be deleted without starting it', async () => {
    const b = await h.bundle({ args: ['true'] });
    assert.equal((await h.run(['create', '--bundle', b.dir, 'life2'])).code, 0);
    assert.equal((await h.run(['delete', 'life2'])).code, 0);
    assert.equal((await h.run(['list', '-q'])).stdout, '');
  });

  test('kill delivers the signals it is given', async () => {
    const b = await h.bundle({ args: [T, 'signals'] });
    const rt = await h.runtime();
    const { record } = await rt.create('sig1', b.dir, {
      stdio: { log: { path: `${b.dir}/log.json`, maxSize: 0, maxFiles: 1 } },
    });
    await rt.start('sig1');
    const log = () => readFile(`${b.dir}/log.json`, 'utf8').catch(() => '');
    await eventually(async () => ((await log()).includes('ready') ? true : undefined), 5000, 'ready');
    for (const sig of ['USR1', 'SIGHUP', '2']) assert.equal((await h.run(['kill', 'sig1', sig])).code, 0);
    await eventually(async () => ((await log()).includes('SIGINT') ? true : undefined), 5000, 'SIGINT');
    assert.equal((await h.run(['kill', 'sig1'])).code, 0); // SIGTERM by default
    const status = await rt.wait('sig1');
    assert.equal(status?.exitCode, 0);
    assert.equal(status?.pid, record.pid);
    const lines = (await log())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { log: string; stream: string });
    assert.deepEqual(
      lines.map((l) => l.log.trim()),
      ['ready', 'SIGUSR1', 'SIGHUP', 'SIGINT', 'SIGTERM'],
    );
    assert.ok(lines.every((l) => l.stream === 'stdout'));
    await rt.delete('sig1');
  });

  for (const [name, args, code] of [
    ['0 for success', ['true'], 0],
    ['the exit status', ['sh', '-c', 'exit 3'], 3],
    ['127 for a missing executable', ['/no/such/binary'], 127],
    ['127 for a name not in PATH', ['nosuchcommand'], 127],
    ['126 for a file that is not executable', ['/etc/passwd'], 126],
  ] as const) {
    test(`run exits with ${name}`, async () => {
      const b = await h.bundle({ args: [...args] });
      const r = await h.run(['run', '--bundle', b.dir, `exit-${code}-${Math.random().toString(36).slice(2, 6)}`]);
      assert.equal(r.code, code, r.stderr);
      if (code === 127) assert.match(r.stderr, /executable file not found|no such file/);
    });
  }

  test('run exits with 128+signal when the container is killed', async () => {
    const b = await h.bundle({ args: [T, 'sleep', '30'] });
    const running = h.run(['run', '--bundle', b.dir, 'killed1']);
    await eventually(async () => ((await h.run(['state', 'killed1'])).stdout.includes('"running"') ? true : undefined));
    assert.equal((await h.run(['kill', 'killed1', 'SIGKILL'])).code, 0);
    const r = await running;
    assert.equal(r.code, 137, r.stderr);
  });

  test('run passes stdin, stdout and stderr through and leaves nothing behind', async () => {
    const b = await h.bundle({ args: ['sh', '-c', 'read x; echo "got $x"; echo oops >&2'] });
    const r = await h.run(['run', '--bundle', b.dir, 'stdio1'], { input: 'hello\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'got hello\n');
    assert.equal(r.stderr, 'oops\n');
    assert.equal((await h.run(['list', '-q'])).stdout, '');
  });

  test('list, ps and pause/resume report the container', async () => {
    const b = await h.bundle({ args: ['sh', '-c', `${T} sleep 30 & exec ${T} sleep 30`] });
    assert.equal((await h.run(['run', '-d', '--bundle', b.dir, 'ps1'])).code, 0);
    const pids = await eventually(async () => {
      const r = await h.run(['ps', '--format', 'json', 'ps1']);
      const p = JSON.parse(r.stdout) as number[];
      return p.length === 2 ? p : undefined;
    });
    assert.ok(pids.includes((await state('ps1')).pid));
    const table = await h.run(['ps', 'ps1']);
    assert.match(table.stdout, /PID/);
    assert.equal(table.stdout.trim().split('\n').length, 3);
    const list = await h.run(['list', '--format', 'json']);
    assert.deepEqual(
      (JSON.parse(list.stdout) as { id: string; status: string }[]).map((c) => [c.id, c.status]),
      [['ps1', 'running']],
    );
    assert.equal((await h.run(['pause', 'ps1'])).code, 0);
    assert.equal((await state('ps1')).status, 'paused');
    const frozen = await readFile(`/proc/${pids[0]}/status`, 'utf8');
    assert.match(frozen, /State:\s+[SD]/);
    assert.equal((await h.run(['resume', 'ps1'])).code, 0);
    assert.equal((await state('ps1')).status, 'running');
    assert.equal((await h.run(['delete', '--force', 'ps1'])).code, 0);
  });

  test('exec runs a process inside a running container with its env, cwd and user', async () => {
    const b = await h.bundle({ args: [T, 'sleep', '30'] });
    assert.equal((await h.run(['run', '-d', '--bundle', b.dir, 'ex1'])).code, 0);
    const r = await h.run([
      'exec',
      '-e',
      'FOO=bar',
      '--cwd',
      '/etc',
      '--user',
      '65534:65534',
      'ex1',
      'sh',
      '-c',
      'echo $FOO; pwd; id -u; hostname; exit 5',
    ]);
    assert.equal(r.code, 5, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), ['bar', '/etc', '65534', 'berth-test']);
    const pid1 = await h.run(['exec', 'ex1', T, 'pid1']);
    assert.match(pid1.stdout, /^pid=\d+ ppid=0/m);
    const processJson = join(b.dir, 'process.json');
    await writeFile(
      processJson,
      JSON.stringify({
        args: ['sh', '-c', 'echo $X; id -g; exit 2'],
        env: ['X=from-json', 'PATH=/bin'],
        cwd: '/',
        user: { uid: 0, gid: 5 },
      }),
    );
    const fromFile = await h.run(['exec', '-p', processJson, 'ex1']);
    assert.equal(fromFile.code, 2, fromFile.stderr);
    assert.deepEqual(fromFile.stdout.trim().split('\n'), ['from-json', '5']);
    const missing = await h.run(['exec', 'ex1', 'nosuch']);
    assert.equal(missing.code, 127);
    assert.equal((await h.run(['delete', '-f', 'ex1'])).code, 0);
  });
});
