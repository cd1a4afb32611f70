// The shared suite against a real cgroup2 tree: /sys/fs/cgroup on a v2 host, else a fresh cgroup2 mount on a
// temporary directory (on a hybrid host it offers few or no controllers, so the suite checks the core files).
import { execFile } from 'node:child_process';
import { mkdtemp, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { realCgroupFs } from '../../sys/index.js';
import { detectCgroupDriver } from './index.js';
import { cgroupDriverSuite, type SuiteContext } from './testsuite.js';

const run = promisify(execFile);

/** Mounts cgroup2 on a temp dir; cleanup restores the root's subtree_control (create() enables controllers there). */
async function mountedCgroup2(): Promise<SuiteContext> {
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

async function setup(): Promise<SuiteContext> {
  const host = await detectCgroupDriver(realCgroupFs).catch(() => undefined);
  if (host?.version === 2) return { driver: host, fs: realCgroupFs };
  return mountedCgroup2();
}

const hasCgroup2 = (await realCgroupFs.readFile('/proc/filesystems').catch(() => '')).includes('cgroup2');
const skip = process.getuid?.() !== 0 ? 'needs root' : hasCgroup2 ? undefined : 'the kernel has no cgroup2';
cgroupDriverSuite('cgroup v2 (real tree)', setup, { ...(skip ? { skip } : {}) });
