// Exec: runs extra processes in a running container (`docker exec`) through the runtime's exec, with the container's
// environment, user and capabilities unless the exec overrides them. Exec records live in memory, as in dockerd.
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { type ExecCreateRequest, type ExecInspect, encodeFrame } from '../../api/index.js';
import { Conflict, InvalidParameter, NotFound, System } from '../../errdefs/index.js';
import { InitStepError } from '../../runtime/errors.js';
import { type ContainerRuntime, type ExecHandle, FrameKind, frameReader } from '../../runtime/container-runtime.js';
import { parseDetachKeys, pipeAttach } from '../container/attach.js';
import type { ContainerRecord } from '../container/model.js';
import type { ContainerStore } from '../container/store.js';
import type { EventBus } from '../events.js';
import { containerCapabilities } from '../spec/capabilities.js';
import { containerEnv } from '../spec/oci.js';
import { resolveUser } from '../spec/user.js';

interface ExecRecord {
  id: string;
  containerId: string;
  config: ExecCreateRequest;
  running: boolean;
  exitCode: number | null;
  pid: number;
  started: boolean;
  handle?: ExecHandle;
}

export interface ExecDeps {
  store: ContainerStore;
  runtime: ContainerRuntime;
  events: EventBus;
  /** The mounted root of a running container (for user lookup). */
  rootfs(containerId: string): string | undefined;
}

export class ExecService {
  private readonly execs = new Map<string, ExecRecord>();

  constructor(private readonly deps: ExecDeps) {}

  create(ref: string, req: ExecCreateRequest): { Id: string } {
    const c = this.deps.store.get(ref);
    if (c.state.status === 'paused')
      throw new Conflict(`Container ${c.id} is paused, unpause the container before exec`);
    if (c.state.status !== 'running') throw new Conflict(`Container ${c.id} is not running`);
    if (!req.Cmd || req.Cmd.length === 0) throw new InvalidParameter('No exec command specified');
    const id = randomBytes(32).toString('hex');
    this.execs.set(id, { id, containerId: c.id, config: req, running: false, exitCode: null, pid: 0, started: false });
    this.deps.events.publish('container', `exec_create: ${req.Cmd.join(' ')}`, c.id, { execID: id, ...this.attrs(c) });
    return { Id: id };
  }

  check(id: string): { tty: boolean } {
    const x = this.get(id);
    if (x.started) throw new Conflict(`Error: Exec command ${id} has already run`);
    return { tty: x.config.Tty === true };
  }

  idsOf(containerId: string): string[] {
    return [...this.execs.values()].filter((e) => e.containerId === containerId).map((e) => e.id);
  }

  inspect(id: string): ExecInspect {
    const x = this.get(id);
    const cmd = x.config.Cmd ?? [];
    return {
      CanRemove: false,
      ContainerID: x.containerId,
      DetachKeys: x.config.DetachKeys ?? '',
      ExitCode: x.exitCode,
      ID: x.id,
      OpenStderr: x.config.AttachStderr === true,
      OpenStdin: x.config.AttachStdin === true,
      OpenStdout: x.config.AttachStdout === true,
      ProcessConfig: {
        arguments: cmd.slice(1),
        entrypoint: cmd[0] ?? '',
        privileged: x.config.Privileged === true,
        tty: x.config.Tty === true,
        user: x.config.User || undefined,
      },
      Running: x.running,
      Pid: x.pid,
    };
  }

