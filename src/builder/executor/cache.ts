// The build cache: a step's key (its parent image, its instruction after substitution, the build args it sees and,
// for COPY/ADD, its sources' checksum) → the image it made. Kept in one JSON file, written once per build, so it
// survives daemon restarts; an entry whose image is gone is a miss.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { readJsonIfExists, writeJsonAtomic } from '../../lib/atomic-file.js';
import { sha256 } from '../../lib/digest.js';

interface CacheFile {
  version: 1;
  entries: Record<string, string>;
}

export class BuildCache {
  private dirty = false;
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private readonly entries: Map<string, string>,
  ) {}

  static async open(file: string): Promise<BuildCache> {
    const data = await readJsonIfExists<CacheFile>(file).catch(() => undefined);
    const entries = data?.version === 1 && data.entries ? Object.entries(data.entries) : [];
    return new BuildCache(file, new Map(entries.filter(([, v]) => typeof v === 'string')));
  }

  get(key: string): string | undefined {
    return this.entries.get(key);
  }

  set(key: string, imageId: string): void {
    this.entries.set(key, imageId);
    this.dirty = true;
  }

  /** Forgets every entry for which `drop` says so; returns the image IDs forgotten. */
  forget(drop: (imageId: string) => boolean): string[] {
    const out: string[] = [];
    for (const [k, v] of this.entries) {
      if (drop(v)) {
        this.entries.delete(k);
        out.push(v);
      }
    }
    if (out.length > 0) this.dirty = true;
    return out;
  }

  /** Writes the entries if they changed (one atomic write, in turn with any other). */
  flush(): Promise<void> {
    if (!this.dirty) return this.writing;
    this.dirty = false;
    const snapshot: CacheFile = { version: 1, entries: Object.fromEntries(this.entries) };
    this.writing = this.writing.then(async () => {
      await mkdir(dirname(this.file), { recursive: true });
      await writeJsonAtomic(this.file, snapshot);
    });
    return this.writing;
  }
}

/** A step's cache key from the parts that decide its result. */
export function cacheKey(parts: readonly unknown[]): string {
  return sha256(JSON.stringify(parts));
}
