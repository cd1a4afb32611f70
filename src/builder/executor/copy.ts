// COPY and ADD: their sources (the context, another stage or image, here-documents, ADD's URLs) resolved and
// checksummed for the cache before anything is written, then copied into a writable layer as tars extracted by the
// archive module's confined extraction.
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, posix } from 'node:path';
import { RootTree, resolveInRoot } from '../../archive/index.js';
import { InvalidParameter } from '../../errdefs/index.js';
import { sha256 } from '../../lib/digest.js';
import {
  type CopySource,
  checksumSources,
  copyTar,
  fetchUrlSource,
  isUrl,
  resolveSources,
  type SourceTree,
} from '../context/index.js';
import { type Instruction, parseCopyFlags } from '../dockerfile/index.js';
import type { StageContext } from './stage-context.js';

interface SourceGroup {
  tree: SourceTree;
  sources: CopySource[];
  /** ADD extracts local archives (not downloaded ones, nor here-documents). */
  extract: boolean;
}

export interface CopyStep {
  /** `file:<hex>`, `dir:<hex>` or `multi:<hex>`, as the legacy builder's history names the sources. */
  summary: string;
  dest: string;
  /** The flags that change the result, for the cache key. */
  flagsKey: unknown[];
  writeInto(root: string): Promise<void>;
  release(): Promise<void>;
}

export async function copyStep(ins: Instruction, ctx: StageContext, workdir: string): Promise<CopyStep> {
  const flags = parseCopyFlags(ins.flags);
  const args = ins.args;
  const dest = args.at(-1);
  const srcArgs = args.slice(0, -1);
  if (dest === undefined || (srcArgs.length === 0 && ins.heredocs.length === 0)) {
    throw new InvalidParameter(
      `${ins.keyword} requires at least two arguments, but only one was provided. Destination could not be determined.`,
    );
  }
  const groups: SourceGroup[] = [];
  const releases: (() => Promise<void>)[] = [];
  const release = async () => {
    for (const r of releases.reverse()) await r().catch(() => {});
  };
  try {
    if (ins.heredocs.length > 0) groups.push(await heredocGroup(ins, ctx.tmpDir, releases));
    const urls = srcArgs.filter(isUrl);
    const paths = srcArgs.filter((s) => !isUrl(s));
    if (urls.length > 0 && ins.keyword === 'COPY') throw new InvalidParameter("source can't be a URL for COPY");
    for (const url of urls) {
      const dir = await mkdtemp(join(ctx.tmpDir, 'add-'));
      releases.push(() => rm(dir, { recursive: true, force: true }));
      const fetched = await fetchUrlSource(url, dir);
      groups.push({
        tree: { root: dirname(fetched.file) },
        sources: [{ path: basename(fetched.file), name: fetched.name }],
        extract: false,
      });
    }
    if (paths.length > 0) {
      let tree = ctx.context;
      if (flags.from !== undefined) {
        const opened = await ctx.openTree(flags.from);
        releases.push(opened.release);
        tree = opened.tree;
      }
      if (!tree) throw new InvalidParameter(`${ins.keyword} failed: no build context`);
      const sources = await resolveSources(tree, paths, { allowWildcard: true });
      groups.push({ tree, sources, extract: ins.keyword === 'ADD' });
    }
    const sums = await Promise.all(groups.map((g) => checksumSources(g.tree, g.sources)));
    const count = groups.reduce((n, g) => n + g.sources.length, 0);
    const first = groups[0];
    const kind =
      count > 1 || !first?.sources[0]
        ? 'multi'
        : (await stat(join(first.tree.root, first.sources[0].path))).isDirectory()
          ? 'dir'
          : 'file';
    const hex = (sums.length === 1 && sums[0] ? sums[0] : sha256(sums.join(','))).replace(/^sha256:/, '');
    if (count > 1 && !dest.endsWith('/')) {
      throw new InvalidParameter(
        `When using ${ins.keyword} with more than one source file, the destination must be a directory and end with a /`,
      );
    }
    return {
      summary: `${kind}:${hex}`,
      dest,
      flagsKey: [flags.chown ?? '', flags.chmod ?? '', flags.from ?? ''],
      release,
      writeInto: async (root) => {
        const destIsDir = count > 1 || (await isDirInRoot(root, posix.resolve(workdir, dest)));
        const owner = flags.chown ? await ctx.backend.resolveOwner(root, flags.chown) : undefined;
        const target = await RootTree.open(root, []);
        try {
          for (const g of groups) {
            const tar = copyTar(g.tree, g.sources, {
              dest,
              workdir,
              ...(owner ? { chown: owner } : {}),
              ...(flags.chmod === undefined ? {} : { chmod: flags.chmod }),
              extractArchives: g.extract,
              ...(ctx.epoch === undefined ? {} : { mtime: ctx.epoch }),
              destIsDir,
            });
            await target.extract('/', tar, { noOverwriteDirNonDir: false, readOnlyRoot: false });
          }
        } finally {
          await target.close();
        }
      },
    };
  } catch (e) {
    await release();
    throw e;
  }
}

/** `COPY <<EOF /dest`: each document becomes a file named by its delimiter. */
async function heredocGroup(ins: Instruction, tmpDir: string, releases: (() => Promise<void>)[]): Promise<SourceGroup> {
  const dir = await mkdtemp(join(tmpDir, 'heredoc-'));
  releases.push(() => rm(dir, { recursive: true, force: true }));
  for (const h of ins.heredocs) await writeFile(join(dir, h.name), h.content, { mode: 0o644 });
  return { tree: { root: dir }, sources: ins.heredocs.map((h) => ({ path: h.name, name: h.name })), extract: false };
}

async function isDirInRoot(root: string, path: string): Promise<boolean> {
  try {
    return (await stat(await resolveInRoot(root, path))).isDirectory();
  } catch {
    return false;
  }
}
