// The OCI runtime as a library: create/start/state/kill/delete/exec/pause/resume/ps/wait over berth-helper.
// berthd calls this in-process; bin/berth-runtime is a thin command over it.
import type { ChildProcess } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Conflict, InvalidParameter } from '../errdefs/index.js';
import { parseStatusMask } from './capabilities.js';
import type { Cgroup, CgroupDriver } from './cgroups/index.js';
import { deviceRules } from './devices.js';
import { stepError } from './errors.js';
import { type CgroupPlacement, type ShimConfig, cgroupOps, processOps, shimOps } from './plan/compile.js';
import type { PlanOp } from './plan/ops.js';
import { withHome } from './passwd.js';
import { prepareCreatePlan } from './prepare.js';
import { isAlive, processStartTime, waitGone } from './proc.js';
import type { Duplex } from 'node:stream';
import type { ContainerRuntime } from './container-runtime.js';
import { type ExitStatus, attach, closeStdin, request, resize, waitExit } from './shim/client.js';
import { ForkServer } from './shim/forkserver.js';
import { type StdioEntry, launchShim } from './shim/launch.js';
import { parseSignal } from './signals.js';
import type { LinuxResources, Process, Spec, State } from './spec.js';
import { type ContainerRecord, StateStore } from './state-store.js';

let execCounter = 0;

/** berth-helper as built in this checkout: the nearest native/build/ above this module (tsc output or a bundle). */
export function defaultHelperPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 6; up++) {
    const candidate = join(dir, 'native', 'build', 'berth-helper');
    if (existsSync(candidate)) return candidate; // once, at start-up
    dir = dirname(dir);
  }
  return 'berth-helper'; // from PATH
}

export interface RuntimeOptions {
  /** State directory (runc's --root). */
  root: string;
  cgroups: CgroupDriver;
  helperPath?: string;
  /** Parent cgroup for containers whose spec has no cgroupsPath. */
  cgroupParent?: string;
  /**
   * Remove that parent when its last container goes (the one-shot command's choice). A daemon keeps it, as dockerd
   * keeps /docker: recreating it, cpuset values included, costs every container start several milliseconds.
   */
  removeEmptyCgroupParent?: boolean;
  /**
   * Make detached shims through a forkserver instead of spawning each (a daemon's choice: Node's spawn forks the
   * whole process synchronously; `close()` ends the forkserver, not its shims).
   */
  forkServer?: boolean;
}

export interface StdioOptions {
  /** The shim's fds 0-2, handed to the container as they are (runc's pass-through). */
  inherit?: [StdioEntry, StdioEntry, StdioEntry];
  /** Keep stdin open (pipes mode). */
  openStdin?: boolean;
  log?: { path: string; maxSize: number; maxFiles: number };
}

export interface CreateOptions {
  stdio?: StdioOptions;
  consoleSocket?: string;
  pidFile?: string;
  /** Keep the shim in the caller's session (foreground `run`); default detached. */
  foreground?: boolean;
  /** Exec right away instead of parking for `start` (a foreground `run` that attaches nothing first). */
  startNow?: boolean;
  /** The bundle's config.json, when the caller has read it already (see readSpec). */
  spec?: Spec;
}

export interface Created {
  record: ContainerRecord;
  /** The shim, when it is this process's child (spawned rather than made by the forkserver). */
  shim?: ChildProcess;
}

export interface ExecOptions {
  stdio?: StdioOptions;
  consoleSocket?: string;
  foreground?: boolean;
}

export interface Exec {
  pid: number;
  shim?: ChildProcess;
  socketPath: string;
  exitFile: string;
  execStep: number;
}

interface StoredRecord extends ContainerRecord {
  /** Index of the EXEC step in the create plan, to name start-time exec failures. */
  execStep: number;
}

export class Runtime implements ContainerRuntime {
  readonly store: StateStore;
  private readonly helperPath: string;
  private forkServer: ForkServer | undefined;

  /** The capabilities berth may hand out (its bounding set): read once, when a plan first needs them. */
  private hostCaps: Promise<bigint> | undefined;

  private constructor(private readonly opts: RuntimeOptions) {
    this.store = new StateStore(opts.root);
    this.helperPath = opts.helperPath ?? defaultHelperPath();
  }

  /** Ends the forkserver, if any (the containers and their shims run on). */
  close(): void {
    this.forkServer?.close();
  }

  static async open(opts: RuntimeOptions): Promise<Runtime> {
    const rt = new Runtime(opts);
    if (opts.forkServer) {
      await mkdir(opts.root, { recursive: true, mode: 0o711 });
      rt.forkServer = await ForkServer.start(rt.helperPath, join(opts.root, 'forkserver.sock'));
    }
    return rt;
  }

