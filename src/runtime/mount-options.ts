// OCI/fstab mount options → mount(2) flags, propagation flags and the filesystem's data string (runc's rules).

export const MS_RDONLY = 0x1;
export const MS_NOSUID = 0x2;
export const MS_NODEV = 0x4;
export const MS_NOEXEC = 0x8;
export const MS_SYNCHRONOUS = 0x10;
export const MS_REMOUNT = 0x20;
export const MS_MANDLOCK = 0x40;
export const MS_DIRSYNC = 0x80;
export const MS_NOATIME = 0x400;
export const MS_NODIRATIME = 0x800;
export const MS_BIND = 0x1000;
export const MS_REC = 0x4000;
export const MS_UNBINDABLE = 0x20000;
export const MS_PRIVATE = 0x40000;
export const MS_SLAVE = 0x80000;
export const MS_SHARED = 0x100000;
export const MS_RELATIME = 0x200000;
export const MS_STRICTATIME = 0x1000000;

/** option → [flags to clear, flags to set] */
const FLAG_OPTIONS: Record<string, [number, number]> = {
  ro: [0, MS_RDONLY],
  rw: [MS_RDONLY, 0],
  nosuid: [0, MS_NOSUID],
  suid: [MS_NOSUID, 0],
  nodev: [0, MS_NODEV],
  dev: [MS_NODEV, 0],
  noexec: [0, MS_NOEXEC],
  exec: [MS_NOEXEC, 0],
  sync: [0, MS_SYNCHRONOUS],
  async: [MS_SYNCHRONOUS, 0],
  dirsync: [0, MS_DIRSYNC],
  remount: [0, MS_REMOUNT],
  mand: [0, MS_MANDLOCK],
  nomand: [MS_MANDLOCK, 0],
  noatime: [0, MS_NOATIME],
  atime: [MS_NOATIME, 0],
  nodiratime: [0, MS_NODIRATIME],
  diratime: [MS_NODIRATIME, 0],
  relatime: [0, MS_RELATIME],
  norelatime: [MS_RELATIME, 0],
  strictatime: [0, MS_STRICTATIME],
  nostrictatime: [MS_STRICTATIME, 0],
  bind: [0, MS_BIND],
  rbind: [0, MS_BIND | MS_REC],
};

const PROPAGATION_OPTIONS: Record<string, number> = {
  private: MS_PRIVATE,
  rprivate: MS_PRIVATE | MS_REC,
  shared: MS_SHARED,
  rshared: MS_SHARED | MS_REC,
  slave: MS_SLAVE,
  rslave: MS_SLAVE | MS_REC,
  unbindable: MS_UNBINDABLE,
  runbindable: MS_UNBINDABLE | MS_REC,
};

/** Options runtimes accept but that change nothing here. */
const IGNORED_OPTIONS = new Set(['tmpcopyup', 'defaults', 'idmap', 'ridmap']);

export interface ParsedMountOptions {
  flags: number;
  /** Each propagation change is its own mount(2) call, in order. */
  propagation: number[];
  data: string;
}

export function parseMountOptions(options: readonly string[] | undefined): ParsedMountOptions {
  let flags = 0;
  const propagation: number[] = [];
  const data: string[] = [];
  for (const opt of options ?? []) {
    const flag = FLAG_OPTIONS[opt];
    if (flag) {
      flags = (flags & ~flag[0]) | flag[1];
      continue;
    }
    const prop = PROPAGATION_OPTIONS[opt];
    if (prop !== undefined) {
      propagation.push(prop);
      continue;
    }
    if (!IGNORED_OPTIONS.has(opt)) data.push(opt);
  }
  return { flags, propagation, data: data.join(',') };
}

export function propagationFlag(name: string): number | undefined {
  return PROPAGATION_OPTIONS[name];
}
