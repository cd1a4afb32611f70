// The init plan: the flat, ordered list of steps berth-helper executes. One discriminated union here,
// mirrored by `enum plan_op` in native/src/plan.h. docs/helper-protocol.md describes each op.

/** Opcodes below 32 configure the shim (run in the helper before clone); 32 and up run in the container child. */
export const Opcode = {
  // shim ops
  Stdio: 1,
  Log: 2,
  Socket: 3,
  ExitFile: 4,
  ConsoleSocket: 5,
  OomCounter: 6,
  CgroupProcs: 7,
  UidMap: 8,
  GidMap: 9,
  JoinPidNs: 10,
  Clone: 11,
  StartGate: 12,
  Adopt: 13,
  JoinNetNs: 14,
  // child ops
  Setns: 32,
  Unshare: 33,
  Mount: 34,
  RootPropagation: 35,
  Rootfs: 36,
  Mknod: 37,
  Symlink: 38,
  Mkdir: 39,
  PivotRoot: 40,
  Mask: 41,
  Readonly: 42,
  Sysctl: 44,
  Hostname: 45,
  Domainname: 46,
  Rlimit: 47,
  OomScoreAdj: 48,
  CapBounding: 49,
  User: 50,
  Caps: 51,
  CapAmbient: 52,
  NoNewPrivs: 53,
  Seccomp: 54,
  Chdir: 55,
  Console: 56,
  Env: 57,
  Exec: 59,
  Loopback: 60,
} as const;

export type StdioMode = 'inherit' | 'pipes' | 'pty';
export type CreateMode = '' | 'dir' | 'file';

export type PlanOp =
  | { op: 'stdio'; mode: StdioMode; openStdin: boolean }
  | { op: 'log'; path: string; maxSize: number; maxFiles: number }
  | { op: 'socket'; path: string }
  | { op: 'exitFile'; path: string }
  | { op: 'consoleSocket'; path: string }
  | { op: 'oomCounter'; path: string; key: string }
  | { op: 'cgroupProcs'; path: string }
  | { op: 'uidMap'; content: string }
  | { op: 'gidMap'; content: string }
  | { op: 'joinPidNs'; path: string }
  /** The child is cloned in this network namespace (a new user namespace cannot setns into a host-owned one). */
  | { op: 'joinNetNs'; path: string }
  | { op: 'clone'; flags: bigint }
  | { op: 'startGate' }
  /** The child is another runtime's launcher (`runc create`); adopt the pid it leaves in pidFile (docs/helper-protocol.md). */
  | { op: 'adopt'; pidFile: string; consoleSocket: string; launcher: string }
  | { op: 'setns'; path: string; nstype: number }
  | { op: 'unshare'; flags: bigint }
  | {
      op: 'mount';
      source: string;
      target: string;
      fstype: string;
      flags: number;
      data: string;
      create: CreateMode;
    }
  | { op: 'rootPropagation'; flags: number }
  | { op: 'rootfs'; path: string }
  | { op: 'mknod'; path: string; mode: number; major: number; minor: number; uid: number; gid: number }
  | { op: 'symlink'; target: string; linkpath: string }
  | { op: 'mkdir'; path: string; mode: number }
  | { op: 'pivotRoot' }
  | { op: 'loopback' }
  | { op: 'mask'; path: string }
  | { op: 'readonly'; path: string }
  | { op: 'sysctl'; key: string; value: string }
  | { op: 'hostname'; name: string }
  | { op: 'domainname'; name: string }
  | { op: 'rlimit'; resource: number; soft: bigint; hard: bigint }
  | { op: 'oomScoreAdj'; value: number }
  | { op: 'capBounding'; keep: bigint }
  | { op: 'user'; uid: number; gid: number; additionalGids: number[] }
  | { op: 'caps'; effective: bigint; permitted: bigint; inheritable: bigint }
  | { op: 'capAmbient'; mask: bigint }
  | { op: 'noNewPrivs' }
  | { op: 'seccomp'; program: Uint8Array; flags: number }
  | { op: 'chdir'; path: string }
  | { op: 'console'; rows: number; cols: number }
  | { op: 'env'; vars: string[] }
  | { op: 'exec'; file: string; argv: string[] };

export type Plan = PlanOp[];