  private hostCapabilities(): Promise<bigint> {
    this.hostCaps ??= readFile('/proc/self/status', 'utf8').then((status) => parseStatusMask(status, 'CapBnd'));
    return this.hostCaps;
  }

  get cgroupVersion(): 1 | 2 {
    return this.opts.cgroups.version;
  }

  async create(id: string, bundle: string, opts: CreateOptions = {}): Promise<Created> {
    await this.store.claim(id);
    let cgroup: Cgroup | undefined;
    let cgroupsPath = '';
    try {
      const spec = opts.spec ?? (await readSpec(bundle));
      cgroupsPath = spec.linux?.cgroupsPath || this.defaultCgroupsPath(id);
      const cg = this.opts.cgroups.open(cgroupsPath);
      cgroup = cg;
      // Provisional until the shim is up: a caller that dies from here on leaves a record that delete() can act on
      // (its cgroup's processes killed, the cgroup removed) instead of a nameless shim and cgroup.
      this.store.writeProvisional({
        ociVersion: spec.ociVersion,
        id,
        bundle,
        rootfs: '',
        pid: 0,
        pidStartTime: '',
        shimPid: 0,
        cgroupsPath,
        created: new Date().toISOString(),
        started: false,
        annotations: {},
        namespaces: [],
      });
      const terminal = spec.process?.terminal === true;
      const shim: ShimConfig = {
        stdio: terminal ? 'pty' : opts.stdio?.inherit ? 'inherit' : 'pipes',
        openStdin: opts.stdio?.openStdin ?? false,
        socketPath: this.store.socketPath(id),
        exitFile: this.store.exitFile(id),
        log: opts.stdio?.log,
        consoleSocket: opts.consoleSocket,
        startGate: !opts.startNow,
      };
      // Plan and cgroup in parallel; both settle before any cleanup, so a failed plan never races a cgroup mkdir.
      const [planned, placed] = await Promise.allSettled([
        this.hostCapabilities().then((hostCapabilities) =>
          prepareCreatePlan(spec, bundle, {
            shim,
            cgroup: cgroupPlacement(cg),
            hierarchies: this.opts.cgroups.hierarchies(),
            cgroupVersion: this.opts.cgroups.version,
            hostCapabilities,
          }),
        ),
        cg.create().then(() => cg.apply({ ...spec.linux?.resources, devices: deviceRules(spec.linux ?? {}) })),
      ]);
      if (planned.status === 'rejected') throw planned.reason;
      if (placed.status === 'rejected') throw placed.reason;
      const plan = planned.value;
      const launched = await launchShim(plan.ops, {
        helperPath: this.helperPath,
        detached: !opts.foreground,
        stdio: opts.stdio?.inherit,
        forkServer: this.forkServer,
      });
      const { pid, startTime } = launched;
      const record: StoredRecord = {
        ociVersion: spec.ociVersion,
        id,
        bundle,
        rootfs: plan.rootfs,
        pid,
        pidStartTime: startTime ?? (await processStartTime(pid)) ?? '',
        shimPid: launched.shimPid,
        cgroupsPath,
        created: new Date().toISOString(),
        started: opts.startNow === true,
        annotations: spec.annotations ?? {},
        // Joined ones too (a network namespace made ahead, --pid container:): an exec must be in all of them.
        namespaces: (spec.linux?.namespaces ?? []).map((n) => n.type),
        execStep: plan.ops.length - 1,
        ...(spec.linux?.seccomp && { seccomp: spec.linux.seccomp }),
      };
      await this.store.write(record);
      if (opts.pidFile) await writeFile(opts.pidFile, String(pid));
      return { record, shim: launched.shim };
    } catch (e) {
      if (cgroup) await this.removeCgroup(cgroup, cgroupsPath, id).catch(() => {});
      await this.store.remove(id);
      throw e;
    }
  }

  attach(id: string): Promise<Duplex> {
    return attach(this.store.socketPath(id));
  }

  resize(id: string, rows: number, cols: number): Promise<void> {
    return resize(this.store.socketPath(id), rows, cols);
  }

  closeStdin(id: string): Promise<void> {
    return closeStdin(this.store.socketPath(id));
  }

  ids(): Promise<string[]> {
    return this.store.ids();
  }

  async start(id: string): Promise<void> {
    const rec = (await this.store.read(id)) as StoredRecord;
    const status = await this.status(rec);
    if (status === 'stopped') throw new Conflict('cannot start a container that has stopped');
    if (status !== 'created') throw new Conflict(`cannot start an already ${status} container`);
    // The record may say "started" before the exec is confirmed: should it fail, the process is gone and the status
    // reads "stopped" all the same. Writing it meanwhile keeps it off the start path.
    const [reply] = await Promise.all([
      request(this.store.socketPath(id), 'start'),
      this.store.write({ ...rec, started: true }),
    ]);
    if (reply !== 'ok') throw stepError(reply, execOnlyPlan(rec.execStep));
  }

