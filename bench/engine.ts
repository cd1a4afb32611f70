// Engine benchmarks, berthd against Debian's dockerd side by side, the real docker CLI driving both (each daemon in
// its own sandbox): `docker run --rm busybox true`, 50 × `run -d … sleep` then one `rm -f` of all 50, memory added
// per running container, and the daemon's idle RSS; and the docker CLI's own share of the first two (cli-floor.ts),
// which bounds the ratio any engine can reach. The engines are up together and take turns (one run each per round),
// so this machine's drift, which moves every figure by tens of percent within minutes, weighs on all of them alike.
// Prints `name value unit` lines; never fails: without dockerd, only berth's figures are printed.
import { mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { busyboxImage, type Berthd, startBerthd, skipReason as berthSkip } from '../test/fixtures/berthd.js';
import { type Dockerd, dockerdSkipReason, processesUnder, startDockerd } from '../test/fixtures/dockerd.js';
import { berthdPid, docker, importBusybox } from './engines.js';
import { startInstantEngine } from './cli-floor.js';
import { median, report, timeRuns } from './stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const MANY = 50;
/** Rounds of the 50-container loop per engine (the median is reported). */
const MANY_ROUNDS = 3;

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

/** An engine the docker CLI drives; `weigh` says which of its processes count as the daemon (none: the stand-in). */
interface Engine {
  name: string;
  host: string;
  weigh?: { nsPid: () => Promise<number>; daemonNames: RegExp; shimNames: RegExp };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `docker run --rm busybox true` on each engine in turn, RUNS rounds (after two warm-up runs each): medians. */
async function runRmTurns(engines: Engine[]): Promise<number[]> {
  const times = engines.map(() => [] as number[]);
  for (const e of engines) for (let i = 0; i < 2; i++) await docker(e.host, ['run', '--rm', 'busybox', 'true']);
  for (let i = 0; i < RUNS; i++) {
    for (const [k, e] of engines.entries()) {
      const [t] = await timeRuns(1, () => docker(e.host, ['run', '--rm', 'busybox', 'true']).then(() => {}));
      times[k]?.push(t ?? 0);
    }
  }
  return times.map(median);
}

/** 50 × `docker run -d busybox sleep 3600`, then `between` (while they run), then one `docker rm -f` of all. */
async function runMany(host: string, between: () => Promise<void>): Promise<{ started: number; removed: number }> {
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

/** Every figure, the engines taking turns; returns run --rm and the 50-loop total per engine. */
async function measure(engines: Engine[]): Promise<Figures[]> {
  const rmTrue = await runRmTurns(engines);
  for (const [k, e] of engines.entries()) report(`${e.name}.run_rm_true`, rmTrue[k] ?? 0, 'ms');
  // Idle: once what the last command left running (berthd's idle worker threads: 1 s) has ended.
  await sleep(2000);
  const idle = new Map<Engine, number>();
  for (const e of engines) {
    if (!e.weigh) continue;
    idle.set(e, await rssKb(await e.weigh.nsPid(), e.weigh.daemonNames));
    report(`${e.name}.daemon_idle_rss`, (idle.get(e) ?? 0) / 1024, 'MB');
  }
  const loops = engines.map(() => [] as { started: number; removed: number }[]);
  for (let round = 0; round < MANY_ROUNDS; round++) {
    for (const [k, e] of engines.entries()) {
      const loop = await runMany(e.host, async () => {
        if (round > 0 || !e.weigh) return;
        const busy = await rssKb(await e.weigh.nsPid(), e.weigh.daemonNames);
        const shims = await rssKb(await e.weigh.nsPid(), e.weigh.shimNames);
        report(`${e.name}.memory_per_container`, Math.max(0, busy - (idle.get(e) ?? 0)) / MANY, 'kB');
        report(`${e.name}.shim_rss_per_container`, shims / MANY, 'kB');
        report(`${e.name}.daemon_rss_with_50`, busy / 1024, 'MB');
      });
      loops[k]?.push(loop);
    }
  }
  return engines.map((e, k) => {
    const mine = loops[k] ?? [];
    const started = median(mine.map((l) => l.started));
    const removed = median(mine.map((l) => l.removed));
    const total = median(mine.map((l) => l.started + l.removed));
    report(`${e.name}.run_d_50`, started, 'ms');
    report(`${e.name}.rm_f_50`, removed, 'ms');
    report(`${e.name}.run_d_rm_f_50_total`, total, 'ms');
    return { runRm: rmTrue[k] ?? 0, many: total };
  });
}

/** berth against dockerd, and the best any engine could do through the docker CLI (dockerd's time over the floor). */
function ratios(berth: Figures, dockerd: Figures, floor: Figures): void {
  report('ratio.run_rm_true', dockerd.runRm / berth.runRm, 'x');
  report('ratio_ceiling.run_rm_true', dockerd.runRm / floor.runRm, 'x');
  report('ratio.run_d_rm_f_50_total', dockerd.many / berth.many, 'x');
  report('ratio_ceiling.run_d_rm_f_50_total', dockerd.many / floor.many, 'x');
}

async function main(): Promise<void> {
  const why = await berthSkip();
  if (why) {
    process.stdout.write(`# engine benchmark skipped: ${why}\n`);
    return;
  }
  const dwhy = await dockerdSkipReason();
  if (dwhy) process.stdout.write(`# dockerd reference skipped: ${dwhy}\n`);
  const dir = await mkdtemp(join(tmpdir(), 'berth-cli-floor-'));
  const instant = await startInstantEngine(dir);
  let berth: Berthd | undefined;
  let d: Dockerd | undefined;
  try {
    // No --debug log: dockerd runs without one too.
    berth = await startBerthd({ debug: false });
    await busyboxImage(berth);
    const b = berth;
    const engines: Engine[] = [
      { name: 'docker_cli_floor', host: instant.host },
      {
        name: 'berth',
        host: b.host,
        weigh: {
          nsPid: () => berthdPid(b),
          daemonNames: /^(node|berth-helper)$/,
          shimNames: /^berth-helper$/,
        },
      },
    ];
    if (!dwhy) {
      // With its networking, as berth has its own: both put each container on their default bridge.
      d = await startDockerd({ network: true });
      await importBusybox(d.host);
      const dd = d;
      engines.push({
        name: 'dockerd',
        host: dd.host,
        weigh: {
          nsPid: async () => {
            const line = (await processesUnder(dd.dir)).find((l) => /^\d+ \S*dockerd /.test(l)) ?? '';
            return Number(line.split(' ')[0]);
          },
          daemonNames: /^(dockerd|containerd|containerd-shim.*|docker-proxy)$/,
          shimNames: /^containerd-shim/,
        },
      });
    }
    const [floor, ours, theirs] = await measure(engines);
    if (floor && ours && theirs) ratios(ours, theirs, floor);
  } finally {
    await d?.stop();
    await berth?.stop();
    await instant.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`engine benchmark failed: ${(e as Error).stack}\n`);
  process.exitCode = 0;
});
