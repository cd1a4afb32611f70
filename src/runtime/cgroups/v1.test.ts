// The shared suite against this host's real cgroup v1 hierarchies (skipped unless root on a v1/hybrid host).
import { realCgroupFs } from '../../sys/index.js';
import { detectCgroupDriver } from './index.js';
import { cgroupDriverSuite } from './testsuite.js';

async function skipReason(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'needs root';
  try {
    const driver = await detectCgroupDriver(realCgroupFs);
    return driver.version === 1 ? undefined : 'the host is not on cgroup v1';
  } catch (e) {
    return `no cgroups: ${String(e)}`;
  }
}

const skip = await skipReason();
cgroupDriverSuite(
  'cgroup v1 (real hierarchies)',
  async () => ({ driver: await detectCgroupDriver(realCgroupFs), fs: realCgroupFs }),
  {
    ...(skip ? { skip } : {}),
  },
);