  async state(id: string): Promise<State> {
    const rec = await this.store.read(id);
    const status = await this.status(rec);
    return {
      ociVersion: rec.ociVersion,
      id: rec.id,
      status,
      pid: status === 'stopped' ? 0 : rec.pid,
      bundle: rec.bundle,
      annotations: rec.annotations,
    };
  }

  async list(): Promise<(State & { created: string; rootfs: string })[]> {
    const out: (State & { created: string; rootfs: string })[] = [];
    for (const id of await this.store.ids()) {
      try {
        const rec = await this.store.read(id);
        out.push({ ...(await this.state(id)), created: rec.created, rootfs: rec.rootfs });
      } catch {
        // half-created or being deleted: not listed
      }
    }
    return out;
  }

  async kill(id: string, signal: string | number = 'SIGTERM', all = false): Promise<void> {
    const rec = await this.store.read(id);
    if ((await this.status(rec)) === 'stopped') throw new Conflict('container not running');
    const sig = parseSignal(signal);
    const pids = all ? await this.cgroupOf(rec).pids() : [rec.pid];
    for (const pid of pids) {
      try {
        process.kill(pid, sig);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
      }
    }
  }

  async wait(id: string): Promise<ExitStatus | undefined> {
    await this.store.read(id);
    return waitExit(this.store.socketPath(id), this.store.exitFile(id));
  }

  async delete(id: string, force = false): Promise<void> {
    const rec = await this.store.read(id);
    const status = await this.status(rec);
    const cgroup = this.cgroupOf(rec);
    if (status === 'running' || status === 'paused') {
      if (!force) throw new Conflict(`cannot delete container ${id} that is not stopped: ${status}`);
    }
    if (status !== 'stopped') {
      await this.kill(id, 'SIGKILL', true).catch(() => {});
      if (status === 'paused') await cgroup.thaw();
      await waitGone(rec.pid, 5000);
    } else if (force) {
      // Its init is gone, but a forced delete leaves nothing in the cgroup: processes its init left, or a container
      // whose creator died before it was recorded (a provisional record, pid 0).
      const left = await cgroup.pids().catch(() => [] as number[]);
      for (const pid of left) killQuietly(pid);
      for (const pid of left) await waitGone(pid, 5000);
    }
    if (rec.shimPid) await waitGone(rec.shimPid, 5000);
    await this.removeCgroup(cgroup, rec.cgroupsPath, id);
    await this.store.remove(id);
  }

  async pause(id: string): Promise<void> {
    const rec = await this.store.read(id);
    const status = await this.status(rec);
    if (status !== 'running') throw new Conflict(`container not running (${status})`);
    await this.cgroupOf(rec).freeze();
  }

  async resume(id: string): Promise<void> {
    const rec = await this.store.read(id);
    if ((await this.status(rec)) !== 'paused') throw new Conflict('container not paused');
    await this.cgroupOf(rec).thaw();
  }

  /** Changes a running container's cgroup resources (`docker update`). */
  async update(id: string, resources: LinuxResources): Promise<void> {
    const rec = await this.store.read(id);
    if ((await this.status(rec)) === 'stopped') throw new Conflict('container not running');
    await this.cgroupOf(rec).apply(resources);
  }

  async ps(id: string): Promise<number[]> {
    return this.cgroupOf(await this.store.read(id)).pids();
  }

  async stats(id: string) {
    return this.cgroupOf(await this.store.read(id)).stats();
  }

