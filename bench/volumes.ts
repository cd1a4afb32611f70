// Volume benchmarks, berthd against Debian's dockerd side by side (each in its own sandbox, the real docker CLI
// driving both, the engines taking turns each round so this machine's drift weighs on both alike):
//  - copy-up: `docker run --rm -v <fresh volume>:/data img true` where the image's /data holds 10,000 small files,
//    minus the same run with `:nocopy` (so the figure is the copy itself, not the container's start);
//  - `docker volume ls` with 1,000 volumes, and the engine's share of it: `GET /volumes` over the socket (the
//    docker CLI's decoding and table take most of the command's time).
// Prints `name value unit` lines; never fails: without dockerd, only berth's figures are printed.
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Berthd, skipReason as berthSkip, startBerthd } from '../test/fixtures/berthd.js';
import { type Dockerd, dockerdSkipReason, startDockerd } from '../test/fixtures/dockerd.js';
import { busyboxRootfs } from '../test/fixtures/rootfs.js';
import { DOCKER, docker } from './engines.js';
import { median, report, timeRuns } from './stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const FILES = 10_000;
const VOLUMES = 1_000;
const IMAGE = 'volbench:1';

interface Engine {
  name: string;
  host: string;
}

/** One request over the engine's unix socket (1,000 volume creates through the CLI would take minutes). */
function call(host: string, method: string, path: string, body?: unknown): Promise<void> {
  const socketPath = host.replace(/^unix:\/\//, '');
  const data = body === undefined ? '' : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath,
        path,
        method,
        headers: { Host: 'docker', 'Content-Type': 'application/json', 'Content-Length': data.length },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode && res.statusCode < 300 ? resolve() : reject(new Error(`${path}: ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** busybox plus /data with FILES files of 100 bytes in 100 directories, imported with VOLUME /data. */
async function importImage(host: string, extra: string): Promise<void> {
  const rootfs = await busyboxRootfs();
  await new Promise<void>((resolve, reject) => {
    const sh = spawn(
      'sh',
      [
        '-c',
        `tar -cf - -C '${rootfs}' . -C '${extra}' data | '${DOCKER}' import --change 'VOLUME /data' - ${IMAGE} >/dev/null`,
      ],
      { env: { ...process.env, DOCKER_HOST: host }, stdio: 'inherit' },
    );
    sh.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`import into ${host}: ${code}`))));
  });
}

async function makeFiles(dir: string): Promise<void> {
  const body = 'x'.repeat(100);
  for (let d = 0; d < 100; d++) {
    const sub = join(dir, 'data', `d${d}`);
    await mkdir(sub, { recursive: true });
    await Promise.all(Array.from({ length: FILES / 100 }, (_, f) => writeFile(join(sub, `f${f}`), body)));
  }
}

async function copyUp(engines: Engine[]): Promise<void> {
  const copy = engines.map(() => [] as number[]);
  const plain = engines.map(() => [] as number[]);
  let n = 0;
  const run = async (e: Engine, mode: string) => {
    const name = `cu${n++}`;
    const [t] = await timeRuns(1, () =>
      docker(e.host, ['run', '--rm', '-v', `${name}:/data${mode}`, IMAGE, 'true']).then(() => {}),
    );
    await docker(e.host, ['volume', 'rm', name]);
    return t ?? 0;
  };
  for (const e of engines) {
    await run(e, '');
    await run(e, ':nocopy');
  }
  for (let i = 0; i < RUNS; i++) {
    for (const [k, e] of engines.entries()) {
      copy[k]?.push(await run(e, ''));
      plain[k]?.push(await run(e, ':nocopy'));
    }
  }
  const figures = engines.map((e, k) => {
    const withCopy = median(copy[k] ?? []);
    const without = median(plain[k] ?? []);
    report(`${e.name}.run_with_copy_up_10k`, withCopy, 'ms');
    report(`${e.name}.run_nocopy`, without, 'ms');
    report(`${e.name}.copy_up_10k`, withCopy - without, 'ms');
    return { withCopy, copy: withCopy - without };
  });
  const [b, d] = figures;
  if (b && d) {
    report('ratio.copy_up_10k', d.copy / b.copy, 'x');
    report('ratio.run_with_copy_up_10k', d.withCopy / b.withCopy, 'x');
  }
}

async function volumeLs(engines: Engine[]): Promise<void> {
  for (const e of engines) {
    for (let i = 0; i < VOLUMES; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, VOLUMES - i) }, (_, j) =>
          call(e.host, 'POST', '/volumes/create', { Name: `lsvol${i + j}`, Labels: { bench: 'ls' } }),
        ),
      );
    }
  }
  const times = engines.map(() => [] as number[]);
  for (const e of engines) await docker(e.host, ['volume', 'ls']);
  for (let i = 0; i < RUNS * 2; i++) {
    for (const [k, e] of engines.entries()) {
      const [t] = await timeRuns(1, () => docker(e.host, ['volume', 'ls']).then(() => {}));
      times[k]?.push(t ?? 0);
    }
  }
  const meds = engines.map((e, k) => {
    const m = median(times[k] ?? []);
    report(`${e.name}.volume_ls_1000`, m, 'ms');
    return m;
  });
  if (meds[0] && meds[1]) report('ratio.volume_ls_1000', meds[1] / meds[0], 'x');
  const api = engines.map(() => [] as number[]);
  for (let i = 0; i < RUNS * 4; i++) {
    for (const [k, e] of engines.entries()) {
      const [t] = await timeRuns(1, () => call(e.host, 'GET', '/volumes'));
      api[k]?.push(t ?? 0);
    }
  }
  const apiMeds = engines.map((e, k) => {
    const m = median(api[k] ?? []);
    report(`${e.name}.get_volumes_1000_api`, m, 'ms');
    return m;
  });
  if (apiMeds[0] && apiMeds[1]) report('ratio.get_volumes_1000_api', apiMeds[1] / apiMeds[0], 'x');
}

async function main(): Promise<void> {
  const why = await berthSkip();
  if (why) {
    process.stdout.write(`# volume benchmark skipped: ${why}\n`);
    return;
  }
  const dwhy = await dockerdSkipReason();
  if (dwhy) process.stdout.write(`# dockerd reference skipped: ${dwhy}\n`);
  const extra = await mkdtemp(join(tmpdir(), 'berth-volbench-'));
  let berth: Berthd | undefined;
  let d: Dockerd | undefined;
  try {
    await makeFiles(extra);
    berth = await startBerthd({ debug: false });
    await importImage(berth.host, extra);
    const engines: Engine[] = [{ name: 'berth', host: berth.host }];
    if (!dwhy) {
      d = await startDockerd();
      await importImage(d.host, extra);
      engines.push({ name: 'dockerd', host: d.host });
    }
    await copyUp(engines);
    await volumeLs(engines);
  } finally {
    await d?.stop();
    await berth?.stop();
    await rm(extra, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`volume benchmark failed: ${(e as Error).stack}\n`);
  process.exitCode = 0;
});
