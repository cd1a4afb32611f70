// A ContainerRuntime over a runc-compatible command (runc, crun, runsc, a GPU runtime), each container still under
// berth's shim, as containerd-shim-runc does: the shim holds the stdio (pipes, or the pty the command sends to its
// console socket), runs `<cmd> create` and adopts the container's init when that exits (the ADOPT op), then logs,
// serves attach and wait and records the exit status, surviving daemon restarts. Everything else is the command's verb.
import { execFile } from 'node:child_process';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { Conflict, InvalidParameter, NotFound, System } from '../../errdefs/index.js';
import { readJsonIfExists } from '../../lib/atomic-file.js';
import type { CgroupDriver, CgroupStats } from '../cgroups/index.js';
import type {
  ContainerCreateOptions,
  ContainerRuntime,
  CreatedContainer,
  ExecCreateOptions,
  ExecHandle,
  ExitStatus,
} from '../container-runtime.js';
import { InitStepError, noSuchContainer } from '../errors.js';
import { waitGone } from '../proc.js';
import { launchShim } from '../shim/launch.js';
import { attach, closeStdin, request, resize, waitExit } from '../shim/client.js';
import { parseSignal } from '../signals.js';
import type { LinuxResources, Process, Spec, State } from '../spec.js';
import { StateStore } from '../state-store.js';
import {
  type OciCommand,
  createArgs,
  deleteArgs,
  execArgs,
  killArgs,
  launcherPlan,
  pauseArgs,
  psArgs,
  resumeArgs,
  runtimeError,
  startArgs,
  stateArgs,
  updateArgs,
} from './args.js';

export interface OciCommandRuntimeOptions {
  /** The name it is configured under (`--add-runtime name=path`), for messages. */
  name: string;
  path: string;
  runtimeArgs?: readonly string[];
  /** berth's per-container directories (shim socket, exit file, bundle copy, pid files). */
  root: string;
  /** The command's own state directory (`--root`). */
  stateRoot: string;
  cgroups: CgroupDriver;
  helperPath: string;
}

/** What berth keeps per container beside the command's own state. */
interface OciRecord {
  id: string;
  pid: number;
  shimPid: number;
  bundle: string;
  cgroupsPath: string;
  created: string;
  ociVersion: string;
  annotations: { [key: string]: string };
}

interface OciExec extends ExecHandle {
  socketPath: string;
  exitFile: string;
  pidFile: string;
  processFile: string;
  logFile: string;
}

let execCounter = 0;
const MAX_OUTPUT = 1 << 20;

export class OciCommandRuntime implements ContainerRuntime {
  private readonly cmd: OciCommand;
  private readonly records = new Map<string, OciRecord>();

  constructor(private readonly opts: OciCommandRuntimeOptions) {
    this.cmd = { path: opts.path, runtimeArgs: opts.runtimeArgs ?? [], root: opts.stateRoot };
  }

  get cgroupVersion(): 1 | 2 {
    return this.opts.cgroups.version;
  }

  close(): void {}

  private dir(id: string): string {
    return join(this.opts.root, id);
  }
  private file(id: string, name: string): string {
    return join(this.opts.root, id, name);
  }

