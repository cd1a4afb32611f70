// cgroups behind one interface: detect the host's cgroup version and hand out v1 or v2 managers.
import { errnoCode, NotImplemented } from '../../errdefs/index.js';
import { type CgroupFs, realCgroupFs } from '../../sys/index.js';
import { readOptional } from './files.js';
import { parseProcCgroup, parseV1Mounts } from './mountinfo.js';
import type { CgroupDriver } from './types.js';
import { V1Driver } from './v1.js';
import { V2Driver } from './v2.js';

export { blkioWeightToIoWeight, cpuSharesToWeight, memorySwapToV2 } from './resources-v2.js';
export type { Cgroup, CgroupDriver, CgroupStats, CpuStats, MemoryStats, PidsStats, V1Hierarchy } from './types.js';
export { V1Cgroup, V1Driver } from './v1.js';
export { V2Cgroup, V2Driver } from './v2.js';

/**
 * v2 if `root` is a cgroup2 mount (it has cgroup.controllers), else v1 with the hierarchies mounted under `root`
 * according to /proc/self/mountinfo (all v1 mounts if none is under `root`).
 */
export async function detectCgroupDriver(fs: CgroupFs = realCgroupFs, root = '/sys/fs/cgroup'): Promise<CgroupDriver> {
  const base = root.length > 1 && root.endsWith('/') ? root.slice(0, -1) : root;
  // Read all three at once (every one-shot runtime command starts here); mountinfo is needed on v1 only.
  const [procCgroup, controllers, mountinfo] = await Promise.all([
    readOptional(fs, '/proc/self/cgroup'),
    readOptional(fs, `${base}/cgroup.controllers`),
    fs.readFile('/proc/self/mountinfo').then(
      (text) => ({ text }),
      (e: unknown) => ({ error: e }),
    ),
  ]);
  const own = parseProcCgroup(procCgroup ?? '');
  if (controllers !== undefined) {
    return new V2Driver(fs, base, controllers.split(/\s+/).filter(Boolean), own.get('') ?? '/');
  }
  if ('error' in mountinfo) {
    const e = mountinfo.error;
    throw new NotImplemented(`cgroup: cannot read /proc/self/mountinfo: ${errnoCode(e) ?? String(e)}`, { cause: e });
  }
  const all = parseV1Mounts(mountinfo.text);
  const under = all.filter((m) => m.mountpoint.startsWith(`${base}/`));
  const mounts = under.length > 0 ? under : all;
  if (mounts.length === 0)
    throw new NotImplemented(`cgroup: no cgroup v2 at ${base} and no cgroup v1 hierarchy mounted`);
  return new V1Driver(fs, mounts, own);
}
