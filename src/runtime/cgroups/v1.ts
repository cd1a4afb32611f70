// The cgroup v1 manager: one directory per mounted hierarchy (runc's libcontainer/cgroups/fs, non-systemd).
import { errnoCode, NotImplemented, System } from '../../errdefs/index.js';
import type { CgroupFs } from '../../sys/index.js';
import type { LinuxResources } from '../spec.js';
import {
  checkCgroupsPath,
  joinPath,
  parsePids,
  readOptional,
  removeCgroupDir,
  removeIfEmpty,
  sleep,
  tryWrite,
  write,
} from './files.js';
import type { V1Mount } from './mountinfo.js';
import { applyV1 } from './resources-v1.js';
import { readV1Stats } from './stats.js';
import type { Cgroup, CgroupDriver, CgroupStats, V1Hierarchy } from './types.js';

interface Placed {
  mountpoint: string;
  subsystems: string[];
  dir: string;
}

const FREEZE_TIMEOUT_MS = 5000;

interface CpusetValues {
  cpus: string;
  mems: string;
}

export class V1Driver implements CgroupDriver {
  readonly version = 1 as const;

  /** `own` maps a subsystem to berth's own cgroup in that hierarchy (from /proc/self/cgroup). */
  constructor(
    private readonly fs: CgroupFs,
    private readonly mounts: readonly V1Mount[],
    private readonly own: ReadonlyMap<string, string> = new Map(),
  ) {}

  /** cpuset parents already made usable, with their cpus/mems: later containers under them skip the walk. */
  private readonly cpusetParents = new Map<string, CpusetValues>();

  hierarchies(): V1Hierarchy[] {
    return this.mounts.map((m) => ({ mountpoint: m.mountpoint, subsystems: [...m.subsystems] }));
  }

  open(cgroupsPath: string): Cgroup {
    checkCgroupsPath(cgroupsPath);
    const placed = this.mounts.map((m) => ({
      mountpoint: m.mountpoint,
      subsystems: [...m.subsystems],
      dir: joinPath(m.mountpoint, cgroupsPath.startsWith('/') ? '' : this.ownWithin(m), cgroupsPath),
    }));
    return new V1Cgroup(this.fs, placed, this.cpusetParents);
  }

  /** berth's own cgroup in hierarchy `m`, relative to what is mounted there. */
  private ownWithin(m: V1Mount): string {
    const own = this.own.get(m.subsystems[0] ?? '') ?? '/';
    if (m.root === '/') return own;
    return own === m.root || own.startsWith(`${m.root}/`) ? own.slice(m.root.length) : '/';
  }
}

export class V1Cgroup implements Cgroup {
  readonly version = 1 as const;
  readonly procsFiles: string[];
  readonly paths: Readonly<Record<string, string>>;
  readonly oomCounter: { path: string; key: string } | undefined;

  constructor(
    private readonly fs: CgroupFs,
    private readonly placed: readonly Placed[],
    private readonly cpusetParents: Map<string, CpusetValues> = new Map(),
  ) {
    this.procsFiles = placed.map((p) => `${p.dir}/cgroup.procs`);
    this.paths = Object.fromEntries(placed.flatMap((p) => p.subsystems.map((s) => [s, p.dir])));
    const memory = this.paths.memory;
    this.oomCounter = memory === undefined ? undefined : { path: `${memory}/memory.oom_control`, key: 'oom_kill' };
  }

  async create(): Promise<void> {
    // Hierarchies are independent: create them concurrently (container start waits on this).
    await Promise.all(
      this.placed.map((p) =>
        p.subsystems.includes('cpuset') ? this.createCpuset(p.mountpoint, p.dir) : this.fs.mkdir(p.dir, true),
      ),
    );
  }

  /**
   * A new cpuset cgroup starts with empty cpus and mems, and a process cannot join it (ENOSPC) until both are set:
   * create each level and copy the parent's values down, as runc's cpusetEnsureParent does.
   */
  private async createCpuset(mountpoint: string, dir: string): Promise<void> {
    // Fast path (container start waits on this): a new leaf under a parent prepared before gets the parent's values.
    const parentDir = dir.slice(0, dir.lastIndexOf('/'));
    const known = this.cpusetParents.get(parentDir);
    if (known && (await this.tryCreateLeaf(dir, known))) return;
    this.cpusetParents.delete(parentDir);
    await this.walkCpuset(mountpoint, dir);
    const cpus = (await readOptional(this.fs, `${parentDir}/cpuset.cpus`))?.trim();
    const mems = (await readOptional(this.fs, `${parentDir}/cpuset.mems`))?.trim();
    if (cpus && mems) this.cpusetParents.set(parentDir, { cpus, mems });
  }

