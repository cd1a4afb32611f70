// Image save/load: a generated ~192 MB, 3-layer image (~3000 files of random bytes) as a Docker archive written by
// berth, then berth's load and save of it (the library, in-process) against Debian's dockerd's `docker load -i` and
// `docker save -o` of the same archive (sandboxed dockerd, CLI over its socket). Prints `name value unit` lines,
// medians of BENCH_RUNS runs (3 by default); never fails: without dockerd only berth's figures are printed.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Digest } from '../src/lib/digest.js';
import { overlayDiff } from '../src/storage/archive/index.js';
import { type Dockerd, dockerdSkipReason, startDockerd } from '../test/fixtures/dockerd.js';
import { type ImageStack, openImageStack } from '../test/fixtures/images.js';
import { loadFrom, saveTo } from '../test/integration/images/helpers.js';
import { exec, median, report, timeRuns } from './stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const LAYERS = 3;
const FILES_PER_LAYER = 1000;
const LAYER_BYTES = 64 << 20;
const TAG = 'berth-bench/images:latest';

/** One layer's tree: 20 directories, sizes skewed like a real image (many small files, a few large ones). */
async function writeLayerTree(dir: string, layer: number, pool: Buffer): Promise<void> {
  const weights = Array.from({ length: FILES_PER_LAYER }, (_, i) => (i % 100 === 0 ? 400 : (i % 7) + 1));
  const sum = weights.reduce((a, b) => a + b, 0);
  for (let d = 0; d < 20; d++) await mkdir(path.join(dir, `l${layer}`, `d${d}`), { recursive: true });
  for (let i = 0; i < FILES_PER_LAYER; i++) {
    const size = Math.floor((weights[i]! / sum) * LAYER_BYTES);
    const off = (i * 7919 + layer * 104729) % (pool.length - size);
    await writeFile(path.join(dir, `l${layer}`, `d${i % 20}`, `f${i}`), pool.subarray(off, off + size));
  }
}

/** Builds the image in `stack` (each layer tarred by berth's writer, so berth can save it) and returns its ID. */
async function buildImage(stack: ImageStack, work: string): Promise<Digest> {
  const pool = randomBytes(48 << 20);
  const diffIds: Digest[] = [];
  let parent: Digest | undefined;
  for (let l = 0; l < LAYERS; l++) {
    const dir = path.join(work, `tree${l}`);
    await writeLayerTree(dir, l, pool);
    const got = await stack.layers.register(overlayDiff(dir), parent);
    diffIds.push(got.diffId);
    parent = got.chainId;
    await rm(dir, { recursive: true, force: true });
  }
  const created = '2024-01-01T00:00:00Z';
  const config = {
    architecture: 'amd64',
    config: { Cmd: ['sh'], Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] },
    created,
    history: diffIds.map((_, i) => ({ created, created_by: `layer ${i}` })),
    os: 'linux',
    rootfs: { type: 'layers', diff_ids: diffIds },
  };
  const id = await stack.images.put(JSON.stringify(config));
  await stack.images.tag(id, TAG);
  return id;
}

const sync = () => exec('/usr/bin/sync', []);

/** Times `step` RUNS times (after `prepare` and a sync each), with `reset` after each run (neither timed). */
async function timed(
  step: (i: number) => Promise<void>,
  reset: (i: number) => Promise<void>,
  prepare: (i: number) => Promise<void> = async () => {},
): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    await prepare(i);
    await sync();
    out.push(...(await timeRuns(1, () => step(i))));
    await reset(i);
  }
  return out;
}

async function berthFigures(work: string, archive: string): Promise<{ load: number; save: number }> {
  // A fresh, already open stack per run: dockerd is open before `docker load` too.
  let fresh: ImageStack | undefined;
  const loads = await timed(
    async () => {
      await loadFrom(fresh!, archive);
    },
    async (i) => {
      await fresh?.close();
      await rm(path.join(work, `load${i}`), { recursive: true, force: true });
    },
    async (i) => {
      fresh = await openImageStack(path.join(work, `load${i}`));
    },
  );
  // Save from one loaded stack, as `docker save` runs against a daemon that has the image.
  const s = await openImageStack(path.join(work, 'saver'));
  await loadFrom(s, archive);
  const out = path.join(work, 'berth-saved.tar');
  const saves = await timed(
    () => saveTo(s, [TAG], out),
    async () => rm(out, { force: true }),
  );
  await s.close();
  await rm(path.join(work, 'saver'), { recursive: true, force: true });
  return { load: median(loads), save: median(saves) };
}

async function dockerFigures(d: Dockerd, work: string, archive: string): Promise<{ load: number; save: number }> {
  const loads = await timed(
    async () => {
      await d.docker('load', '-q', '-i', archive);
    },
    async (i) => {
      if (i < RUNS - 1) await d.docker('rmi', TAG);
    },
  );
  const out = path.join(work, 'docker-saved.tar');
  const saves = await timed(
    async () => {
      await d.docker('save', '-o', out, TAG);
    },
    async () => rm(out, { force: true }),
  );
  return { load: median(loads), save: median(saves) };
}

async function main(): Promise<void> {
  const work = await mkdtemp(path.join(tmpdir(), 'berth-bench-images-'));
  let dockerd: Dockerd | undefined;
  try {
    const src = await openImageStack(path.join(work, 'src'));
    await buildImage(src, work);
    const archive = path.join(work, 'image.tar');
    await saveTo(src, [TAG], archive);
    await src.close();
    await rm(path.join(work, 'src'), { recursive: true, force: true });
    const mb = (await stat(archive)).size / (1 << 20);
    report('image_archive_size', mb, 'MB');
    report('image_archive_files', LAYERS * FILES_PER_LAYER, 'files');

    const berth = await berthFigures(work, archive);
    report('image_load_berth', berth.load, 'ms');
    report('image_save_berth', berth.save, 'ms');
    report('image_load_berth_throughput', mb / (berth.load / 1000), 'MB/s');
    report('image_save_berth_throughput', mb / (berth.save / 1000), 'MB/s');

    const skip = await dockerdSkipReason();
    if (skip) {
      process.stderr.write(`images bench: no dockerd figures: ${skip}\n`);
      return;
    }
    dockerd = await startDockerd();
    const docker = await dockerFigures(dockerd, work, archive);
    report('image_load_dockerd', docker.load, 'ms');
    report('image_save_dockerd', docker.save, 'ms');
    // > 1: berth is faster (dockerd's time / berth's).
    report('image_load_berth_vs_dockerd', docker.load / berth.load, 'ratio');
    report('image_save_berth_vs_dockerd', docker.save / berth.save, 'ratio');
    if (dockerd.storageDriver !== 'overlay2')
      process.stderr.write(`images bench: dockerd used ${dockerd.storageDriver}\n`);
  } catch (e) {
    process.stderr.write(`images bench failed: ${e instanceof Error ? e.message : String(e)}\n`);
  } finally {
    await dockerd?.stop().catch((e: unknown) => process.stderr.write(`images bench: dockerd stop: ${String(e)}\n`));
    await rm(work, { recursive: true, force: true });
  }
}

await main();
