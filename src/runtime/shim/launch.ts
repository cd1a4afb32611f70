// Starts `berth-helper shim`, hands it the encoded plan on fd 3 and waits for its one-line verdict.
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
}

export interface Launched {
  /** Host pid of the container's process. */
  pid: number;
  shim: ChildProcess;
}

export function launchShim(plan: readonly PlanOp[], opts: LaunchOptions): Promise<Launched> {
  const stdio: StdioOptions = [...(opts.stdio ?? ['ignore', 'ignore', 'ignore']), 'pipe'];
  const shim = spawn(opts.helperPath, ['shim'], { stdio, detached: opts.detached });
  const channel = shim.stdio[3] as Socket;
  return new Promise<Launched>((resolve, reject) => {
    let reply = '';
    let settled = false;
    const finish = (err: Error | undefined, pid?: number) => {
      if (settled) return;
      settled = true;
      channel.destroy();
      if (opts.detached) shim.unref();
      if (err) reject(err);
      else resolve({ pid: pid as number, shim });
    };
    shim.once('error', (e) => finish(new Error(`cannot run ${opts.helperPath}: ${e.message}`)));
    channel.on('error', () => {});
    channel.on('data', (chunk: Buffer) => {
      reply += chunk.toString('utf8');
      const nl = reply.indexOf('\n');
      if (nl < 0) return;
      const line = reply.slice(0, nl);
      const ok = /^ok (\d+)$/.exec(line);
      if (ok) finish(undefined, Number(ok[1]));
      else finish(stepError(line, plan));
    });
    channel.on('close', () => finish(new Error('berth-helper exited without a reply')));
    channel.write(encodePlan(plan));
  });
}
