// OCI namespace types → CLONE_NEW* flags and /proc/<pid>/ns names.
import { InvalidParameter } from '../errdefs/index.js';
import type { NamespaceType } from './spec.js';

export const CLONE_NEWTIME = 0x80n;
export const CLONE_NEWNS = 0x20000n;
export const CLONE_NEWCGROUP = 0x02000000n;
export const CLONE_NEWUTS = 0x04000000n;
export const CLONE_NEWIPC = 0x08000000n;
export const CLONE_NEWUSER = 0x10000000n;
export const CLONE_NEWPID = 0x20000000n;
export const CLONE_NEWNET = 0x40000000n;

const table: Record<NamespaceType, { flag: bigint; proc: string }> = {
  pid: { flag: CLONE_NEWPID, proc: 'pid' },
  network: { flag: CLONE_NEWNET, proc: 'net' },
  mount: { flag: CLONE_NEWNS, proc: 'mnt' },
  ipc: { flag: CLONE_NEWIPC, proc: 'ipc' },
  uts: { flag: CLONE_NEWUTS, proc: 'uts' },
  user: { flag: CLONE_NEWUSER, proc: 'user' },
  cgroup: { flag: CLONE_NEWCGROUP, proc: 'cgroup' },
  time: { flag: CLONE_NEWTIME, proc: 'time' },
};

export const NAMESPACE_TYPES = Object.keys(table) as NamespaceType[];

export function namespaceFlag(type: string): bigint {
  const entry = table[type as NamespaceType];
  if (!entry) throw new InvalidParameter(`unknown namespace type "${type}"`);
  return entry.flag;
}

export function namespaceProcName(type: NamespaceType): string {
  return table[type].proc;
}
