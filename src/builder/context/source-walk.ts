// The entries one COPY/ADD source contributes, as the checksum and the copy both see them: the source itself, then
// (for a directory) its tree in byte order without following symlinks, what .dockerignore hides left out.
import type { BigIntStats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { posix } from 'node:path';
import { hasExceptionsUnder } from './dockerignore.js';
import type { CopySource, SourceTree } from './sources.js';

export interface SourceEntry {
  /** Relative to the source ('' for the source itself). */
  rel: string;
  abs: string;
  st: BigIntStats;
  /**
   * False for an excluded directory walked only for the exceptions inside it: it is not copied itself (the docker
   * CLI leaves it out of the context; extraction creates it as an implied parent).
   */
  emit: boolean;
}

const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

export async function* walkSource(tree: SourceTree, source: CopySource): AsyncGenerator<SourceEntry> {
  const abs = source.path ? posix.join(tree.root, source.path) : tree.root;
  const st = await lstat(abs, { bigint: true });
  yield { rel: '', abs, st, emit: true };
  if (st.isDirectory()) yield* children(tree, source.path, abs, '');
}

async function* children(tree: SourceTree, base: string, dirAbs: string, rel: string): AsyncGenerator<SourceEntry> {
  const names = (await readdir(dirAbs)).sort(byBytes);
  for (const name of names) {
    const childRel = rel ? `${rel}/${name}` : name;
    const abs = posix.join(dirAbs, name);
    let st: BigIntStats;
    try {
      st = await lstat(abs, { bigint: true });
    } catch {
      continue; // gone since the listing
    }
    let emit = true;
    if (tree.ignore) {
      const inTree = base ? `${base}/${childRel}` : childRel;
      if (tree.ignore.matches(inTree)) {
        if (!st.isDirectory() || !hasExceptionsUnder(tree.ignore, inTree)) continue;
        emit = false;
      }
    }
    yield { rel: childRel, abs, st, emit };
    if (st.isDirectory()) yield* children(tree, base, abs, childRel);
  }
}
