// What berth knows of each layer's compressed blobs in registries (moby's v2metadata): diff ID → the blob digests it
// was pulled as or pushed as, with the repository, size and media type, so a push can skip (HEAD) or cross-mount a
// blob instead of compressing the layer again. One small JSON file per diff ID, written atomically (not synced: a
// lost entry only costs an upload).
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonIfExists, writeJsonAtomic } from '../lib/atomic-file.js';
import { type Digest, digestHex } from '../lib/digest.js';
import { KeyedLock } from '../lib/keyed-lock.js';

export interface BlobSource {
  digest: Digest;
  /** `domain/path` of the repository the blob is in. */
  repository: string;
  size: number;
  mediaType: string;
}

/** Most sources kept per layer (the newest win), as moby keeps a bounded list. */
const MAX_SOURCES = 50;

export class LayerBlobs {
  private readonly lock = new KeyedLock();

  private constructor(private readonly root: string) {}

  static async open(root: string): Promise<LayerBlobs> {
    await mkdir(join(root, 'v2metadata-by-diffid'), { recursive: true });
    return new LayerBlobs(root);
  }

  private path(diffId: Digest): string {
    return join(this.root, 'v2metadata-by-diffid', digestHex(diffId));
  }

  async get(diffId: Digest): Promise<BlobSource[]> {
    return (await readJsonIfExists<BlobSource[]>(this.path(diffId))) ?? [];
  }

  /** Records that the layer `diffId` is `source` (moved to the front if known). */
  async add(diffId: Digest, source: BlobSource): Promise<void> {
    await this.lock.run(diffId, async () => {
      const have = await this.get(diffId);
      const rest = have.filter((s) => !(s.digest === source.digest && s.repository === source.repository));
      await writeJsonAtomic(this.path(diffId), [source, ...rest].slice(0, MAX_SOURCES), { durable: false });
    });
  }

  /** How many layers have records (for tests). */
  async count(): Promise<number> {
    return (await readdir(join(this.root, 'v2metadata-by-diffid')).catch(() => [])).length;
  }
}
