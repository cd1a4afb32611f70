// Deterministic tree walks and the metadata layers carry (stat fields, exportable xattrs).
import type { BigIntStats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { lgetxattr, llistxattr } from '../sys/ffi-libc.js';

/** Byte order of UTF-8 names, as Go's sort of strings (JS's default compares UTF-16 units). */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Order of paths in a walk: component by component, so a directory precedes its contents. */
export function comparePaths(a: string, b: string): number {
  const pa = a.split('/');
  const pb = b.split('/');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const c = compareNames(pa[i]!, pb[i]!);
    if (c !== 0) return c;
  }
  return pa.length - pb.length;
}

export async function sortedNames(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort(compareNames);
}

export interface WalkEntry {
  /** Path relative to the walk's root, '/'-separated, no leading slash. */
  rel: string;
  abs: string;
  st: BigIntStats;
}

/** Depth-first, pre-order, children in byte order; the root itself is not yielded. */
export async function* walkTree(root: string, rel = ''): AsyncGenerator<WalkEntry> {
  for (const name of await sortedNames(rel ? path.join(root, rel) : root)) {
    const childRel = rel ? `${rel}/${name}` : name;
    const abs = path.join(root, childRel);
    const st = await lstat(abs, { bigint: true });
    yield { rel: childRel, abs, st };
    if (st.isDirectory()) yield* walkTree(root, childRel);
  }
}

/**
 * Extended attributes a layer carries: all but overlayfs' own (`trusted.overlay.*`, which describe the layer's
 * overlay state, not its content) and SELinux labels (host policy, applied by the runtime). Sorted by name.
 */
export async function readXattrs(abs: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const names = (await llistxattr(abs)).filter((n) => !n.startsWith('trusted.overlay.') && n !== 'security.selinux');
  for (const name of names.sort(compareNames)) {
    const v = await lgetxattr(abs, name);
    if (v !== undefined) out.set(name, v);
  }
  return out;
}
