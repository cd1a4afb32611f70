// The networks: in memory after open, each written to `<root>/<id>.json` atomically before a change is visible.
// Owns the name index, so a name is never given to two networks.
import { mkdir, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode, InvalidParameter, NotFound } from '../../errdefs/index.js';
import { readJsonIfExists, writeJsonAtomic } from '../../lib/atomic-file.js';
import type { NetworkRecord } from './model.js';

const RECORD = /^([a-f0-9]{64})\.json$/;

export class NetworkStore {
  private readonly byId = new Map<string, NetworkRecord>();

  private constructor(readonly root: string) {}

  static async open(root: string): Promise<NetworkStore> {
    const store = new NetworkStore(root);
    await mkdir(root, { recursive: true, mode: 0o700 });
    for (const file of await readdir(root)) {
      const m = RECORD.exec(file);
      if (!m) continue;
      const rec = await readJsonIfExists<NetworkRecord>(join(root, file));
      if (rec && rec.id === m[1]) store.byId.set(rec.id, rec);
    }
    return store;
  }

  all(): NetworkRecord[] {
    return [...this.byId.values()];
  }

  byName(name: string): NetworkRecord | undefined {
    for (const n of this.byId.values()) if (n.name === name) return n;
    return undefined;
  }

  /** Writes a record (new or changed) durably, then makes it visible. */
  async save(rec: NetworkRecord): Promise<void> {
    await writeJsonAtomic(join(this.root, `${rec.id}.json`), rec, { mode: 0o600 });
    this.byId.set(rec.id, rec);
  }

  async delete(id: string): Promise<void> {
    try {
      await unlink(join(this.root, `${id}.json`));
    } catch (e) {
      if (errnoCode(e) !== 'ENOENT') throw e;
    }
    this.byId.delete(id);
  }

  /** moby's FindNetwork: full ID, then exact name, then a unique ID prefix. */
  get(term: string): NetworkRecord {
    const exact = this.byId.get(term);
    if (exact) return exact;
    const named = this.all().filter((n) => n.name === term);
    if (named.length > 1) {
      throw new InvalidParameter(`network ${term} is ambiguous (${named.length} matches found based on name)`);
    }
    if (named[0]) return named[0];
    if (term !== '') {
      const byPrefix = this.all().filter((n) => n.id.startsWith(term));
      if (byPrefix.length > 1) {
        throw new InvalidParameter(
          `network ${term} is ambiguous (${byPrefix.length} matches found based on ID prefix)`,
        );
      }
      if (byPrefix[0]) return byPrefix[0];
    }
    throw new NotFound(`network ${term} not found`);
  }
}
