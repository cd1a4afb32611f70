// Command lines for a runc-compatible runtime (runc, crun, runsc…) and the shim plan that runs its launchers
// (`create`, `exec --detach`) under berth's shim. Pure, so the argument building is unit-tested.
import { type ShimConfig, shimOps } from '../plan/compile.js';
import type { PlanOp } from '../plan/ops.js';

/** One configured runtime command: daemon.json's `"runtimes": {"<name>": {"path", "runtimeArgs"}}`. */
export interface OciCommand {
  path: string;
  /** Global options put before the verb (dockerd's runtimeArgs). */
  runtimeArgs: readonly string[];
  /** The runtime's state directory (`--root`), inside the daemon's exec root. */
  root: string;
}

/** The launcher's PATH (the plan's ENV replaces the whole environment): runc looks up nothing else. */
const LAUNCHER_ENV = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'];

function global(c: OciCommand, logFile?: string): string[] {
  const args = [...c.runtimeArgs, '--root', c.root];
  if (logFile) args.push('--log', logFile, '--log-format', 'json');
  return args;
}

export interface CreateArgs {
  id: string;
  bundle: string;
  pidFile: string;
  consoleSocket?: string;
  logFile: string;
}

export function createArgs(c: OciCommand, a: CreateArgs): string[] {
  const args = [...global(c, a.logFile), 'create', '--bundle', a.bundle, '--pid-file', a.pidFile];
  if (a.consoleSocket) args.push('--console-socket', a.consoleSocket);
  return [...args, a.id];
}

export interface ExecArgs {
  id: string;
  processFile: string;
  pidFile: string;
  consoleSocket?: string;
  logFile: string;
}

export function execArgs(c: OciCommand, a: ExecArgs): string[] {
  const args = [...global(c, a.logFile), 'exec', '--process', a.processFile, '--detach', '--pid-file', a.pidFile];
  if (a.consoleSocket) args.push('--console-socket', a.consoleSocket);
  return [...args, a.id];
}

export const startArgs = (c: OciCommand, id: string): string[] => [...global(c), 'start', id];
export const stateArgs = (c: OciCommand, id: string): string[] => [...global(c), 'state', id];
export const pauseArgs = (c: OciCommand, id: string): string[] => [...global(c), 'pause', id];
export const resumeArgs = (c: OciCommand, id: string): string[] => [...global(c), 'resume', id];
export const psArgs = (c: OciCommand, id: string): string[] => [...global(c), 'ps', '--format', 'json', id];
/** The resources (OCI LinuxResources JSON) come on stdin. */
export const updateArgs = (c: OciCommand, id: string): string[] => [...global(c), 'update', '--resources', '-', id];

export function killArgs(c: OciCommand, id: string, signal: number, all: boolean): string[] {
  return [...global(c), 'kill', ...(all ? ['--all'] : []), id, String(signal)];
}

export function deleteArgs(c: OciCommand, id: string, force: boolean): string[] {
  return [...global(c), 'delete', ...(force ? ['--force'] : []), id];
}

export interface LauncherPlan {
  shim: ShimConfig;
  pidFile: string;
  consoleSocket?: string;
  /** Names the launcher in error messages ("runc create"). */
  launcher: string;
  path: string;
  args: string[];
}

/** The shim plan: the shim's own configuration, ADOPT, then the launcher as the child's only command. */
export function launcherPlan(p: LauncherPlan): PlanOp[] {
  return [
    ...shimOps(p.shim),
    { op: 'adopt', pidFile: p.pidFile, consoleSocket: p.consoleSocket ?? '', launcher: p.launcher },
    { op: 'clone', flags: 0n },
    { op: 'env', vars: LAUNCHER_ENV },
    { op: 'exec', file: p.path, argv: [p.path, ...p.args] },
  ];
}

/**
 * The runtime's own words for a failure: the last error in its `--log-format json` log (runc, crun), else the
 * last non-empty line of what it printed.
 */
export function runtimeError(log: string): string {
  let last = '';
  for (const line of log.split('\n')) {
    const text = line.trim();
    if (!text) continue;
    try {
      const entry = JSON.parse(text) as { level?: string; msg?: string };
      if ((entry.level === 'error' || entry.level === 'fatal') && entry.msg) last = entry.msg;
    } catch {
      if (!text.startsWith('{')) last = text;
    }
  }
  return last;
}
