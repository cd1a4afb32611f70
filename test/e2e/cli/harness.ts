// Shared pieces of the CLI end-to-end tests: a sandboxed berthd with busybox imported, berth's CLI (bin/berth) and
// the real docker CLI bound to it, and a side-by-side runner that asserts both print the same.
import assert from 'node:assert/strict';
import { access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import { type Berthd, busyboxImage, DOCKER_CLI, skipReason, startBerthd } from '../../fixtures/berthd.js';
import { type CommandResult, runCommand } from '../../fixtures/dockerd.js';
import { repoRoot } from '../../fixtures/rootfs.js';

export type { CommandResult };

export interface Sandbox {
  daemon: Berthd;
  /** bin/berth with DOCKER_HOST set to the sandbox. */
  berth(args: string[], opts?: RunOptions): Promise<CommandResult>;
  /** The real docker CLI against the same daemon. */
  docker(args: string[], opts?: RunOptions): Promise<CommandResult>;
  /** The environment both CLIs get. */
  env: NodeJS.ProcessEnv;
  berthBin: string;
  stop(): Promise<void>;
}

export interface RunOptions {
  input?: string;
  timeoutMs?: number;
}

/** Why the CLI e2e tests cannot run here, or undefined. */
export async function cliSkipReason(): Promise<string | undefined> {
  const why = await skipReason();
  if (why) return why;
  const root = await repoRoot();
  try {
    await access(join(root, 'dist', 'bin', 'berth.cjs'), constants.R_OK);
  } catch {
    return 'dist/bin/berth.cjs is missing: run `node scripts/bundle.mjs`';
  }
  return undefined;
}

export async function startSandbox(): Promise<Sandbox> {
  const root = await repoRoot();
  const berthBin = join(root, 'bin', 'berth');
  const daemon = await startBerthd();
  try {
    await busyboxImage(daemon);
  } catch (e) {
    await daemon.stop();
    throw e;
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DOCKER_HOST: daemon.host,
    DOCKER_CONFIG: join(daemon.dir, 'cli'),
    DOCKER_CLI_HINTS: 'false',
  };
  delete env.DOCKER_CONTEXT;
  delete env.DOCKER_TLS_VERIFY;
  delete env.DOCKER_CERT_PATH;
  const run =
    (bin: string) =>
    (args: string[], opts: RunOptions = {}) =>
      runCommand(bin, args, {
        env,
        timeoutMs: opts.timeoutMs ?? 30_000,
        ...(opts.input !== undefined ? { input: opts.input } : {}),
      });
  return { daemon, berth: run(berthBin), docker: run(DOCKER_CLI), env, berthBin, stop: () => daemon.stop() };
}

/** The binary's name (docker, berth) as "CLI"; host names such as docs.docker.com stay. */
export const binaryNames = (s: string): string => s.replaceAll(/(?<![.\w])(docker|berth)(?![.\w])/g, 'CLI');

/** What a CLI run looks like once the binary's own name is taken out of its messages. */
export function normalized(r: CommandResult): { code: number | null; stdout: string; stderr: string } {
  const name = (s: string) => binaryNames(s);
  return { code: r.code, stdout: r.stdout, stderr: name(r.stderr) };
}

/**
 * Runs `args` with docker's CLI and berth's, back to back, and asserts the same exit status, stdout and stderr.
 * Relative times ("3 seconds ago") may tick between the two runs: a mismatch is retried a few times first.
 */
export async function assertSameOutput(s: Sandbox, args: string[], opts: RunOptions = {}): Promise<CommandResult> {
  let last: [CommandResult, CommandResult] | undefined;
  for (let attempt = 0; attempt < 4; attempt++) {
    const d = await s.docker(args, opts);
    const b = await s.berth(args, opts);
    last = [d, b];
    if (JSON.stringify(normalized(d)) === JSON.stringify(normalized(b))) return b;
  }
  const [d, b] = last!;
  assert.deepEqual(normalized(b), normalized(d), `berth ${args.join(' ')} differs from docker`);
  return b;
}

/** Polls `check` until it returns true, for at most `timeoutMs`. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 5000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
