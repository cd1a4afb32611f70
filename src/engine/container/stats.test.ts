import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CgroupStats } from '../../runtime/cgroups/index.js';
import { type ContainerRecord, type ContainerStatus, ZERO_TIME, newState } from './model.js';
import {
  cpuStatsJson,
  memoryStatsJson,
  parseMemTotal,
  parseProcStat,
  rfc3339Nano,
  statsResponse,
  zeroedResponse,
} from './stats-json.js';
import { type StatsDeps, type StatsEnv, statsFrames } from './stats.js';

const PROC_STAT = `cpu  100 2 30 4000 5 6 7 8 9 10
cpu0 50 1 15 2000 2 3 3 4 4 5
cpu1 50 1 15 2000 3 3 4 4 5 5
intr 12345 0 0
ctxt 999
cpu9 1 1 1 1 1 1 1
`;
const HOST = { systemUsage: 4150 * 1e7, onlineCpus: 2 };
const GiB = 1024 ** 3;

const V1: CgroupStats = {
  memory: {
    usage: 4096,
    maxUsage: 8192,
    failcnt: 3,
    cache: 1024,
    stats: { cache: 1024, rss: 3072, total_inactive_file: 512 },
  },
  cpu: {
    totalUsage: 3e9,
    usageInUsermode: 2e9,
    usageInKernelmode: 1e9,
    percpuUsage: [1e9, 2e9],
    throttling: { periods: 10, throttledPeriods: 2, throttledTime: 5000 },
  },
  pids: { current: 3 },
};

const V2: CgroupStats = {
  memory: {
    usage: 4096,
    maxUsage: 9000,
    failcnt: 0,
    limit: 64 * 1024 ** 2,
    cache: 1024,
    stats: { anon: 3072, file: 1024, inactive_file: 256 },
  },
  cpu: {
    totalUsage: 30000,
    usageInUsermode: 20000,
    usageInKernelmode: 10000,
    percpuUsage: [],
    throttling: { periods: 4, throttledPeriods: 1, throttledTime: 7000 },
  },
  pids: { current: 2, limit: 10 },
};

const EMPTY_BLKIO = {
  io_service_bytes_recursive: null,
  io_serviced_recursive: null,
  io_queue_recursive: null,
  io_service_time_recursive: null,
  io_wait_time_recursive: null,
  io_merged_recursive: null,
  io_time_recursive: null,
  sectors_recursive: null,
};
const ZERO_CPU = {
  cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
  throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
};

