// One directory per container under the runtime's root: state.json (this module owns it), the shim's socket and the
// exit file the shim writes.
import { mkdir, readdir, rm, rmdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Conflict, InvalidParameter } from '../errdefs/index.js';
import { isTmpfs, readJsonIfExists, writeFileAtomicTmpfs, writeJsonAtomic } from '../lib/atomic-file.js';
import { noSuchContainer } from './errors.js';
import type { LinuxSeccomp } from './spec.js';

export interface ContainerRecord {
  ociVersion: string;
  id: string;
  bundle: string;
  rootfs: string;
  pid: number;
  /** /proc/<pid>/stat start time, so a recycled pid is never mistaken for the container. */
  pidStartTime: string;
  shimPid: number;
  cgroupsPath: string;
  created: string;
  started: boolean;
  annotations: Record<string, string>;
  /** Namespace types the container got (for exec). */
  namespaces: string[];
  /** The container's seccomp filter, which its exec'd processes get too (as with runc). */
  seccomp?: LinuxSeccomp;
}

const ID_FORMAT = /^[\w+.-]+$/;

export class StateStore {
  constructor(readonly root: string) {}

  /**
   * Records this process wrote or read, so a daemon's start/wait/delete/exec skip re-reading state.json (each read is
   * on a container-start path). One runtime process owns a root, as with runc, so the cache cannot go stale.
   */
  private readonly cache = new Map<string, ContainerRecord>();
  /** The root exists (claim's `mkdir -p` is then one call, not two). */
  private rootMade = false;

  dir(id: string): string {
    return join(this.root, id);
  }
  socketPath(id: string): string {
    return join(this.root, id, 'shim.sock');
  }
  exitFile(id: string): string {
    return join(this.root, id, 'exit.json');
  }

  static validateId(id: string): void {
    if (!ID_FORMAT.test(id) || id === '.' || id === '..') throw new InvalidParameter(`invalid id format: ${id}`);
  }

  /** Claims the directory for a new container; Conflict if the id is taken. */
  async claim(id: string, retried = false): Promise<void> {
    StateStore.validateId(id);
    if (!this.rootMade) await mkdir(this.root, { recursive: true, mode: 0o711 });
    this.rootMade = true;
    try {
      await mkdir(this.dir(id), { mode: 0o711 });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw new Conflict(`container with id exists: ${id}`);
      if (code !== 'ENOENT' || retried) throw e;
      this.rootMade = false; // removed behind our back: make it again
      return this.claim(id, true);
    }
  }

  /** Whether state files need an fsync: not on tmpfs (the usual /run), decided once. */
  private durable: Promise<boolean> | undefined;

  async write(rec: ContainerRecord): Promise<void> {
    this.durable ??= isTmpfs(this.root).then((tmpfs) => !tmpfs);
    const path = join(this.dir(rec.id), 'state.json');
    if (await this.durable) await writeJsonAtomic(path, rec);
    else writeFileAtomicTmpfs(path, JSON.stringify(rec));
    this.cache.set(rec.id, rec);
  }

  /**
   * A record written before the container exists, with direct syscalls and no fsync whatever the root: it only has to
   * outlive its writer's crash (the page cache does), and it is on every create's path.
   */
  writeProvisional(rec: ContainerRecord): void {
    writeFileAtomicTmpfs(join(this.dir(rec.id), 'state.json'), JSON.stringify(rec));
  }

  async read(id: string): Promise<ContainerRecord> {
    StateStore.validateId(id);
    const cached = this.cache.get(id);
    if (cached) return cached;
    const rec = await readJsonIfExists<ContainerRecord>(join(this.dir(id), 'state.json'));
    if (!rec) throw noSuchContainer(id);
    this.cache.set(id, rec);
    return rec;
  }

  async remove(id: string): Promise<void> {
    this.cache.delete(id);
    // The files this module knows of, then the directory: a handful of calls where a recursive rm walks and stats
    // (it showed in every one-shot `run`). Anything else left there falls back to the recursive rm.
    const known = [join(this.dir(id), 'state.json'), this.exitFile(id), this.socketPath(id)];
    await Promise.all(known.map((f) => unlink(f).catch(() => {})));
    try {
      await rmdir(this.dir(id));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') await rm(this.dir(id), { recursive: true, force: true });
    }
  }

  async ids(): Promise<string[]> {
    try {
      return (await readdir(this.root, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  }
}
