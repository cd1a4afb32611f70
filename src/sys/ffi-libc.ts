// The few libc calls Node's fs lacks (mknod, extended attributes, mount/umount2), made in-process through koffi.
//
// Why koffi rather than the C helper: layer apply/diff needs these calls a handful of times per layer (device nodes,
// xattrs such as security.capability, overlay whiteouts) but for many layers; spawning a helper process per layer,
// or a protocol round trip per call, would cost more than the call itself. koffi's `.async` runs each call on a
// worker thread, so the event loop never blocks, and it carries errno back to the callback. The C helper stays for
// what must happen in another process (clone, setns, pivot_root, execve).
import { constants as osConstants } from 'node:os';
import { createRequire } from 'node:module';
import { System } from '../errdefs/index.js';

type KoffiModule = typeof import('koffi');
type AsyncFn = (...args: unknown[]) => void;

interface Libc {
  errno: () => number;
  mknod: AsyncFn;
  lsetxattr: AsyncFn;
  lgetxattr: AsyncFn;
  llistxattr: AsyncFn;
  lremovexattr: AsyncFn;
  mount: AsyncFn;
  umount2: AsyncFn;
}

let libc: Libc | undefined;

// Loaded on first use: most berth commands never need it, and loading the native module costs a few milliseconds.
function load(): Libc {
  if (libc) return libc;
  const koffi = createRequire(import.meta.url)('koffi') as KoffiModule;
  const lib = koffi.load('libc.so.6');
  const fn = (decl: string) => lib.func(decl).async as AsyncFn;
  libc = {
    errno: () => koffi.errno(),
    // glibc ≥ 2.33 exports mknod itself (no __xmknod wrapper needed).
    mknod: fn('int mknod(const char *path, uint32_t mode, uint64_t dev)'),
    lsetxattr: fn('int lsetxattr(const char *path, const char *name, const void *value, size_t size, int flags)'),
    lgetxattr: fn('intptr_t lgetxattr(const char *path, const char *name, void *value, size_t size)'),
    llistxattr: fn('intptr_t llistxattr(const char *path, void *list, size_t size)'),
    lremovexattr: fn('int lremovexattr(const char *path, const char *name)'),
    mount: fn(
      'int mount(const char *source, const char *target, const char *fstype, unsigned long flags, const char *data)',
    ),
    umount2: fn('int umount2(const char *target, int flags)'),
  };
  return libc;
}

const ERRNO_NAMES = new Map<number, string>(
  Object.entries(osConstants.errno).map(([name, value]) => [value, name] as [number, string]),
);

/** A failed libc call; `code` is the errno name (`EPERM`), so `errnoCode()` works on it as on Node's errors. */
export class LibcError extends System {
  override name = 'LibcError';
  constructor(
    readonly syscall: string,
    readonly path: string,
    readonly errno: number,
    readonly code: string,
  ) {
    super(`${syscall} ${path}: ${code} (errno ${errno})`);
  }
}

function call(name: keyof Omit<Libc, 'errno'>, path: string, args: unknown[]): Promise<number> {
  const c = load();
  return new Promise((resolve, reject) => {
    c[name](path, ...args, (err: unknown, result: number | bigint) => {
      if (err) return reject(new System(`${name} ${path}: ${String(err)}`, { cause: err }));
      const r = Number(result);
      if (r >= 0) return resolve(r);
      const errno = c.errno();
      reject(new LibcError(name, path, errno, ERRNO_NAMES.get(errno) ?? `errno ${errno}`));
    });
  });
}

/** glibc's makedev(3): the dev_t of a device number pair. */
export function makedev(major: number, minor: number): bigint {
  const ma = BigInt(major);
  const mi = BigInt(minor);
  return ((ma & 0xfffff000n) << 32n) | ((ma & 0xfffn) << 8n) | ((mi & 0xffffff00n) << 12n) | (mi & 0xffn);
}

/** glibc's major(3). */
export function devMajor(dev: bigint | number): number {
  const d = BigInt(dev);
  return Number(((d >> 32n) & 0xfffff000n) | ((d >> 8n) & 0xfffn));
}