  /**
   * Starts an exec. With a client connection its stdio is attached first; resolves when the process has exited
   * (attached) or once it runs (detached).
   */
  async start(id: string, client: Duplex | undefined, opts: { tty?: boolean } = {}): Promise<void> {
    const x = this.get(id);
    if (x.started) throw new Conflict(`Error: Exec command ${id} has already run`);
    const c = this.deps.store.get(x.containerId);
    if (c.state.status !== 'running') throw new Conflict(`Container ${c.id} is not running`);
    x.started = true;
    const tty = opts.tty ?? x.config.Tty === true;
    let handle: ExecHandle;
    try {
      handle = await this.launch(c, x, tty);
    } catch (e) {
      // A missing or non-executable command fails here already (the path is resolved before the start gate).
      x.exitCode = e instanceof InitStepError ? (e.execExitCode ?? 126) : 126;
      if (e instanceof InitStepError && e.execExitCode !== undefined) {
        throw new System(
          `OCI runtime exec failed: exec failed: unable to start container process: ${e.message}: unknown`,
        );
      }
      throw e;
    }
    x.handle = handle;
    x.pid = handle.pid;
    x.running = true;
    // The client reads ExitCode from /exec/{id}/json once its stream ends: end it only after the exit is recorded.
    // Pending from the start: a runtime may answer the start after a quick exec's output has already ended (runc's
    // launcher exits after its process), and the stream must still wait for the exit code.
    let recordExit = () => {};
    const exitRecorded = new Promise<void>((resolve) => {
      recordExit = resolve;
    });
    // The shim replays nothing: the attach must be registered (its "ok" received) before start, or the first output
    // can be lost — a quick `exec … cat f` then printed nothing now and then.
    let shimStream: Duplex | undefined;
    if (client) {
      try {
        shimStream = await this.deps.runtime.attachExec(handle);
      } catch (e) {
        x.running = false;
        x.exitCode = 126;
        try {
          process.kill(handle.pid, 'SIGKILL'); // parked at the start gate: it must not linger
        } catch {}
        await this.deps.runtime.cleanupExec(handle).catch(() => {});
        throw e;
      }
    }
    const attached =
      client && shimStream
        ? pipeAttach(shimStream, client, {
            stdin: x.config.AttachStdin === true,
            stdout: x.config.AttachStdout !== false,
            stderr: x.config.AttachStderr !== false,
            tty,
            stdinOnce: true,
            detachKeys: parseDetachKeys(x.config.DetachKeys),
            beforeEnd: () => exitRecorded,
          })
        : undefined;
    try {
      await this.deps.runtime.startExec(handle);
    } catch (e) {
      x.running = false;
      const err = e as InitStepError;
      x.exitCode = err.errno === 2 ? 127 : 126;
      recordExit();
      if (client && !client.destroyed) {
        const msg = `OCI runtime exec failed: exec failed: unable to start container process: ${err.message}: unknown\r\n`;
        client.end(tty ? msg : encodeFrame(1, msg));
      }
      await this.deps.runtime.cleanupExec(handle).catch(() => {});
      return;
    }
    this.deps.events.publish('container', `exec_start: ${(x.config.Cmd ?? []).join(' ')}`, c.id, {
      execID: id,
      ...this.attrs(c),
    });
    const finished = this.deps.runtime.waitExec(handle).then(async (status) => {
      x.running = false;
      x.exitCode = status?.exitCode ?? 126;
      await this.deps.runtime.cleanupExec(handle).catch(() => {});
      this.deps.events.publish('container', 'exec_die', c.id, {
        execID: id,
        exitCode: String(x.exitCode),
        ...this.attrs(c),
      });
    });
    void finished.then(recordExit);
    if (attached) {
      await attached;
      await finished;
    }
  }

