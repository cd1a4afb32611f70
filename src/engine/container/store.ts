// The engine's containers: in memory after open, each written to `<root>/<id>/config.json` atomically before a
// change is visible. Owns the name index, so a name is never given to two containers.
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Conflict, InvalidParameter, NotFound, errnoCode } from '../../errdefs/index.js';
import { readJsonIfExists, writeJsonAtomic } from '../../lib/atomic-file.js';
import type { ContainerRecord } from './model.js';

const ID = /^[a-f0-9]{64}$/;
/** A removed container's directory, renamed aside until its files are deleted. */
const ASIDE = '.removed';

export class ContainerStore {
  private readonly byId = new Map<string, ContainerRecord>();
  private readonly byName = new Map<string, string>();
  /** Deletions of directories set aside, still running. */
  private readonly deleting = new Set<Promise<void>>();

  private constructor(readonly root: string) {}

  /** Loads every container record; directories without a readable record (a create cut short) are returned. */
  static async open(root: string): Promise<{ store: ContainerStore; incomplete: string[] }> {
    const store = new ContainerStore(root);
    await mkdir(root, { recursive: true, mode: 0o710 });
    const incomplete: string[] = [];
    for (const id of await readdir(root)) {
      if (id.endsWith(ASIDE)) {
        await rm(join(root, id), { recursive: true, force: true });
        continue;
      }
      if (!ID.test(id)) continue;
      const rec = await readJsonIfExists<ContainerRecord>(store.configPath(id)).catch(() => undefined);
      if (!rec || rec.id !== id) {
        incomplete.push(id);
        continue;
      }
      store.byId.set(id, rec);
      store.byName.set(rec.name, id);
    }
    return { store, incomplete };
  }

  dir(id: string): string {
    return join(this.root, id);
  }

  configPath(id: string): string {
    return join(this.root, id, 'config.json');
  }

  all(): ContainerRecord[] {
    return [...this.byId.values()];
  }

  /** Reserves a name for an id (Docker's "Conflict. The container name … is already in use"). */
  reserveName(name: string, id: string): void {
    const owner = this.byName.get(name);
    if (owner !== undefined && owner !== id) {
      throw new Conflict(
        `Conflict. The container name "/${name}" is already in use by container "${owner}". You have to remove (or rename) that container to be able to reuse that name.`,
      );
    }
    this.byName.set(name, id);
  }

  releaseName(name: string, id: string): void {
    if (this.byName.get(name) === id) this.byName.delete(name);
  }

  hasName(name: string): boolean {
    return this.byName.has(name);
  }

  /** Writes a record (new or changed) durably, then makes it visible. */
  async save(rec: ContainerRecord): Promise<void> {
    await this.write(rec);
    this.show(rec);
  }

  /** save() without making the record visible: a create writes it beside its layer, then shows it. */
  async write(rec: ContainerRecord): Promise<void> {
    await mkdir(this.dir(rec.id), { recursive: true, mode: 0o710 });
    await writeJsonAtomic(this.configPath(rec.id), rec);
  }

  show(rec: ContainerRecord): void {
    this.byId.set(rec.id, rec);
  }

  /**
   * Forgets a container. Its directory is renamed aside at once (what a restart finds from then on: open() deletes
   * it) and its files are deleted in the background: `docker rm` and `run --rm` need not wait for that.
   */
  async delete(id: string): Promise<void> {
    const rec = this.byId.get(id);
    this.byId.delete(id);
    if (rec) this.releaseName(rec.name, id);
    const aside = `${this.dir(id)}${ASIDE}`;
    try {
      await rename(this.dir(id), aside);
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return;
      throw e;
    }
    const deleting = rm(aside, { recursive: true, force: true })
      .catch(() => {}) // what is left is deleted by the next open()
      .finally(() => this.deleting.delete(deleting));
    this.deleting.add(deleting);
  }

  /** Resolves when the background deletions started so far have ended (daemon shutdown, tests). */
  async settled(): Promise<void> {
    await Promise.all(this.deleting);
  }

  /** Docker's lookup: full ID, then exact name, then a unique ID prefix. */
  get(ref: string): ContainerRecord {
    if (ref === '') throw new NotFound('No such container: ');
    const exact = this.byId.get(ref);
    if (exact) return exact;
    const name = ref.startsWith('/') ? ref.slice(1) : ref;
    const named = this.byName.get(name);
    if (named) {
      const rec = this.byId.get(named);
      if (rec) return rec;
    }
    if (/^[a-f0-9]+$/.test(ref)) {
      const matches = [...this.byId.keys()].filter((id) => id.startsWith(ref));
      if (matches.length > 1) throw new InvalidParameter(`multiple IDs found with provided prefix: ${ref}`);
      const only = matches[0];
      if (only !== undefined) return this.byId.get(only) as ContainerRecord;
    }
    throw new NotFound(`No such container: ${ref}`);
  }

  find(ref: string): ContainerRecord | undefined {
    try {
      return this.get(ref);
    } catch {
      return undefined;
    }
  }
}
