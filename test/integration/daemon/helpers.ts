// Shared pieces of the daemon suite: one sandboxed berthd per test file (with busybox imported), bounded polling, and
// `docker inspect -f` in one call.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { type Dockerd, dockerdSkipReason, startDockerd } from '../../fixtures/dockerd.js';
import { type Berthd, busyboxImage, type StartBerthdOptions, skipReason, startBerthd } from '../../fixtures/berthd.js';

export interface Suite {
  /** Why the file is skipped, or undefined. */
  skip: string | undefined;
  /** The daemon (valid inside tests once `before` has run). */
  readonly d: Berthd;
  /** busybox:latest's image ID. */
  readonly busyboxId: string;
}

export interface SuiteOptions extends StartBerthdOptions {
  /** Runs once the daemon is up and busybox imported (a second top-level `before` may not wait for the first). */
  setup?: (d: Berthd) => Promise<void>;
}

/** Starts one berthd for the file in `before` (importing busybox) and stops it, checking for leaks, in `after`. */
export async function daemonSuite(opts: SuiteOptions = {}): Promise<Suite> {
  const skip = await skipReason();
  let daemon: Berthd | undefined;
  let busyboxId = '';
  before(async () => {
    if (skip) return;
    daemon = await startBerthd(opts);
    busyboxId = await busyboxImage(daemon);
    await opts.setup?.(daemon);
  });
  after(async () => {
    if (!daemon) return;
    // Containers left running would cost berthd's shutdown their stop timeouts (sleep as pid 1 ignores SIGTERM).
    const left = await daemon.dockerResult(['ps', '-aq']);
    const ids = left.stdout.split('\n').filter(Boolean);
    if (ids.length > 0) await daemon.dockerResult(['rm', '-f', ...ids]);
    await daemon.stop();
  });
  return {
    skip,
    get d() {
      if (!daemon) throw new Error('berthd is not running (skipped, or `before` failed)');
      return daemon;
    },
    get busyboxId() {
      return busyboxId;
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns something other than undefined/false; throws saying `what` after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 10_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    }
    await sleep(intervalMs);
  }
}

/** `docker inspect -f <format> <name>`, trimmed. */
export async function inspect(d: Berthd, name: string, format: string): Promise<string> {
  return (await d.docker('inspect', '-f', format, name)).stdout.trim();
}

/** Waits until the container's State.Status is `status`. */
export function waitStatus(d: Berthd, name: string, status: string, timeoutMs = 10_000): Promise<true> {
  return eventually(
    `${name} to be ${status}`,
    async () => (await inspect(d, name, '{{.State.Status}}')) === status || undefined,
    timeoutMs,
  );
}

/**
 * Waits until a `trap …; while :; do sleep 0.05; done` container is in its loop (a `sleep` shows in top), so its
 * traps are set: pid 1 ignores a signal it has no handler for, and a signal sent earlier would be lost.
 */
export function untilLooping(d: Berthd, name: string): Promise<true> {
  return eventually(
    `${name} to be in its loop`,
    async () => (await d.docker('top', name)).stdout.includes('sleep') || undefined,
  );
}

/**
 * A daemon suite plus Debian's dockerd beside it with the same busybox (saved from berthd, loaded into dockerd), for
 * differential tests; `dockerd()` is undefined when dockerd cannot run here (`dockerdSkip` says why).
 */
export async function differentialSuite(): Promise<Suite & { dockerdSkip: string | undefined; dockerd(): Dockerd }> {
  const dockerdSkip = await dockerdSkipReason();
  let dockerd: Dockerd | undefined;
  let scratch = '';
  const suite = await daemonSuite({
    setup: async (d) => {
      if (dockerdSkip) return;
      scratch = await mkdtemp(join(tmpdir(), 'berth-diff-'));
      const archive = join(scratch, 'busybox.tar');
      await d.docker('save', '-o', archive, 'busybox');
      dockerd = await startDockerd();
      await dockerd.docker('load', '-i', archive);
    },
  });
  after(async () => {
    await dockerd?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });
  return Object.assign(Object.create(suite) as Suite, {
    skip: suite.skip,
    dockerdSkip,
    dockerd: () => {
      if (!dockerd) throw new Error('dockerd is not running (skipped, or `before` failed)');
      return dockerd;
    },
  });
}