  /** mkdir + copy the known parent values; false (nothing assumed) if the leaf existed or a write failed. */
  private async tryCreateLeaf(dir: string, values: CpusetValues): Promise<boolean> {
    try {
      await this.fs.mkdir(dir);
    } catch {
      return false;
    }
    const codes = await Promise.all([
      tryWrite(this.fs, `${dir}/cpuset.cpus`, values.cpus),
      tryWrite(this.fs, `${dir}/cpuset.mems`, values.mems),
    ]);
    return codes.every((c) => c === undefined);
  }

  private async walkCpuset(mountpoint: string, dir: string): Promise<void> {
    let parent = mountpoint;
    for (const part of dir
      .slice(mountpoint.length)
      .split('/')
      .filter((s) => s !== '')) {
      const current = `${parent}/${part}`;
      try {
        await this.fs.mkdir(current);
      } catch (e) {
        if (errnoCode(e) !== 'EEXIST')
          throw new System(`cgroup: mkdir ${current}: ${errnoCode(e) ?? String(e)}`, { cause: e });
      }
      const from = parent;
      // cpus and mems are independent: fill both at once (container start waits on this walk).
      await Promise.all(
        ['cpuset.cpus', 'cpuset.mems'].map(async (file) => {
          const mine = await readOptional(this.fs, `${current}/${file}`);
          if (mine === undefined || mine.trim() !== '') return;
          const inherited = (await readOptional(this.fs, `${from}/${file}`))?.trim();
          if (inherited) await write(this.fs, `${current}/${file}`, inherited);
        }),
      );
      parent = current;
    }
  }

  apply(r: LinuxResources): Promise<void> {
    return applyV1(this.fs, this.paths, r);
  }

  async controllers(): Promise<string[]> {
    return this.placed.flatMap((p) => p.subsystems).filter((s) => !s.startsWith('name='));
  }

  async pids(): Promise<number[]> {
    const p = this.paths;
    const dir = p.pids ?? p.freezer ?? p.memory ?? this.placed[0]?.dir;
    const text = dir === undefined ? undefined : await readOptional(this.fs, `${dir}/cgroup.procs`);
    return text === undefined ? [] : parsePids(text);
  }

  private freezerDir(): string {
    const dir = this.paths.freezer;
    if (dir === undefined) throw new NotImplemented('cgroup: cannot pause: the freezer cgroup is not mounted');
    return dir;
  }

  /**
   * v1 can stay in FREEZING while processes keep forking or joining; like runc, rewrite FROZEN until the state
   * settles, thawing briefly now and then, and give up (thawed) after a deadline.
   */
  async freeze(): Promise<void> {
    const state = `${this.freezerDir()}/freezer.state`;
    const deadline = Date.now() + FREEZE_TIMEOUT_MS;
    for (let i = 0; Date.now() < deadline; i++) {
      if (i % 50 === 49) {
        await tryWrite(this.fs, state, 'THAWED');
        await sleep(10);
      }
      await write(this.fs, state, 'FROZEN');
      const now = (await this.fs.readFile(state)).trim();
      if (now === 'FROZEN') return;
      if (now !== 'FREEZING') throw new System(`cgroup: unexpected freezer state ${now} after writing FROZEN`);
      await sleep(1);
    }
    await tryWrite(this.fs, state, 'THAWED');
    throw new System(`cgroup: unable to freeze ${this.freezerDir()} within ${FREEZE_TIMEOUT_MS} ms`);
  }

  async thaw(): Promise<void> {
    await write(this.fs, `${this.freezerDir()}/freezer.state`, 'THAWED');
  }

  async frozen(): Promise<boolean> {
    const dir = this.paths.freezer;
    if (dir === undefined) return false;
    return (await readOptional(this.fs, `${dir}/freezer.state`))?.trim() === 'FROZEN';
  }

  stats(): Promise<CgroupStats> {
    return readV1Stats(this.fs, this.paths);
  }

  async destroy(opts: { parentIfEmpty?: boolean } = {}): Promise<void> {
    await Promise.all(
      [...new Set(this.placed.map((p) => p.dir))].map(async (dir) => {
        await removeCgroupDir(this.fs, dir);
        if (opts.parentIfEmpty) await removeIfEmpty(this.fs, dir.slice(0, dir.lastIndexOf('/')));
      }),
    );
  }
}
