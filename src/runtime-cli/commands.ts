// The verbs of berth-runtime, runc's command line over the runtime library: each parses its flags and makes one or
// two library calls.
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { Conflict, InvalidParameter } from '../errdefs/index.js';
import { defaultSpec } from '../runtime/default-spec.js';
import { InitStepError } from '../runtime/errors.js';
import { type Runtime, readSpec } from '../runtime/runtime.js';
import type { Process, Spec } from '../runtime/spec.js';
import { parseVerbArgs, requireId } from './args.js';
import { proxyTerminal } from './tty.js';

export type Verb = (rt: Runtime, argv: string[]) => Promise<number>;

const FORWARDED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

const createFlags = {
  bundle: { type: 'string', short: 'b' },
  'console-socket': { type: 'string' },
  'pid-file': { type: 'string' },
  'no-pivot': { type: 'boolean' },
  'no-new-keyring': { type: 'boolean' },
  'preserve-fds': { type: 'string' },
} as const;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

async function spec(_rt: Runtime, argv: string[]): Promise<number> {
  const p = parseVerbArgs(argv, { bundle: { type: 'string', short: 'b' }, rootless: { type: 'boolean' } });
  const path = resolve(str(p.values.bundle) ?? '.', 'config.json');
  try {
    await writeFile(path, `${JSON.stringify(defaultSpec(), null, '\t')}\n`, { flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new Conflict('File config.json exists. Remove it first.');
    throw e;
  }
  return 0;
}

async function create(rt: Runtime, argv: string[]): Promise<number> {
  const p = parseVerbArgs(argv, createFlags);
  const id = requireId(p, 'create');
  const consoleSocket = str(p.values['console-socket']);
  const bundle = resolve(str(p.values.bundle) ?? '.');
  const config = await bundleSpec(bundle);
  if (config.process?.terminal && !consoleSocket) {
    throw new InvalidParameter('cannot allocate tty if runc will detach without setting console socket');
  }
  await rt.create(id, bundle, {
    spec: config,
    stdio: { inherit: ['inherit', 'inherit', 'inherit'] },
    consoleSocket: consoleSocket && resolve(consoleSocket),
    pidFile: str(p.values['pid-file']),
  });
  return 0;
}

async function run(rt: Runtime, argv: string[]): Promise<number> {
  const p = parseVerbArgs(argv, {
    ...createFlags,
    detach: { type: 'boolean', short: 'd' },
    keep: { type: 'boolean' },
  });
  const id = requireId(p, 'run');
  const bundle = resolve(str(p.values.bundle) ?? '.');
  const consoleSocket = str(p.values['console-socket']);
  const detach = p.values.detach === true;
  const config = await bundleSpec(bundle);
  const terminal = config.process?.terminal === true;
  if (terminal && detach && !consoleSocket) {
    throw new InvalidParameter('cannot allocate tty if runc will detach without setting console socket');
  }
  // A terminal proxied through attach must be attached before the first byte: only then park for start.
  const proxy = terminal && !consoleSocket && !detach;
  const { shim } = await rt.create(id, bundle, {
    spec: config,
    stdio: terminal ? undefined : { inherit: ['inherit', 'inherit', 'inherit'] },
    consoleSocket: consoleSocket && resolve(consoleSocket),
    pidFile: str(p.values['pid-file']),
    foreground: !detach,
    startNow: !detach && !proxy,
  });
  if (detach) {
    await rt.start(id);
    return 0;
  }
  const proxied = proxy ? proxyTerminal(rt.store.socketPath(id)) : undefined;
  const stopForwarding = forwardSignals((sig) => rt.kill(id, sig).catch(() => {}));
  try {
    if (proxy) await rt.start(id);
    // The shim is our child here and exits once the exit file is written: its exit event is the container's end
    // (wait then reads that file instead of asking the shim over its socket), and delete need not poll for it.
    if (shim && shim.exitCode === null && shim.signalCode === null) await once(shim, 'exit');
    const status = await rt.wait(id);
    await proxied;
    return status?.exitCode ?? 255;
  } finally {
    stopForwarding();
    if (p.values.keep !== true) await rt.delete(id, true);
  }
}

async function start(rt: Runtime, argv: string[]): Promise<number> {
  await rt.start(requireId(parseVerbArgs(argv, {}), 'start'));
  return 0;
}

async function state(rt: Runtime, argv: string[]): Promise<number> {
  const id = requireId(parseVerbArgs(argv, {}), 'state');
  const s = await rt.state(id);
  const rec = await rt.store.read(id);
  const doc = { ...s, rootfs: rec.rootfs, created: rec.created, owner: '' };
  process.stdout.write(`${JSON.stringify(doc, null, '  ')}\n`);
  return 0;
}

async function kill(rt: Runtime, argv: string[]): Promise<number> {
  const p = parseVerbArgs(argv, { all: { type: 'boolean', short: 'a' } });
  await rt.kill(requireId(p, 'kill'), p.positionals[1] ?? 'SIGTERM', p.values.all === true);
  return 0;
}

async function del(rt: Runtime, argv: string[]): Promise<number> {
  const p = parseVerbArgs(argv, { force: { type: 'boolean', short: 'f' } });
  await rt.delete(requireId(p, 'delete'), p.values.force === true);
  return 0;
}

async function pause(rt: Runtime, argv: string[]): Promise<number> {
  await rt.pause(requireId(parseVerbArgs(argv, {}), 'pause'));
  return 0;
}

async function resume(rt: Runtime, argv: string[]): Promise<number> {
  await rt.resume(requireId(parseVerbArgs(argv, {}), 'resume'));
  return 0;
}

async function list(rt: Runtime, argv: string[]): Promise<number> {
  const p = parseVerbArgs(argv, { format: { type: 'string', short: 'f' }, quiet: { type: 'boolean', short: 'q' } });
  const all = await rt.list();
  if (p.values.quiet) {
    process.stdout.write(all.map((c) => `${c.id}\n`).join(''));
  } else if (str(p.values.format) === 'json') {
    process.stdout.write(`${JSON.stringify(all.map((c) => ({ ...c, owner: '' })))}\n`);
  } else {
    const rows = [['ID', 'PID', 'STATUS', 'BUNDLE', 'CREATED', 'OWNER']];
    for (const c of all) rows.push([c.id, String(c.pid), c.status, c.bundle, c.created, 'root']);
    process.stdout.write(table(rows));
  }
  return 0;
}

async function ps(rt: Runtime, argv: string[]): Promise<number> {
  const p = parseVerbArgs(argv, { format: { type: 'string', short: 'f' } }, 1);
  const pids = await rt.ps(requireId(p, 'ps'));
  if (str(p.values.format) === 'json') {
    process.stdout.write(`${JSON.stringify(pids)}\n`);
    return 0;
  }
  const { stdout } = await promisify(execFile)('ps', p.rest.length ? p.rest : ['-ef']);
  const [header = '', ...lines] = stdout.split('\n');
  const pidCol = header.trim().split(/\s+/).indexOf('PID');
  const wanted = new Set(pids.map(String));
  const keep = lines.filter((l) => wanted.has(l.trim().split(/\s+/)[pidCol] ?? ''));
  process.stdout.write(`${[header, ...keep].join('\n')}\n`);
  return 0;
}

async function exec(rt: Runtime, argv: string[]): Promise<number> {
  const p = parseVerbArgs(
    argv,
    {
      'console-socket': { type: 'string' },
      cwd: { type: 'string' },
      env: { type: 'string', short: 'e', multiple: true },
      tty: { type: 'boolean', short: 't' },
      user: { type: 'string', short: 'u' },
      'additional-gids': { type: 'string', short: 'g', multiple: true },
      process: { type: 'string', short: 'p' },
      detach: { type: 'boolean', short: 'd' },
      'pid-file': { type: 'string' },
      cap: { type: 'string', short: 'c', multiple: true },
      'no-new-privs': { type: 'boolean' },
      'preserve-fds': { type: 'string' },
    },
    1,
  );
  const id = requireId(p, 'exec');
  const rec = await rt.store.read(id);
  const proc = await execProcess(rec.bundle, p.values, p.rest);
  const consoleSocket = str(p.values['console-socket']);
  const detach = p.values.detach === true;
  if (proc.terminal && detach && !consoleSocket) {
    throw new InvalidParameter('cannot allocate tty if runc will detach without setting console socket');
  }
  const x = await rt.exec(id, proc, {
    stdio: proc.terminal ? undefined : { inherit: ['inherit', 'inherit', 'inherit'] },
    consoleSocket: consoleSocket && resolve(consoleSocket),
    foreground: !detach,
  });
  const pidFile = str(p.values['pid-file']);
  if (pidFile) await writeFile(pidFile, String(x.pid));
  const proxied = proc.terminal && !consoleSocket ? proxyTerminal(x.socketPath) : undefined;
  await rt.startExec(x);
  if (detach) return 0;
  const stopForwarding = forwardSignals((sig) => process.kill(x.pid, sig));
  try {
    const status = await rt.waitExec(x);
    await proxied;
    return status?.exitCode ?? 255;
  } finally {
    stopForwarding();
    await rt.cleanupExec(x);
  }
}

/** The exec'd process: `-p process.json`, or the container's own process with the flags and args applied. */
async function execProcess(bundle: string, v: Record<string, unknown>, args: string[]): Promise<Process> {
  const file = str(v.process);
  if (file) {
    try {
      return JSON.parse(await readFile(file, 'utf8')) as Process;
    } catch (e) {
      throw new InvalidParameter(`${file}: ${(e as Error).message}`);
    }
  }
  if (args.length === 0) throw new InvalidParameter('exec: args must not be empty');
  const base = (await bundleSpec(bundle)).process ?? { user: { uid: 0, gid: 0 }, cwd: '/' };
  const proc: Process = { ...base, args, terminal: v.tty === true, consoleSize: undefined };
  proc.env = [...(base.env ?? []), ...((v.env as string[] | undefined) ?? [])];
  if (str(v.cwd)) proc.cwd = str(v.cwd) as string;
  const user = str(v.user);
  if (user) {
    const [uid, gid] = user.split(':');
    if (!/^\d+$/.test(uid ?? '') || (gid !== undefined && !/^\d+$/.test(gid))) {
      throw new InvalidParameter(`invalid --user "${user}": use uid[:gid]`);
    }
    proc.user = { uid: Number(uid), gid: Number(gid ?? 0) };
  }
  const gids = v['additional-gids'] as string[] | undefined;
  if (gids) proc.user = { ...proc.user, additionalGids: gids.map(Number) };
  const caps = v.cap as string[] | undefined;
  if (caps) {
    const c = { ...base.capabilities };
    for (const set of ['bounding', 'effective', 'permitted', 'inheritable', 'ambient'] as const) {
      c[set] = [...(c[set] ?? []), ...caps];
    }
    proc.capabilities = c;
  }
  if (v['no-new-privs']) proc.noNewPrivileges = true;
  return proc;
}

/** One command, one container: a synchronous read is cheaper than fs/promises' machinery here. */
function bundleSpec(bundle: string): Promise<Spec> {
  return readSpec(resolve(bundle), (path) => readFileSync(path, 'utf8'));
}

function forwardSignals(send: (sig: NodeJS.Signals) => unknown): () => void {
  const handlers = FORWARDED_SIGNALS.map((sig) => {
    const h = () => send(sig);
    process.on(sig, h);
    return [sig, h] as const;
  });
  return () => {
    for (const [sig, h] of handlers) process.off(sig, h);
  };
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map(
      (r) =>
        `${r
          .map((c, i) => c.padEnd((widths[i] ?? 0) + 3))
          .join('')
          .trimEnd()}\n`,
    )
    .join('');
}

export const VERBS: Record<string, Verb> = {
  spec,
  create,
  start,
  state,
  kill,
  delete: del,
  run,
  exec,
  ps,
  pause,
  resume,
  list,
};

/** The exit code for a failed command: Docker's 127/126 when the executable is missing or not executable. */
export function exitCodeFor(e: unknown): number {
  if (e instanceof InitStepError && e.execExitCode !== undefined) return e.execExitCode;
  return 1;
}
