// Network benchmarks, berthd against Debian's dockerd with its own networking (docker0, iptables, docker-proxy),
// each in its own sandbox, the real docker CLI driving both, taking turns:
// - what the default bridge costs per container: `docker run --rm busybox true` on the bridge minus with
//   `--network none` (the namespace, veth, address, route and their teardown), and the run's engine time on the
//   bridge (total minus the docker CLI's floor, cli-floor.ts);
// - 50 containers each publishing a port: processes and memory added per published port (against 50 without);
// - TCP throughput through a published port, by the host's address (DNAT) and by 127.0.0.1 (berth: kernel NAT;
//   dockerd: docker-proxy).
// Prints `name value unit` lines; never fails: without dockerd, only berth's figures are printed.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Berthd, busyboxImage, skipReason as berthSkip, startBerthd } from '../test/fixtures/berthd.js';
import { type Dockerd, dockerdSkipReason, processesUnder, startDockerd } from '../test/fixtures/dockerd.js';
import { berthdPid, docker, importBusybox } from './engines.js';
import { startInstantEngine } from './cli-floor.js';
import { median, report, timeRuns } from './stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 11);
const MANY = 50;
const MB = Number(process.env.BENCH_NET_MB ?? 512);

interface Engine {
  name: string;
  host: string;
  /** A pid in the engine's sandbox (its network and pid namespaces). */
  pid: () => Promise<number>;
  /** Its own processes (daemon side, per-port proxies included). */
  own: RegExp;
}

/** Processes in the pid namespace of `pid`: count and summed VmRSS (kB) of those whose name matches. */
async function processes(pid: number, names: RegExp): Promise<{ count: number; rssKb: number; all: string[] }> {
  const ns = await readlink(`/proc/${pid}/ns/pid`);
  let count = 0;
  let rssKb = 0;
  const all: string[] = [];
  for (const p of await readdir('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if ((await readlink(`/proc/${p}/ns/pid`)) !== ns) continue;
      const status = await readFile(`/proc/${p}/status`, 'utf8');
      const name = /^Name:\s+(.*)$/m.exec(status)?.[1] ?? '';
      all.push(name);
      if (!names.test(name)) continue;
      count++;
      rssKb += Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    } catch {
      // gone meanwhile
    }
  }
  return { count, rssKb, all };
}

/** Runs `node -e script` in the network namespace of `pid`; its stdout. */
function nodeIn(pid: number, script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('nsenter', ['-t', String(pid), '-n', process.execPath, '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`node in ${pid}: ${err}`))));
  });
}

/** Sends MB megabytes to host:port and waits for the receiver to close; MB/s. */
async function throughput(pid: number, host: string, port: number): Promise<number> {
  const script = `const s=require('net').connect(${port},${JSON.stringify(host)});const buf=Buffer.alloc(1<<20,97);
let left=${MB};const t=process.hrtime.bigint();
const pump=()=>{while(left>0){left--;if(!s.write(buf))return s.once('drain',pump);}s.end();};
s.on('connect',pump);s.on('close',()=>{process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6));});
s.on('error',(e)=>{console.error(e.message);process.exit(1);});`;
  const ms = Number(await nodeIn(pid, script));
  return MB / (ms / 1000);
}

/** `docker run --rm busybox true` with `flags`, each engine in turn: medians. */
async function runRm(engines: { host: string }[], flags: string[]): Promise<number[]> {
  const times = engines.map(() => [] as number[]);
  for (const e of engines) await docker(e.host, ['run', '--rm', ...flags, 'busybox', 'true']);
  for (let i = 0; i < RUNS; i++) {
    for (const [k, e] of engines.entries()) {
      const [t] = await timeRuns(1, () => docker(e.host, ['run', '--rm', ...flags, 'busybox', 'true']).then(() => {}));
      times[k]?.push(t ?? 0);
    }
  }
  return times.map(median);
}

