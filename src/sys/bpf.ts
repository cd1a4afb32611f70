// bpf(2) for cgroup device programs: load a BPF_PROG_TYPE_CGROUP_DEVICE program, attach it to a cgroup directory,
// list and detach what is attached. Made in-process through koffi (see ffi-libc.ts for why not the C helper): the
// program is attached to a cgroup directory by berthd itself, before the container's init joins it, so no other
// process is involved and a helper round trip would only add a spawn to every start on cgroup v2.
import { open } from 'node:fs/promises';
import { close, constants as fsConstants } from 'node:fs';
import { arch, constants as osConstants } from 'node:os';
import { createRequire } from 'node:module';
import { System } from '../errdefs/index.js';
import { LibcError } from './ffi-libc.js';

type KoffiModule = typeof import('koffi');
type AsyncFn = (...args: unknown[]) => void;

// The bpf syscall number (asm/unistd.h), per architecture.
const SYS_BPF: Partial<Record<string, number>> = { x64: 321, arm64: 280, riscv64: 280, ppc64: 361, s390x: 351 };

// linux/bpf.h
const BPF_PROG_LOAD = 5;
const BPF_PROG_ATTACH = 8;
const BPF_PROG_DETACH = 9;
const BPF_PROG_GET_FD_BY_ID = 13;
const BPF_PROG_QUERY = 16;
const BPF_PROG_TYPE_CGROUP_DEVICE = 15;
const BPF_CGROUP_DEVICE = 6;
export const BPF_F_ALLOW_MULTI = 2;
/** sizeof(union bpf_attr) for the commands used here; the kernel zero-checks anything past what it knows. */
const ATTR_SIZE = 128;

interface Bpf {
  koffi: KoffiModule;
  syscall: AsyncFn;
  nr: number;
}
let bpf: Bpf | undefined;

function load(): Bpf {
  if (bpf) return bpf;
  const nr = SYS_BPF[arch()];
  if (nr === undefined) throw new System(`bpf: unsupported architecture ${arch()}`);
  const koffi = createRequire(import.meta.url)('koffi') as KoffiModule;
  // syscall(2) is variadic; the fixed prototype passes the same registers on the supported ABIs.
  const fn = koffi.load('libc.so.6').func('long syscall(long nr, long cmd, void *attr, unsigned long size)');
  bpf = { koffi, syscall: fn.async as AsyncFn, nr };
  return bpf;
}

const ERRNO_NAMES = new Map<number, string>(
  Object.entries(osConstants.errno).map(([name, value]) => [value, name] as [number, string]),
);

/** One bpf(2) call; `keep` holds the buffers the attr points into alive until it returns. */
function call(cmd: number, what: string, attr: Buffer, keep: Buffer[] = []): Promise<number> {
  const b = load();
  return new Promise((resolve, reject) => {
    b.syscall(b.nr, cmd, attr, attr.length, (err: unknown, result: number | bigint) => {
      keep.length = 0; // referenced here so the collector cannot free them while the kernel reads them
      if (err) return reject(new System(`bpf ${what}: ${String(err)}`, { cause: err }));
      const r = Number(result);
      if (r >= 0) return resolve(r);
      const errno = b.koffi.errno();
      reject(new LibcError('bpf', what, errno, ERRNO_NAMES.get(errno) ?? `errno ${errno}`));
    });
  });
}

const LOG_SIZE = 64 * 1024;

/**
 * BPF_PROG_LOAD of a cgroup device program (`insns`: 8-byte instructions). Returns the program's fd (the caller
 * closes it). On failure it loads again with the verifier's log, to say why.
 */
export async function loadDeviceProgram(insns: Buffer, license = 'Apache'): Promise<number> {
  const lic = Buffer.from(`${license}\0`);
  const attempt = (log?: Buffer) => {
    const attr = Buffer.alloc(ATTR_SIZE);
    const { koffi } = load();
    attr.writeUInt32LE(BPF_PROG_TYPE_CGROUP_DEVICE, 0); // prog_type
    attr.writeUInt32LE(insns.length / 8, 4); // insn_cnt
    attr.writeBigUInt64LE(koffi.address(insns), 8); // insns
    attr.writeBigUInt64LE(koffi.address(lic), 16); // license
    if (log) {
      attr.writeUInt32LE(1, 24); // log_level
      attr.writeUInt32LE(log.length, 28); // log_size
      attr.writeBigUInt64LE(koffi.address(log), 32); // log_buf
    }
    return call(BPF_PROG_LOAD, 'BPF_PROG_LOAD', attr, log ? [insns, lic, log] : [insns, lic]);
  };
  try {
    return await attempt();
  } catch (e) {
    if (!(e instanceof LibcError) || e.code === 'EPERM') throw e;
    const log = Buffer.alloc(LOG_SIZE);
    await attempt(log).then(
      (fd) => closeFd(fd),
      () => undefined,
    );
    const text = log.toString('utf8', 0, Math.max(0, log.indexOf(0))).trim();
    throw new System(`bpf BPF_PROG_LOAD: ${e.code}${text ? `: ${text}` : ''}`, { cause: e });
  }
}

