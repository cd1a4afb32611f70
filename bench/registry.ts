// berth-registry against Debian's docker-registry (distribution 2.8), the same client (skopeo) for both, taking turns
// in one run: push and pull of a ~96 MB, 3-layer image (random bytes, gzip-stored), and 50 concurrent pulls of one
// manifest and its blobs. Prints `name value unit` lines, medians of BENCH_RUNS runs (3 by default).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { repoRoot } from '../test/fixtures/rootfs.js';
import { makeImage, writeOciLayout } from '../test/integration/registry/image.js';
import { exec, median, report, timeRuns } from './stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const LAYER = 32 << 20;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function waitUp(url: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/v2/`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} did not come up`);
}

interface Server {
  name: string;
  host: string;
  proc: ChildProcess;
}

async function start(name: string, tmp: string): Promise<Server> {
  const port = await freePort();
  const root = path.join(tmp, `${name}-root`);
  let proc: ChildProcess;
  if (name === 'berth') {
    const bin = path.join(await repoRoot(), 'dist', 'bin', 'berth-registry.cjs');
    proc = spawn(process.execPath, [bin, 'serve', '--addr', `127.0.0.1:${port}`, '--root', root], { stdio: 'ignore' });
  } else {
    const cfg = path.join(tmp, 'distribution.yml');
    await writeFile(
      cfg,
      `version: 0.1\nlog: { level: error, accesslog: { disabled: true } }\nstorage: { filesystem: { rootdirectory: ${root} } }\nhttp: { addr: 127.0.0.1:${port} }\n`,
    );
    proc = spawn('/usr/bin/docker-registry', ['serve', cfg], { stdio: 'ignore' });
  }
  await waitUp(`http://127.0.0.1:${port}`);
  return { name, host: `127.0.0.1:${port}`, proc };
}

async function pull50(host: string, repo: string, digests: string[], manifest: string): Promise<number> {
  const t0 = performance.now();
  let errors = 0;
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      const m = await fetch(`http://${host}/v2/${repo}/manifests/${manifest}`, {
        headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' },
      });
      if (!m.ok) errors++;
      await m.arrayBuffer();
      for (const d of digests) {
        const b = await fetch(`http://${host}/v2/${repo}/blobs/${d}`);
        if (!b.ok) errors++;
        await b.arrayBuffer();
      }
    }),
  );
  if (errors) throw new Error(`${errors} errors in 50 concurrent pulls`);
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const tmp = await mkdtemp(path.join(tmpdir(), 'berth-bench-registry-'));
  const servers: Server[] = [];
  try {
    const image = makeImage([LAYER, LAYER, LAYER]);
    await writeOciLayout(path.join(tmp, 'src'), image, 'v1');
    servers.push(await start('berth', tmp));
    if (existsSync('/usr/bin/docker-registry')) servers.push(await start('distribution', tmp));
    const skopeo = (...a: string[]) => exec('/usr/bin/skopeo', ['--insecure-policy', ...a]);
    const push: Record<string, number[]> = Object.fromEntries(servers.map((s) => [s.name, []]));
    const pull: Record<string, number[]> = Object.fromEntries(servers.map((s) => [s.name, []]));
    for (let i = 0; i < RUNS; i++) {
      for (const s of servers) {
        push[s.name]?.push(
          ...(await timeRuns(1, () =>
            skopeo(
              'copy',
              '--dest-tls-verify=false',
              `oci:${path.join(tmp, 'src')}:v1`,
              `docker://${s.host}/bench/app${i}:v1`,
            ),
          )),
        );
        const out = path.join(tmp, `out-${s.name}-${i}`);
        pull[s.name]?.push(
          ...(await timeRuns(1, () =>
            skopeo('copy', '--src-tls-verify=false', `docker://${s.host}/bench/app${i}:v1`, `oci:${out}:v1`),
          )),
        );
        await rm(out, { recursive: true, force: true });
      }
    }
    const blobs = [image.config.digest, ...image.layers.map((l) => l.digest)];
    for (const s of servers) {
      report(`registry_skopeo_push_${s.name}`, median(push[s.name] ?? []), 'ms');
      report(`registry_skopeo_pull_${s.name}`, median(pull[s.name] ?? []), 'ms');
      report(`registry_50_concurrent_pulls_${s.name}`, await pull50(s.host, 'bench/app0', blobs, 'v1'), 'ms');
    }
    if (servers.length === 2) {
      const ratio = (a: number[] | undefined, b: number[] | undefined) => median(b ?? []) / median(a ?? []);
      report('registry_push_speedup_vs_distribution', ratio(push.berth, push.distribution), 'x');
      report('registry_pull_speedup_vs_distribution', ratio(pull.berth, pull.distribution), 'x');
    }
  } finally {
    for (const s of servers) s.proc.kill('SIGTERM');
    await rm(tmp, { recursive: true, force: true });
  }
}

await main();
