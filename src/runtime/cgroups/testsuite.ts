// The behaviour every CgroupDriver must show on a real kernel (containerd's snapshotter testsuite habit): run it
// against a real v1 tree and a real cgroup2 tree. Controllers the tree does not offer are skipped, not failed.
import * as assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { isNotImplemented } from '../../errdefs/index.js';
import { type CgroupFs, realCgroupFs } from '../../sys/index.js';
import type { LinuxResources } from '../spec.js';
import { pollUntil, sleep } from './files.js';
import { detectCgroupDriver } from './index.js';
import type { Cgroup, CgroupDriver } from './types.js';

export interface SuiteContext {
  driver: CgroupDriver;
  fs: CgroupFs;
  /** Undo whatever setup did (unmount, restore files); runs after the suite's own cleanup. */
  cleanup?: () => Promise<void>;
}

const MiB = 1024 * 1024;

/** CPU time (utime + stime, in ticks) of a process. */
async function cpuTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

async function procState(pid: number): Promise<string> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return /^State:\s+(\S)/m.exec(status)?.[1] ?? '?';
}

async function killAndReap(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  let timer: NodeJS.Timeout | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    timer = setTimeout(resolve, 5000);
  });
  child.kill('SIGKILL');
  await exited;
  clearTimeout(timer);
}