/** glibc's minor(3). */
export function devMinor(dev: bigint | number): number {
  const d = BigInt(dev);
  return Number(((d >> 12n) & 0xffffff00n) | (d & 0xffn));
}

/** mknod(2): `mode` includes the file type bits (S_IFCHR, S_IFBLK, S_IFIFO…); `dev` from makedev(). */
export async function mknod(path: string, mode: number, dev: bigint = 0n): Promise<void> {
  await call('mknod', path, [mode, dev]);
}

/** lsetxattr(2): sets an extended attribute without following a final symlink. */
export async function lsetxattr(path: string, name: string, value: Uint8Array, flags = 0): Promise<void> {
  await call('lsetxattr', path, [name, value, value.byteLength, flags]);
}

/** lremovexattr(2); a missing attribute (ENODATA) is not an error. */
export async function lremovexattr(path: string, name: string): Promise<void> {
  try {
    await call('lremovexattr', path, [name]);
  } catch (e) {
    if (!(e instanceof LibcError && e.code === 'ENODATA')) throw e;
  }
}

// Most values are tiny (a capability set is 20 bytes); grow on ERANGE up to the kernel's XATTR_SIZE_MAX.
const FIRST_BUFFER = 256;
const XATTR_SIZE_MAX = 65536;

async function sized(fn: 'lgetxattr' | 'llistxattr', path: string, args: unknown[]): Promise<Buffer | undefined> {
  let size = FIRST_BUFFER;
  for (;;) {
    const buf = Buffer.alloc(size);
    try {
      const n = await call(fn, path, [...args, buf, size]);
      return buf.subarray(0, n);
    } catch (e) {
      if (!(e instanceof LibcError)) throw e;
      if (e.code === 'ENODATA') return undefined;
      if (e.code !== 'ERANGE' || size >= XATTR_SIZE_MAX * 16) throw e;
      // Ask for the exact size, then retry (it may grow in between: loop).
      const needed = await call(fn, path, [...args, null, 0]);
      size = Math.max(needed, size * 2);
    }
  }
}

/** lgetxattr(2): the value, or undefined when the attribute is absent (ENODATA). */
export async function lgetxattr(path: string, name: string): Promise<Buffer | undefined> {
  return sized('lgetxattr', path, [name]);
}

/** llistxattr(2): attribute names, in the kernel's order. An fs without xattr support (ENOTSUP) yields none. */
export async function llistxattr(path: string): Promise<string[]> {
  let raw: Buffer | undefined;
  try {
    raw = await sized('llistxattr', path, []);
  } catch (e) {
    if (e instanceof LibcError && e.code === 'ENOTSUP') return [];
    throw e;
  }
  if (!raw || raw.length === 0) return [];
  return raw
    .toString('utf8')
    .split('\0')
    .filter((n) => n.length > 0);
}

/** S_IF* file type bits for mknod(). */
export const S_IFIFO = 0o010000;
export const S_IFCHR = 0o020000;
export const S_IFBLK = 0o060000;

/**
 * mount(2) in berthd's own mount namespace (graph driver mounts): no process spawned per container start. Relative
 * paths in `data` would resolve against the process's cwd, so callers pass absolute ones.
 */
export async function mount(
  source: string,
  target: string,
  fstype: string,
  flags: number,
  data: string,
): Promise<void> {
  const c = load();
  await new Promise<void>((resolve, reject) => {
    c.mount(source, target, fstype, flags, data, (err: unknown, result: number) => {
      if (err) return reject(new System(`mount ${target}: ${String(err)}`, { cause: err }));
      if (Number(result) >= 0) return resolve();
      const errno = c.errno();
      reject(new LibcError('mount', target, errno, ERRNO_NAMES.get(errno) ?? `errno ${errno}`));
    });
  });
}

export const MNT_DETACH = 2;

export async function umount2(target: string, flags = 0): Promise<void> {
  await call('umount2', target, [flags]);
}
