// Detection, creation, paths, freeze, stats and removal of the v1/v2 managers against recording fakes.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isInvalidParameter, isSystem } from '../../errdefs/index.js';
import { RecordingCgroupFs } from '../../sys/index.js';
import { detectCgroupDriver, V1Driver, V2Driver } from './index.js';
import { parseProcCgroup, parseV1Mounts } from './mountinfo.js';
import { fakeV1, fakeV2, V1_MOUNTS } from './testfakes.js';

// This host's /proc/self/mountinfo (hybrid), plus a co-mounted hierarchy and an escaped bind mount.
const MOUNTINFO = `22 1 8:1 / / rw,relatime - ext4 /dev/vda rw
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct
34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset,clone_children
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,release_agent=/lib/systemd/x,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
50 22 0:32 /sub /mnt/my\\040memory rw,relatime - cgroup cgroup rw,memory
`;
const PROC_CGROUP = '9:name=systemd:/\n4:memory:/process_api/5b7f\n2:cpu,cpuacct:/\n0::/\n';

describe('detecting the cgroup version', () => {
  it('parses v1 hierarchies from mountinfo: co-mounts, named hierarchies, the hybrid v2 one, one entry each', () => {
    assert.deepEqual(
      parseV1Mounts(MOUNTINFO).map((m) => [m.mountpoint, m.subsystems]),
      [
        ['/sys/fs/cgroup/cpu,cpuacct', ['cpu', 'cpuacct']],
        ['/sys/fs/cgroup/cpuset', ['cpuset']],
        ['/sys/fs/cgroup/memory', ['memory']],
        ['/sys/fs/cgroup/systemd', ['name=systemd']],
        ['/sys/fs/cgroup/unified', []],
      ],
    );
    assert.deepEqual(parseV1Mounts('1 2 0:1 /a /x\\040y rw - cgroup c rw,pids')[0]?.mountpoint, '/x y');
    assert.equal(parseProcCgroup(PROC_CGROUP).get('cpuacct'), '/');
    assert.equal(parseProcCgroup(PROC_CGROUP).get(''), '/');
  });

  it('is v1 on a hybrid host and places absolute paths under each hierarchy, relative ones under our own cgroup', async () => {
    const fs = new RecordingCgroupFs({
      files: { '/proc/self/mountinfo': MOUNTINFO, '/proc/self/cgroup': PROC_CGROUP },
    });
    const driver = await detectCgroupDriver(fs);
    assert.equal(driver.version, 1);
    assert.equal(driver.hierarchies().length, 5);
    const cg = driver.open('/berth/c1');
    assert.deepEqual(cg.procsFiles, [
      '/sys/fs/cgroup/cpu,cpuacct/berth/c1/cgroup.procs',
      '/sys/fs/cgroup/cpuset/berth/c1/cgroup.procs',
      '/sys/fs/cgroup/memory/berth/c1/cgroup.procs',
      '/sys/fs/cgroup/systemd/berth/c1/cgroup.procs',
      '/sys/fs/cgroup/unified/berth/c1/cgroup.procs', // runc places containers in a hybrid host's v2 tree too
    ]);
    assert.equal(cg.paths.cpuacct, '/sys/fs/cgroup/cpu,cpuacct/berth/c1');
    assert.deepEqual(cg.oomCounter, { path: '/sys/fs/cgroup/memory/berth/c1/memory.oom_control', key: 'oom_kill' });
    assert.equal(driver.open('berth/c1').paths.memory, '/sys/fs/cgroup/memory/process_api/5b7f/berth/c1');
    assert.throws(() => driver.open('/'), isInvalidParameter);
    assert.throws(() => driver.open('/berth/../../etc'), isInvalidParameter);
  });

  it('is v2 when the root has cgroup.controllers', async () => {
    const fs = fakeV2({ controllers: 'cpu memory' });
    fs.seed('/proc/self/cgroup', '0::/system.slice/berthd.service\n');
    const driver = await detectCgroupDriver(fs);
    assert.equal(driver.version, 2);
    assert.deepEqual(driver.hierarchies(), []);
    const cg = driver.open('/berth/c1');
    assert.deepEqual(cg.procsFiles, ['/sys/fs/cgroup/berth/c1/cgroup.procs']);
    assert.deepEqual(cg.oomCounter, { path: '/sys/fs/cgroup/berth/c1/memory.events', key: 'oom_kill' });
    assert.equal(driver.open('c1').paths[''], '/sys/fs/cgroup/system.slice/berthd.service/c1');
    const bare = await detectCgroupDriver(fakeV2({ controllers: '' }));
    assert.equal(bare.open('/x').oomCounter, undefined);
  });
});

