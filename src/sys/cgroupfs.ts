// The kernel boundary of the cgroup code: the few file operations it needs on cgroupfs (and /proc), with a real
// implementation and an in-memory recording fake so cgroup managers are unit-tested without root (youki's habit).
import * as fs from 'node:fs';
import { constants } from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { replaceDeviceFilter } from './bpf.js';

export interface CgroupDirEntry {
  name: string;
  isDirectory: boolean;
}

export interface CgroupFs {
  /** mkdir(2); with `recursive` it is `mkdir -p` (no error if it exists). */
  mkdir(p: string, recursive?: boolean): Promise<void>;
  rmdir(p: string): Promise<void>;
  /** One write(2) of `data` to an existing file; never creates it, so a missing cgroup file fails with ENOENT. */
  writeFile(p: string, data: string): Promise<void>;
  readFile(p: string): Promise<string>;
  exists(p: string): Promise<boolean>;
  readdir(p: string): Promise<CgroupDirEntry[]>;
  /** cgroup v2: makes `program` (a BPF_PROG_TYPE_CGROUP_DEVICE program's instructions) the directory's device filter. */
  setDeviceFilter(dir: string, program: Buffer): Promise<void>;
}

/**
 * fs/promises over the real kernel. Writes open O_WRONLY|O_TRUNC without O_CREAT (flag 'w' has it): on cgroupfs
 * O_CREAT turns a missing file into EACCES instead of ENOENT, and ENOENT is how callers learn a control file is
 * unsupported. Write-only files (cgroup.kill, devices.allow) rule out O_RDWR.
 */
export const realCgroupFs = {
  async mkdir(p: string, recursive = false): Promise<void> {
    await fsp.mkdir(p, { recursive, mode: 0o755 });
  },
  async rmdir(p: string): Promise<void> {
    await fsp.rmdir(p);
  },
  async writeFile(p: string, data: string): Promise<void> {
    await fsp.writeFile(p, data, { flag: constants.O_WRONLY | constants.O_TRUNC });
  },
  async readFile(p: string): Promise<string> {
    return fsp.readFile(p, 'utf8');
  },
  async exists(p: string): Promise<boolean> {
    try {
      await fsp.access(p);
      return true;
    } catch {
      return false;
    }
  },
  async readdir(p: string): Promise<CgroupDirEntry[]> {
    const entries = await fsp.readdir(p, { withFileTypes: true });
    return entries.map((e) => ({ name: e.name, isDirectory: e.isDirectory() }));
  },
  setDeviceFilter: replaceDeviceFilter,
} satisfies CgroupFs;

/**
 * The same operations as direct syscalls on the calling thread — what berthd and berth-runtime use. cgroupfs and
 * procfs live in memory: nothing there waits on a device, and a direct call costs ~25 µs where an async one costs
 * ~100 µs of the event loop's CPU (promise machinery, a thread-pool round trip; measured on cgroup mkdir/write/rmdir).
 * A container's start and removal make some sixty of them. realCgroupFs stays for callers that want the thread pool.
 */
export const syncCgroupFs = {
  async mkdir(p: string, recursive = false): Promise<void> {
    fs.mkdirSync(p, { recursive, mode: 0o755 });
  },
  async rmdir(p: string): Promise<void> {
    fs.rmdirSync(p);
  },
  async writeFile(p: string, data: string): Promise<void> {
    const fd = fs.openSync(p, constants.O_WRONLY | constants.O_TRUNC);
    try {
      fs.writeSync(fd, data);
    } finally {
      fs.closeSync(fd);
    }
  },
  async readFile(p: string): Promise<string> {
    return fs.readFileSync(p, 'utf8');
  },
  async exists(p: string): Promise<boolean> {
    return fs.existsSync(p);
  },
  async readdir(p: string): Promise<CgroupDirEntry[]> {
    return fs.readdirSync(p, { withFileTypes: true }).map((e) => ({ name: e.name, isDirectory: e.isDirectory() }));
  },
  setDeviceFilter: replaceDeviceFilter,
} satisfies CgroupFs;

export type CgroupFsCall =
  | { op: 'mkdir'; path: string; recursive: boolean }
  | { op: 'rmdir'; path: string }
  | { op: 'writeFile'; path: string; data: string }
  | { op: 'readFile'; path: string }
  | { op: 'exists'; path: string }
  | { op: 'readdir'; path: string }
  | { op: 'setDeviceFilter'; path: string; program: Buffer };

export type CgroupFsOp = CgroupFsCall['op'];

export interface RecordingCgroupFsOptions {
  /** Files present from the start (their parent directories are created too). */
  files?: Record<string, string>;
  /** Directories present from the start. */
  dirs?: string[];
  /** The control files the "kernel" puts in a directory when it is created: name → initial content. */
  onMkdir?: (dir: string) => Record<string, string>;
}

