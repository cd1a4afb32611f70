// The mknod(2) arguments for a tar entry of a device or a fifo: one rule for cp's extraction and layer apply.
import { makedev, S_IFBLK, S_IFCHR, S_IFIFO } from '../sys/ffi-libc.js';
import type { TarHeader } from './tar.js';

export function deviceNode(h: TarHeader): { mode: number; dev: bigint } {
  const type = h.type === 'char' ? S_IFCHR : h.type === 'block' ? S_IFBLK : S_IFIFO;
  return { mode: type | (h.mode & 0o777), dev: h.type === 'fifo' ? 0n : makedev(h.devmajor, h.devminor) };
}