describe('cgroup v1 manager', () => {
  it('create copies cpuset.cpus/mems down every new level, so a pid can join', async () => {
    const fs = fakeV1();
    const cg = new V1Driver(fs, V1_MOUNTS).open('/berth/abc');
    await cg.create();
    await cg.create();
    for (const level of ['berth', 'berth/abc']) {
      assert.equal(fs.content(`/sys/fs/cgroup/cpuset/${level}/cpuset.cpus`), '0-1');
      assert.equal(fs.content(`/sys/fs/cgroup/cpuset/${level}/cpuset.mems`), '0');
    }
    assert.ok(fs.isDir('/sys/fs/cgroup/systemd/berth/abc'));
    assert.equal(fs.writes().length, 4, 'the second create() writes nothing');
  });

  it('reads stats in ns and treats the v1 "unlimited" sentinel as no limit', async () => {
    const fs = fakeV1();
    const cg = new V1Driver(fs, V1_MOUNTS).open('/c');
    await cg.create();
    const d = (s: string, f: string) => `/sys/fs/cgroup/${s}/c/${f}`;
    fs.seed(d('memory', 'memory.usage_in_bytes'), '4096\n');
    fs.seed(d('memory', 'memory.max_usage_in_bytes'), '8192\n');
    fs.seed(d('memory', 'memory.stat'), 'cache 1024\nrss 3072\n');
    fs.seed(d('cpuacct', 'cpuacct.usage'), '3000000000\n');
    fs.seed(d('cpuacct', 'cpuacct.usage_percpu'), '1000000000 2000000000 \n');
    fs.seed(d('cpuacct', 'cpuacct.stat'), 'user 200\nsystem 100\n');
    fs.seed(d('cpu', 'cpu.stat'), 'nr_periods 10\nnr_throttled 2\nthrottled_time 5000\n');
    fs.seed(d('pids', 'pids.current'), '3\n');
    assert.deepEqual(await cg.stats(), {
      memory: { usage: 4096, maxUsage: 8192, cache: 1024, stats: { cache: 1024, rss: 3072 } },
      cpu: {
        totalUsage: 3e9,
        usageInUsermode: 2e9,
        usageInKernelmode: 1e9,
        percpuUsage: [1e9, 2e9],
        throttling: { periods: 10, throttledPeriods: 2, throttledTime: 5000 },
      },
      pids: { current: 3 },
    });
  });

  it('freeze writes FROZEN and confirms it; thaw writes THAWED', async () => {
    const fs = fakeV1();
    const cg = new V1Driver(fs, V1_MOUNTS).open('/c');
    await cg.create();
    await cg.freeze();
    assert.equal(await cg.frozen(), true);
    await cg.thaw();
    assert.equal(await cg.frozen(), false);
  });

  it('destroy removes child cgroups first, retries EBUSY a bounded number of times, tolerates missing dirs', async () => {
    const fs = fakeV1();
    const cg = new V1Driver(fs, V1_MOUNTS).open('/c');
    await cg.create();
    await fs.mkdir('/sys/fs/cgroup/memory/c/sub');
    fs.failOn('rmdir', '/sys/fs/cgroup/pids/c', 'EBUSY', 2);
    await cg.destroy();
    for (const m of V1_MOUNTS) assert.equal(fs.isDir(`${m.mountpoint}/c`), false);
    await cg.destroy();

    await cg.create();
    fs.failOn('rmdir', '/sys/fs/cgroup/pids/c', 'EBUSY', 100);
    await assert.rejects(cg.destroy(), isSystem);
  });
});

