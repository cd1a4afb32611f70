// Starts a shim, hands it the encoded plan on its fd 3 and waits for its one-line verdict. The shim comes from a
// ForkServer when the caller has one (a daemon: no fork of itself per container), else from spawning
// `berth-helper shim` (the one-shot berth-runtime, whose foreground `run` keeps the shim as its child).
import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { stepError } from '../errors.js';
import { encodePlan } from '../plan/encode.js';
import type { PlanOp } from '../plan/ops.js';
import type { ForkServer } from './forkserver.js';

export type StdioEntry = 'ignore' | 'inherit' | number;

export interface LaunchOptions {
  helperPath: string;
  /** Own session, survives the launcher (berthd, `create`); false keeps it in the launcher's foreground (`run`). */
  detached: boolean;
  /** The shim's fds 0-2: in `inherit` stdio mode they become the container's. */
  stdio?: [StdioEntry, StdioEntry, StdioEntry];
  /** Where detached shims without inherited stdio come from, when the caller runs one. */
  forkServer?: ForkServer;
}

export interface Launched {
  /** Host pid of the container's process. */
  pid: number;
  /** Its /proc/<pid>/stat start time, as the helper read it (undefined if it could not). */
  startTime: string | undefined;
  /** Host pid of the shim. */
  shimPid: number;
  /** The shim as a child of this process (spawned, not forked by the forkserver). */
  shim?: ChildProcess;
}

function spawnHelper(helperPath: string, detached: boolean, stdio?: LaunchOptions['stdio']): ChildProcess {
  const all: StdioOptions = [...(stdio ?? ['ignore', 'ignore', 'ignore']), 'pipe'];
  return spawn(helperPath, ['shim'], { stdio: all, detached });
}

export async function launchShim(plan: readonly PlanOp[], opts: LaunchOptions): Promise<Launched> {
  const server = opts.detached && !opts.stdio && opts.forkServer?.running ? opts.forkServer : undefined;
  const encoded = encodePlan(plan);
  // A forkserver that died (its exit not seen yet) refuses the connection: spawn the shim instead.
  let channel = server ? await server.connect(encoded).catch(() => undefined) : undefined;
  let shim: ChildProcess | undefined;
  if (!channel) {
    shim = spawnHelper(opts.helperPath, opts.detached, opts.stdio);
    channel = shim.stdio[3] as Socket;
    channel.write(encoded);
  }
  return new Promise<Launched>((resolve, reject) => {
    let reply = '';
    let settled = false;
    const finish = (err: Error | undefined, ok?: RegExpExecArray) => {
      if (settled) return;
      settled = true;
      channel.destroy();
      if (opts.detached) shim?.unref();
      if (err || !ok) {
        reject(err);
        return;
      }
      const pid = Number(ok[1]);
      resolve({ pid, startTime: ok[2] === '0' ? undefined : ok[2], shimPid: Number(ok[3] ?? shim?.pid ?? 0), shim });
    };
    shim?.once('error', (e) => finish(new Error(`cannot run ${opts.helperPath}: ${e.message}`)));
    channel.on('error', () => {});
    channel.on('data', (chunk: Buffer) => {
      reply += chunk.toString('utf8');
      const nl = reply.indexOf('\n');
      if (nl < 0) return;
      const line = reply.slice(0, nl);
      const ok = /^ok (\d+)(?: (\d+))?(?: (\d+))?$/.exec(line);
      if (ok) finish(undefined, ok);
      else finish(stepError(line, plan));
    });
    channel.on('close', () => finish(new Error('berth-helper exited without a reply')));
  });
}
