// How much a layer's changes weigh, as `docker ps -s` (SizeRw) and `docker system df` report it: the sizes of the
// regular files, each inode counted once (moby's directory.Size for overlay2's upper dir, ChangesSize for vfs).
import { lstat } from 'node:fs/promises';
import * as path from 'node:path';
import { type Change, ChangeKind } from './changes.js';
import { walkTree } from '../../archive/index.js';

/** Regular files under `root`, hard links counted once. */
export async function treeSize(root: string): Promise<number> {
  const seen = new Set<bigint>();
  let size = 0;
  for await (const { st } of walkTree(root)) {
    if (!st.isFile() || seen.has(st.ino)) continue;
    seen.add(st.ino);
    size += Number(st.size);
  }
  return size;
}

/** Added or modified regular files among `changes`, read in `root` (hard links counted once). */
export async function changesSize(root: string, changes: readonly Change[]): Promise<number> {
  const seen = new Set<bigint>();
  let size = 0;
  for (const c of changes) {
    if (c.kind === ChangeKind.Delete) continue;
    const st = await lstat(path.join(root, c.path), { bigint: true }).catch(() => undefined);
    if (!st?.isFile() || seen.has(st.ino)) continue;
    seen.add(st.ino);
    size += Number(st.size);
  }
  return size;
}