export function cgroupDriverSuite(
  name: string,
  setup: () => Promise<SuiteContext>,
  opts: { skip?: string } = {},
): void {
  describe(name, { skip: opts.skip ?? false }, () => {
    const base = `/berth-test-${randomBytes(4).toString('hex')}`;
    const children: ChildProcess[] = [];
    let ctx: SuiteContext;
    let cg: Cgroup;
    let available: string[] = [];

    /** Starts `script` in the cgroup the way a container init starts: parked, moved in, then released to exec. */
    const start = async (script: string) => {
      const child = spawn('sh', ['-c', `read _ && exec ${script}`], { stdio: ['pipe', 'ignore', 'ignore'] });
      children.push(child);
      await new Promise<void>((resolve, reject) => child.once('spawn', resolve).once('error', reject));
      const pid = child.pid;
      if (pid === undefined) throw new Error(`${script} did not start`);
      for (const f of cg.procsFiles) await ctx.fs.writeFile(f, String(pid));
      child.stdin?.end('go\n');
      return { child, pid };
    };

    before(async () => {
      ctx = await setup();
      cg = ctx.driver.open(`${base}/ctr`);
    });

    after(async () => {
      if (!ctx) return;
      try {
        if (await cg.frozen()) await cg.thaw();
      } catch {
        // best effort: the cgroup may already be gone
      }
      for (const c of children) await killAndReap(c);
      try {
        await ctx.driver.open(base).destroy();
      } finally {
        await ctx.cleanup?.();
      }
    });

    it('create makes the cgroup in every hierarchy and is idempotent', async () => {
      await cg.create();
      await cg.create();
      const hierarchies = ctx.driver.hierarchies();
      assert.equal(cg.procsFiles.length, ctx.driver.version === 1 ? hierarchies.length : 1);
      for (const f of cg.procsFiles) assert.ok(await ctx.fs.exists(f), `${f} should exist`);
      available = await cg.controllers();
    });

    it('apply writes the limits of the available controllers and refuses the missing ones', async () => {
      const r: LinuxResources = {};
      const has = (c: string) => available.includes(c);
      if (has('memory')) r.memory = { limit: 32 * MiB };
      if (has('cpu')) r.cpu = { shares: 512, quota: 50000, period: 100000 };
      if (has('cpuset')) r.cpu = { ...r.cpu, cpus: '0' };
      if (has('pids')) r.pids = { limit: 10 };
      await cg.apply(r);
      await cg.apply(r); // `update` with the same values
      const file = (controller: string, v1: string, v2: string) =>
        ctx.driver.version === 1 ? `${cg.paths[controller]}/${v1}` : `${cg.paths['']}/${v2}`;
      const stats = await cg.stats();
      if (has('memory')) assert.equal(stats.memory?.limit, 32 * MiB);
      if (has('pids')) assert.equal(stats.pids?.limit, 10);
      if (has('cpu')) {
        const quota = (await ctx.fs.readFile(file('cpu', 'cpu.cfs_quota_us', 'cpu.max'))).trim();
        assert.equal(quota, ctx.driver.version === 1 ? '50000' : '50000 100000');
      }
      if (has('cpuset'))
        assert.equal((await ctx.fs.readFile(file('cpuset', 'cpuset.cpus', 'cpuset.cpus'))).trim(), '0');
      for (const [controller, res] of [
        ['memory', { memory: { limit: 32 * MiB } }],
        ['pids', { pids: { limit: 10 } }],
      ] as const) {
        if (!has(controller)) await assert.rejects(cg.apply(res), isNotImplemented, `${controller} is unavailable`);
      }
    });

    it('pids lists a process moved into the cgroup', async () => {
      const { pid } = await start('sleep 60');
      assert.ok((await cg.pids()).includes(pid));
      assert.ok(!(await cg.pids()).includes(process.pid));
    });

    it('freeze stops the processes and thaw resumes them', async () => {
      const { pid } = await start(`sh -c 'while :; do :; done'`);
      assert.ok(await pollUntil(async () => (await cpuTicks(pid)) > 0, 3000), 'the busy loop should run');
      await cg.freeze();
      assert.equal(await cg.frozen(), true);
      assert.notEqual(await procState(pid), 'R');
      const t0 = await cpuTicks(pid);
      await sleep(300);
      assert.equal(await cpuTicks(pid), t0, 'a frozen process uses no CPU');
      await cg.freeze(); // idempotent
      await cg.thaw();
      assert.equal(await cg.frozen(), false);
      assert.ok(await pollUntil(async () => (await cpuTicks(pid)) > t0, 3000, 20), 'a thawed process runs again');
    });

    it('stats report usage of the available controllers', async () => {
      const stats = await cg.stats();
      if (available.includes('memory')) assert.ok((stats.memory?.usage ?? 0) > 0, 'memory usage');
      if (stats.cpu) {
        assert.ok(stats.cpu.totalUsage > 0, 'cpu usage');
        assert.ok(stats.cpu.usageInUsermode + stats.cpu.usageInKernelmode > 0, 'cpu user+system');
        if (ctx.driver.version === 1) assert.ok(stats.cpu.percpuUsage.length > 0, 'per-cpu usage on v1');
      } else {
        assert.ok(!available.includes('cpu') && !available.includes('cpuacct'), 'cpu stats are missing');
      }
      if (available.includes('pids')) assert.equal(stats.pids?.current, 2);
      if (cg.oomCounter)
        assert.match(await ctx.fs.readFile(cg.oomCounter.path), new RegExp(`^${cg.oomCounter.key} \\d+$`, 'm'));
    });

    it('destroy leaves nothing behind, and a second destroy is fine', async () => {
      for (const c of children) await killAndReap(c);
      await cg.destroy();
      for (const f of cg.procsFiles)
        assert.equal(await ctx.fs.exists(path.dirname(f)), false, `${path.dirname(f)} remains`);
      await cg.destroy();
      assert.deepEqual(await cg.pids(), []);
    });
  });
}

/** Mounts cgroup2 on a temp dir; cleanup restores the root's subtree_control (create() enables controllers there). */
const run = promisify(execFile);

export async function mountedCgroup2(): Promise<SuiteContext> {
  const dir = await mkdtemp(path.join(tmpdir(), 'berth-cg2-'));
  try {
    await run('mount', ['-t', 'cgroup2', 'none', dir]);
  } catch (e) {
    await rmdir(dir);
    throw e;
  }
  const before = (await realCgroupFs.readFile(`${dir}/cgroup.subtree_control`)).split(/\s+/).filter(Boolean);
  const cleanup = async () => {
    try {
      const now = (await realCgroupFs.readFile(`${dir}/cgroup.subtree_control`)).split(/\s+/).filter(Boolean);
      const added = now.filter((c) => !before.includes(c));
      if (added.length > 0)
        await realCgroupFs.writeFile(`${dir}/cgroup.subtree_control`, added.map((c) => `-${c}`).join(' '));
    } finally {
      await run('umount', [dir]);
      await rmdir(dir);
    }
  };
  return { driver: await detectCgroupDriver(realCgroupFs, dir), fs: realCgroupFs, cleanup };
}
