// Serialises an init plan into the length-prefixed wire format berth-helper reads (docs/helper-protocol.md):
// u32le total length, then per op: u32le opcode, u32le argc, argc × (u32le length, bytes). Numbers travel as decimal text.
import { Opcode, type PlanOp } from './ops.js';

type Arg = string | number | bigint | Uint8Array;

function opArgs(op: PlanOp): [number, Arg[]] {
  switch (op.op) {
    case 'stdio':
      return [Opcode.Stdio, [op.mode, op.openStdin ? 1 : 0]];
    case 'log':
      return [Opcode.Log, [op.path, op.maxSize, op.maxFiles]];
    case 'socket':
      return [Opcode.Socket, [op.path]];
    case 'exitFile':
      return [Opcode.ExitFile, [op.path]];
    case 'consoleSocket':
      return [Opcode.ConsoleSocket, [op.path]];
    case 'oomCounter':
      return [Opcode.OomCounter, [op.path, op.key]];
    case 'cgroupProcs':
      return [Opcode.CgroupProcs, [op.path]];
    case 'uidMap':
      return [Opcode.UidMap, [op.content]];
    case 'gidMap':
      return [Opcode.GidMap, [op.content]];
    case 'joinPidNs':
      return [Opcode.JoinPidNs, [op.path]];
    case 'clone':
      return [Opcode.Clone, [op.flags]];
    case 'startGate':
      return [Opcode.StartGate, []];
    case 'adopt':
      return [Opcode.Adopt, [op.pidFile, op.consoleSocket, op.launcher]];
    case 'setns':
      return [Opcode.Setns, [op.path, op.nstype]];
    case 'unshare':
      return [Opcode.Unshare, [op.flags]];
    case 'mount':
      return [Opcode.Mount, [op.source, op.target, op.fstype, op.flags, op.data, op.create]];
    case 'rootPropagation':
      return [Opcode.RootPropagation, [op.flags]];
    case 'rootfs':
      return [Opcode.Rootfs, [op.path]];
    case 'mknod':
      return [Opcode.Mknod, [op.path, op.mode, op.major, op.minor, op.uid, op.gid]];
    case 'symlink':
      return [Opcode.Symlink, [op.target, op.linkpath]];
    case 'mkdir':
      return [Opcode.Mkdir, [op.path, op.mode]];
    case 'pivotRoot':
      return [Opcode.PivotRoot, []];
    case 'mask':
      return [Opcode.Mask, [op.path]];
    case 'readonly':
      return [Opcode.Readonly, [op.path]];
    case 'sysctl':
      return [Opcode.Sysctl, [op.key, op.value]];
    case 'hostname':
      return [Opcode.Hostname, [op.name]];
    case 'loopback':
      return [Opcode.Loopback, []];
    case 'domainname':
      return [Opcode.Domainname, [op.name]];
    case 'rlimit':
      return [Opcode.Rlimit, [op.resource, op.soft, op.hard]];
    case 'oomScoreAdj':
      return [Opcode.OomScoreAdj, [op.value]];
    case 'capBounding':
      return [Opcode.CapBounding, [op.keep]];
    case 'user':
      return [Opcode.User, [op.uid, op.gid, op.additionalGids.join(',')]];
    case 'caps':
      return [Opcode.Caps, [op.effective, op.permitted, op.inheritable]];
    case 'capAmbient':
      return [Opcode.CapAmbient, [op.mask]];
    case 'noNewPrivs':
      return [Opcode.NoNewPrivs, []];
    case 'seccomp':
      return [Opcode.Seccomp, [op.program, op.flags]];
    case 'chdir':
      return [Opcode.Chdir, [op.path]];
    case 'console':
      return [Opcode.Console, [op.rows, op.cols]];
    case 'env':
      return [Opcode.Env, op.vars];
    case 'exec':
      return [Opcode.Exec, [op.file, ...op.argv]];
  }
}

/** Strings are written straight into the buffer: a Buffer per argument (a plan has ~250) showed in start-up profiles. */
function argValue(a: Arg): string | Uint8Array {
  return a instanceof Uint8Array || typeof a === 'string' ? a : a.toString();
}

const byteLength = (v: string | Uint8Array) => (typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : v.length);

/** Encodes the plan, including its leading u32le total length, into one buffer (sized first, then filled). */
export function encodePlan(plan: readonly PlanOp[]): Buffer {
  const ops = plan.map((op) => {
    const [code, args] = opArgs(op);
    return { code, args: args.map(argValue) };
  });
  let size = 0;
  for (const { args } of ops) {
    size += 8;
    for (const a of args) size += 4 + byteLength(a);
  }
  const buf = Buffer.allocUnsafe(size + 4);
  let off = buf.writeUInt32LE(size, 0);
  for (const { code, args } of ops) {
    off = buf.writeUInt32LE(code, off);
    off = buf.writeUInt32LE(args.length, off);
    for (const a of args) {
      const len = byteLength(a);
      off = buf.writeUInt32LE(len, off);
      if (typeof a === 'string') buf.write(a, off, 'utf8');
      else buf.set(a, off);
      off += len;
    }
  }
  return buf;
}
