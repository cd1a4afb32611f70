// The cgroup v2 manager: one directory in the unified hierarchy (runc's libcontainer/cgroups/fs2).
import { errnoCode, System } from '../../errdefs/index.js';
import type { CgroupFs } from '../../sys/index.js';
import type { LinuxResources } from '../spec.js';
import {
  checkCgroupsPath,
  joinPath,
  parseFlatKeyed,
  parsePids,
  pollUntil,
  readOptional,
  removeIfEmpty,
  removeCgroupDir,
  tryWrite,
  write,
} from './files.js';
import { applyV2 } from './resources-v2.js';
import { readV2Stats } from './stats.js';
import type { Cgroup, CgroupDriver, CgroupStats, V1Hierarchy } from './types.js';

const FREEZE_TIMEOUT_MS = 5000;

export class V2Driver implements CgroupDriver {
  readonly version = 2 as const;

  /** `rootControllers` is the root's cgroup.controllers; `own` is berth's own cgroup ("0::" in /proc/self/cgroup). */
  constructor(
    private readonly fs: CgroupFs,
    private readonly root: string,
    private readonly rootControllers: readonly string[],
    private readonly own = '/',
  ) {}

  hierarchies(): V1Hierarchy[] {
    return [];
  }

  open(cgroupsPath: string): Cgroup {
    checkCgroupsPath(cgroupsPath);
    const rel = cgroupsPath.startsWith('/') ? cgroupsPath : joinPath(this.own, cgroupsPath);
    return new V2Cgroup(this.fs, this.root, joinPath(this.root, rel), this.rootControllers.includes('memory'));
  }
}

export class V2Cgroup implements Cgroup {
  readonly version = 2 as const;
  readonly procsFiles: string[];
  readonly paths: Readonly<Record<string, string>>;
  readonly oomCounter: { path: string; key: string } | undefined;

  constructor(
    private readonly fs: CgroupFs,
    private readonly root: string,
    private readonly dir: string,
    hasMemory: boolean,
  ) {
    this.procsFiles = [`${dir}/cgroup.procs`];
    this.paths = { '': dir };
    this.oomCounter = hasMemory ? { path: `${dir}/memory.events`, key: 'oom_kill' } : undefined;
  }

  /**
   * mkdir each level below the root and, in every ancestor, enable all the controllers it has in
   * cgroup.subtree_control so the leaf gets their files (runc's CreateCgroupPath). Enabling can fail (e.g. a
   * populated ancestor); that is ignored here and surfaces as NotImplemented when apply() needs the file.
   */
  async create(): Promise<void> {
    const parts = this.dir
      .slice(this.root.length)
      .split('/')
      .filter((s) => s !== '');
    let current = this.root;
    for (let i = 0; i <= parts.length; i++) {
      if (i > 0) {
        current = `${current}/${parts[i - 1]}`;
        try {
          await this.fs.mkdir(current);
        } catch (e) {
          if (errnoCode(e) !== 'EEXIST')
            throw new System(`cgroup: mkdir ${current}: ${errnoCode(e) ?? String(e)}`, { cause: e });
        }
        const type = (await readOptional(this.fs, `${current}/cgroup.type`))?.trim();
        if (type === 'domain invalid')
          throw new System(`cgroup: cannot use ${current}: it is in an invalid state (domain invalid)`);
      }
      if (i < parts.length) await this.enableControllers(current);
    }
  }

  private async enableControllers(dir: string): Promise<void> {
    const available = ((await readOptional(this.fs, `${dir}/cgroup.controllers`)) ?? '').split(/\s+/).filter(Boolean);
    const enabled = ((await readOptional(this.fs, `${dir}/cgroup.subtree_control`)) ?? '').split(/\s+/);
    const missing = available.filter((c) => !enabled.includes(c));
    if (missing.length === 0) return;
    const file = `${dir}/cgroup.subtree_control`;
    if ((await tryWrite(this.fs, file, missing.map((c) => `+${c}`).join(' '))) === undefined) return;
    for (const c of missing) await tryWrite(this.fs, file, `+${c}`);
  }

  apply(r: LinuxResources): Promise<void> {
    return applyV2(this.fs, this.dir, r);
  }

  async controllers(): Promise<string[]> {
    return ((await readOptional(this.fs, `${this.dir}/cgroup.controllers`)) ?? '').split(/\s+/).filter(Boolean);
  }

  async pids(): Promise<number[]> {
    const text = await readOptional(this.fs, `${this.dir}/cgroup.procs`);
    return text === undefined ? [] : parsePids(text);
  }

  /** cgroup.freeze is a request; cgroup.events "frozen 1" says every task has stopped. */
  async freeze(): Promise<void> {
    await write(this.fs, `${this.dir}/cgroup.freeze`, '1');
    if (await pollUntil(() => this.frozen(), FREEZE_TIMEOUT_MS)) return;
    await tryWrite(this.fs, `${this.dir}/cgroup.freeze`, '0');
    throw new System(`cgroup: unable to freeze ${this.dir} within ${FREEZE_TIMEOUT_MS} ms`);
  }

  async thaw(): Promise<void> {
    await write(this.fs, `${this.dir}/cgroup.freeze`, '0');
    if (!(await pollUntil(async () => !(await this.frozen()), FREEZE_TIMEOUT_MS))) {
      throw new System(`cgroup: ${this.dir} still frozen ${FREEZE_TIMEOUT_MS} ms after thawing`);
    }
  }

  async frozen(): Promise<boolean> {
    const events = await readOptional(this.fs, `${this.dir}/cgroup.events`);
    return events !== undefined && parseFlatKeyed(events).frozen === 1;
  }

  stats(): Promise<CgroupStats> {
    return readV2Stats(this.fs, this.dir);
  }

  async destroy(opts: { parentIfEmpty?: boolean } = {}): Promise<void> {
    await removeCgroupDir(this.fs, this.dir);
    if (opts.parentIfEmpty) await removeIfEmpty(this.fs, this.dir.slice(0, this.dir.lastIndexOf('/')));
  }
}