  /**
   * Runs a command in a running container and collects its output (the first `maxOutput` bytes): health checks.
   * A command still running after `timeoutMs` is killed; its exit code is then -1.
   */
  async runCaptured(
    containerId: string,
    cmd: string[],
    timeoutMs: number,
    maxOutput = 4096,
  ): Promise<{ exitCode: number; output: string; timedOut: boolean }> {
    const c = this.deps.store.get(containerId);
    // A health probe is an exec to dockerd too, events included (exec_create/exec_start/exec_die every interval).
    const id = randomBytes(32).toString('hex');
    const attrs = { execID: id, ...this.attrs(c) };
    this.deps.events.publish('container', `exec_create: ${cmd.join(' ')}`, c.id, attrs);
    const x: ExecRecord = {
      id,
      containerId: c.id,
      config: { Cmd: cmd },
      running: false,
      exitCode: null,
      pid: 0,
      started: true,
    };
    const handle = await this.launch(c, x, false);
    const chunks: Buffer[] = [];
    let size = 0;
    const shim = await this.deps.runtime.attachExec(handle);
    shim.on(
      'data',
      frameReader((kind, payload) => {
        if ((kind === FrameKind.Stdout || kind === FrameKind.Stderr) && size < maxOutput) {
          chunks.push(payload.subarray(0, maxOutput - size));
          size += Math.min(payload.length, maxOutput - size);
        }
      }),
    );
    shim.on('error', () => {});
    shim.resume();
    let timedOut = false;
    try {
      await this.deps.runtime.startExec(handle);
    } catch (e) {
      shim.destroy();
      await this.deps.runtime.cleanupExec(handle).catch(() => {});
      const err = e as InitStepError;
      return { exitCode: err.errno === 2 ? 127 : 126, output: err.message, timedOut: false };
    }
    this.deps.events.publish('container', `exec_start: ${cmd.join(' ')}`, c.id, attrs);
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(handle.pid, 'SIGKILL');
      } catch {}
    }, timeoutMs);
    const status = await this.deps.runtime.waitExec(handle).finally(() => clearTimeout(timer));
    await new Promise<void>((r) => (shim.destroyed ? r() : shim.once('close', () => r())));
    await this.deps.runtime.cleanupExec(handle).catch(() => {});
    this.deps.events.publish('container', 'exec_die', c.id, { ...attrs, exitCode: String(status?.exitCode ?? -1) });
    return {
      exitCode: timedOut ? -1 : (status?.exitCode ?? -1),
      output: Buffer.concat(chunks).toString('utf8'),
      timedOut,
    };
  }

  async resize(id: string, height: number, width: number): Promise<void> {
    const x = this.get(id);
    if (!x.handle || !x.running) throw new Conflict(`Exec ${id} is not running`);
    await this.deps.runtime.resizeExec(x.handle, height, width);
  }

  /** Drops the records of a container's execs (at removal). */
  forget(containerId: string): void {
    for (const [id, x] of this.execs) if (x.containerId === containerId) this.execs.delete(id);
  }

  private async launch(c: ContainerRecord, x: ExecRecord, tty: boolean): Promise<ExecHandle> {
    const rootfs = this.deps.rootfs(c.id);
    const user = await resolveUser(
      rootfs ?? '/nonexistent',
      x.config.User || c.config.User || '',
      c.hostConfig.GroupAdd ?? [],
    );
    const caps = containerCapabilities(
      c.hostConfig.CapAdd ?? [],
      c.hostConfig.CapDrop ?? [],
      c.hostConfig.Privileged === true || x.config.Privileged === true,
    );
    const env = [
      ...containerEnv({ ...c.config, Tty: tty }, c.config.Hostname || c.id.slice(0, 12)),
      ...(x.config.Env ?? []),
    ];
    return this.deps.runtime.exec(
      c.id,
      {
        args: x.config.Cmd ?? [],
        env: env.some((e) => e.startsWith('HOME=')) ? env : [...env, `HOME=${user.home}`],
        cwd: x.config.WorkingDir || c.config.WorkingDir || '/',
        user: { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids },
        terminal: tty,
        consoleSize: x.config.ConsoleSize
          ? { height: x.config.ConsoleSize[0], width: x.config.ConsoleSize[1] }
          : undefined,
        capabilities: { bounding: caps, effective: caps, permitted: caps },
        noNewPrivileges: false,
      },
      { stdio: { openStdin: x.config.AttachStdin === true } },
    );
  }

  private get(id: string): ExecRecord {
    const x = this.execs.get(id);
    if (!x) throw new NotFound(`No such exec instance: ${id}`);
    return x;
  }

  private attrs(c: ContainerRecord): Record<string, string> {
    return { image: c.imageRef, name: c.name };
  }
}