/** 50 containers with `flags`; what the engine's own processes hold meanwhile; then all removed. */
async function fifty(e: Engine, flags: string[]): Promise<{ count: number; rssKb: number }> {
  const ids: string[] = [];
  for (let i = 0; i < MANY; i++)
    ids.push((await docker(e.host, ['run', '-d', ...flags, 'busybox', 'sleep', '3600'])).trim());
  await new Promise((r) => setTimeout(r, 1000));
  const held = await processes(await e.pid(), e.own);
  await docker(e.host, ['rm', '-f', ...ids]);
  return held;
}

async function main(): Promise<void> {
  const why = await berthSkip();
  if (why) {
    process.stdout.write(`# network benchmark skipped: ${why}\n`);
    return;
  }
  const dwhy = await dockerdSkipReason();
  if (dwhy) process.stdout.write(`# dockerd reference skipped: ${dwhy}\n`);
  const dir = await mkdtemp(join(tmpdir(), 'berth-net-bench-'));
  const instant = await startInstantEngine(dir);
  let berth: Berthd | undefined;
  let d: Dockerd | undefined;
  try {
    berth = await startBerthd({ debug: false });
    await busyboxImage(berth);
    const b = berth;
    const engines: Engine[] = [
      {
        name: 'berth',
        host: b.host,
        pid: () => berthdPid(b),
        own: /^(node|berth-helper)$/,
      },
    ];
    if (!dwhy) {
      d = await startDockerd({ network: true });
      await importBusybox(d.host);
      const dd = d;
      engines.push({
        name: 'dockerd',
        host: dd.host,
        pid: async () =>
          Number(((await processesUnder(dd.dir)).find((l) => /^\d+ \S*dockerd /.test(l)) ?? '').split(' ')[0]),
        own: /^(dockerd|containerd|containerd-shim.*|docker-proxy)$/,
      });
    }
    const [floor] = await runRm([{ host: instant.host }], []);
    const bridge = await runRm(engines, []);
    const none = await runRm(engines, ['--network', 'none']);
    report('docker_cli_floor.run_rm_true', floor ?? 0, 'ms');
    for (const [k, e] of engines.entries()) {
      report(`${e.name}.run_rm_true_bridge`, bridge[k] ?? 0, 'ms');
      report(`${e.name}.run_rm_true_none`, none[k] ?? 0, 'ms');
      report(`${e.name}.bridge_cost_per_container`, (bridge[k] ?? 0) - (none[k] ?? 0), 'ms');
      report(`${e.name}.engine_time_bridge`, (bridge[k] ?? 0) - (floor ?? 0), 'ms');
    }
    if (engines.length === 2) {
      report('ratio.engine_time_bridge', ((bridge[1] ?? 0) - (floor ?? 0)) / ((bridge[0] ?? 0) - (floor ?? 0)), 'x');
    }

    for (const e of engines) {
      // A round first to warm the daemon's heap up, so growth unrelated to ports does not count.
      await fifty(e, ['-p', '80']);
      const plain = await fifty(e, []);
      const published = await fifty(e, ['-p', '80']);
      report(`${e.name}.processes_added_by_50_published_ports`, published.count - plain.count, 'processes');
      report(`${e.name}.memory_per_published_port`, Math.max(0, published.rssKb - plain.rssKb) / MANY, 'kB');
    }

    for (const e of engines) {
      // Each connection's bytes read to the end by cat; the connection closes once all arrived.
      const sink = 'while :; do nc -l -p 80 -e sh -c "cat > /dev/null"; done';
      const id = (await docker(e.host, ['run', '-d', '-p', '18080:80', 'busybox', 'sh', '-c', sink])).trim();
      await new Promise((r) => setTimeout(r, 500));
      const pid = await e.pid();
      const dnat = [];
      const loop = [];
      for (let i = 0; i < 3; i++) {
        dnat.push(await throughput(pid, '172.17.0.1', 18080));
        loop.push(await throughput(pid, '127.0.0.1', 18080));
      }
      report(`${e.name}.throughput_published_host_address`, median(dnat), 'MB/s');
      report(`${e.name}.throughput_published_loopback`, median(loop), 'MB/s');
      await docker(e.host, ['rm', '-f', id]);
    }
  } finally {
    await d?.stop();
    await berth?.stop();
    await instant.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`network benchmark failed: ${(e as Error).stack}\n`);
  process.exitCode = 0;
});
