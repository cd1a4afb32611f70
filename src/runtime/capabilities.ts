// Linux capability names ↔ bit numbers, and the masks the init plan carries.
import { InvalidParameter } from '../errdefs/index.js';

/** Index = capability number (linux/capability.h). */
export const CAPABILITY_NAMES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
] as const;

const byName = new Map<string, number>(CAPABILITY_NAMES.map((n, i) => [n, i]));

/** Accepts `CAP_NET_ADMIN` or `NET_ADMIN` (any case), as Docker does. */
export function capabilityNumber(name: string): number {
  const upper = name.toUpperCase();
  const n = byName.get(upper.startsWith('CAP_') ? upper : `CAP_${upper}`);
  if (n === undefined) throw new InvalidParameter(`unknown capability "${name}"`);
  return n;
}

export function capabilityMask(names: readonly string[] | undefined): bigint {
  let mask = 0n;
  for (const name of names ?? []) mask |= 1n << BigInt(capabilityNumber(name));
  return mask;
}

export function capabilityNames(mask: bigint): string[] {
  return CAPABILITY_NAMES.filter((_, i) => (mask >> BigInt(i)) & 1n);
}

/** Parses a `CapBnd:` style hex mask from /proc/<pid>/status. */
export function parseStatusMask(status: string, field: 'CapInh' | 'CapPrm' | 'CapEff' | 'CapBnd' | 'CapAmb'): bigint {
  const m = new RegExp(`^${field}:\\s*([0-9a-f]+)$`, 'm').exec(status);
  if (!m?.[1]) throw new Error(`no ${field} in status`);
  return BigInt(`0x${m[1]}`);
}
