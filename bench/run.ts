// npm run bench: container start with runc vs berth-runtime on one bundle, Node's start-up, the in-process path, and
// the shim's memory. Prints `name value unit` lines (medians).
import { mkdir, mkdtemp, readdir, readFile, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isTmpfs } from '../src/lib/atomic-file.js';
import { detectCgroupDriver } from '../src/runtime/cgroups/index.js';
import { Runtime } from '../src/runtime/runtime.js';
import { syncCgroupFs } from '../src/sys/index.js';
import { makeBundle, repoRoot } from '../test/fixtures/index.js';
import { exec, median, report, timeRuns } from './stats.js';

const N = Number(process.env.BENCH_RUNS ?? 30);

async function main() {
  const bin = join(await repoRoot(), 'bin', 'berth-runtime');
  // State roots on tmpfs, as /run is on most hosts (not on this VM, where /dev/shm is): there state files need no
  // fsync, for runc and berth alike.
  const base = (await isTmpfs('/run')) ? '/run/berth-bench' : '/dev/shm/berth-bench';
  await mkdir(base, { recursive: true });
  const root = await mkdtemp(`${base}/`);
  const bundle = await makeBundle({ args: ['true'], mutate: (s) => (s.linux!.cgroupsPath = '') });
  const withCa = { ...process.env };
  const noCa = { ...process.env };
  delete noCa.NODE_EXTRA_CA_CERTS;
  try {
    // The daemon's configuration: shims from a forkserver, cgroup files by direct syscalls, a json-file log.
    const rt = await Runtime.open({
      root: join(root, 'lib'),
      cgroups: await detectCgroupDriver(syncCgroupFs),
      cgroupParent: 'berth-bench',
      forkServer: true,
    });
    const runc = median(
      await timeRuns(N, (i) => exec('runc', ['--root', join(root, 'runc'), 'run', '--bundle', bundle.dir, `r${i}`])),
    );
    report('runc_run_true', runc, 'ms');
    const ours = median(
      await timeRuns(N, (i) => exec(bin, ['--root', join(root, 'cli'), 'run', '--bundle', bundle.dir, `b${i}`], noCa)),
    );
    const oursCa = median(
      await timeRuns(N, (i) =>
        exec(bin, ['--root', join(root, 'cli'), 'run', '--bundle', bundle.dir, `c${i}`], withCa),
      ),
    );
    report('berth_runtime_run_true', ours, 'ms');
    report('berth_runtime_run_true_with_NODE_EXTRA_CA_CERTS', oursCa, 'ms');
    const node = median(await timeRuns(N, () => exec(process.execPath, ['-e', '0'], noCa)));
    const nodeCa = median(await timeRuns(N, () => exec(process.execPath, ['-e', '0'], withCa)));
    report('node_bare_startup', node, 'ms');
    report('node_bare_startup_with_NODE_EXTRA_CA_CERTS', nodeCa, 'ms');
    report('berth_runtime_vs_runc_plus_node', ours / (runc + node), 'ratio');
    const stopTimes: number[] = [];
    const inProcess = await timeRuns(N, async (i) => {
      await rt.create(`p${i}`, bundle.dir, {
        stdio: { log: { path: join(root, `p${i}.log`), maxSize: 0, maxFiles: 1 } },
      });
      await rt.start(`p${i}`);
      await rt.wait(`p${i}`);
      const t0 = process.hrtime.bigint();
      await rt.delete(`p${i}`);
      stopTimes.push(Number(process.hrtime.bigint() - t0) / 1e6);
    });
    // timeRuns measured create+start+wait+delete; report create+start+wait without the delete.
    report('in_process_create_start_wait', median(inProcess.map((t, i) => t - (stopTimes[i] ?? 0))), 'ms');
    report('in_process_delete', median(stopTimes), 'ms');
    const sleeper = await makeBundle({ args: ['sleep', '30'], mutate: (s) => (s.linux!.cgroupsPath = '') });
    try {
      const { record } = await rt.create('rss', sleeper.dir, {
        stdio: { log: { path: join(root, 'rss.log'), maxSize: 0, maxFiles: 1 } },
      });
      await rt.start('rss');
      const rollup = await readFile(`/proc/${record.shimPid}/smaps_rollup`, 'utf8');
      const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? 0);
      report('shim_rss', kb('Rss'), 'kB');
      report('shim_pss', kb('Pss'), 'kB');
      await rt.delete('rss', true);
    } finally {
      rt.close();
      await sleeper.cleanup();
    }
  } finally {
    await bundle.cleanup();
    await rm(root, { recursive: true, force: true });
    await rmdir(base).catch(() => {});
    // The daemon-style runtime keeps its cgroup parent (as dockerd keeps /docker): remove it here.
    for (const ctl of ['', ...(await readdir('/sys/fs/cgroup'))])
      await rmdir(`/sys/fs/cgroup/${ctl}/berth-bench`).catch(() => {});
  }
}

await main();