describe('cgroup v2 manager', () => {
  it('create enables the available controllers in every ancestor, not in the leaf', async () => {
    const fs = fakeV2({ controllers: 'cpu memory pids' });
    const cg = new V2Driver(fs, '/sys/fs/cgroup', ['cpu', 'memory', 'pids']).open('/berth/abc');
    await cg.create();
    assert.deepEqual(
      fs.calls.filter((c) => c.op === 'mkdir' || c.op === 'writeFile'),
      [
        { op: 'writeFile', path: '/sys/fs/cgroup/cgroup.subtree_control', data: '+cpu +memory +pids' },
        { op: 'mkdir', path: '/sys/fs/cgroup/berth', recursive: false },
        { op: 'writeFile', path: '/sys/fs/cgroup/berth/cgroup.subtree_control', data: '+cpu +memory +pids' },
        { op: 'mkdir', path: '/sys/fs/cgroup/berth/abc', recursive: false },
      ],
    );
    assert.deepEqual(await cg.controllers(), ['cpu', 'memory', 'pids']);
    const n = fs.writes().length;
    await cg.create();
    assert.equal(fs.writes().length, n, 'a second create() writes nothing');
  });

  it('enables controllers one by one when the batch is refused', async () => {
    const fs = fakeV2({ controllers: 'cpu memory' });
    fs.failOn('writeFile', '/sys/fs/cgroup/cgroup.subtree_control', 'EINVAL');
    await new V2Driver(fs, '/sys/fs/cgroup', ['cpu', 'memory']).open('/a').create();
    assert.deepEqual(fs.writes(), [
      ['/sys/fs/cgroup/cgroup.subtree_control', '+cpu +memory'],
      ['/sys/fs/cgroup/cgroup.subtree_control', '+cpu'],
      ['/sys/fs/cgroup/cgroup.subtree_control', '+memory'],
    ]);
  });

  it('freeze waits for cgroup.events to say frozen; thaw for it to clear', async () => {
    const fs = fakeV2();
    const cg = new V2Driver(fs, '/sys/fs/cgroup', []).open('/c');
    await cg.create();
    await cg.freeze();
    assert.equal(await cg.frozen(), true);
    assert.equal(fs.content('/sys/fs/cgroup/c/cgroup.freeze'), '1');
    await cg.thaw();
    assert.equal(await cg.frozen(), false);
  });

  it('reads stats from usec counters and "max" limits', async () => {
    const fs = fakeV2();
    const cg = new V2Driver(fs, '/sys/fs/cgroup', []).open('/c');
    await cg.create();
    const d = (f: string) => `/sys/fs/cgroup/c/${f}`;
    fs.seed(d('memory.current'), '4096\n');
    fs.seed(d('memory.max'), 'max\n');
    fs.seed(d('memory.stat'), 'anon 3072\nfile 1024\n');
    fs.seed(
      d('cpu.stat'),
      'usage_usec 30\nuser_usec 20\nsystem_usec 10\nnr_periods 4\nnr_throttled 1\nthrottled_usec 7\n',
    );
    fs.seed(d('pids.current'), '2\n');
    fs.seed(d('pids.max'), '10\n');
    assert.deepEqual(await cg.stats(), {
      memory: { usage: 4096, cache: 1024, stats: { anon: 3072, file: 1024 } },
      cpu: {
        totalUsage: 30000,
        usageInUsermode: 20000,
        usageInKernelmode: 10000,
        percpuUsage: [],
        throttling: { periods: 4, throttledPeriods: 1, throttledTime: 7000 },
      },
      pids: { current: 2, limit: 10 },
    });
  });
});
