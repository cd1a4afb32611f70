// The shared suite against a real cgroup2 tree: /sys/fs/cgroup on a v2 host, else a fresh cgroup2 mount on a
// temporary directory (on a hybrid host it offers few or no controllers, so the suite checks the core files).
import { realCgroupFs } from '../../sys/index.js';
import { detectCgroupDriver } from './index.js';
import { cgroupDriverSuite, mountedCgroup2, type SuiteContext } from './testsuite.js';

async function setup(): Promise<SuiteContext> {
  const host = await detectCgroupDriver(realCgroupFs).catch(() => undefined);
  if (host?.version === 2) return { driver: host, fs: realCgroupFs };
  return mountedCgroup2();
}

const hasCgroup2 = (await realCgroupFs.readFile('/proc/filesystems').catch(() => '')).includes('cgroup2');
const skip = process.getuid?.() !== 0 ? 'needs root' : hasCgroup2 ? undefined : 'the kernel has no cgroup2';
cgroupDriverSuite('cgroup v2 (real tree)', setup, { ...(skip ? { skip } : {}) });