function attachAttr(cgroupFd: number, progFd: number, flags: number): Buffer {
  const attr = Buffer.alloc(ATTR_SIZE);
  attr.writeUInt32LE(cgroupFd, 0); // target_fd
  attr.writeUInt32LE(progFd, 4); // attach_bpf_fd
  attr.writeUInt32LE(BPF_CGROUP_DEVICE, 8); // attach_type
  attr.writeUInt32LE(flags, 12); // attach_flags
  return attr;
}

/** BPF_PROG_ATTACH as BPF_CGROUP_DEVICE. */
export async function attachDeviceProgram(cgroupFd: number, progFd: number, flags = BPF_F_ALLOW_MULTI): Promise<void> {
  await call(BPF_PROG_ATTACH, 'BPF_PROG_ATTACH', attachAttr(cgroupFd, progFd, flags));
}

/** BPF_PROG_DETACH of one BPF_CGROUP_DEVICE program. */
export async function detachDeviceProgram(cgroupFd: number, progFd: number): Promise<void> {
  await call(BPF_PROG_DETACH, 'BPF_PROG_DETACH', attachAttr(cgroupFd, progFd, 0));
}

/** BPF_PROG_QUERY: the ids of the device programs attached to the cgroup itself (not inherited). */
export async function queryDevicePrograms(cgroupFd: number): Promise<number[]> {
  let size = 16;
  for (;;) {
    const ids = Buffer.alloc(size * 4);
    const attr = Buffer.alloc(ATTR_SIZE);
    attr.writeUInt32LE(cgroupFd, 0); // target_fd
    attr.writeUInt32LE(BPF_CGROUP_DEVICE, 4); // attach_type
    attr.writeBigUInt64LE(load().koffi.address(ids), 16); // prog_ids
    attr.writeUInt32LE(size, 24); // prog_cnt
    try {
      await call(BPF_PROG_QUERY, 'BPF_PROG_QUERY', attr, [ids]);
    } catch (e) {
      // ENOSPC: more programs than room; prog_cnt says how many.
      if (e instanceof LibcError && e.code === 'ENOSPC' && size < 1024) {
        size = Math.max(size * 2, attr.readUInt32LE(24));
        continue;
      }
      throw e;
    }
    const n = attr.readUInt32LE(24);
    return Array.from({ length: n }, (_, i) => ids.readUInt32LE(i * 4));
  }
}

/** BPF_PROG_GET_FD_BY_ID: an fd for an attached program (to detach it). */
export function programFdById(id: number): Promise<number> {
  const attr = Buffer.alloc(ATTR_SIZE);
  attr.writeUInt32LE(id, 0); // prog_id
  return call(BPF_PROG_GET_FD_BY_ID, 'BPF_PROG_GET_FD_BY_ID', attr);
}

/** An O_DIRECTORY fd for a cgroup directory, as BPF_PROG_ATTACH's target. */
export async function openCgroupDir(dir: string): Promise<{ fd: number; close(): Promise<void> }> {
  const handle = await open(dir, fsConstants.O_RDONLY | fsConstants.O_DIRECTORY);
  return { fd: handle.fd, close: () => handle.close() };
}

/** Closes a raw fd returned by bpf(2). */
export function closeFd(fd: number): Promise<void> {
  return new Promise<void>((resolve) => close(fd, () => resolve()));
}

/**
 * Makes `program` the one device program of cgroup directory `dir`, as runc does: attach the new one (with
 * BPF_F_ALLOW_MULTI every attached program must allow an access, so access never widens in between), then detach
 * those attached before.
 */
export async function replaceDeviceFilter(dir: string, program: Buffer): Promise<void> {
  const cgroup = await openCgroupDir(dir);
  try {
    const old = await queryDevicePrograms(cgroup.fd);
    const prog = await loadDeviceProgram(program);
    try {
      await attachDeviceProgram(cgroup.fd, prog);
    } finally {
      await closeFd(prog);
    }
    for (const id of old) {
      const fd = await programFdById(id);
      try {
        await detachDeviceProgram(cgroup.fd, fd);
      } finally {
        await closeFd(fd);
      }
    }
  } finally {
    await cgroup.close();
  }
}
