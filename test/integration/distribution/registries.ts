// Registries for the distribution tests, started INSIDE a sandboxed berthd's network namespace (nsenter into it, a
// detached long-running process) on 127.0.0.1, so berthd reaches them on its loopback and nothing touches the host's
// interfaces: berth-registry (with an optional config) and Debian's docker-registry (distribution 2.8).
import { type ChildProcess, spawn } from 'node:child_process';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Berthd } from '../../fixtures/berthd.js';
import { repoRoot } from '../../fixtures/rootfs.js';

export const DISTRIBUTION = '/usr/bin/docker-registry';

export interface SandboxRegistry {
  /** 127.0.0.1:port */
  host: string;
  /** The registry's storage root (on the host's filesystem). */
  root: string;
  stop(): Promise<void>;
}

/** Spawns `cmd` in the daemon's network and mount namespaces; the returned process is nsenter exec'ing into it. */
export function spawnInSandbox(d: Berthd, cmd: string, args: string[]): ChildProcess {
  const pid = d.pid();
  if (pid === undefined) throw new Error('berthd is not running');
  return spawn('nsenter', ['-t', String(pid), '-n', '-m', cmd, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Polls http://host/v2/ from inside the sandbox (any answer, 200 or 401, means up); 15 s bound. */
async function waitUp(d: Berthd, host: string): Promise<void> {
  const script = `const until = Date.now() + 15000;
(async () => { for (;;) { try { await fetch('http://${host}/v2/'); process.exit(0); } catch {}
  if (Date.now() > until) process.exit(1); await new Promise((r) => setTimeout(r, 50)); } })();`;
  const r = await d.inSandbox(process.execPath, ['-e', script], { timeoutMs: 20_000 });
  if (r.code !== 0) throw new Error(`registry at ${host} did not come up`);
}

async function started(
  d: Berthd,
  proc: ChildProcess,
  host: string,
  root: string,
  dir: string,
): Promise<SandboxRegistry> {
  let stderr = '';
  proc.stderr?.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  try {
    await waitUp(d, host);
  } catch (e) {
    proc.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw new Error(`${(e as Error).message}: ${stderr}`);
  }
  return {
    host,
    root,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        const gone = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGKILL');
        await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** berth-registry on 127.0.0.1:port in the sandbox, with `config` (YAML) if given. */
export async function startBerthRegistry(d: Berthd, port: number, config?: string): Promise<SandboxRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-dist-registry-'));
  const root = join(dir, 'root');
  const args = [
    join(await repoRoot(), 'dist', 'bin', 'berth-registry.cjs'),
    'serve',
    '--addr',
    `127.0.0.1:${port}`,
    '--root',
    root,
  ];
  if (config !== undefined) {
    await writeFile(join(dir, 'config.yml'), config);
    args.push('--config', join(dir, 'config.yml'));
  }
  return started(d, spawnInSandbox(d, process.execPath, args), `127.0.0.1:${port}`, root, dir);
}

/** Debian's docker-registry (distribution 2.8) on 127.0.0.1:port in the sandbox; undefined when not installed. */
export async function startDistribution(d: Berthd, port: number): Promise<SandboxRegistry | undefined> {
  try {
    await access(DISTRIBUTION);
  } catch {
    return undefined;
  }
  const dir = await mkdtemp(join(tmpdir(), 'berth-dist-distribution-'));
  const root = join(dir, 'root');
  const cfg = join(dir, 'config.yml');
  await writeFile(
    cfg,
    `version: 0.1\nlog: { level: error, accesslog: { disabled: true } }\nstorage: { filesystem: { rootdirectory: ${root} } }\nhttp: { addr: 127.0.0.1:${port} }\n`,
  );
  return started(d, spawnInSandbox(d, DISTRIBUTION, ['serve', cfg]), `127.0.0.1:${port}`, root, dir);
}
