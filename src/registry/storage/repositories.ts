// Per-repository metadata: tags, the manifests and blobs a repository may serve (link files), referrers by subject,
// and the catalog. Link files are written atomically; the content they name lives in the blob store.
import { mkdir, readdir, readFile, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../lib/atomic-file.js';
import { type Digest, isDigest } from '../../lib/digest.js';
import { errnoCode } from '../../errdefs/index.js';
import type { Descriptor } from '../manifest.js';
import type { Layout } from './layout.js';

export interface Revision {
  mediaType: string;
  size: number;
}

const ignoreMissing = (e: unknown): undefined => {
  if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return undefined;
  throw e;
};

async function readText(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch(ignoreMissing);
}

async function list(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(ignoreMissing)) ?? [];
}

async function writeLink(path: string, content: string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFileAtomic(path, content);
}

export class RepositoryStore {
  constructor(readonly layout: Layout) {}

  async exists(name: string): Promise<boolean> {
    for (const sub of ['_manifests', '_layers']) {
      if (await stat(join(this.layout.repo(name), sub)).catch(ignoreMissing)) return true;
    }
    return false;
  }

  async putRevision(name: string, d: Digest, rev: Revision): Promise<void> {
    await writeLink(this.layout.revision(name, d), JSON.stringify(rev));
  }

  async revision(name: string, d: Digest): Promise<Revision | undefined> {
    const text = await readText(this.layout.revision(name, d));
    return text === undefined ? undefined : (JSON.parse(text) as Revision);
  }

  async revisions(name: string): Promise<Digest[]> {
    const out: Digest[] = [];
    for (const alg of await list(this.layout.revisionsDir(name))) {
      for (const hex of await list(join(this.layout.revisionsDir(name), alg))) {
        const d = `${alg}:${hex}`;
        if (isDigest(d)) out.push(d);
      }
    }
    return out;
  }

  async removeRevision(name: string, d: Digest): Promise<boolean> {
    try {
      await unlink(this.layout.revision(name, d));
      return true;
    } catch (e) {
      ignoreMissing(e);
      return false;
    }
  }

  async putTag(name: string, tag: string, d: Digest): Promise<void> {
    await writeLink(this.layout.tag(name, tag), d);
  }

  async resolveTag(name: string, tag: string): Promise<Digest | undefined> {
    const text = (await readText(this.layout.tag(name, tag)))?.trim();
    return text && isDigest(text) ? text : undefined;
  }

  /** Tags in lexical order (the spec's order for tags/list). */
  async tags(name: string): Promise<string[]> {
    return (await list(this.layout.tagsDir(name))).filter((t) => !t.endsWith('.tmp')).sort();
  }

  /** Tags with the digest each points at. */
  async tagMap(name: string): Promise<Map<string, Digest>> {
    const out = new Map<string, Digest>();
    for (const t of await this.tags(name)) {
      const d = await this.resolveTag(name, t);
      if (d) out.set(t, d);
    }
    return out;
  }

  async removeTag(name: string, tag: string): Promise<boolean> {
    try {
      await unlink(this.layout.tag(name, tag));
      return true;
    } catch (e) {
      ignoreMissing(e);
      return false;
    }
  }

  async linkLayer(name: string, d: Digest): Promise<void> {
    await writeLink(this.layout.layer(name, d), d);
  }

  async hasLayer(name: string, d: Digest): Promise<boolean> {
    return (await stat(this.layout.layer(name, d)).catch(ignoreMissing)) !== undefined;
  }

  async layers(name: string): Promise<Digest[]> {
    const out: Digest[] = [];
    for (const alg of await list(this.layout.layersDir(name))) {
      for (const hex of await list(join(this.layout.layersDir(name), alg))) {
        const d = `${alg}:${hex}`;
        if (isDigest(d)) out.push(d);
      }
    }
    return out;
  }

  async unlinkLayer(name: string, d: Digest): Promise<boolean> {
    try {
      await unlink(this.layout.layer(name, d));
      return true;
    } catch (e) {
      ignoreMissing(e);
      return false;
    }
  }

  async addReferrer(name: string, subject: Digest, desc: Descriptor): Promise<void> {
    await writeLink(this.layout.referrer(name, subject, desc.digest), JSON.stringify(desc));
  }

  async removeReferrer(name: string, subject: Digest, d: Digest): Promise<void> {
    await unlink(this.layout.referrer(name, subject, d)).catch(ignoreMissing);
  }

  async referrers(name: string, subject: Digest): Promise<Descriptor[]> {
    const dir = this.layout.referrersDir(name, subject);
    const out: Descriptor[] = [];
    for (const f of (await list(dir)).sort()) {
      if (f.endsWith('.tmp')) continue;
      const text = await readText(join(dir, f));
      if (text) out.push(JSON.parse(text) as Descriptor);
    }
    return out;
  }

  /** Every repository name, in lexical order: directories under repositories/ holding _manifests or _layers. */
  async catalog(): Promise<string[]> {
    const out: string[] = [];
    const walk = async (rel: string): Promise<void> => {
      const entries = await readdir(join(this.layout.reposDir, rel), { withFileTypes: true }).catch(ignoreMissing);
      if (!entries) return;
      if (entries.some((e) => e.name === '_manifests' || e.name === '_layers')) out.push(rel);
      for (const e of entries)
        if (e.isDirectory() && !e.name.startsWith('_')) await walk(rel ? `${rel}/${e.name}` : e.name);
    };
    await walk('');
    return out.sort();
  }

  async removeUploadsOlderThan(name: string, cutoffMs: number): Promise<string[]> {
    const removed: string[] = [];
    const dir = this.layout.uploadsDir(name);
    for (const f of await list(dir)) {
      const st = await stat(join(dir, f)).catch(ignoreMissing);
      if (st && st.mtimeMs < cutoffMs) {
        await rm(join(dir, f), { force: true });
        removed.push(f);
      }
    }
    return removed;
  }
}