  async create(id: string, bundle: string, opts: ContainerCreateOptions = {}): Promise<CreatedContainer> {
    StateStore.validateId(id);
    await mkdir(this.opts.root, { recursive: true, mode: 0o711 });
    await mkdir(this.opts.stateRoot, { recursive: true, mode: 0o711 });
    try {
      await mkdir(this.dir(id), { mode: 0o711 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new Conflict(`container with id exists: ${id}`);
      throw e;
    }
    try {
      const spec = opts.spec ?? (JSON.parse(await readFile(join(bundle, 'config.json'), 'utf8')) as Spec);
      // The command reads config.json from its bundle: a copy of its own, as the caller's may still be being written
      // (the root path is absolute, so the copy's bundle directory need hold nothing else).
      const ownBundle = this.dir(id);
      await writeFile(join(ownBundle, 'config.json'), JSON.stringify(spec));
      const terminal = spec.process?.terminal === true;
      const pidFile = this.file(id, 'init.pid');
      const consoleSocket = terminal ? this.file(id, 'console.sock') : undefined;
      const logFile = this.file(id, 'log.json');
      const plan = launcherPlan({
        shim: {
          stdio: terminal ? 'pty' : 'pipes',
          openStdin: opts.stdio?.openStdin ?? false,
          socketPath: this.file(id, 'shim.sock'),
          exitFile: this.file(id, 'exit.json'),
          log: opts.stdio?.log,
          startGate: false, // the command's create/start split is the gate
        },
        pidFile,
        consoleSocket,
        launcher: `${this.opts.name} create`,
        path: this.opts.path,
        args: createArgs(this.cmd, { id, bundle: ownBundle, pidFile, consoleSocket, logFile }),
      });
      let launched: Awaited<ReturnType<typeof launchShim>>;
      try {
        launched = await launchShim(plan, { helperPath: this.opts.helperPath, detached: true });
      } catch (e) {
        throw await this.commandError(`${this.opts.name} create failed`, logFile, e);
      }
      const rec: OciRecord = {
        id,
        pid: launched.pid,
        shimPid: launched.shimPid,
        bundle,
        cgroupsPath: spec.linux?.cgroupsPath ?? '',
        created: new Date().toISOString(),
        ociVersion: spec.ociVersion,
        annotations: spec.annotations ?? {},
      };
      await writeFile(this.file(id, 'record.json'), JSON.stringify(rec));
      this.records.set(id, rec);
      return { record: rec };
    } catch (e) {
      await this.run(deleteArgs(this.cmd, id, true)).catch(() => {});
      await rm(this.dir(id), { recursive: true, force: true });
      throw e;
    }
  }

  async start(id: string): Promise<void> {
    const rec = await this.read(id);
    try {
      await this.run(startArgs(this.cmd, rec.id));
    } catch (e) {
      const status = await this.status(id);
      if (status === 'stopped') throw new Conflict('cannot start a container that has stopped');
      if (status !== 'created') throw new Conflict(`cannot start an already ${status} container`);
      throw e;
    }
  }

  async state(id: string): Promise<State> {
    const rec = await this.read(id);
    const status = await this.status(id);
    return {
      ociVersion: rec.ociVersion,
      id,
      status,
      pid: status === 'stopped' ? 0 : rec.pid,
      bundle: rec.bundle,
      annotations: rec.annotations,
    };
  }

  async ids(): Promise<string[]> {
    try {
      return (await readdir(this.opts.root, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  }

  async list(): Promise<State[]> {
    const out: State[] = [];
    for (const id of await this.ids()) {
      try {
        out.push(await this.state(id));
      } catch {
        // half-created or being deleted: not listed
      }
    }
    return out;
  }

  async kill(id: string, signal: string | number = 'SIGTERM', all = false): Promise<void> {
    await this.read(id);
    if ((await this.status(id)) === 'stopped') throw new Conflict('container not running');
    await this.run(killArgs(this.cmd, id, parseSignal(signal), all));
  }

  async wait(id: string): Promise<ExitStatus | undefined> {
    await this.read(id);
    return waitExit(this.file(id, 'shim.sock'), this.file(id, 'exit.json'));
  }

  async delete(id: string, force = false): Promise<void> {
    const rec = await this.read(id);
    const status = await this.status(id);
    if ((status === 'running' || status === 'paused') && !force) {
      throw new Conflict(`cannot delete container ${id} that is not stopped: ${status}`);
    }
    // The command removes its state and the container's cgroup (killing what is left with --force); the shim then
    // sees the init go, writes the exit file and exits.
    await this.run(deleteArgs(this.cmd, id, status !== 'stopped')).catch((e: Error) => {
      if (!/does not exist|not exist|no such/i.test(e.message)) throw e;
    });
    if (rec.shimPid) await waitGone(rec.shimPid, 5000);
    this.records.delete(id);
    await rm(this.dir(id), { recursive: true, force: true });
  }

  async pause(id: string): Promise<void> {
    await this.read(id);
    const status = await this.status(id);
    if (status !== 'running') throw new Conflict(`container not running (${status})`);
    await this.run(pauseArgs(this.cmd, id));
  }

  async resume(id: string): Promise<void> {
    await this.read(id);
    if ((await this.status(id)) !== 'paused') throw new Conflict('container not paused');
    await this.run(resumeArgs(this.cmd, id));
  }

  async update(id: string, resources: LinuxResources): Promise<void> {
    await this.read(id);
    if ((await this.status(id)) === 'stopped') throw new Conflict('container not running');
    await this.run(updateArgs(this.cmd, id), JSON.stringify(resources));
  }

  async ps(id: string): Promise<number[]> {
    await this.read(id);
    const out = await this.run(psArgs(this.cmd, id));
    return (JSON.parse(out || '[]') as number[] | null) ?? [];
  }

  /** Read from the container's cgroup directly: the command puts it at the spec's cgroupsPath (cgroupfs driver). */
  async stats(id: string): Promise<CgroupStats> {
    const rec = await this.read(id);
    return this.opts.cgroups.open(rec.cgroupsPath).stats();
  }

  async attach(id: string): Promise<Duplex> {
    await this.read(id);
    return attach(this.file(id, 'shim.sock'));
  }

  async resize(id: string, rows: number, cols: number): Promise<void> {
    await this.read(id);
    return resize(this.file(id, 'shim.sock'), rows, cols);
  }

  async closeStdin(id: string): Promise<void> {
    await this.read(id);
    return closeStdin(this.file(id, 'shim.sock'));
  }

  async exec(id: string, proc: Process, opts: ExecCreateOptions = {}): Promise<OciExec> {
    await this.read(id);
    const status = await this.status(id);
    if (status !== 'running') throw new Conflict(`cannot exec in a ${status} container`);
    if (!proc.args || proc.args.length === 0) throw new InvalidParameter('args must not be empty');
    // Short names: a unix socket path must fit in 108 bytes, and the container's directory name is already 64.
    const tag = `x${(++execCounter).toString(36)}${Math.random().toString(36).slice(2, 5)}`;
    const x: OciExec = {
      pid: 0,
      socketPath: this.file(id, `${tag}.sock`),
      exitFile: this.file(id, `${tag}.exit`),
      pidFile: this.file(id, `${tag}.pid`),
      processFile: this.file(id, `${tag}.json`),
      logFile: this.file(id, `${tag}.log`),
    };
    const consoleSocket = proc.terminal ? this.file(id, `${tag}c.sock`) : undefined;
    await writeFile(x.processFile, JSON.stringify(proc));
    const plan = launcherPlan({
      shim: {
        stdio: proc.terminal ? 'pty' : 'pipes',
        openStdin: opts.stdio?.openStdin ?? false,
        socketPath: x.socketPath,
        exitFile: x.exitFile,
        startGate: true, // the launcher waits, so an attach can be in place before the first byte of output
      },
      pidFile: x.pidFile,
      consoleSocket,
      launcher: `${this.opts.name} exec`,
      path: this.opts.path,
      args: execArgs(this.cmd, {
        id,
        processFile: x.processFile,
        pidFile: x.pidFile,
        consoleSocket,
        logFile: x.logFile,
      }),
    });
    try {
      // Until start, the pid is the parked launcher's: killing it abandons the exec.
      x.pid = (await launchShim(plan, { helperPath: this.opts.helperPath, detached: true })).pid;
    } catch (e) {
      await this.cleanupExec(x);
      throw e;
    }
    return x;
  }

  async startExec(x: OciExec): Promise<void> {
    const reply = await request(x.socketPath, 'start');
    if (reply === 'ok') {
      x.pid = Number((await readFile(x.pidFile, 'utf8')).trim()) || x.pid;
      return;
    }
    const said = runtimeError(await readFile(x.logFile, 'utf8').catch(() => ''));
    // runc's words carry its own "exec failed: unable to start container process: " prefix; the engine adds Docker's.
    const message = (said || reply).replace(/^(exec failed: )?unable to start container process: /, '');
    const notFound = /executable file not found|no such file or directory/i.test(message);
    throw new InitStepError(message, undefined, notFound ? 2 : 13);
  }

  waitExec(x: OciExec): Promise<ExitStatus | undefined> {
    return waitExit(x.socketPath, x.exitFile);
  }

  attachExec(x: OciExec): Promise<Duplex> {
    return attach(x.socketPath);
  }

  resizeExec(x: OciExec, rows: number, cols: number): Promise<void> {
    return resize(x.socketPath, rows, cols);
  }

  async cleanupExec(x: OciExec): Promise<void> {
    await Promise.all(
      [x.socketPath, x.exitFile, x.pidFile, x.processFile, x.logFile].map((f) => rm(f, { force: true })),
    );
  }

  // ---- helpers ----

  private async read(id: string): Promise<OciRecord> {
    StateStore.validateId(id);
    const cached = this.records.get(id);
    if (cached) return cached;
    const rec = await readJsonIfExists<OciRecord>(this.file(id, 'record.json'));
    if (!rec) throw noSuchContainer(id);
    this.records.set(id, rec);
    return rec;
  }

  /** The shim's exit file settles it; otherwise the command's own state. */
  private async status(id: string): Promise<State['status']> {
    if (await readJsonIfExists<ExitStatus>(this.file(id, 'exit.json'))) return 'stopped';
    try {
      const state = JSON.parse(await this.run(stateArgs(this.cmd, id))) as { status?: State['status'] };
      return state.status ?? 'stopped';
    } catch {
      return 'stopped'; // the command knows it no more
    }
  }

  /** Runs one verb of the command; rejects with its own message. */
  private run(args: string[], input?: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = execFile(this.opts.path, args, { maxBuffer: MAX_OUTPUT }, (err, stdout, stderr) => {
        if (!err) {
          resolve(stdout);
          return;
        }
        const said = runtimeError(stderr) || err.message;
        reject(/does not exist/.test(said) ? new NotFound(said) : new System(said));
      });
      if (input !== undefined) child.stdin?.end(input);
    });
  }

  /** A create that failed: the command's own message from its log, as dockerd reports it. */
  private async commandError(prefix: string, logFile: string, cause: unknown): Promise<Error> {
    const said = runtimeError(await readFile(logFile, 'utf8').catch(() => ''));
    const detail = said || (cause as Error).message;
    return new System(
      `OCI runtime create failed: ${detail.startsWith(prefix) ? detail : `${prefix}: ${detail}`}: unknown`,
    );
  }
}
