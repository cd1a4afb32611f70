import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerConfig, HostConfig } from '../../api/index.js';
import { InvalidParameter } from '../../errdefs/index.js';
import { CAPABILITY_NAMES } from '../../runtime/capabilities.js';
import type { Spec } from '../../runtime/spec.js';
import { DOCKER_DEFAULT_CAPS } from './capabilities.js';
import { DEFAULT_PATH, type SpecInputs, buildSpec, containerEnv, resourcesOf } from './oci.js';

const ID = `0123456789ab${'c'.repeat(52)}`;
const MiB = 1024 * 1024;

function spec(over: { config?: ContainerConfig; hostConfig?: HostConfig } & Partial<SpecInputs> = {}): Spec {
  return buildSpec({
    id: ID,
    args: ['sh', '-c', 'true'],
    rootfs: '/var/lib/berth/rootfs',
    user: { uid: 0, gid: 0, additionalGids: [0], home: '/root' },
    mounts: [],
    network: 'new',
    cgroupsPath: '/berth/x',
    cgroupVersion: 2,
    ...over,
    config: over.config ?? {},
    hostConfig: over.hostConfig ?? {},
  });
}

const mountAt = (s: Spec, dest: string) => s.mounts?.find((m) => m.destination === dest);

describe('buildSpec: security defaults (moby oci/defaults.go)', () => {
  it("gives Docker's default capabilities in every set", () => {
    const caps = spec().process?.capabilities;
    assert.deepEqual(caps?.bounding, DOCKER_DEFAULT_CAPS);
    assert.deepEqual(caps?.effective, DOCKER_DEFAULT_CAPS);
    assert.deepEqual(caps?.permitted, DOCKER_DEFAULT_CAPS);
  });

  it("masks and makes read-only Docker's /proc and /sys paths", () => {
    const linux = spec().linux;
    assert.deepEqual(linux?.maskedPaths, [
      '/proc/asound',
      '/proc/acpi',
      '/proc/kcore',
      '/proc/keys',
      '/proc/latency_stats',
      '/proc/timer_list',
      '/proc/timer_stats',
      '/proc/sched_debug',
      '/proc/scsi',
      '/sys/firmware',
      '/sys/devices/virtual/powercap',
    ]);
    assert.deepEqual(linux?.readonlyPaths, ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger']);
  });

  it('HostConfig MaskedPaths/ReadonlyPaths replace the defaults', () => {
    const linux = spec({ hostConfig: { MaskedPaths: ['/proc/x'], ReadonlyPaths: [] } }).linux;
    assert.deepEqual(linux?.maskedPaths, ['/proc/x']);
    assert.deepEqual(linux?.readonlyPaths, []);
  });

  it('privileged: every capability, nothing masked, /sys writable, every device', () => {
    const s = spec({ hostConfig: { Privileged: true } });
    assert.deepEqual(s.process?.capabilities?.bounding, [...CAPABILITY_NAMES]);
    assert.deepEqual(s.linux?.maskedPaths, []);
    assert.deepEqual(s.linux?.readonlyPaths, []);
    assert.ok(!mountAt(s, '/sys')?.options?.includes('ro'));
    assert.deepEqual(s.linux?.resources?.devices, [{ allow: true, access: 'rwm' }]);
  });

  it('unprivileged: /sys and the cgroup mount read-only, devices denied', () => {
    const s = spec();
    assert.ok(mountAt(s, '/sys')?.options?.includes('ro'));
    assert.ok(mountAt(s, '/sys/fs/cgroup')?.options?.includes('ro'));
    assert.deepEqual(s.linux?.resources?.devices, [{ allow: false, access: 'rwm' }]);
  });

  it('no-new-privileges from SecurityOpt', () => {
    assert.equal(spec().process?.noNewPrivileges, false);
    assert.equal(spec({ hostConfig: { SecurityOpt: ['no-new-privileges'] } }).process?.noNewPrivileges, true);
    assert.equal(spec({ hostConfig: { SecurityOpt: ['no-new-privileges:true'] } }).process?.noNewPrivileges, true);
    assert.equal(spec({ hostConfig: { SecurityOpt: ['no-new-privileges=true'] } }).process?.noNewPrivileges, true);
    assert.equal(spec({ hostConfig: { SecurityOpt: ['no-new-privileges=false'] } }).process?.noNewPrivileges, false);
  });
});

describe('buildSpec: process', () => {
  it('runs the args as the resolved user in WorkingDir (default /)', () => {
    const s = spec({ user: { uid: 1000, gid: 100, additionalGids: [100, 10], home: '/home/u' } });
    assert.deepEqual(s.process?.args, ['sh', '-c', 'true']);
    assert.deepEqual(s.process?.user, { uid: 1000, gid: 100, additionalGids: [100, 10] });
    assert.equal(s.process?.cwd, '/');
    assert.equal(spec({ config: { WorkingDir: '/app' } }).process?.cwd, '/app');
  });

  it('hostname is Config.Hostname or the short ID', () => {
    assert.equal(spec().hostname, '0123456789ab');
    assert.equal(spec({ config: { Hostname: 'web' } }).hostname, 'web');
  });

  it('a terminal with Tty', () => {
    assert.equal(spec().process?.terminal, false);
    assert.equal(spec({ config: { Tty: true } }).process?.terminal, true);
  });

  it('a read-only root filesystem with ReadonlyRootfs', () => {
    assert.deepEqual(spec().root, { path: '/var/lib/berth/rootfs', readonly: false });
    assert.equal(spec({ hostConfig: { ReadonlyRootfs: true } }).root?.readonly, true);
  });

  it('Init runs the init binary first and mounts it read-only', () => {
    const s = spec({ hostConfig: { Init: true }, initPath: '/usr/libexec/berth/docker-init' });
    assert.deepEqual(s.process?.args, ['/sbin/docker-init', '--', 'sh', '-c', 'true']);
    assert.deepEqual(mountAt(s, '/sbin/docker-init'), {
      destination: '/sbin/docker-init',
      type: 'bind',
      source: '/usr/libexec/berth/docker-init',
      options: ['rbind', 'ro', 'rprivate'],
    });
    // Without an init binary found, the container runs as asked.
    const without = spec({ hostConfig: { Init: true } });
    assert.deepEqual(without.process?.args, ['sh', '-c', 'true']);
    assert.equal(mountAt(without, '/sbin/docker-init'), undefined);
  });

  it('ulimits become rlimits', () => {
    const s = spec({
      hostConfig: {
        Ulimits: [
          { Name: 'nofile', Soft: 1024, Hard: 2048 },
          { Name: 'nproc', Soft: 10, Hard: 10 },
        ],
      },
    });
    assert.deepEqual(s.process?.rlimits, [
      { type: 'RLIMIT_NOFILE', hard: 2048, soft: 1024 },
      { type: 'RLIMIT_NPROC', hard: 10, soft: 10 },
    ]);
  });

  it('refuses an unknown ulimit', () => {
    assert.throws(
      () => spec({ hostConfig: { Ulimits: [{ Name: 'bogus', Soft: 1, Hard: 1 }] } }),
      (e: unknown) => e instanceof InvalidParameter && e.message === 'invalid ulimit type: bogus',
    );
  });
});

describe('containerEnv (moby CreateDaemonEnvironment)', () => {
  it('PATH, HOSTNAME, then the configured variables', () => {
    assert.deepEqual(containerEnv({ Env: ['FOO=bar'] }, 'abc'), [DEFAULT_PATH, 'HOSTNAME=abc', 'FOO=bar']);
    assert.deepEqual(containerEnv({}, 'abc'), [DEFAULT_PATH, 'HOSTNAME=abc']);
  });

  it('TERM=xterm with a TTY', () => {
    assert.deepEqual(containerEnv({ Tty: true }, 'abc'), [DEFAULT_PATH, 'HOSTNAME=abc', 'TERM=xterm']);
  });

  it('a configured PATH, HOSTNAME or TERM replaces the default in place', () => {
    assert.deepEqual(containerEnv({ Env: ['PATH=/x', 'A=1'] }, 'abc'), ['PATH=/x', 'HOSTNAME=abc', 'A=1']);
    assert.deepEqual(containerEnv({ Env: ['HOSTNAME=mine'] }, 'abc'), [DEFAULT_PATH, 'HOSTNAME=mine']);
    assert.deepEqual(containerEnv({ Tty: true, Env: ['TERM=vt100'] }, 'abc'), [
      DEFAULT_PATH,
      'HOSTNAME=abc',
      'TERM=vt100',
    ]);
  });

  it('a name without "=" unsets a default', () => {
    assert.deepEqual(containerEnv({ Env: ['HOSTNAME', 'B=2'] }, 'abc'), [DEFAULT_PATH, 'B=2']);
  });

  it('buildSpec uses it with the container hostname', () => {
    assert.deepEqual(spec({ config: { Env: ['X=1'] } }).process?.env, [DEFAULT_PATH, 'HOSTNAME=0123456789ab', 'X=1']);
  });
});

describe('resourcesOf (moby oci_linux resources)', () => {
  it('memory limit with swap twice the memory by default', () => {
    assert.deepEqual(resourcesOf({ Memory: 64 * MiB }).memory, { limit: 64 * MiB, swap: 128 * MiB });
  });

  it('explicit MemorySwap (and -1 for unlimited), reservation, swappiness, OOM killer', () => {
    assert.deepEqual(
      resourcesOf({
        Memory: 64 * MiB,
        MemorySwap: -1,
        MemoryReservation: 32 * MiB,
        MemorySwappiness: 10,
        OomKillDisable: true,
      }).memory,
      { limit: 64 * MiB, reservation: 32 * MiB, swap: -1, swappiness: 10, disableOOMKiller: true },
    );
    assert.equal(resourcesOf({ Memory: 64 * MiB, MemorySwap: 96 * MiB }).memory?.swap, 96 * MiB);
    assert.equal(resourcesOf({ MemorySwappiness: -1 }).memory, undefined);
  });

  it('NanoCpus become a CFS quota over a 100 ms period', () => {
    assert.deepEqual(resourcesOf({ NanoCpus: 1.5e9 }).cpu, { period: 100_000, quota: 150_000 });
    assert.deepEqual(resourcesOf({ NanoCpus: 5e8 }).cpu, { period: 100_000, quota: 50_000 });
  });

  it('CPU shares, quota, period and cpusets pass through', () => {
    assert.deepEqual(
      resourcesOf({ CpuShares: 512, CpuQuota: 20_000, CpuPeriod: 50_000, CpusetCpus: '0-1', CpusetMems: '0' }).cpu,
      { shares: 512, quota: 20_000, period: 50_000, cpus: '0-1', mems: '0' },
    );
  });

  it('a positive PidsLimit, and none for 0 or -1', () => {
    assert.deepEqual(resourcesOf({ PidsLimit: 100 }).pids, { limit: 100 });
    assert.equal(resourcesOf({ PidsLimit: 0 }).pids, undefined);
    assert.equal(resourcesOf({ PidsLimit: -1 }).pids, undefined);
  });

  it('blkio weight', () => {
    assert.deepEqual(resourcesOf({ BlkioWeight: 300 }).blockIO, { weight: 300 });
  });

  it('nothing set, nothing limited', () => {
    assert.deepEqual(resourcesOf({}), { devices: [{ allow: false, access: 'rwm' }] });
  });

  it('buildSpec carries them with the cgroups path', () => {
    const s = spec({ hostConfig: { Memory: 64 * MiB, PidsLimit: 5 } });
    assert.equal(s.linux?.cgroupsPath, '/berth/x');
    assert.equal(s.linux?.resources?.memory?.limit, 64 * MiB);
    assert.deepEqual(s.linux?.resources?.pids, { limit: 5 });
  });
});

describe('buildSpec: namespaces and mounts', () => {
  const types = (s: Spec) => s.linux?.namespaces?.map((n) => n.type);

  it("'new' network: a private network namespace", () => {
    assert.deepEqual(spec({ network: 'new' }).linux?.namespaces, [
      { type: 'pid' },
      { type: 'ipc' },
      { type: 'uts' },
      { type: 'mount' },
      { type: 'network' },
      { type: 'cgroup' },
    ]);
  });

  it("'host' network: no network namespace", () => {
    assert.ok(!types(spec({ network: 'host' }))?.includes('network'));
  });

  it('a path: join that network namespace', () => {
    const ns = spec({ network: { path: '/run/berth/netns/abc' } }).linux?.namespaces;
    assert.deepEqual(
      ns?.find((n) => n.type === 'network'),
      { type: 'network', path: '/run/berth/netns/abc' },
    );
  });

  it("a cgroup namespace by default on cgroup v2 only (dockerd's default cgroupns mode)", () => {
    assert.ok(types(spec({ cgroupVersion: 2 }))?.includes('cgroup'));
    assert.ok(!types(spec({ cgroupVersion: 1 }))?.includes('cgroup'));
  });

  it('--uts=host: no uts namespace, and no hostname or domainname set', () => {
    const s = spec({ config: { Domainname: 'example.org' }, hostConfig: { UTSMode: 'host' } });
    assert.ok(!types(s)?.includes('uts'));
    assert.equal(s.hostname, undefined);
    assert.equal(s.domainname, undefined);
  });

  it('/dev/shm: none with --ipc none, a bind of a shared one otherwise', () => {
    assert.equal(mountAt(spec({ joins: { shm: 'none' } }), '/dev/shm'), undefined);
    assert.deepEqual(mountAt(spec({ joins: { shm: { path: '/x/shm' } } }), '/dev/shm'), {
      destination: '/dev/shm',
      type: 'bind',
      source: '/x/shm',
      options: ['rbind', 'rprivate'],
    });
  });

  it("Docker's default mounts, /dev/shm sized by ShmSize (64 MiB by default)", () => {
    const s = spec();
    assert.deepEqual(
      s.mounts?.map((m) => m.destination),
      ['/proc', '/dev', '/dev/pts', '/sys', '/sys/fs/cgroup', '/dev/mqueue', '/dev/shm'],
    );
    assert.ok(mountAt(s, '/dev/shm')?.options?.includes(`size=${64 * MiB}`));
    assert.ok(mountAt(spec({ hostConfig: { ShmSize: 8 * MiB } }), '/dev/shm')?.options?.includes(`size=${8 * MiB}`));
  });

  it('a user mount replaces the default mount at the same place and comes after the defaults', () => {
    const user = { destination: '/dev/shm', type: 'bind', source: '/host/shm', options: ['rbind', 'rw'] };
    const s = spec({ mounts: [user] });
    assert.equal(s.mounts?.filter((m) => m.destination === '/dev/shm').length, 1);
    assert.deepEqual(s.mounts?.at(-1), user);
  });

  it('sysctls pass through', () => {
    assert.deepEqual(spec({ hostConfig: { Sysctls: { 'net.ipv4.ip_forward': '1' } } }).linux?.sysctl, {
      'net.ipv4.ip_forward': '1',
    });
  });
});
