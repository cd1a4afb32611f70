// docker build on berth against Debian's dockerd (its legacy builder), the same Dockerfile and context, taking turns:
// a cold build (--no-cache: three RUN steps, a COPY, metadata instructions) and a fully cached rebuild; engine time
// is the total minus the docker CLI's own floor (an engine that answers /build at once). Prints `name value unit`.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Berthd, busyboxImage, skipReason, startBerthd } from '../test/fixtures/berthd.js';
import { type Dockerd, dockerdSkipReason, startDockerd } from '../test/fixtures/dockerd.js';
import { startInstantEngine } from './cli-floor.js';
import { docker, importBusybox } from './engines.js';
import { median, report, timeRuns } from './stats.js';

const COLD_RUNS = Number(process.env.BENCH_BUILD_COLD_RUNS ?? 8);
const CACHED_RUNS = Number(process.env.BENCH_BUILD_CACHED_RUNS ?? 20);

const DOCKERFILE = `FROM busybox
ENV APP=/app MODE=bench
LABEL purpose=benchmark
WORKDIR /app
COPY . /app/
RUN echo one > /one
RUN echo two > /two && ls /app > /listing
RUN echo three > /three
EXPOSE 8080
CMD ["sh"]
`;

async function main(): Promise<void> {
  const why = await skipReason();
  if (why) {
    process.stdout.write(`# build benchmark skipped: ${why}\n`);
    return;
  }
  const dwhy = await dockerdSkipReason();
  if (dwhy) process.stdout.write(`# dockerd reference skipped: ${dwhy}\n`);
  const dir = await mkdtemp(join(tmpdir(), 'berth-bench-build-'));
  const ctx = join(dir, 'ctx');
  await mkdir(ctx);
  await writeFile(join(ctx, 'Dockerfile'), DOCKERFILE);
  for (let i = 0; i < 20; i++) await writeFile(join(ctx, `file-${i}.txt`), `content ${i}\n`.repeat(50));
  const instant = await startInstantEngine(dir);
  let berth: Berthd | undefined;
  let d: Dockerd | undefined;
  try {
    berth = await startBerthd({ debug: false });
    await busyboxImage(berth);
    const engines: { name: string; host: string }[] = [
      { name: 'docker_cli_floor', host: instant.host },
      { name: 'berth', host: berth.host },
    ];
    if (!dwhy) {
      d = await startDockerd();
      await importBusybox(d.host);
      engines.push({ name: 'dockerd', host: d.host });
    }
    const build = (host: string, extra: string[]) =>
      docker(host, ['build', '-q', '--network', 'none', ...extra, ctx]).then(() => {});
    for (const e of engines) await build(e.host, []);
    const cold = engines.map(() => [] as number[]);
    const cached = engines.map(() => [] as number[]);
    for (let i = 0; i < COLD_RUNS; i++) {
      for (const [k, e] of engines.entries())
        cold[k]?.push(...(await timeRuns(1, () => build(e.host, ['--no-cache']))));
    }
    for (let i = 0; i < CACHED_RUNS; i++) {
      for (const [k, e] of engines.entries()) cached[k]?.push(...(await timeRuns(1, () => build(e.host, []))));
    }
    const floorCold = median(cold[0] ?? []);
    const floorCached = median(cached[0] ?? []);
    report('docker_cli_floor.build', floorCold, 'ms');
    const figures: Record<string, { cold: number; cached: number }> = {};
    for (const [k, e] of engines.entries()) {
      if (k === 0) continue;
      const c = median(cold[k] ?? []) - floorCold;
      const h = median(cached[k] ?? []) - floorCached;
      figures[e.name] = { cold: c, cached: h };
      report(`${e.name}.build_cold.engine`, c, 'ms');
      report(`${e.name}.build_cached.engine`, h, 'ms');
    }
    const b = figures.berth;
    const r = figures.dockerd;
    if (b && r) {
      report('ratio.build_cold.dockerd_over_berth', r.cold / b.cold, 'x');
      report('ratio.build_cached.dockerd_over_berth', r.cached / b.cached, 'x');
    }
  } finally {
    await d?.stop();
    await berth?.stop();
    await instant.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
