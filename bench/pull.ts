// docker pull of a ~192 MB, 3-layer image (compressible random-ish text in ~600 files, gzip) from a local
// berth-registry: berthd against Debian's dockerd, the same docker CLI driving both, each engine in its own sandbox
// with its own berth-registry process serving one shared registry root on the sandbox's 127.0.0.1. The engines take
// turns (rmi, then a timed pull) so drift weighs on both alike. Prints `name value unit` lines, medians of
// BENCH_RUNS runs (3 by default); without dockerd only berth's figure is printed.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type Berthd, runCommand, skipReason as berthSkip, startBerthd } from '../test/fixtures/berthd.js';
import { type Dockerd, dockerdSkipReason, processesUnder, startDockerd } from '../test/fixtures/dockerd.js';
import { repoRoot } from '../test/fixtures/rootfs.js';
import { median, report, timeRuns } from './stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const LAYERS = 3;
const LAYER_BYTES = 64 << 20;
const FILES_PER_LAYER = 200;
const PORT = 5000;
const IMAGE = `127.0.0.1:${PORT}/bench/pull:v1`;

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** A ustar header for a regular file. */
function header(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100);
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  h.write('14641136000\0', 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

/** One layer: FILES_PER_LAYER files of hex text cut from a random pool (about half compressible, like real files). */
function layerTar(layer: number, pool: Buffer): Buffer {
  const parts: Buffer[] = [];
  const size = Math.floor(LAYER_BYTES / FILES_PER_LAYER);
  for (let i = 0; i < FILES_PER_LAYER; i++) {
    const off = (i * 7919 + layer * 104729) % (pool.length - size);
    parts.push(header(`l${layer}/f${i}.txt`, size), pool.subarray(off, off + size));
    parts.push(Buffer.alloc((512 - (size % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** Writes the image's blobs and manifest as files under `dir`, and a script that pushes them from inside a sandbox. */
async function buildImage(dir: string): Promise<void> {
  const pool = Buffer.from(randomBytes(16 << 20).toString('hex'));
  const tars = Array.from({ length: LAYERS }, (_, i) => layerTar(i, pool));
  const layers = tars.map((t) => gzipSync(t, { level: 6 }));
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Cmd: ['sh'] },
      rootfs: { type: 'layers', diff_ids: tars.map(sha256) },
    }),
  );
  const d = (b: Buffer, mediaType: string) => ({ mediaType, digest: sha256(b), size: b.length });
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: d(config, 'application/vnd.docker.container.image.v1+json'),
      layers: layers.map((l) => d(l, 'application/vnd.docker.image.rootfs.diff.tar.gzip')),
    }),
  );
  await mkdir(join(dir, 'blobs'), { recursive: true });
  for (const b of [config, ...layers]) await writeFile(join(dir, 'blobs', sha256(b).slice(7)), b);
  await writeFile(join(dir, 'manifest.json'), manifest);
}

const PUSH_SCRIPT = `
const { readdir, readFile } = require('node:fs/promises');
const [dir, base] = process.argv.slice(1);
(async () => {
  for (const hex of await readdir(dir + '/blobs')) {
    const body = await readFile(dir + '/blobs/' + hex);
    const r = await fetch(base + '/v2/bench/pull/blobs/uploads/?digest=sha256:' + hex, { method: 'POST', body });
    if (r.status !== 201) throw new Error('blob ' + r.status + ' ' + (await r.text()));
  }
  const m = await readFile(dir + '/manifest.json');
  const r = await fetch(base + '/v2/bench/pull/manifests/v1', {
    method: 'PUT', body: m, headers: { 'Content-Type': 'application/vnd.docker.distribution.manifest.v2+json' } });
  if (r.status !== 201) throw new Error('manifest ' + r.status + ' ' + (await r.text()));
})().catch((e) => { console.error(e); process.exit(1); });`;

