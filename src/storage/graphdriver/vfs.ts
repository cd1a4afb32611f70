// The vfs driver: every layer is a full copy of its parent (moby's vfs), so it works on any filesystem, at the cost
// of disk and create time. Layout: <root>/vfs/dir/<id> (the layer's tree), <root>/vfs/parent/<id> (the parent id).
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { Conflict, errnoCode, NotFound, NotImplemented, System } from '../../errdefs/index.js';
import type { LayerSource } from '../../archive/index.js';
import {
  applyOffThread,
  type Change,
  changesDirs,
  changesSize,
  type DiffStream,
  exportChanges,
  type RecordedApplyResult,
} from '../archive/index.js';
import { type ApplyDiffOptions, type GraphDriver, type ReadWriteOptions, validateLayerId } from './driver.js';

/** `cp -a --reflink=auto src/. dst`: modes, owners, times, xattrs, hard links, devices; cheap clones where the fs can. */
function copyTree(src: string, dst: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('/usr/bin/cp', ['-a', '--reflink=auto', `${src}/.`, dst], (err, _out, stderr) => {
      if (err) reject(new System(`copying layer ${src} to ${dst}: ${String(stderr).trim() || err.message}`));
      else resolve();
    });
  });
}

export class VfsDriver implements GraphDriver {
  readonly name = 'vfs' as const;
  readonly whiteoutMode = 'delete' as const;
  private readonly home: string;
  private readonly refs = new Map<string, number>();

  private constructor(root: string) {
    this.home = path.join(root, 'vfs');
  }

  static async init(root: string): Promise<VfsDriver> {
    const d = new VfsDriver(root);
    await mkdir(path.join(d.home, 'dir'), { recursive: true, mode: 0o700 });
    await mkdir(path.join(d.home, 'parent'), { recursive: true, mode: 0o700 });
    return d;
  }

  private dir(id: string): string {
    return path.join(this.home, 'dir', id);
  }

  private async parentOf(id: string): Promise<string | undefined> {
    try {
      return (await readFile(path.join(this.home, 'parent', id), 'utf8')).trim() || undefined;
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return undefined;
      throw e;
    }
  }

  private async mustExist(id: string): Promise<string> {
    validateLayerId(id);
    if (!(await this.exists(id))) throw new NotFound(`layer ${id} does not exist`);
    return this.dir(id);
  }

  async create(id: string, parent?: string): Promise<void> {
    validateLayerId(id);
    if (parent !== undefined) await this.mustExist(parent);
    const dir = this.dir(id);
    try {
      await mkdir(dir, { mode: 0o755 });
    } catch (e) {
      if (errnoCode(e) === 'EEXIST') throw new Conflict(`layer ${id} already exists`);
      throw e;
    }
    try {
      if (parent !== undefined) {
        await copyTree(this.dir(parent), dir);
        await writeFile(path.join(this.home, 'parent', id), parent);
      }
    } catch (e) {
      await rm(dir, { recursive: true, force: true });
      throw e;
    }
  }

  async createReadWrite(id: string, parent?: string, opts: ReadWriteOptions = {}): Promise<void> {
    // dockerd extracts a chowned copy of every layer per remapping; berth's remapped layers are overlay2's idmapped
    // views only.
    if (opts.idMapping) throw new NotImplemented('userns-remap needs the overlay2 storage driver');
    return this.create(id, parent);
  }

  async remove(id: string): Promise<void> {
    validateLayerId(id);
    if ((this.refs.get(id) ?? 0) > 0) throw new Conflict(`layer ${id} is in use`);
    await rm(this.dir(id), { recursive: true, force: true });
    await rm(path.join(this.home, 'parent', id), { force: true });
  }

  async get(id: string): Promise<string> {
    const dir = await this.mustExist(id);
    this.refs.set(id, (this.refs.get(id) ?? 0) + 1);
    return dir;
  }

  async put(id: string): Promise<void> {
    validateLayerId(id);
    const n = this.refs.get(id) ?? 0;
    if (n <= 1) this.refs.delete(id);
    else this.refs.set(id, n - 1);
  }

  async exists(id: string): Promise<boolean> {
    validateLayerId(id);
    try {
      return (await stat(this.dir(id))).isDirectory();
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return false;
      throw e;
    }
  }

  diffDir(id: string): Promise<string> {
    return this.mustExist(id);
  }

  async applyDiff(id: string, source: LayerSource, options: ApplyDiffOptions = {}): Promise<RecordedApplyResult> {
    return applyOffThread(await this.mustExist(id), source, { whiteoutMode: this.whiteoutMode, ...options });
  }

  async changes(id: string): Promise<Change[]> {
    const dir = await this.mustExist(id);
    const parent = await this.parentOf(id);
    return changesDirs(dir, parent === undefined ? undefined : this.dir(parent));
  }

  /** A vfs layer is a whole copy: what it weighs is what differs from its parent. */
  async diffSize(id: string): Promise<number> {
    return changesSize(await this.mustExist(id), await this.changes(id));
  }

  async diff(id: string, only?: readonly Change[]): Promise<DiffStream> {
    return exportChanges(await this.mustExist(id), only ?? (await this.changes(id)));
  }

  async status(): Promise<[string, string][]> {
    return [];
  }

  async cleanup(): Promise<void> {
    this.refs.clear();
  }
}
