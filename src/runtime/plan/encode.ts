// Serialises an init plan into the length-prefixed wire format berth-helper reads (lib/plan-wire.ts,
// docs/helper-protocol.md): each op becomes its opcode and its arguments; numbers travel as decimal text.
import { encodeWireOps, type WireOp } from '../../lib/plan-wire.js';
import { Opcode, type PlanOp } from './ops.js';

function opArgs(op: PlanOp): WireOp {
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
    case 'joinNetNs':
      return [Opcode.JoinNetNs, [op.path]];
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

/** Encodes the plan, including its leading u32le total length, into one buffer. */
export function encodePlan(plan: readonly PlanOp[]): Buffer {
  return encodeWireOps(plan.map(opArgs));
}