const WAIT_SCRIPT = `const until = Date.now() + 15000;
(async () => { for (;;) { try { await fetch('http://127.0.0.1:${PORT}/v2/'); process.exit(0); } catch {}
  if (Date.now() > until) process.exit(1); await new Promise((r) => setTimeout(r, 50)); } })();`;

/** berth-registry on 127.0.0.1:PORT inside the network namespace of `pid`, serving `root`. */
async function registryIn(pid: number, root: string): Promise<ChildProcess> {
  const bin = join(await repoRoot(), 'dist', 'bin', 'berth-registry.cjs');
  const args = ['-t', String(pid), '-n', '-m'];
  const proc = spawn(
    'nsenter',
    [...args, process.execPath, bin, 'serve', '--addr', `127.0.0.1:${PORT}`, '--root', root],
    {
      stdio: 'ignore',
    },
  );
  const up = await runCommand('nsenter', [...args, process.execPath, '-e', WAIT_SCRIPT], { timeoutMs: 20_000 });
  if (up.code !== 0) throw new Error('berth-registry did not come up in the sandbox');
  return proc;
}

interface Side {
  name: string;
  pull(): Promise<void>;
  rmi(): Promise<void>;
}

async function main(): Promise<void> {
  const why = await berthSkip();
  if (why) {
    process.stdout.write(`# pull bench skipped: ${why}\n`);
    return;
  }
  const tmp = await mkdtemp(join(tmpdir(), 'berth-bench-pull-'));
  const procs: ChildProcess[] = [];
  let berthd: Berthd | undefined;
  let dockerd: Dockerd | undefined;
  try {
    await buildImage(join(tmp, 'image'));
    const root = join(tmp, 'registry');
    berthd = await startBerthd({ debug: false });
    procs.push(await registryIn(berthd.pid()!, root));
    const push = await berthd.inSandbox(
      process.execPath,
      ['-e', PUSH_SCRIPT, join(tmp, 'image'), `http://127.0.0.1:${PORT}`],
      {
        timeoutMs: 120_000,
      },
    );
    if (push.code !== 0) throw new Error(`pushing the bench image failed: ${push.stderr}`);
    const b = berthd;
    const sides: Side[] = [
      {
        name: 'berth',
        pull: async () => void (await b.docker('pull', IMAGE)),
        rmi: async () => void (await b.dockerResult(['rmi', IMAGE])),
      },
    ];
    if (!(await dockerdSkipReason())) {
      dockerd = await startDockerd();
      // The pid file holds dockerd's pid inside its namespace: find it on the host by its command line instead.
      const line = (await processesUnder(dockerd.dir)).find((l) => / \S*dockerd /.test(l));
      const pid = Number(line?.split(' ')[0]);
      if (!pid) throw new Error('cannot find the sandboxed dockerd');
      procs.push(await registryIn(pid, root));
      const dd = dockerd;
      sides.push({
        name: 'dockerd',
        pull: async () => void (await dd.docker('pull', IMAGE)),
        rmi: async () => void (await dd.dockerResult(['rmi', IMAGE])),
      });
    }
    const times: Record<string, number[]> = Object.fromEntries(sides.map((s) => [s.name, []]));
    for (let i = 0; i < RUNS; i++) {
      for (const s of sides) {
        await s.rmi();
        times[s.name]?.push(...(await timeRuns(1, () => s.pull())));
      }
    }
    for (const s of sides) report(`pull_192mb_3layers_${s.name}`, median(times[s.name] ?? []), 'ms');
    if (times.dockerd) report('pull_speedup_vs_dockerd', median(times.dockerd) / median(times.berth ?? []), 'x');
  } finally {
    for (const p of procs) p.kill('SIGKILL');
    await berthd?.stop().catch((e: unknown) => process.stderr.write(`${String(e)}\n`));
    await dockerd?.stop().catch((e: unknown) => process.stderr.write(`${String(e)}\n`));
    await rm(tmp, { recursive: true, force: true });
  }
}

await main();
