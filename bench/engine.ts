// Engine benchmarks, berthd against Debian's dockerd side by side, the real docker CLI driving both (each daemon in
// its own sandbox): `docker run --rm busybox true`, 50 × `run -d … sleep` then one `rm -f` of all 50, memory added
// per running container, and the daemon's idle RSS; and the docker CLI's own share of the first two (cli-floor.ts),
// which bounds the ratio any engine can reach. Prints `name value unit` lines; never fails: without dockerd, only
// berth's figures are printed.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { busyboxImage, type Berthd, startBerthd, skipReason as berthSkip } from '../test/fixtures/berthd.js';
import { type Dockerd, dockerdSkipReason, processesUnder, startDockerd } from '../test/fixtures/dockerd.js';
import { busyboxRootfs } from '../test/fixtures/rootfs.js';
import { startInstantEngine } from './cli-floor.js';
import { median, report, timeRuns } from './stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const MANY = 50;
const DOCKER = '/usr/local/bin/docker';

function docker(host: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(DOCKER, args, {
      env: { ...process.env, DOCKER_HOST: host },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`docker ${args.join(' ')}: ${code} ${err}`)),
    );
  });
}

/** Sum of VmRSS (kB) of the processes in the pid namespace of `pid` whose name matches. */
async function rssKb(nsOfPid: number, names: RegExp): Promise<number> {
  const ns = await readlink(`/proc/${nsOfPid}/ns/pid`);
  let total = 0;
  for (const p of await readdir('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if ((await readlink(`/proc/${p}/ns/pid`)) !== ns) continue;
      const status = await readFile(`/proc/${p}/status`, 'utf8');
      const name = /^Name:\s+(.*)$/m.exec(status)?.[1] ?? '';
      if (!names.test(name)) continue;
      total += Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

interface Engine {
  name: string;
  host: string;
  nsPid: () => Promise<number>;
  daemonNames: RegExp;
  /** The per-container processes among them (shims), measured on their own too. */
  shimNames?: RegExp;
}

/** Median of `docker run --rm busybox true` (after two warm-up runs). */
async function runRm(host: string): Promise<number> {
  for (let i = 0; i < 2; i++) await docker(host, ['run', '--rm', 'busybox', 'true']);
  return median(await timeRuns(RUNS, () => docker(host, ['run', '--rm', 'busybox', 'true']).then(() => {})));
}

/** 50 × `docker run -d busybox sleep 3600`, then `between` (while they run), then one `docker rm -f` of all. */
async function runMany(
  host: string,
  between: () => Promise<void> = async () => {},
): Promise<{ started: number; removed: number }> {
  const t0 = process.hrtime.bigint();
  const ids: string[] = [];
  for (let i = 0; i < MANY; i++) ids.push((await docker(host, ['run', '-d', 'busybox', 'sleep', '3600'])).trim());
  const started = Number(process.hrtime.bigint() - t0) / 1e6;
  await between();
  const t1 = process.hrtime.bigint();
  await docker(host, ['rm', '-f', ...ids]);
  return { started, removed: Number(process.hrtime.bigint() - t1) / 1e6 };
}

interface Figures {
  runRm: number;
  many: number;
}

async function measure(e: Engine): Promise<Figures> {
  const rmTrue = await runRm(e.host);
  report(`${e.name}.run_rm_true`, rmTrue, 'ms');
  // Idle: once what the last command left running (berthd's idle worker threads: 1 s) has ended.
  await new Promise((r) => setTimeout(r, 2000));
  const idle = await rssKb(await e.nsPid(), e.daemonNames);
  report(`${e.name}.daemon_idle_rss`, idle / 1024, 'MB');
  let busy = 0;
  let shims = 0;
  const { started, removed } = await runMany(e.host, async () => {
    busy = await rssKb(await e.nsPid(), e.daemonNames);
    shims = e.shimNames ? await rssKb(await e.nsPid(), e.shimNames) : 0;
  });
  report(`${e.name}.run_d_50`, started, 'ms');
  report(`${e.name}.rm_f_50`, removed, 'ms');
  report(`${e.name}.run_d_rm_f_50_total`, started + removed, 'ms');
  report(`${e.name}.memory_per_container`, Math.max(0, busy - idle) / MANY, 'kB');
  if (e.shimNames) report(`${e.name}.shim_rss_per_container`, shims / MANY, 'kB');
  report(`${e.name}.daemon_rss_with_50`, busy / 1024, 'MB');
  return { runRm: rmTrue, many: started + removed };
}

/** The same commands against an engine that answers at once: the docker CLI's own share of every figure. */
async function measureCliFloor(): Promise<Figures> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-cli-floor-'));
  const instant = await startInstantEngine(dir);
  try {
    const floor = { runRm: await runRm(instant.host), many: 0 };
    const { started, removed } = await runMany(instant.host);
    floor.many = started + removed;
    report('docker_cli_floor.run_rm_true', floor.runRm, 'ms');
    report('docker_cli_floor.run_d_rm_f_50_total', floor.many, 'ms');
    return floor;
  } finally {
    await instant.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** berth against dockerd, and the best any engine could do through the docker CLI (dockerd's time over the floor). */
function ratios(berth: Figures, dockerd: Figures, floor: Figures): void {
  report('ratio.run_rm_true', dockerd.runRm / berth.runRm, 'x');
  report('ratio_ceiling.run_rm_true', dockerd.runRm / floor.runRm, 'x');
  report('ratio.run_d_rm_f_50_total', dockerd.many / berth.many, 'x');
  report('ratio_ceiling.run_d_rm_f_50_total', dockerd.many / floor.many, 'x');
}

async function importBusybox(host: string): Promise<void> {
  const rootfs = await busyboxRootfs();
  await new Promise<void>((resolve, reject) => {
    const sh = spawn('sh', ['-c', `tar -C '${rootfs}' -cf - . | '${DOCKER}' import - busybox:latest >/dev/null`], {
      env: { ...process.env, DOCKER_HOST: host },
      stdio: 'inherit',
    });
    sh.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`import into ${host}: ${code}`))));
  });
}

async function main(): Promise<void> {
  const why = await berthSkip();
  if (why) {
    process.stdout.write(`# engine benchmark skipped: ${why}\n`);
    return;
  }
  const floor = await measureCliFloor();
  // No --debug log: dockerd runs without one too.
  const berth: Berthd = await startBerthd({ debug: false });
  let ours: Figures;
  try {
    await busyboxImage(berth);
    ours = await measure({
      name: 'berth',
      host: berth.host,
      // berth.pid() is nsenter's, in the host's pid namespace; its child is berthd, in the sandbox's.
      nsPid: async () => {
        const pid = berth.pid() ?? 0;
        const kids = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
        return Number(kids.trim().split(' ')[0]) || pid;
      },
      daemonNames: /^(node|berth-helper)$/,
      shimNames: /^berth-helper$/,
    });
  } finally {
    await berth.stop();
  }
  const dwhy = await dockerdSkipReason();
  if (dwhy) {
    process.stdout.write(`# dockerd reference skipped: ${dwhy}\n`);
    return;
  }
  const d: Dockerd = await startDockerd();
  try {
    await importBusybox(d.host);
    const theirs = await measure({
      name: 'dockerd',
      host: d.host,
      nsPid: async () => {
        const line = (await processesUnder(d.dir)).find((l) => /^\d+ \S*dockerd /.test(l)) ?? '';
        return Number(line.split(' ')[0]);
      },
      daemonNames: /^(dockerd|containerd|containerd-shim.*|docker-proxy)$/,
      shimNames: /^containerd-shim/,
    });
    ratios(ours, theirs, floor);
  } finally {
    await d.stop();
  }
}

main().catch((e) => {
  process.stderr.write(`engine benchmark failed: ${(e as Error).stack}\n`);
  process.exitCode = 0;
});
