// The daemon's runtimes by name (berth's own and the configured commands), seen by the engine as one
// ContainerRuntime: each call goes to the runtime that runs that container. A container's runtime is the name it
// was created with (HostConfig.Runtime, remembered by its record); one the records do not know (a leftover found
// at start) belongs to whichever runtime lists it. A container whose runtime is no longer configured is refused
// with Unavailable, never handed to another runtime (which would call it gone while its processes run).
import type { Duplex } from 'node:stream';
import { InvalidParameter, Unavailable } from '../errdefs/index.js';
import type { CgroupStats } from '../runtime/cgroups/index.js';
import type {
  ContainerCreateOptions,
  ContainerRuntime,
  CreatedContainer,
  ExecCreateOptions,
  ExecHandle,
  ExitStatus,
} from '../runtime/container-runtime.js';
import type { LinuxResources, Process, State } from '../runtime/spec.js';

export class RuntimeSet implements ContainerRuntime {
  /** Containers whose runtime is not the default, as created or found. */
  private readonly byId = new Map<string, ContainerRuntime>();
  private readonly execs = new WeakMap<ExecHandle, ContainerRuntime>();
  private readonly fallback: ContainerRuntime;

  constructor(
    private readonly runtimes: ReadonlyMap<string, ContainerRuntime>,
    readonly defaultName: string,
    /** The runtime name a container's record holds, if any. */
    private readonly nameOf: (id: string) => string | undefined,
  ) {
    const d = runtimes.get(defaultName);
    if (!d) throw new InvalidParameter(`specified default runtime '${defaultName}' does not exist`);
    this.fallback = d;
  }

  /** The configured names, berth's own first (for `docker info`). */
  get names(): string[] {
    return [...this.runtimes.keys()];
  }

  /** The runtime a new container gets: the one asked for, else the default; an unknown name is refused. */
  resolve(requested: string | undefined): string {
    if (!requested) return this.defaultName;
    if (!this.runtimes.has(requested)) throw new InvalidParameter(`unknown or invalid runtime name: ${requested}`);
    return requested;
  }

  private of(id: string): ContainerRuntime {
    const known = this.byId.get(id);
    if (known) return known;
    const name = this.nameOf(id);
    if (!name) return this.fallback;
    return this.runtimes.get(name) ?? unconfigured(name, id);
  }

  get cgroupVersion(): 1 | 2 {
    return this.fallback.cgroupVersion;
  }

  create(id: string, bundle: string, opts?: ContainerCreateOptions): Promise<CreatedContainer> {
    const name = opts?.runtime;
    const rt = name ? this.runtimes.get(name) : this.fallback;
    if (!rt) return Promise.reject(new InvalidParameter(`unknown or invalid runtime name: ${name}`));
    if (rt !== this.fallback) this.byId.set(id, rt);
    return rt.create(id, bundle, opts);
  }

  start(id: string): Promise<void> {
    return this.of(id).start(id);
  }
  state(id: string): Promise<State> {
    return this.of(id).state(id);
  }

  /** Every runtime's containers; those of a runtime other than the default are remembered as its. */
  async ids(): Promise<string[]> {
    const out: string[] = [];
    for (const rt of this.runtimes.values()) {
      for (const id of await rt.ids()) {
        if (rt !== this.fallback && !this.byId.has(id)) this.byId.set(id, rt);
        out.push(id);
      }
    }
    return out;
  }

  async list(): Promise<State[]> {
    return (await Promise.all([...this.runtimes.values()].map((rt) => rt.list()))).flat();
  }

  kill(id: string, signal?: string | number, all?: boolean): Promise<void> {
    return this.of(id).kill(id, signal, all);
  }
  wait(id: string): Promise<ExitStatus | undefined> {
    return this.of(id).wait(id);
  }
  delete(id: string, force?: boolean): Promise<void> {
    const rt = this.of(id);
    if (rt === this.fallback) return rt.delete(id, force);
    return rt.delete(id, force).finally(() => this.byId.delete(id));
  }
  pause(id: string): Promise<void> {
    return this.of(id).pause(id);
  }
  resume(id: string): Promise<void> {
    return this.of(id).resume(id);
  }
  update(id: string, resources: LinuxResources): Promise<void> {
    return this.of(id).update(id, resources);
  }
  ps(id: string): Promise<number[]> {
    return this.of(id).ps(id);
  }
  stats(id: string): Promise<CgroupStats> {
    return this.of(id).stats(id);
  }
  attach(id: string): Promise<Duplex> {
    return this.of(id).attach(id);
  }
  resize(id: string, rows: number, cols: number): Promise<void> {
    return this.of(id).resize(id, rows, cols);
  }
  closeStdin(id: string): Promise<void> {
    return this.of(id).closeStdin(id);
  }

  async exec(id: string, proc: Process, opts?: ExecCreateOptions): Promise<ExecHandle> {
    const rt = this.of(id);
    const x = await rt.exec(id, proc, opts);
    this.execs.set(x, rt);
    return x;
  }
  private ofExec(x: ExecHandle): ContainerRuntime {
    return this.execs.get(x) ?? this.fallback;
  }
  startExec(x: ExecHandle): Promise<void> {
    return this.ofExec(x).startExec(x);
  }
  waitExec(x: ExecHandle): Promise<ExitStatus | undefined> {
    return this.ofExec(x).waitExec(x);
  }
  attachExec(x: ExecHandle): Promise<Duplex> {
    return this.ofExec(x).attachExec(x);
  }
  resizeExec(x: ExecHandle, rows: number, cols: number): Promise<void> {
    return this.ofExec(x).resizeExec(x, rows, cols);
  }
  cleanupExec(x: ExecHandle): Promise<void> {
    return this.ofExec(x).cleanupExec(x);
  }

  close(): void {
    for (const rt of this.runtimes.values()) rt.close();
  }
}

/** A stand-in for a runtime no longer configured: every call is refused, as a rejection (callers chain on them). */
function unconfigured(name: string, id: string): ContainerRuntime {
  const refusal = () =>
    Promise.reject(
      new Unavailable(`container ${id} runs under runtime "${name}", which this daemon does not have configured`),
    );
  return new Proxy({} as ContainerRuntime, { get: (_target, key) => (key === 'cgroupVersion' ? 1 : refusal) });
}
