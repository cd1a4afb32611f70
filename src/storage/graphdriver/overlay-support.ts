// Whether overlay2 can work under a given directory: the kernel knows overlay, the backing filesystem reports d_type,
// and a real test mount (with whiteouts) succeeds there. Also finds which optional mount options the kernel takes.
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, rm, statfs, unlink, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { NotImplemented } from '../../errdefs/index.js';
import { isWhiteoutStat } from '../../archive/index.js';
import { mountOverlay, unmount } from './mount.js';

export interface OverlaySupport {
  backingFs: string;
  /** Extra mount options the kernel accepted (index=off…), appended to every mount. */
  extraOptions: string[];
}

const OVERLAYFS_MAGIC = 0x794c7630;
const FS_NAMES: Record<number, string> = {
  61267: 'extfs',
  1481003842: 'xfs',
  2435016766: 'btrfs',
  16914836: 'tmpfs',
  [OVERLAYFS_MAGIC]: 'overlayfs',
  801189825: 'zfs',
  26985: 'nfs',
  4076150800: 'f2fs',
};

export async function backingFsName(dir: string): Promise<{ name: string; magic: number }> {
  const magic = Number((await statfs(dir)).type);
  return { name: FS_NAMES[magic] ?? `<unknown 0x${magic.toString(16)}>`, magic };
}

// Docker keeps index off (hard links and layers mounted more than once misbehave with it); redirect_dir and
// metacopy off keep every change as plain files in the upper dir, which is what diff() walks.
const PREFERRED = ['index=off', 'redirect_dir=off', 'metacopy=off'];

/** Throws NotImplemented with the reason when overlay2 cannot be used under `home` (which must exist). */
export async function checkOverlaySupport(home: string): Promise<OverlaySupport> {
  const filesystems = await readFile('/proc/filesystems', 'utf8');
  if (!/\toverlay$/m.test(filesystems)) {
    throw new NotImplemented('overlay2 is not supported: the kernel has no overlay filesystem (modprobe overlay?)');
  }
  const backing = await backingFsName(home);
  const check = path.join(home, `check-${randomBytes(6).toString('hex')}`);
  try {
    for (const d of ['l1', 'l2', 'upper', 'work', 'merged']) await mkdir(path.join(check, d), { recursive: true });
    if (!(await readdir(check, { withFileTypes: true })).every((e) => e.isDirectory())) {
      throw new NotImplemented(`overlay2 is not supported over ${backing.name} without d_type support`);
    }
    await writeFile(path.join(check, 'l2', 'f'), 'x');
    const base = 'lowerdir=l1:l2,upperdir=upper,workdir=work';
    let extraOptions = PREFERRED;
    try {
      await mountOverlay(check, [base, ...extraOptions].join(','), 'merged');
    } catch {
      extraOptions = [];
      try {
        await mountOverlay(check, base, 'merged');
      } catch (e) {
        const over = backing.magic === OVERLAYFS_MAGIC ? ' (the backing filesystem is itself overlayfs)' : '';
        throw new NotImplemented(`overlay2 is not supported over ${backing.name}${over}: ${(e as Error).message}`);
      }
    }
    try {
      // A deletion through the mount must leave a whiteout device in the upper dir (needs mknod and xattrs there).
      await unlink(path.join(check, 'merged', 'f'));
      if (!isWhiteoutStat(await lstat(path.join(check, 'upper', 'f')))) {
        throw new NotImplemented(`overlay2 is not supported over ${backing.name}: whiteouts are not devices`);
      }
    } finally {
      await unmount(path.join(check, 'merged'));
    }
    return { backingFs: backing.name, extraOptions };
  } finally {
    await rm(check, { recursive: true, force: true });
  }
}
