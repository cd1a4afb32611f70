// Garbage collection: mark every manifest reachable from a tag (an index's children, the referrers of a live
// subject), then sweep the blobs nothing marked. It runs beside a live server without a lock: pushes touch (utimes)
// every blob they reference before checking it exists, and the sweep spares blobs touched after a cut-off, moving each
// candidate aside and checking its time once more before deleting it, so a blob is never lost to a concurrent push.
import { readdir, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { type Digest, isDigest } from '../lib/digest.js';
import { errnoCode } from '../errdefs/index.js';
import { type ParsedManifest, parseManifest } from './manifest.js';
import type { Registry } from './registry.js';

export interface GcOptions {
  dryRun: boolean;
  /** Blobs written or referenced less than this many seconds before the start are kept. */
  graceSeconds: number;
  log: (line: string) => void;
}

export interface GcReport {
  /** Blobs deleted (or, with dryRun, that would be). */
  blobs: Array<{ digest: Digest; size: number }>;
  /** Untagged, unreferenced manifests removed from their repository. */
  manifests: Array<{ repository: string; digest: Digest }>;
  /** Layer links left pointing at nothing, removed. */
  links: number;
}

async function mtimeMs(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return undefined;
    throw e;
  }
}

export async function collectGarbage(registry: Registry, opts: GcOptions): Promise<GcReport> {
  const cutoff = Date.now() - opts.graceSeconds * 1000;
  const { repos, blobs, layout } = registry;
  const marked = new Set<Digest>();
  const report: GcReport = { blobs: [], manifests: [], links: 0 };
  const recent = async (d: Digest) => ((await mtimeMs(layout.blob(d))) ?? 0) >= cutoff;

  for (const repo of await repos.catalog()) {
    const parsed = new Map<Digest, ParsedManifest | undefined>();
    const manifestOf = async (d: Digest): Promise<ParsedManifest | undefined> => {
      if (!parsed.has(d)) {
        try {
          parsed.set(d, parseManifest(await blobs.readAll(d), undefined));
        } catch (e) {
          opts.log(`gc: ${repo}@${d}: unreadable manifest kept (${(e as Error).message})`);
          parsed.set(d, undefined);
        }
      }
      return parsed.get(d);
    };
    const revisions = await repos.revisions(repo);
    const live = new Set<Digest>();
    const queue: Digest[] = [...(await repos.tagMap(repo)).values()];
    for (const d of revisions) if (await recent(d)) queue.push(d);
    const visit = async (): Promise<void> => {
      for (let d = queue.pop(); d !== undefined; d = queue.pop()) {
        if (live.has(d)) continue;
        live.add(d);
        marked.add(d);
        const m = await manifestOf(d);
        if (!m) continue;
        for (const b of m.blobs) marked.add(b);
        queue.push(...m.manifests);
      }
    };
    await visit();
    // Referrers live while their subject does (and may have referrers of their own): iterate to a fixed point.
    for (let grew = true; grew; ) {
      grew = false;
      for (const d of revisions) {
        if (live.has(d)) continue;
        const subject = (await manifestOf(d))?.subject?.digest;
        if (subject && live.has(subject)) {
          queue.push(d);
          grew = true;
        }
      }
      await visit();
    }
    for (const d of revisions) {
      if (live.has(d)) continue;
      if (parsed.get(d) === undefined && parsed.has(d)) {
        marked.add(d); // unreadable: keep rather than guess
        continue;
      }
      report.manifests.push({ repository: repo, digest: d });
      if (opts.dryRun) continue;
      const subject = parsed.get(d)?.subject?.digest;
      if (subject) await repos.removeReferrer(repo, subject, d);
      await repos.removeRevision(repo, d);
    }
  }

  for (const d of await allBlobs(layout.blobsDir)) {
    if (marked.has(d)) continue;
    const path = layout.blob(d);
    const st = await stat(path).catch(() => undefined);
    if (!st || st.mtimeMs >= cutoff) continue;
    if (opts.dryRun) {
      report.blobs.push({ digest: d, size: st.size });
      continue;
    }
    // Move aside, then look again: a push that touched it in between gets it back.
    const aside = `${path}.gc`;
    await rename(path, aside);
    const again = await mtimeMs(aside);
    if (again !== undefined && again >= cutoff) {
      await rename(aside, path);
      continue;
    }
    await unlink(aside);
    report.blobs.push({ digest: d, size: st.size });
  }

  if (!opts.dryRun) {
    const gone = new Set(report.blobs.map((b) => b.digest));
    for (const repo of await repos.catalog()) {
      for (const d of await repos.layers(repo)) {
        if (gone.has(d) && (await repos.unlinkLayer(repo, d))) report.links++;
      }
    }
  }
  return report;
}

async function allBlobs(dir: string): Promise<Digest[]> {
  const out: Digest[] = [];
  const list = async (p: string) => readdir(p).catch(() => [] as string[]);
  for (const alg of await list(dir)) {
    for (const prefix of await list(join(dir, alg))) {
      for (const hex of await list(join(dir, alg, prefix))) {
        const d = `${alg}:${hex}`;
        if (isDigest(d)) out.push(d);
      }
    }
  }
  return out;
}
