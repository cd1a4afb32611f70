// cgroup limits enforced by the kernel: a memory hog is OOM-killed (and reported), a fork loop hits the pids limit,
// the cpu quota lands in the cgroup files.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { TEST_INIT } from '../../fixtures/index.js';
import { RuntimeHarness } from './harness.js';

const T = TEST_INIT;
let h: RuntimeHarness;
before(async () => {
  h = await RuntimeHarness.create();
});
after(async () => {
  await h.cleanup();
});

describe('resources', () => {
  test('a 16 MiB memory limit kills a hog and the OOM kill is recorded', async () => {
    const rt = await h.runtime();
    const b = await h.bundle({
      args: [T, 'hog', '64'],
      mutate: (s) => {
        s.linux!.resources = { ...s.linux!.resources, memory: { limit: 16 * 1024 * 1024, swap: 16 * 1024 * 1024 } };
      },
    });
    await rt.create('oom1', b.dir, { stdio: { log: { path: `${b.dir}/log.json`, maxSize: 0, maxFiles: 1 } } });
    await rt.start('oom1');
    const status = await rt.wait('oom1');
    assert.equal(status?.oomKilled, true);
    assert.equal(status?.exitCode, 137);
    assert.equal(status?.signal, 9);
    await rt.delete('oom1');
  });

  test('a pids limit stops a fork loop', async () => {
    const b = await h.bundle({
      args: [T, 'forkbomb', '50'],
      mutate: (s) => {
        s.linux!.resources = { ...s.linux!.resources, pids: { limit: 10 } };
      },
    });
    const r = await h.run(['run', '--bundle', b.dir, 'pids1']);
    assert.equal(r.code, 0, r.stderr);
    const m = /^forked (\d+) failed (\w+)$/m.exec(r.stdout);
    assert.ok(m, r.stdout);
    assert.ok(Number(m[1]) < 10, `forked ${m[1]}`);
    assert.equal(m[2], 'EAGAIN');
  });

  test('cpu quota, period, shares and cpuset land in the cgroup files; stats are readable', async () => {
    const rt = await h.runtime();
    const b = await h.bundle({
      args: [T, 'sleep', '30'],
      mutate: (s) => {
        s.linux!.resources = { ...s.linux!.resources, cpu: { quota: 50000, period: 100000, shares: 512, cpus: '0' } };
      },
    });
    await rt.create('cpu1', b.dir, { stdio: { log: { path: `${b.dir}/log.json`, maxSize: 0, maxFiles: 1 } } });
    await rt.start('cpu1');
    const cgroupsPath = b.spec.linux?.cgroupsPath ?? '';
    const read = (f: string) => readFile(f, 'utf8').then((x) => x.trim());
    if (rt.cgroupVersion === 1) {
      assert.equal(await read(`/sys/fs/cgroup/cpu${cgroupsPath}/cpu.cfs_quota_us`), '50000');
      assert.equal(await read(`/sys/fs/cgroup/cpu${cgroupsPath}/cpu.cfs_period_us`), '100000');
      assert.equal(await read(`/sys/fs/cgroup/cpu${cgroupsPath}/cpu.shares`), '512');
      assert.equal(await read(`/sys/fs/cgroup/cpuset${cgroupsPath}/cpuset.cpus`), '0');
    } else {
      assert.equal(await read(`/sys/fs/cgroup${cgroupsPath}/cpu.max`), '50000 100000');
    }
    const stats = await rt.stats('cpu1');
    assert.ok((stats.pids?.current ?? 0) >= 1);
    assert.ok((stats.memory?.usage ?? 0) > 0);
    await rt.delete('cpu1', true);
  });

  test('rlimits at or below the hard limit work; above it the error names the limit', async () => {
    const ok = await h.bundle({
      args: ['sh', '-c', 'ulimit -Hn'],
      mutate: (s) => {
        s.process!.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 100, hard: 200 }];
      },
    });
    const r = await h.run(['run', '--bundle', ok.dir, 'rl1']);
    assert.equal(r.stdout.trim(), '200');
    const hard = (await readFile('/proc/self/limits', 'utf8')).split('\n').find((l) => l.startsWith('Max open files'));
    const hostHard = Number(hard?.trim().split(/\s+/)[4]);
    const tooHigh = await h.bundle({
      args: ['true'],
      mutate: (s) => {
        s.process!.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: hostHard * 2 }];
      },
    });
    const bad = await h.run(['run', '--bundle', tooHigh.dir, 'rl2']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /setrlimit RLIMIT_NOFILE .*EPERM/);
  });
});