describe('stats JSON assembly', () => {
  it('/proc/stat: system usage is the cpu line’s first seven fields in ns (USER_HZ 100); online CPUs count cpuN lines', () => {
    assert.deepEqual(parseProcStat(PROC_STAT), HOST, 'steal/guest are left out, and lines after the cpu block ignored');
    assert.throws(() => parseProcStat('cpu  1 2 3\n'), /unexpected cpu line/);
    assert.throws(() => parseProcStat('intr 1\n'), /no cpu line/);
  });

  it('/proc/meminfo: MemTotal in bytes', () => {
    assert.equal(parseMemTotal('MemTotal:       16318412 kB\nMemFree:  1 kB\n'), 16318412 * 1024);
    assert.equal(parseMemTotal('MemFree: 1 kB\n'), undefined);
  });

  it('a v1 sample: percpu, max_usage, failcnt, memory.stat keys; unlimited memory → host memory; pids limit left out', () => {
    const f = statsResponse({
      id: 'abc',
      name: 'web',
      read: '2024-05-01T10:00:00.5Z',
      cgroup: V1,
      version: 1,
      host: HOST,
      hostMemory: 8 * GiB,
      previous: undefined,
    });
    assert.deepEqual(f, {
      read: '2024-05-01T10:00:00.5Z',
      preread: ZERO_TIME,
      pids_stats: { current: 3 },
      blkio_stats: EMPTY_BLKIO,
      num_procs: 0,
      storage_stats: {},
      cpu_stats: {
        cpu_usage: { total_usage: 3e9, percpu_usage: [1e9, 2e9], usage_in_kernelmode: 1e9, usage_in_usermode: 2e9 },
        system_cpu_usage: HOST.systemUsage,
        online_cpus: 2,
        throttling_data: { periods: 10, throttled_periods: 2, throttled_time: 5000 },
      },
      precpu_stats: ZERO_CPU,
      memory_stats: {
        usage: 4096,
        max_usage: 8192,
        stats: { cache: 1024, rss: 3072, total_inactive_file: 512 },
        failcnt: 3,
        limit: 8 * GiB,
      },
      name: '/web',
      id: 'abc',
    });
    // moby's key order, so the wire bytes read like dockerd's
    assert.deepEqual(Object.keys(f), [
      'read',
      'preread',
      'pids_stats',
      'blkio_stats',
      'num_procs',
      'storage_stats',
      'cpu_stats',
      'precpu_stats',
      'memory_stats',
      'name',
      'id',
    ]);
    assert.deepEqual(Object.keys(f.cpu_stats), ['cpu_usage', 'system_cpu_usage', 'online_cpus', 'throttling_data']);
  });

  it('a v2 sample: no percpu_usage or max_usage, a zero failcnt left out, the memory and pids limits kept', () => {
    const f = statsResponse({
      id: 'abc',
      name: 'web',
      read: '2024-05-01T10:00:00Z',
      cgroup: V2,
      version: 2,
      host: HOST,
      hostMemory: 8 * GiB,
      previous: undefined,
    });
    assert.deepEqual(f.cpu_stats, {
      cpu_usage: { total_usage: 30000, usage_in_kernelmode: 10000, usage_in_usermode: 20000 },
      system_cpu_usage: HOST.systemUsage,
      online_cpus: 2,
      throttling_data: { periods: 4, throttled_periods: 1, throttled_time: 7000 },
    });
    assert.deepEqual(f.memory_stats, {
      usage: 4096,
      stats: { anon: 3072, file: 1024, inactive_file: 256 },
      limit: 64 * 1024 ** 2,
    });
    assert.deepEqual(f.pids_stats, { current: 2, limit: 10 });
    assert.deepEqual(f.precpu_stats, ZERO_CPU);
    assert.equal(f.preread, ZERO_TIME);
  });

  it('the memory limit: unlimited or above the host → host memory; below it kept; unknown host memory → no limit', () => {
    const mem = { usage: 1, cache: 0, stats: {} };
    assert.equal(memoryStatsJson(mem, 2, 4 * GiB).limit, 4 * GiB);
    assert.equal(memoryStatsJson({ ...mem, limit: 2 ** 62 }, 1, 4 * GiB).limit, 4 * GiB);
    assert.equal(memoryStatsJson({ ...mem, limit: GiB }, 1, 4 * GiB).limit, GiB);
    assert.deepEqual(
      memoryStatsJson(mem, 2, undefined),
      { usage: 1 },
      'an empty memory.stat is left out, as omitempty',
    );
    assert.equal(memoryStatsJson({ ...mem, failcnt: 2 }, 2, undefined).failcnt, 2, 'v2 oom count when non-zero');
  });

  it('missing controllers leave their sections empty (dockerd’s zero values)', () => {
    const f = statsResponse({
      id: 'abc',
      name: 'web',
      read: '2024-05-01T10:00:00Z',
      cgroup: {},
      version: 2,
      host: HOST,
      hostMemory: GiB,
      previous: undefined,
    });
    assert.deepEqual(f.memory_stats, {});
    assert.deepEqual(f.pids_stats, {});
    assert.deepEqual(f.cpu_stats, { ...ZERO_CPU, system_cpu_usage: HOST.systemUsage, online_cpus: 2 });
    assert.deepEqual(cpuStatsJson(undefined, { systemUsage: 0, onlineCpus: 0 }), ZERO_CPU);
  });

  it('a later frame carries the previous frame’s cpu_stats and read as precpu_stats and preread', () => {
    const base = { id: 'abc', name: 'web', cgroup: V2, version: 2 as const, host: HOST, hostMemory: GiB };
    const first = statsResponse({ ...base, read: '2024-05-01T10:00:00Z', previous: undefined });
    const second = statsResponse({
      ...base,
      read: '2024-05-01T10:00:01Z',
      previous: { read: first.read, cpu: first.cpu_stats },
    });
    assert.equal(second.preread, '2024-05-01T10:00:00Z');
    assert.deepEqual(second.precpu_stats, first.cpu_stats);
  });

  it('a not-running container’s frame is dockerd’s empty one, byte for byte', () => {
    assert.equal(
      JSON.stringify(zeroedResponse('abc', 'web', undefined)),
      '{"read":"0001-01-01T00:00:00Z","preread":"0001-01-01T00:00:00Z","pids_stats":{},"blkio_stats":' +
        '{"io_service_bytes_recursive":null,"io_serviced_recursive":null,"io_queue_recursive":null,' +
        '"io_service_time_recursive":null,"io_wait_time_recursive":null,"io_merged_recursive":null,' +
        '"io_time_recursive":null,"sectors_recursive":null},"num_procs":0,"storage_stats":{},' +
        '"cpu_stats":{"cpu_usage":{"total_usage":0,"usage_in_kernelmode":0,"usage_in_usermode":0},' +
        '"throttling_data":{"periods":0,"throttled_periods":0,"throttled_time":0}},' +
        '"precpu_stats":{"cpu_usage":{"total_usage":0,"usage_in_kernelmode":0,"usage_in_usermode":0},' +
        '"throttling_data":{"periods":0,"throttled_periods":0,"throttled_time":0}},"memory_stats":{},' +
        '"name":"/web","id":"abc"}',
    );
  });

  it('read times are RFC3339Nano in UTC with trailing zeros trimmed', () => {
    const t = BigInt(Date.UTC(2024, 4, 1, 10, 0, 0)) * 1_000_000n;
    assert.equal(rfc3339Nano(t), '2024-05-01T10:00:00Z');
    assert.equal(rfc3339Nano(t + 500_000_000n), '2024-05-01T10:00:00.5Z');
    assert.equal(rfc3339Nano(t + 123_456_789n), '2024-05-01T10:00:00.123456789Z');
    assert.equal(rfc3339Nano(t + 1_000n), '2024-05-01T10:00:00.000001Z');
  });
});

