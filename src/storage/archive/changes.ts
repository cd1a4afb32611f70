// Filesystem changes between a layer and its parent (`docker diff`), with moby's pkg/archive/changes.go semantics:
// a full comparison of two trees (vfs), or a walk of an overlay upper dir against its lower dirs (overlay2).
import type { BigIntStats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import * as path from 'node:path';
import { errnoCode } from '../../errdefs/index.js';
import { lgetxattr } from '../../sys/ffi-libc.js';
import { isWhiteoutStat, sortedNames, walkTree } from '../../archive/index.js';

/** Docker's numbering (ContainerChangeResponseItem.Kind): 0 modified, 1 added, 2 deleted. */
export const ChangeKind = { Modify: 0, Add: 1, Delete: 2 } as const;
export type ChangeKind = (typeof ChangeKind)[keyof typeof ChangeKind];

export interface Change {
  /** Absolute path inside the layer, as `docker diff` prints it (`/etc/passwd`). */
  path: string;
  kind: ChangeKind;
}

const CAPABILITY = 'security.capability';

async function lstatOrUndefined(p: string): Promise<BigIntStats | undefined> {
  try {
    return await lstat(p, { bigint: true });
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return undefined;
    throw e;
  }
}

// moby's sameFsTime: equal, or one side has no sub-second part (a tar round trip drops it).
function sameTime(a: BigIntStats, b: BigIntStats): boolean {
  if (a.mtimeNs === b.mtimeNs) return true;
  const sa = a.mtimeNs / 1_000_000_000n;
  const sb = b.mtimeNs / 1_000_000_000n;
  return sa === sb && (a.mtimeNs % 1_000_000_000n === 0n || b.mtimeNs % 1_000_000_000n === 0n);
}

// moby's statDifferent: mode, owner, device; for non-directories also mtime and size.
function statDifferent(o: BigIntStats, n: BigIntStats): boolean {
  if (o.mode !== n.mode || o.uid !== n.uid || o.gid !== n.gid || o.rdev !== n.rdev) return true;
  return !n.isDirectory() && (!sameTime(o, n) || o.size !== n.size);
}

async function capabilityDiffers(a: string, b: string): Promise<boolean> {
  const [ca, cb] = await Promise.all([lgetxattr(a, CAPABILITY), lgetxattr(b, CAPABILITY)]);
  if (ca === undefined || cb === undefined) return ca !== cb;
  return !ca.equals(cb);
}

/**
 * Changes of `newDir` relative to `oldDir` (undefined: an empty parent), moby's ChangesDirs: deleted subtrees are
 * reported once at their top; a directory containing changes is reported modified; results in walk order.
 */
export async function changesDirs(newDir: string, oldDir: string | undefined): Promise<Change[]> {
  const changes: Change[] = [];
  await compare(newDir, oldDir, '', true, false, changes);
  return changes;
}

async function compare(
  newRoot: string,
  oldRoot: string | undefined,
  rel: string,
  oldIsDir: boolean,
  added: boolean,
  changes: Change[],
): Promise<void> {
  const before = changes.length;
  const newNames = await sortedNames(path.join(newRoot, rel));
  const oldNames = oldRoot && oldIsDir ? new Set(await sortedNames(path.join(oldRoot, rel))) : new Set<string>();
  for (const name of newNames) {
    const childRel = rel ? `${rel}/${name}` : name;
    const n = await lstat(path.join(newRoot, childRel), { bigint: true });
    const o = oldRoot && oldNames.has(name) ? await lstat(path.join(oldRoot, childRel), { bigint: true }) : undefined;
    oldNames.delete(name);
    let childAdded = false;
    if (!o) {
      changes.push({ path: `/${childRel}`, kind: ChangeKind.Add });
      childAdded = true;
    } else if (
      statDifferent(o, n) ||
      (!n.isDirectory() &&
        !n.isSymbolicLink() &&
        (await capabilityDiffers(path.join(oldRoot!, childRel), path.join(newRoot, childRel))))
    ) {
      changes.push({ path: `/${childRel}`, kind: ChangeKind.Modify });
      childAdded = true;
    }
    if (n.isDirectory())
      await compare(newRoot, o ? oldRoot : undefined, childRel, !!o?.isDirectory(), childAdded, changes);
  }
  for (const name of [...oldNames].sort()) {
    changes.push({ path: `/${rel ? `${rel}/${name}` : name}`, kind: ChangeKind.Delete });
  }
  if (changes.length > before && rel !== '' && !added) {
    changes.splice(before, 0, { path: `/${rel}`, kind: ChangeKind.Modify });
  }
}

/**
 * Changes recorded in an overlay upper dir (moby's OverlayChanges): whiteout devices are deletions; an entry that
 * exists in a lower dir is a modification (directories only when their own metadata changed), otherwise an
 * addition; an opaque directory over a lower one is a modification (moby reports it deleted); parents of additions
 * and deletions are reported modified.
 */
export async function overlayChanges(upperDir: string, lowerDirs: string[]): Promise<Change[]> {
  const changes: Change[] = [];
  const recorded = new Set<string>();
  const inLower = async (rel: string) => {
    for (const l of lowerDirs) {
      const st = await lstatOrUndefined(path.join(l, rel));
      if (st) return st;
    }
    return undefined;
  };
  for await (const { rel, abs, st } of walkTree(upperDir)) {
    const p = `/${rel}`;
    let kind: ChangeKind | undefined;
    if (isWhiteoutStat(st)) {
      kind = ChangeKind.Delete;
    } else {
      const lower = await inLower(rel);
      if (!lower) kind = ChangeKind.Add;
      else if (st.isDirectory() && lower.isDirectory()) {
        const opaque = (await lgetxattr(abs, 'trusted.overlay.opaque'))?.toString() === 'y';
        if (opaque || statDifferent(lower, st) || !sameTime(lower, st)) kind = ChangeKind.Modify;
      } else kind = ChangeKind.Modify;
    }
    // An unchanged directory is not recorded, so an addition or deletion inside it reports it modified.
    if (st.isDirectory() && kind !== undefined) recorded.add(p);
    if (kind === ChangeKind.Add || kind === ChangeKind.Delete) {
      const parent = path.posix.dirname(p);
      if (parent !== '/' && !recorded.has(parent)) {
        changes.push({ path: parent, kind: ChangeKind.Modify });
        recorded.add(parent);
      }
    }
    if (kind !== undefined) changes.push({ path: p, kind });
  }
  return dedupe(changes);
}

function dedupe(changes: Change[]): Change[] {
  const seen = new Set<string>();
  return changes.filter((c) => !seen.has(c.path) && seen.add(c.path));
}
