// --sysctl: only the namespaced sysctls, and only when the container has its own namespace of that kind — the
// docker CLI's allow-list (opts.ValidateSysctl) checked with runc's rules and messages (libcontainer's validator),
// at create rather than at start.
import type { HostConfig } from '../../api/index.js';
import { InvalidParameter } from '../../errdefs/index.js';
import { parseIpcMode, utsIsHost } from './namespaces.js';

/** The IPC sysctls the kernel keeps per ipc namespace (besides fs.mqueue.*). */
const IPC_SYSCTLS = new Set([
  'kernel.msgmax',
  'kernel.msgmnb',
  'kernel.msgmni',
  'kernel.sem',
  'kernel.shmall',
  'kernel.shmmax',
  'kernel.shmmni',
  'kernel.shm_rmid_forced',
]);

/** Where the container's network namespace comes from, as far as sysctls care. */
export type SysctlNetwork = 'own' | 'host' | 'shared';

/**
 * Refuses a sysctl that would reach the host: IPC ones with --ipc=host, net.* with --network=host,
 * kernel.domainname with --uts=host, kernel.hostname always (the hostname field sets it), anything else.
 */
export function validateSysctls(hc: HostConfig, network: SysctlNetwork): void {
  const ipcHost = parseIpcMode(hc.IpcMode).kind === 'host';
  const utsHost = utsIsHost(hc.UTSMode);
  for (const key of Object.keys(hc.Sysctls ?? {})) {
    if (IPC_SYSCTLS.has(key) || key.startsWith('fs.mqueue.')) {
      if (ipcHost) throw new InvalidParameter(`sysctl "${key}" is not allowed in the hosts ipc namespace`);
      continue;
    }
    if (key.startsWith('net.')) {
      if (network === 'host') throw new InvalidParameter(`sysctl "${key}" not allowed in host network namespace`);
      continue;
    }
    if (!utsHost && key === 'kernel.domainname') continue;
    if (!utsHost && key === 'kernel.hostname') {
      throw new InvalidParameter(`sysctl "${key}" is not allowed as it conflicts with the OCI "hostname" field`);
    }
    throw new InvalidParameter(`sysctl "${key}" is not in a separate kernel namespace`);
  }
}