// The loop, over a tiny deps object whose runtime returns canned cgroup stats.
function fixture(status: ContainerStatus = 'running', stats: (n: number) => Promise<CgroupStats> = async () => V2) {
  const rec = { id: 'abc', name: 'web', state: { ...newState(), status } } as ContainerRecord;
  let present = true;
  let calls = 0;
  let clock = BigInt(Date.UTC(2024, 4, 1, 10, 0, 0)) * 1_000_000n;
  const deps: StatsDeps = {
    store: { find: (id) => (present && id === rec.id ? rec : undefined) },
    runtime: { cgroupVersion: 2, stats: () => stats(++calls) },
  };
  const env: StatsEnv = {
    readProcFile: async (p) => (p === '/proc/stat' ? PROC_STAT : 'MemTotal: 1048576 kB\n'),
    now: () => {
      clock += 1_000_000_000n;
      return clock;
    },
    intervalMs: 5,
  };
  return {
    rec,
    deps,
    env,
    calls: () => calls,
    setStatus: (s: ContainerStatus) => {
      rec.state.status = s;
    },
    remove: () => {
      present = false;
    },
  };
}

async function collect<T>(it: AsyncIterable<T>, max = 100): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) {
    out.push(x);
    if (out.length >= max) break;
  }
  return out;
}

