// The exact control-file writes for LinuxResources on v1 and v2, against recording fakes (no root needed).
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isInvalidParameter, isNotImplemented } from '../../errdefs/index.js';
import type { RecordingCgroupFs } from '../../sys/index.js';
import type { LinuxResources } from '../spec.js';
import { blkioWeightToIoWeight, cpuSharesToWeight, memorySwapToV2, V1Driver, V2Driver } from './index.js';
import { compileDeviceFilter, encodeProgram } from './device-filter.js';
import { fakeV1, fakeV2, V1_MOUNTS } from './testfakes.js';

const MiB = 1024 * 1024;

const REPRESENTATIVE: LinuxResources = {
  devices: [
    { allow: false, access: 'rwm' },
    { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
    { allow: true, type: 'c', major: 136, minor: null, access: 'rwm' },
  ],
  memory: { limit: 16 * MiB, swap: 32 * MiB, reservation: 8 * MiB, swappiness: 0, disableOOMKiller: true },
  cpu: { shares: 512, quota: 50000, period: 100000, cpus: '0', mems: '0' },
  pids: { limit: 10 },
  blockIO: { weight: 500 },
};

const V1_ORDER = ['cpuset', 'devices', 'memory', 'cpu', 'pids', 'blkio'];

/**
 * Creates the cgroup, then returns the writes `apply(r)` makes. Controllers are written concurrently, so only the
 * order within each controller is meaningful: the writes come back grouped by controller, in runc's controller order.
 */
async function v1Writes(fs: RecordingCgroupFs, r: LinuxResources, mounts = V1_MOUNTS) {
  const cg = new V1Driver(fs, mounts).open('/berth/abc');
  await cg.create();
  const n = fs.writes().length;
  await cg.apply(r);
  const rank = (path: string) => V1_ORDER.indexOf(path.split('/')[4] ?? '');
  return fs
    .writes()
    .slice(n)
    .map((w, i) => ({ w, i }))
    .sort((a, b) => rank(a.w[0]) - rank(b.w[0]) || a.i - b.i)
    .map(({ w }) => w);
}

async function v2Writes(fs: RecordingCgroupFs, r: LinuxResources) {
  const cg = new V2Driver(fs, '/sys/fs/cgroup', ['cpuset', 'cpu', 'io', 'memory', 'pids']).open('/berth/abc');
  await cg.create();
  const n = fs.writes().length;
  await cg.apply(r);
  return fs.writes().slice(n);
}

const V1 = (sub: string, file: string) => `/sys/fs/cgroup/${sub}/berth/abc/${file}`;
const V2 = (file: string) => `/sys/fs/cgroup/berth/abc/${file}`;

describe('cgroup v1 resources', () => {
  it("writes runc's files, in runc's order within each controller, for a representative spec", async () => {
    assert.deepEqual(await v1Writes(fakeV1(), REPRESENTATIVE), [
      [V1('cpuset', 'cpuset.cpus'), '0'],
      [V1('cpuset', 'cpuset.mems'), '0'],
      [V1('devices', 'devices.deny'), 'a'],
      [V1('devices', 'devices.deny'), 'a *:* rwm'],
      [V1('devices', 'devices.allow'), 'c 1:3 rwm'],
      [V1('devices', 'devices.allow'), 'c 136:* rwm'],
      // lowering from unlimited: memory first, then memory+swap
      [V1('memory', 'memory.limit_in_bytes'), String(16 * MiB)],
      [V1('memory', 'memory.memsw.limit_in_bytes'), String(32 * MiB)],
      [V1('memory', 'memory.oom_control'), '1'],
      [V1('memory', 'memory.swappiness'), '0'],
      [V1('memory', 'memory.soft_limit_in_bytes'), String(8 * MiB)],
      [V1('cpu', 'cpu.shares'), '512'],
      [V1('cpu', 'cpu.cfs_period_us'), '100000'],
      [V1('cpu', 'cpu.cfs_quota_us'), '50000'],
      [V1('pids', 'pids.max'), '10'],
      [V1('blkio', 'blkio.bfq.weight'), '500'],
    ]);
  });

  it('raising memory writes memory+swap first, so memory never exceeds it', async () => {
    const fs = fakeV1();
    await v1Writes(fs, { memory: { limit: 16 * MiB, swap: 32 * MiB } });
    const cg = new V1Driver(fs, V1_MOUNTS).open('/berth/abc');
    const n = fs.writes().length;
    await cg.apply({ memory: { limit: 64 * MiB, swap: 128 * MiB } });
    assert.deepEqual(fs.writes().slice(n), [
      [V1('memory', 'memory.memsw.limit_in_bytes'), String(128 * MiB)],
      [V1('memory', 'memory.limit_in_bytes'), String(64 * MiB)],
    ]);
  });

  it('memory -1 without swap makes both unlimited; pids ≤ 0 is "max"', async () => {
    assert.deepEqual(await v1Writes(fakeV1(), { memory: { limit: -1 }, pids: { limit: 0 } }), [
      [V1('memory', 'memory.memsw.limit_in_bytes'), '-1'],
      [V1('memory', 'memory.limit_in_bytes'), '-1'],
      [V1('pids', 'pids.max'), 'max'],
    ]);
  });

  it('retries a rejected smaller period after writing the quota', async () => {
    const fs = fakeV1();
    fs.failOn('writeFile', V1('cpu', 'cpu.cfs_period_us'), 'EINVAL');
    assert.deepEqual(await v1Writes(fs, { cpu: { quota: 5000, period: 10000 } }), [
      [V1('cpu', 'cpu.cfs_period_us'), '10000'],
      [V1('cpu', 'cpu.cfs_quota_us'), '5000'],
      [V1('cpu', 'cpu.cfs_period_us'), '10000'],
    ]);
  });

  it('falls back to blkio.weight, and skips a blkio weight the kernel cannot take', async () => {
    const cfq = fakeV1({ without: ['blkio.bfq.weight'] });
    cfq.seed(V1('blkio', 'blkio.weight'), '500');
    assert.deepEqual((await v1Writes(cfq, { blockIO: { weight: 300 } })).at(-1), [V1('blkio', 'blkio.weight'), '300']);
    assert.deepEqual(await v1Writes(fakeV1({ without: ['blkio.bfq.weight'] }), { blockIO: { weight: 300 } }), [
      [V1('blkio', 'blkio.bfq.weight'), '300'],
      [V1('blkio', 'blkio.weight'), '300'],
    ]);
  });

  it('refuses unified resources, bad swappiness and limits of unmounted subsystems', async () => {
    await assert.rejects(v1Writes(fakeV1(), { unified: { 'memory.high': '1' } }), isInvalidParameter);
    await assert.rejects(v1Writes(fakeV1(), { memory: { swappiness: 101 } }), isInvalidParameter);
    const noPids = V1_MOUNTS.filter((m) => !m.subsystems.includes('pids'));
    await assert.rejects(v1Writes(fakeV1(), { pids: { limit: 5 } }, noPids), isNotImplemented);
    await assert.rejects(
      v1Writes(fakeV1({ without: ['cpu.cfs_quota_us'] }), { cpu: { quota: 1000 } }),
      isNotImplemented,
    );
  });
});

describe('cgroup v2 resources', () => {
  it('converts and writes the representative spec; the device rules become a device program', async () => {
    const fs = fakeV2();
    assert.deepEqual(await v2Writes(fs, REPRESENTATIVE), [
      [V2('pids.max'), '10'],
      [V2('memory.swap.max'), String(16 * MiB)], // swap alone = (memory+swap) - memory
      [V2('memory.max'), String(16 * MiB)],
      [V2('memory.low'), String(8 * MiB)],
      [V2('io.bfq.weight'), '500'],
      [V2('cpu.weight'), '20'],
      [V2('cpu.max'), '50000 100000'],
      [V2('cpuset.cpus'), '0'],
      [V2('cpuset.mems'), '0'],
    ]);
    const filters = fs.calls.flatMap((c) => (c.op === 'setDeviceFilter' ? [c] : []));
    assert.deepEqual(
      filters.map((c) => c.path),
      [V2('').slice(0, -1)],
    );
    assert.deepEqual(filters[0]?.program, encodeProgram(compileDeviceFilter(REPRESENTATIVE.devices ?? [])));
  });

  it('io.weight takes the converted weight when BFQ is absent; no io files means skip', async () => {
    const w = await v2Writes(fakeV2({ without: ['io.bfq.weight'] }), { blockIO: { weight: 500 } });
    assert.deepEqual(w.at(-1), [V2('io.weight'), 'default 4950']);
    const none = await v2Writes(fakeV2({ controllers: 'cpu memory pids' }), { blockIO: { weight: 500 } });
    assert.deepEqual(none, [
      [V2('io.bfq.weight'), '500'],
      [V2('io.weight'), 'default 4950'],
    ]);
  });

  it('maps -1, swap == memory and quota-less periods like runc', async () => {
    assert.deepEqual(await v2Writes(fakeV2(), { memory: { limit: -1 }, cpu: { period: 20000 } }), [
      [V2('memory.swap.max'), 'max'],
      [V2('memory.max'), 'max'],
      [V2('cpu.max'), 'max 20000'],
    ]);
    assert.deepEqual(await v2Writes(fakeV2(), { memory: { limit: 8 * MiB, swap: 8 * MiB } }), [
      [V2('memory.swap.max'), '0'],
      [V2('memory.max'), String(8 * MiB)],
    ]);
    // no swap accounting: "no swap" already holds
    const noSwap = await v2Writes(fakeV2({ without: ['memory.swap.max'] }), {
      memory: { limit: 8 * MiB, swap: 8 * MiB },
    });
    assert.deepEqual(noSwap.at(-1), [V2('memory.max'), String(8 * MiB)]);
  });

  it('writes unified keys as files and rejects keys that escape the cgroup', async () => {
    assert.deepEqual(await v2Writes(fakeV2(), { unified: { 'memory.high': '1048576' } }), [
      [V2('memory.high'), '1048576'],
    ]);
    await assert.rejects(v2Writes(fakeV2(), { unified: { '../cgroup.procs': '1' } }), isInvalidParameter);
  });

  it('refuses what v2 cannot do: swap without memory, realtime, missing controllers', async () => {
    await assert.rejects(v2Writes(fakeV2(), { memory: { swap: 8 * MiB } }), isInvalidParameter);
    await assert.rejects(v2Writes(fakeV2(), { cpu: { realtimeRuntime: 1000 } }), isNotImplemented);
    await assert.rejects(v2Writes(fakeV2({ controllers: 'cpu' }), { memory: { limit: MiB } }), isNotImplemented);
  });

  it('converts v1 values the way runc does', () => {
    assert.deepEqual([2, 512, 1024, 262144].map(cpuSharesToWeight), [1, 20, 39, 10000]);
    assert.deepEqual([10, 500, 1000].map(blkioWeightToIoWeight), [1, 4950, 10000]);
    assert.equal(memorySwapToV2(0, 16), 0);
    assert.equal(memorySwapToV2(-1, 16), -1);
    assert.equal(memorySwapToV2(0, -1), -1);
    assert.equal(memorySwapToV2(48, 16), 32);
    assert.throws(() => memorySwapToV2(8, 16), isInvalidParameter);
  });
});