  /** Runs another process in a running container's namespaces and cgroup. */
  async exec(id: string, proc: Process, opts: ExecOptions = {}): Promise<Exec> {
    const rec = await this.store.read(id);
    const status = await this.status(rec);
    if (status !== 'running') throw new Conflict(`cannot exec in a ${status} container`);
    if (!proc.args || proc.args.length === 0) throw new InvalidParameter('args must not be empty');
    // Short: a unix socket path must fit in 108 bytes, and the container's directory name is already 64 of them.
    const tag = `${(++execCounter).toString(36)}${Math.random().toString(36).slice(2, 5)}`;
    const shim: ShimConfig = {
      stdio: proc.terminal ? 'pty' : opts.stdio?.inherit ? 'inherit' : 'pipes',
      openStdin: opts.stdio?.openStdin ?? false,
      socketPath: `${this.store.dir(id)}/x${tag}.sock`,
      exitFile: `${this.store.dir(id)}/x${tag}.json`,
      log: opts.stdio?.log,
      consoleSocket: opts.consoleSocket,
      startGate: true, // so an attach can be in place before the first byte of output
    };
    const ops: PlanOp[] = [...shimOps(shim), ...cgroupOps(cgroupPlacement(this.cgroupOf(rec)))];
    const ns = (type: string) => `/proc/${rec.pid}/ns/${type}`;
    const joins: PlanOp[] = [];
    // user before those that belong to it; network first of all: it is made ahead of the container, so the host's
    // user namespace owns it, and once in the container's user namespace setns into it is refused.
    const order = ['network', 'user', 'ipc', 'uts', 'cgroup', 'mount'] as const;
    const procName: Record<string, string> = { network: 'net', mount: 'mnt' };
    for (const type of order) {
      if (rec.namespaces.includes(type)) joins.push({ op: 'setns', path: ns(procName[type] ?? type), nstype: 0 });
    }
    if (rec.namespaces.includes('pid')) ops.push({ op: 'joinPidNs', path: ns('pid') });
    ops.push({ op: 'clone', flags: 0n }, ...joins);
    if (proc.terminal) {
      ops.push({ op: 'console', rows: proc.consoleSize?.height ?? 0, cols: proc.consoleSize?.width ?? 0 });
    }
    ops.push(
      ...processOps(
        { ...proc, env: await withHome(proc.env, rec.rootfs, proc.user.uid) },
        await this.hostCapabilities(),
        rec.seccomp,
      ),
    );
    // The container may exit while we set up: the pid check above is racy, the helper's setns then fails cleanly.
    if (!isAlive(rec.pid)) throw new Conflict('cannot exec in a stopped container');
    const { pid, shim: child } = await launchShim(ops, {
      helperPath: this.helperPath,
      detached: !opts.foreground,
      stdio: opts.stdio?.inherit,
      forkServer: this.forkServer,
    });
    return { pid, shim: child, socketPath: shim.socketPath, exitFile: shim.exitFile, execStep: ops.length - 1 };
  }

  async startExec(x: Exec): Promise<void> {
    const reply = await request(x.socketPath, 'start');
    if (reply !== 'ok') throw stepError(reply, execOnlyPlan(x.execStep));
  }

  waitExec(x: Exec): Promise<ExitStatus | undefined> {
    return waitExit(x.socketPath, x.exitFile);
  }

  attachExec(x: Exec): Promise<Duplex> {
    return attach(x.socketPath);
  }

  resizeExec(x: Exec, rows: number, cols: number): Promise<void> {
    return resize(x.socketPath, rows, cols);
  }

  /** Removes an exec's socket and exit file once it is done. */
  async cleanupExec(exec: Exec): Promise<void> {
    await Promise.all([rm(exec.socketPath, { force: true }), rm(exec.exitFile, { force: true })]);
  }

  /** Removes a container's cgroup, and berth's default parent too once it is empty. */
  private async removeCgroup(cgroup: Cgroup, cgroupsPath: string, id: string): Promise<void> {
    const ownParent = this.opts.removeEmptyCgroupParent === true && cgroupsPath === this.defaultCgroupsPath(id);
    await cgroup.destroy({ parentIfEmpty: ownParent });
  }

  private defaultCgroupsPath(id: string): string {
    return `/${this.opts.cgroupParent ?? 'berth'}/${id}`;
  }

  private cgroupOf(rec: ContainerRecord): Cgroup {
    return this.opts.cgroups.open(rec.cgroupsPath);
  }

  private async status(rec: ContainerRecord): Promise<State['status']> {
    const start = await processStartTime(rec.pid);
    if (start === undefined || start !== rec.pidStartTime) return 'stopped';
    if (!rec.started) return 'created';
    if (await this.cgroupOf(rec).frozen()) return 'paused';
    return 'running';
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {}
}

/** After create, only the EXEC step can still fail: enough of a plan to name it. */
function execOnlyPlan(execStep: number): PlanOp[] {
  const plan: PlanOp[] = [];
  plan[execStep] = { op: 'exec', file: '', argv: [] };
  return plan;
}

function cgroupPlacement(cg: Cgroup): CgroupPlacement {
  return { procsFiles: cg.procsFiles, oomCounter: cg.oomCounter };
}

/** Reads and checks `<bundle>/config.json`; a one-shot command may pass a synchronous reader (no event loop to keep). */
export async function readSpec(
  bundle: string,
  read: (path: string) => string | Promise<string> = (path) => readFile(path, 'utf8'),
): Promise<Spec> {
  let text: string;
  try {
    text = await read(`${bundle}/config.json`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new InvalidParameter(`${bundle}/config.json: no such file or directory`);
    }
    throw e;
  }
  try {
    const spec = JSON.parse(text) as Spec;
    if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw new Error('not an object');
    return spec;
  } catch (e) {
    throw new InvalidParameter(`${bundle}/config.json: invalid JSON: ${(e as Error).message}`);
  }
}
