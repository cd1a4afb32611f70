// Layer apply throughput: a generated ~64 MB layer of ~2000 files (plain and gzip) applied with berth's applyLayer
// (in-process) and on an apply worker as the layer store does, against GNU tar extracting the same tar, plus the diff
// (export) side. Prints `name value unit` lines (medians).
// Runs on the temp dir's filesystem (like a data root) and, when present, on tmpfs (/dev/shm: no disk, so the
// figure is berth's own cost). Each run starts after a sync so earlier runs' writeback does not bleed into it.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { applyLayer, applyOffThread, FileSource, overlayDiff } from '../src/storage/archive/index.js';
import { END_OF_ARCHIVE, encodeHeader, padding, tarHeader } from '../src/archive/index.js';
import { exec, median, report, timeRuns } from './stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const FILES = 2000;
const TOTAL = 64 << 20;

function generateLayer(): Buffer {
  const parts: Buffer[] = [];
  // Sizes skewed like a real image: many small files, a few large ones; total ≈ 64 MB.
  const weights = Array.from({ length: FILES }, (_, i) => (i % 100 === 0 ? 400 : (i % 7) + 1));
  const sum = weights.reduce((a, b) => a + b, 0);
  const pool = randomBytes(8 << 20);
  for (let d = 0; d < 40; d++) parts.push(encodeHeader(tarHeader({ name: `dir${d}/`, type: 'directory', mtime: 1 })));
  for (let i = 0; i < FILES; i++) {
    const size = Math.floor((weights[i]! / sum) * TOTAL);
    const off = (i * 7919) % (pool.length - size);
    parts.push(encodeHeader(tarHeader({ name: `dir${i % 40}/file${i}`, type: 'file', size, mtime: 1 })));
    parts.push(pool.subarray(off, off + size), padding(size));
  }
  parts.push(END_OF_ARCHIVE);
  return Buffer.concat(parts);
}

// Feed it as a file stream would: 64 KiB chunks.
async function* chunks(buf: Buffer): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += 65536) yield buf.subarray(i, i + 65536);
}

async function measure(where: string, suffix: string, tar: Buffer, gz: Buffer): Promise<void> {
  const base = await mkdtemp(path.join(where, 'berth-bench-layer-'));
  try {
    const tarFile = path.join(base, 'layer.tar');
    await writeFile(tarFile, tar);
    const mb = tar.length / (1 << 20);
    const target = (i: number, kind: string) => path.join(base, `${kind}${i}`);
    const time = async (step: (i: number) => Promise<void>) => {
      const out: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        await exec('/usr/bin/sync', []);
        out.push(...(await timeRuns(1, () => step(i))));
      }
      return out;
    };
    const plain = await time(async (i) => {
      await mkdir(target(i, 'p'));
      await applyLayer(target(i, 'p'), chunks(tar), { whiteoutMode: 'overlay' });
    });
    // The layer store's way: on an apply worker (synchronous calls), reading the file itself, tar-split recorded.
    const worker = await time(async (i) => {
      await mkdir(target(i, 'w'));
      await applyOffThread(target(i, 'w'), new FileSource(tarFile), { whiteoutMode: 'overlay', recordTarSplit: true });
    });
    const gzip = await time(async (i) => {
      await mkdir(target(i, 'g'));
      await applyLayer(target(i, 'g'), chunks(gz), { whiteoutMode: 'overlay' });
    });
    const gnu = await time(async (i) => {
      await mkdir(target(i, 't'));
      await exec('/usr/bin/tar', ['-xpf', tarFile, '-C', target(i, 't')]);
    });
    const diff = await time(async () => {
      for await (const _ of overlayDiff(target(0, 'p'))) {
        // drain
      }
    });
    const rate = (ms: number[]) => mb / (median(ms) / 1000);
    report(`layer_apply_throughput${suffix}`, rate(plain), 'MB/s');
    report(`layer_apply_worker_throughput${suffix}`, rate(worker), 'MB/s');
    report(`layer_apply_gzip_throughput${suffix}`, rate(gzip), 'MB/s');
    report(`gnu_tar_extract_throughput${suffix}`, rate(gnu), 'MB/s');
    report(`layer_apply_vs_gnu_tar${suffix}`, rate(plain) / rate(gnu), 'ratio');
    report(`layer_diff_throughput${suffix}`, rate(diff), 'MB/s');
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

async function main() {
  const tar = generateLayer();
  const gz = gzipSync(tar, { level: 1 });
  report('layer_size', tar.length / (1 << 20), 'MB');
  await measure(tmpdir(), '', tar, gz);
  if ((await stat('/dev/shm').catch(() => undefined))?.isDirectory()) await measure('/dev/shm', '_tmpfs', tar, gz);
}

await main();