describe('stats sampling loop', () => {
  it('stream: a frame now, then one per interval, each with the previous as precpu, until the signal aborts', async () => {
    const fx = fixture();
    const ac = new AbortController();
    const frames = [];
    for await (const f of statsFrames(fx.deps, fx.rec, { stream: true, oneShot: false, signal: ac.signal }, fx.env)) {
      frames.push(f);
      if (frames.length === 3) ac.abort();
    }
    assert.equal(frames.length, 3);
    assert.equal(fx.calls(), 3, 'no sample after the abort');
    const [a, b, c] = frames;
    assert.ok(a && b && c);
    assert.equal(a.preread, ZERO_TIME);
    assert.deepEqual(a.precpu_stats, ZERO_CPU);
    assert.equal(b.preread, a.read);
    assert.deepEqual(b.precpu_stats, a.cpu_stats);
    assert.equal(c.preread, b.read);
    assert.equal(a.memory_stats.limit, 64 * 1024 ** 2);
    assert.equal(a.name, '/web');
  });

  it('stream: an abort during the wait between frames ends it at once (the timer is cleared)', async () => {
    const fx = fixture();
    fx.env.intervalMs = 60_000;
    const ac = new AbortController();
    const t0 = Date.now();
    const frames = [];
    for await (const f of statsFrames(fx.deps, fx.rec, { stream: true, oneShot: false, signal: ac.signal }, fx.env)) {
      frames.push(f);
      setTimeout(() => ac.abort(), 10);
    }
    assert.equal(frames.length, 1);
    assert.ok(Date.now() - t0 < 5000, 'did not wait out the interval');
  });

  it('stream: ends when the container stops running, or when it is removed', async () => {
    const stopping = fixture('running', async (n) => {
      if (n === 2) stopping.setStatus('exited');
      return V2;
    });
    const signal = new AbortController().signal;
    const frames = await collect(
      statsFrames(stopping.deps, stopping.rec, { stream: true, oneShot: false, signal }, stopping.env),
    );
    assert.equal(frames.length, 2, 'the sample taken as it stopped, then the end');

    const removed = fixture('running', async (n) => {
      if (n === 3) removed.remove();
      return V2;
    });
    const gone = await collect(
      statsFrames(removed.deps, removed.rec, { stream: true, oneShot: false, signal }, removed.env),
    );
    assert.equal(gone.length, 3);
  });

  it('stream: a read failing because the container stopped meanwhile ends the stream; otherwise the error is thrown', async () => {
    const fx = fixture('running', async (n) => {
      if (n === 2) {
        fx.setStatus('exited');
        throw new Error('cgroup: read memory.current: ENODEV');
      }
      return V2;
    });
    const signal = new AbortController().signal;
    assert.equal(
      (await collect(statsFrames(fx.deps, fx.rec, { stream: true, oneShot: false, signal }, fx.env))).length,
      1,
    );

    const broken = fixture('running', async () => {
      throw new Error('boom');
    });
    await assert.rejects(
      collect(statsFrames(broken.deps, broken.rec, { stream: true, oneShot: false, signal }, broken.env)),
      /boom/,
    );
  });

  it('stream: a stopped container gets empty frames until the signal aborts, and real ones once it starts', async () => {
    const fx = fixture('exited');
    const ac = new AbortController();
    const frames = [];
    for await (const f of statsFrames(fx.deps, fx.rec, { stream: true, oneShot: false, signal: ac.signal }, fx.env)) {
      frames.push(f);
      if (frames.length === 2) fx.setStatus('running');
      if (frames.length === 3) ac.abort();
    }
    assert.equal(frames.length, 3);
    assert.deepEqual(frames[0], zeroedResponse('abc', 'web', undefined));
    assert.equal(frames[1]?.read, ZERO_TIME);
    assert.equal(fx.calls(), 1, 'the cgroup is read only once it runs');
    assert.equal(frames[2]?.memory_stats.usage, 4096);
  });

  it('stream=false: two samples an interval apart, one frame with precpu filled', async () => {
    const fx = fixture('running', async (n) => (n === 1 ? V1 : { ...V1, cpu: { ...V1.cpu!, totalUsage: 4e9 } }));
    const signal = new AbortController().signal;
    const frames = await collect(statsFrames(fx.deps, fx.rec, { stream: false, oneShot: false, signal }, fx.env));
    assert.equal(frames.length, 1);
    assert.equal(fx.calls(), 2);
    const [f] = frames;
    assert.equal(f?.cpu_stats.cpu_usage.total_usage, 4e9);
    assert.equal(f?.precpu_stats.cpu_usage.total_usage, 3e9);
    assert.equal(f?.precpu_stats.system_cpu_usage, HOST.systemUsage);
    assert.notEqual(f?.preread, ZERO_TIME);
    assert.equal(f?.memory_stats.limit, 1048576 * 1024, 'unlimited → /proc/meminfo MemTotal');
  });

  it('stream=false, one-shot: one sample at once, precpu empty', async () => {
    const fx = fixture();
    fx.env.intervalMs = 60_000; // would time the test out if it waited
    const signal = new AbortController().signal;
    const frames = await collect(statsFrames(fx.deps, fx.rec, { stream: false, oneShot: true, signal }, fx.env));
    assert.equal(frames.length, 1);
    assert.equal(fx.calls(), 1);
    assert.deepEqual(frames[0]?.precpu_stats, ZERO_CPU);
    assert.equal(frames[0]?.preread, ZERO_TIME);
  });

  it('stream=false on a container that is not running: one empty frame at once, the cgroup not read', async () => {
    for (const status of ['created', 'exited', 'restarting'] as const) {
      const fx = fixture(status);
      fx.env.intervalMs = 60_000;
      const signal = new AbortController().signal;
      const frames = await collect(statsFrames(fx.deps, fx.rec, { stream: false, oneShot: false, signal }, fx.env));
      assert.deepEqual(frames, [zeroedResponse('abc', 'web', undefined)], status);
      assert.equal(fx.calls(), 0);
    }
  });

  it('stream=false: an abort during the priming wait ends it with no frame', async () => {
    const fx = fixture();
    fx.env.intervalMs = 60_000;
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 10);
    const frames = await collect(
      statsFrames(fx.deps, fx.rec, { stream: false, oneShot: false, signal: ac.signal }, fx.env),
    );
    assert.deepEqual(frames, []);
    assert.equal(fx.calls(), 1);
  });

  it('a paused container is sampled, as dockerd does', async () => {
    const fx = fixture('paused');
    const signal = new AbortController().signal;
    const frames = await collect(statsFrames(fx.deps, fx.rec, { stream: false, oneShot: true, signal }, fx.env));
    assert.equal(frames[0]?.pids_stats.current, 2);
  });
});

it('parseNetDev: per-interface counters, loopback left out', async () => {
  const { parseNetDev } = await import('./stats-json.js');
  const text = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:     100       2    0    0    0     0          0         0      100       2    0    0    0     0       0          0
  eth0:    5234      40    1    2    0     0          0         0     1811      19    3    4    0     0       0          0
`;
  assert.deepEqual(parseNetDev(text), {
    eth0: {
      rx_bytes: 5234,
      rx_packets: 40,
      rx_errors: 1,
      rx_dropped: 2,
      tx_bytes: 1811,
      tx_packets: 19,
      tx_errors: 3,
      tx_dropped: 4,
    },
  });
});
