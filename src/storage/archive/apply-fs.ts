// The filesystem calls layer apply makes, behind one small interface with two implementations: Node's promise API
// (each call a thread-pool round trip; for the event loop's thread) and direct synchronous calls (for a worker
// thread that applies a layer: a round trip per call costs more than most of these syscalls, and a layer makes
// several per file). Both return promises, so apply.ts runs the same code either way.
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import { lsetxattr, mknod } from '../../sys/ffi-libc.js';

/** An open regular file being written. */
export interface ApplyFile {
  /** Writes all of `chunks` at the current offset. */
  writev(chunks: Buffer[]): Promise<void>;
  chown(uid: number, gid: number): Promise<void>;
  chmod(mode: number): Promise<void>;
  utimes(atime: number, mtime: number): Promise<void>;
  close(): Promise<void>;
}

export interface ApplyFs {
  lstat(p: string): Promise<fs.Stats>;
  mkdir(p: string, mode: number): Promise<void>;
  readlink(p: string): Promise<string>;
  /** rm(1): `recursive` removes a subtree, `force` ignores a missing path. */
  rm(p: string, opts?: { recursive?: boolean; force?: boolean }): Promise<void>;
  symlink(target: string, p: string): Promise<void>;
  link(existing: string, p: string): Promise<void>;
  chmod(p: string, mode: number): Promise<void>;
  lchown(p: string, uid: number, gid: number): Promise<void>;
  lutimes(p: string, atime: number, mtime: number): Promise<void>;
  readdir(p: string): Promise<fs.Dirent[]>;
  open(p: string, flags: number, mode: number): Promise<ApplyFile>;
  lsetxattr(p: string, name: string, value: Uint8Array): Promise<void>;
  mknod(p: string, mode: number, dev: bigint): Promise<void>;
}

/** Node's promise API: never blocks the calling thread. */
export const promiseFs: ApplyFs = {
  lstat: (p) => fsp.lstat(p),
  mkdir: async (p, mode) => {
    await fsp.mkdir(p, { mode });
  },
  readlink: (p) => fsp.readlink(p),
  rm: (p, opts) => fsp.rm(p, opts),
  symlink: (target, p) => fsp.symlink(target, p),
  link: (existing, p) => fsp.link(existing, p),
  chmod: (p, mode) => fsp.chmod(p, mode),
  lchown: (p, uid, gid) => fsp.lchown(p, uid, gid),
  lutimes: (p, atime, mtime) => fsp.lutimes(p, atime, mtime),
  readdir: (p) => fsp.readdir(p, { withFileTypes: true }),
  open: async (p, flags, mode) => {
    const fh = await fsp.open(p, flags, mode);
    return {
      writev: async (chunks) => {
        await fh.writev(chunks);
      },
      chown: (uid, gid) => fh.chown(uid, gid),
      chmod: (m) => fh.chmod(m),
      utimes: (a, m) => fh.utimes(a, m),
      close: () => fh.close(),
    };
  },
  lsetxattr: (p, name, value) => lsetxattr(p, name, value),
  mknod: (p, mode, dev) => mknod(p, mode, dev),
};

/**
 * Direct synchronous calls: for a worker thread only (they block the thread they run on). The rare libc calls
 * (xattrs, mknod) stay asynchronous through koffi.
 */
export const syncFs: ApplyFs = {
  lstat: async (p) => fs.lstatSync(p),
  mkdir: async (p, mode) => {
    fs.mkdirSync(p, { mode });
  },
  readlink: async (p) => fs.readlinkSync(p),
  rm: async (p, opts) => fs.rmSync(p, opts),
  symlink: async (target, p) => fs.symlinkSync(target, p),
  link: async (existing, p) => fs.linkSync(existing, p),
  chmod: async (p, mode) => fs.chmodSync(p, mode),
  lchown: async (p, uid, gid) => fs.lchownSync(p, uid, gid),
  lutimes: async (p, atime, mtime) => fs.lutimesSync(p, atime, mtime),
  readdir: async (p) => fs.readdirSync(p, { withFileTypes: true }),
  open: async (p, flags, mode) => {
    const fd = fs.openSync(p, flags, mode);
    return {
      // libuv writes every byte (it loops over short writes and IOV_MAX), as for the promise API.
      writev: async (chunks) => {
        fs.writevSync(fd, chunks);
      },
      chown: async (uid, gid) => fs.fchownSync(fd, uid, gid),
      chmod: async (m) => fs.fchmodSync(fd, m),
      utimes: async (a, m) => fs.futimesSync(fd, a, m),
      close: async () => fs.closeSync(fd),
    };
  },
  lsetxattr: (p, name, value) => lsetxattr(p, name, value),
  mknod: (p, mode, dev) => mknod(p, mode, dev),
};
