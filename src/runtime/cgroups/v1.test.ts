// The shared suite against this host's real cgroup v1 hierarchies (skipped unless root on a v1/hybrid host).
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { realCgroupFs } from '../../sys/index.js';
import { type Cgroup, type CgroupDriver, detectCgroupDriver } from './index.js';
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

describe('cgroup v1 limits on the real kernel', { ...(skip ? { skip } : {}) }, () => {
  const MiB = 1024 * 1024;
  let driver: CgroupDriver;
  let cg: Cgroup;
  const base = `/berth-test-${randomBytes(4).toString('hex')}`;
  const read = async (subsystem: string, file: string) =>
    (await realCgroupFs.readFile(`${cg.paths[subsystem]}/${file}`)).trim();

  before(async () => {
    driver = await detectCgroupDriver(realCgroupFs);
    cg = driver.open(`${base}/ctr`);
    await cg.create();
  });
  after(async () => {
    await driver?.open(base).destroy();
  });

  it('lowers and raises memory and memory+swap in an order the kernel accepts', async () => {
    for (const [limit, swap] of [
      [16, 32],
      [64, 128],
      [8, 16],
      [256, 256],
    ] as const) {
      await cg.apply({ memory: { limit: limit * MiB, swap: swap * MiB } });
      assert.equal(await read('memory', 'memory.limit_in_bytes'), String(limit * MiB));
      assert.equal(await read('memory', 'memory.memsw.limit_in_bytes'), String(swap * MiB));
    }
    await cg.apply({ memory: { limit: -1 } });
    assert.equal((await cg.stats()).memory?.limit, undefined, 'unlimited again');
  });

  it('reports cpu-shares the kernel clamps instead of silently accepting them', async () => {
    await assert.rejects(cg.apply({ cpu: { shares: 1 } }), /minimum allowed cpu-shares is 2/);
  });

  it('replaces the device allow-list with deny-all plus the rules', async () => {
    await cg.apply({
      devices: [
        { allow: false, access: 'rwm' },
        { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
      ],
    });
    assert.equal(await read('devices', 'devices.list'), 'c 1:3 rwm');
  });

  it('sets the blkio weight where the kernel has a weight file, and the pids limit', async () => {
    await cg.apply({ blockIO: { weight: 300 }, pids: { limit: 7 } });
    const bfq = await realCgroupFs.exists(`${cg.paths.blkio}/blkio.bfq.weight`);
    if (bfq) assert.match(await read('blkio', 'blkio.bfq.weight'), /300/);
    assert.equal(await read('pids', 'pids.max'), '7');
  });
});
