// Turns "step N failed with errno E" from berth-helper into a message naming what berth was doing.
import { constants } from 'node:os';
import { RLIMIT_NAMES } from '../rlimits.js';
import type { PlanOp } from './ops.js';

const errnoNames = new Map<number, string>(
  Object.entries(constants.errno).map(([name, n]) => [n, name] as [number, string]),
);

export function errnoName(errno: number): string {
  return errnoNames.get(errno) ?? `errno ${errno}`;
}

export function describeOp(op: PlanOp | undefined): string {
  if (!op) return 'start the container';
  switch (op.op) {
    case 'mount':
      if (op.flags & 0x20) return `remount ${op.target}`;
      if (!op.source && !op.fstype) return `set propagation of ${op.target}`;
      return `mount ${op.source || op.fstype} to ${op.target}`;
    case 'rootfs':
      return `prepare rootfs ${op.path}`;
    case 'rootPropagation':
      return 'make / private to the container';
    case 'pivotRoot':
      return 'pivot_root into the rootfs';
    case 'mknod':
      return `mknod ${op.path}`;
    case 'symlink':
      return `symlink ${op.linkpath} -> ${op.target}`;
    case 'mkdir':
      return `mkdir ${op.path}`;
    case 'mask':
      return `mask ${op.path}`;
    case 'readonly':
      return `make ${op.path} read-only`;
    case 'sysctl':
      return `set sysctl ${op.key}=${op.value}`;
    case 'hostname':
      return `set hostname ${op.name}`;
    case 'loopback':
      return 'bring up loopback';
    case 'domainname':
      return `set domainname ${op.name}`;
    case 'rlimit':
      return `setrlimit ${RLIMIT_NAMES[op.resource] ?? op.resource} to soft ${fmt(op.soft)}, hard ${fmt(op.hard)}`;
    case 'oomScoreAdj':
      return `set oom_score_adj to ${op.value}`;
    case 'setns':
      return `join namespace ${op.path}`;
    case 'joinPidNs':
      return `join pid namespace ${op.path}`;
    case 'joinNetNs':
      return `clone in network namespace ${op.path}`;
    case 'unshare':
      return 'unshare namespaces';
    case 'clone':
      return 'create namespaces (clone)';
    case 'user':
      return `set user ${op.uid}:${op.gid}`;
    case 'caps':
    case 'capBounding':
    case 'capAmbient':
      return 'set capabilities';
    case 'chdir':
      return `chdir to ${op.path}`;
    case 'console':
      return 'set up the console';
    case 'exec':
      return `exec ${op.file}`;
    case 'cgroupProcs':
      return `join cgroup ${op.path}`;
    case 'uidMap':
    case 'gidMap':
      return 'write id mappings';
    case 'socket':
      return `listen on ${op.path}`;
    case 'log':
      return `open log ${op.path}`;
    default:
      return op.op;
  }
}

function fmt(v: bigint): string {
  return v < 0n ? 'unlimited' : v.toString();
}