function fsError(code: string, op: string, p: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: fake ${op} '${p}'`), { code, path: p, syscall: op });
}

/**
 * An in-memory cgroupfs that records every call in order. Like cgroupfs it refuses to create files (writes to a
 * missing file fail with ENOENT) and refuses to rmdir a directory that has child directories (EBUSY);
 * `failOn` injects errno failures to exercise retry paths.
 */
export class RecordingCgroupFs implements CgroupFs {
  readonly calls: CgroupFsCall[] = [];
  private readonly dirs = new Set<string>(['/']);
  private readonly files = new Map<string, string>();
  private readonly failures: { op: CgroupFsOp; path: string; code: string; times: number }[] = [];
  private readonly onMkdir: ((dir: string) => Record<string, string>) | undefined;

  constructor(opts: RecordingCgroupFsOptions = {}) {
    this.onMkdir = opts.onMkdir;
    for (const d of opts.dirs ?? []) this.addDir(d);
    for (const [p, content] of Object.entries(opts.files ?? {})) this.seed(p, content);
  }

  /** Creates or overwrites a file (and its parents) without recording a call. */
  seed(p: string, content: string): void {
    const n = norm(p);
    this.addDir(path.posix.dirname(n));
    this.files.set(n, content);
  }

  /** The next `times` calls of `op` on `p` fail with `code`. */
  failOn(op: CgroupFsOp, p: string, code: string, times = 1): void {
    this.failures.push({ op, path: norm(p), code, times });
  }

  /** Current content of a file, or undefined. */
  content(p: string): string | undefined {
    return this.files.get(norm(p));
  }

  isDir(p: string): boolean {
    return this.dirs.has(norm(p));
  }

  /** The successful and failed writes, in order, as [path, data]. */
  writes(): [string, string][] {
    return this.calls.flatMap((c) => (c.op === 'writeFile' ? [[c.path, c.data] as [string, string]] : []));
  }

  async mkdir(p: string, recursive = false): Promise<void> {
    const n = norm(p);
    this.calls.push({ op: 'mkdir', path: n, recursive });
    this.maybeFail('mkdir', n);
    if (this.dirs.has(n)) {
      if (recursive) return;
      throw fsError('EEXIST', 'mkdir', n);
    }
    if (this.files.has(n)) throw fsError('EEXIST', 'mkdir', n);
    const parent = path.posix.dirname(n);
    if (!this.dirs.has(parent)) {
      if (!recursive) throw fsError('ENOENT', 'mkdir', n);
      await this.mkdirQuiet(parent);
    }
    this.createDir(n);
  }

  async rmdir(p: string): Promise<void> {
    const n = norm(p);
    this.calls.push({ op: 'rmdir', path: n });
    this.maybeFail('rmdir', n);
    if (!this.dirs.has(n)) throw fsError(this.files.has(n) ? 'ENOTDIR' : 'ENOENT', 'rmdir', n);
    if (this.children(n).some((c) => this.dirs.has(c))) throw fsError('EBUSY', 'rmdir', n);
    for (const c of this.children(n)) this.files.delete(c);
    this.dirs.delete(n);
  }

  async writeFile(p: string, data: string): Promise<void> {
    const n = norm(p);
    this.calls.push({ op: 'writeFile', path: n, data });
    this.maybeFail('writeFile', n);
    if (!this.files.has(n)) throw fsError(this.dirs.has(n) ? 'EISDIR' : 'ENOENT', 'open', n);
    this.files.set(n, data);
  }

  async readFile(p: string): Promise<string> {
    const n = norm(p);
    this.calls.push({ op: 'readFile', path: n });
    this.maybeFail('readFile', n);
    const content = this.files.get(n);
    if (content === undefined) throw fsError(this.dirs.has(n) ? 'EISDIR' : 'ENOENT', 'open', n);
    return content;
  }

  async exists(p: string): Promise<boolean> {
    const n = norm(p);
    this.calls.push({ op: 'exists', path: n });
    return this.dirs.has(n) || this.files.has(n);
  }

  async readdir(p: string): Promise<CgroupDirEntry[]> {
    const n = norm(p);
    this.calls.push({ op: 'readdir', path: n });
    this.maybeFail('readdir', n);
    if (!this.dirs.has(n)) throw fsError('ENOENT', 'scandir', n);
    return this.children(n).map((c) => ({ name: path.posix.basename(c), isDirectory: this.dirs.has(c) }));
  }

  async setDeviceFilter(dir: string, program: Buffer): Promise<void> {
    const n = norm(dir);
    this.calls.push({ op: 'setDeviceFilter', path: n, program });
    this.maybeFail('setDeviceFilter', n);
    if (!this.dirs.has(n)) throw fsError('ENOENT', 'open', n);
  }

  private async mkdirQuiet(p: string): Promise<void> {
    if (this.dirs.has(p)) return;
    await this.mkdirQuiet(path.posix.dirname(p));
    this.createDir(p);
  }

  private createDir(n: string): void {
    this.dirs.add(n);
    for (const [name, content] of Object.entries(this.onMkdir?.(n) ?? {})) this.files.set(`${n}/${name}`, content);
  }

  private addDir(n: string): void {
    for (let d = norm(n); !this.dirs.has(d); d = path.posix.dirname(d)) this.dirs.add(d);
  }

  private children(dir: string): string[] {
    const prefix = dir === '/' ? '/' : `${dir}/`;
    const direct = (p: string) => p.startsWith(prefix) && p !== dir && !p.slice(prefix.length).includes('/');
    return [...this.dirs, ...this.files.keys()].filter(direct).sort();
  }

  private maybeFail(op: CgroupFsOp, n: string): void {
    const f = this.failures.find((x) => x.op === op && x.path === n && x.times > 0);
    if (!f) return;
    f.times--;
    throw fsError(f.code, op, n);
  }
}

function norm(p: string): string {
  const n = path.posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}
