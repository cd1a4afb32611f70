// Docker's volume copy-up: a fresh, empty volume mounted over a non-empty directory of the image is first filled
// with that directory's content — ownership, modes, times, xattrs, symlinks, hard links and device nodes kept (as
// continuity's fs.CopyDir, which dockerd uses). The source path is resolved inside the container's root filesystem.
import type { BigIntStats } from 'node:fs';
import {
  chmod,
  copyFile,
  lchown,
  link,
  lstat,
  lutimes,
  mkdir,
  readdir,
  readlink,
  symlink,
  utimes,
} from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode } from '../errdefs/index.js';
import { lgetxattr, llistxattr, lsetxattr, mknod } from '../sys/ffi-libc.js';
import { resolveInRoot } from './resolve-in-root.js';

/** How many files are copied at once: enough to keep the thread pool busy, few enough to bound open descriptors. */
const PARALLEL = 64;

/**
 * Copies the content of the in-root directory `path` of the filesystem at `root` into `dest` when `dest` is empty
 * and the source is a non-empty directory; `dest` itself takes the source directory's owner, mode and xattrs.
 * Returns whether it copied. A `path` that escapes `root` through a symlink is refused (InvalidParameter).
 */
export async function copyUp(root: string, path: string, dest: string): Promise<boolean> {
  const src = join(root, await resolveInRoot(root, path));
  let st: BigIntStats;
  try {
    st = await lstat(src, { bigint: true });
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return false;
    throw e;
  }
  if (!st.isDirectory()) return false;
  if ((await readdir(dest)).length > 0) return false;
  const names = await readdir(src);
  if (names.length === 0) return false;
  await copyDirContents(src, dest);
  await copyMetadata(src, dest, st);
  return true;
}

/** Copies everything under `src` into the existing directory `dest`, metadata kept. */
export async function copyDirContents(src: string, dest: string): Promise<void> {
  const limit = semaphore(PARALLEL);
  const links = new Map<bigint, string>();
  const copyDir = async (from: string, to: string): Promise<void> => {
    const names = await readdir(from);
    await Promise.all(names.map((n) => copyEntry(join(from, n), join(to, n))));
  };
  const copyEntry = async (from: string, to: string): Promise<void> => {
    const st = await limit(() => lstat(from, { bigint: true }));
    if (st.isDirectory()) {
      await limit(() => mkdir(to, { mode: Number(st.mode & 0o777n) }));
      await copyDir(from, to);
      await limit(() => copyMetadata(from, to, st));
      return;
    }
    await limit(async () => {
      if (st.nlink > 1n && !st.isDirectory()) {
        const first = links.get(st.ino);
        if (first !== undefined) {
          await link(first, to);
          return;
        }
        links.set(st.ino, to);
      }
      if (st.isFile()) await copyFile(from, to);
      else if (st.isSymbolicLink()) await symlink(await readlink(from), to);
      else if (st.isFIFO() || st.isCharacterDevice() || st.isBlockDevice()) await mknod(to, Number(st.mode), st.rdev);
      else return; // sockets belong to a running process, not to an image
      await copyMetadata(from, to, st);
    });
  };
  await copyDir(src, dest);
}

/** Owner, mode (after the owner: chown clears set-id bits), xattrs, then times (last: the others change ctime only). */
async function copyMetadata(from: string, to: string, st: BigIntStats): Promise<void> {
  const isLink = st.isSymbolicLink();
  const mode = Number(st.mode & 0o7777n);
  if (st.uid !== 0n || st.gid !== 0n) await lchown(to, Number(st.uid), Number(st.gid));
  // copyFile and mkdir gave the permission bits (mkdir through the umask); set-id and sticky bits need a chmod.
  if (!isLink && (st.isDirectory() || mode & 0o7000 || st.uid !== 0n || st.gid !== 0n)) await chmod(to, mode);
  await copyXattrs(from, to);
  const atime = Number(st.atimeNs) / 1e9;
  const mtime = Number(st.mtimeNs) / 1e9;
  if (isLink) await lutimes(to, atime, mtime);
  else await utimes(to, atime, mtime);
}

async function copyXattrs(from: string, to: string): Promise<void> {
  const names = await llistxattr(from);
  for (const name of names) {
    if (name.startsWith('trusted.overlay.')) continue; // overlayfs' own bookkeeping, not content
    const value = await lgetxattr(from, name);
    if (value !== undefined) await lsetxattr(to, name, value);
  }
}

function semaphore(n: number) {
  let running = 0;
  const queue: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (running >= n) await new Promise<void>((r) => queue.push(r));
    running++;
    try {
      return await fn();
    } finally {
      running--;
      queue.shift()?.();
    }
  };
}
