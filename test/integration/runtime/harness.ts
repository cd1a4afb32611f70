// One harness for runtime tests: a private state root, a private cgroup parent, the berth-runtime command and the
// in-process library over them, and a leak check that fails the test when a cgroup, process or state dir is left.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readlink, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectCgroupDriver } from '../../../src/runtime/cgroups/index.js';
import { Runtime } from '../../../src/runtime/runtime.js';
import type { Spec } from '../../../src/runtime/spec.js';
import { type Bundle, type BundleOptions, makeBundle, repoRoot } from '../../fixtures/index.js';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export const CGROUP_ROOT = '/sys/fs/cgroup';

export class RuntimeHarness {
  readonly cgroupParent = `berth-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  private readonly bundles: Bundle[] = [];
  private rt: Runtime | undefined;
  private constructor(
    readonly root: string,
    readonly bin: string,
  ) {}

  static async create(): Promise<RuntimeHarness> {
    // Short: shim socket paths must fit in sun_path (108 bytes).
    const root = await mkdtemp(join(tmpdir(), 'brt-'));
    return new RuntimeHarness(root, join(await repoRoot(), 'bin', 'berth-runtime'));
  }

  /** The in-process runtime library over the same state root (berthd's path). */
  async runtime(): Promise<Runtime> {
    this.rt ??= await Runtime.open({ root: this.root, cgroups: await detectCgroupDriver() });
    return this.rt;
  }

  /** A bundle whose container lands in this harness's cgroup parent. */
  async bundle(opts: BundleOptions): Promise<Bundle> {
    const b = await makeBundle({
      ...opts,
      mutate: (spec: Spec) => {
        spec.linux = { ...spec.linux, cgroupsPath: `/${this.cgroupParent}/${Math.random().toString(36).slice(2, 10)}` };
        opts.mutate?.(spec);
      },
    });
    this.bundles.push(b);
    return b;
  }

  /** Runs `berth-runtime --root <root> ...args`, bounded by a timeout. */
  run(args: string[], opts: { input?: string; timeoutMs?: number; cwd?: string } = {}): Promise<RunResult> {
    return runCommand(this.bin, ['--root', this.root, ...args], opts);
  }

  /** Deletes every container, then fails if anything of theirs is left on the host. */
  async cleanup(): Promise<void> {
    const rt = await this.runtime();
    for (const c of await rt.list()) await rt.delete(c.id, true).catch(() => {});
    const leftStates = await readdir(this.root).catch(() => []);
    await rm(this.root, { recursive: true, force: true });
    for (const b of this.bundles) await b.cleanup();
    const leftCgroups = await this.removeCgroupParent();
    assert.deepEqual(leftStates, [], 'container state directories left behind');
    assert.deepEqual(leftCgroups, [], 'container cgroups left behind');
    assert.deepEqual(await helperProcesses(), [], 'berth-helper processes left behind');
  }

  /** Removes the (empty) parent cgroup in each hierarchy; returns container cgroups found still inside it. */
  private async removeCgroupParent(): Promise<string[]> {
    const left: string[] = [];
    // v2: <root>/<parent>; v1: <root>/<controller>/<parent>.
    const ctls = ['', ...(await readdir(CGROUP_ROOT).catch(() => []))];
    for (const ctl of ctls) {
      const dir = join(CGROUP_ROOT, ctl, this.cgroupParent);
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => undefined);
      if (!entries) continue;
      for (const e of entries) if (e.isDirectory()) left.push(join(dir, e.name));
      for (const e of entries) if (e.isDirectory()) await rmdir(join(dir, e.name)).catch(() => {});
      await rmdir(dir).catch(() => {});
    }
    return left;
  }
}

/**
 * Live berth-helper processes (shims) in this test's pid namespace, as "pid cmdline". Helpers in other pid namespaces
 * belong to sandboxed daemons (their own leak checks cover them).
 */
export async function helperProcesses(): Promise<string[]> {
  const out = await runCommand('pgrep', ['-a', '-f', 'native/build/berth-helper'], {});
  const own = await readlink('/proc/self/ns/pid');
  const lines = out.stdout.split('\n').filter(Boolean);
  const mine = await Promise.all(
    lines.map(async (l) => (await readlink(`/proc/${l.split(' ')[0]}/ns/pid`).catch(() => '')) === own),
  );
  return lines.filter((_, i) => mine[i]);
}

export function runCommand(
  file: string,
  args: string[],
  opts: { input?: string; timeoutMs?: number; cwd?: string },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 20_000);
    child.on('error', reject);
    // A detached container may inherit our pipes (runc's pass-through stdio) and hold them open long after the
    // command exited: wait for the exit, then give the pipes a moment to drain.
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const done = () => resolve({ code, signal, stdout, stderr });
      const grace = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        done();
      }, 200);
      child.on('close', () => {
        clearTimeout(grace);
        done();
      });
    });
    // A command that exits without reading its stdin makes this write fail with EPIPE: that is not an error here.
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}

/** Polls `check` until it returns a value or the deadline passes. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 5000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, delay));
  }
}
