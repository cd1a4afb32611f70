// Starts `berth-helper shim`, hands it the encoded plan on fd 3 and waits for its one-line verdict. A daemon keeps
// one detached helper spawned ahead of need (ShimPool), taking the ~1.5 ms spawn off the container-start path.
import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { stepError } from '../errors.js';
import { encodePlan } from '../plan/encode.js';
import type { PlanOp } from '../plan/ops.js';

export type StdioEntry = 'ignore' | 'inherit' | number;

export interface LaunchOptions {
  helperPath: string;
  /** Own session, survives the launcher (berthd, `create`); false keeps it in the launcher's foreground (`run`). */
  detached: boolean;
  /** The shim's fds 0-2: in `inherit` stdio mode they become the container's. */
  stdio?: [StdioEntry, StdioEntry, StdioEntry];
  /** Take a pre-spawned helper from here when the options allow it (detached, no inherited stdio). */
  pool?: ShimPool;
}

export interface Launched {
  /** Host pid of the container's process. */
  pid: number;
  /** Its /proc/<pid>/stat start time, as the helper read it (undefined if it could not). */
  startTime: string | undefined;
  shim: ChildProcess;
}

function spawnHelper(helperPath: string, detached: boolean, stdio?: LaunchOptions['stdio']): ChildProcess {
  const all: StdioOptions = [...(stdio ?? ['ignore', 'ignore', 'ignore']), 'pipe'];
  return spawn(helperPath, ['shim'], { stdio: all, detached });
}

/** One detached helper waiting for its plan on fd 3 (it exits when fd 3 closes, so a dying berthd leaves none). */
export class ShimPool {
  private ready: ChildProcess | undefined;

  constructor(private readonly helperPath: string) {}

  take(): ChildProcess {
    const shim = this.ready ?? spawnHelper(this.helperPath, true);
    this.ready = undefined;
    setImmediate(() => this.refill());
    return shim;
  }

  close(): void {
    this.ready?.kill('SIGKILL');
    this.ready = undefined;
  }

  private refill(): void {
    if (this.ready) return;
    const shim = spawnHelper(this.helperPath, true);
    shim.once('exit', () => {
      if (this.ready === shim) this.ready = undefined;
    });
    shim.on('error', () => {});
    shim.unref();
    (shim.stdio[3] as Socket).unref();
    this.ready = shim;
  }
}

export function launchShim(plan: readonly PlanOp[], opts: LaunchOptions): Promise<Launched> {
  const pooled = opts.pool && opts.detached && !opts.stdio;
  const shim = pooled ? (opts.pool as ShimPool).take() : spawnHelper(opts.helperPath, opts.detached, opts.stdio);
  const channel = shim.stdio[3] as Socket;
  if (pooled) channel.ref();
  return new Promise<Launched>((resolve, reject) => {
    let reply = '';
    let settled = false;
    const finish = (err: Error | undefined, pid?: number, startTime?: string) => {
      if (settled) return;
      settled = true;
      channel.destroy();
      if (opts.detached) shim.unref();
      if (err) reject(err);
      else resolve({ pid: pid as number, startTime, shim });
    };
    shim.once('error', (e) => finish(new Error(`cannot run ${opts.helperPath}: ${e.message}`)));
    channel.on('error', () => {});
    channel.on('data', (chunk: Buffer) => {
      reply += chunk.toString('utf8');
      const nl = reply.indexOf('\n');
      if (nl < 0) return;
      const line = reply.slice(0, nl);
      const ok = /^ok (\d+)(?: (\d+))?$/.exec(line);
      if (ok) finish(undefined, Number(ok[1]), ok[2] === '0' ? undefined : ok[2]);
      else finish(stepError(line, plan));
    });
    channel.on('close', () => finish(new Error('berth-helper exited without a reply')));
    channel.write(encodePlan(plan));
  });
}
