// A shareable container's /dev/shm (--ipc shareable): a tmpfs berthd mounts on the host under the container's
// directory while it runs, bound into it and into every container that joins its IPC namespace (moby's
// setupIPCDirs). Other modes need nothing on the host.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LibcError, MNT_DETACH, mount, umount2 } from '../../sys/ffi-libc.js';
import { type NamespaceDonor, parseIpcMode } from '../spec/namespaces.js';
import type { ContainerDeps } from './deps.js';

const MS_NOSUID = 0x2;
const MS_NODEV = 0x4;
const MS_NOEXEC = 0x8;
const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;

/** One of the container's resource steps (resources.ts lists it; a ResourceStep by shape, to avoid a cycle). */
export class ShmStep {
  readonly name = 'shm' as const;
  constructor(private readonly store: ContainerDeps['store']) {}

  /** Where a container's shareable /dev/shm is mounted on the host. */
  path(id: string): string {
    return join(this.store.dir(id), 'mounts', 'shm');
  }

  /** Mounts the shareable /dev/shm of `id` and returns its path; undefined for the other IPC modes. */
  async acquire(id: string): Promise<string | undefined> {
    const hc = this.store.get(id).hostConfig;
    if (parseIpcMode(hc.IpcMode).kind !== 'shareable') return undefined;
    // A container's own /dev/shm mount (-v …:/dev/shm) wins, as with Docker.
    const path = this.path(id);
    await mkdir(path, { recursive: true, mode: 0o700 });
    const size = hc.ShmSize && hc.ShmSize > 0 ? hc.ShmSize : DEFAULT_SHM_SIZE;
    await mount('shm', path, 'tmpfs', MS_NOSUID | MS_NODEV | MS_NOEXEC, `mode=1777,size=${size}`);
    return path;
  }

  async release(id: string): Promise<void> {
    try {
      await umount2(this.path(id), MNT_DETACH);
    } catch (e) {
      // Not mounted (another mode, or released already) or gone with the container's directory.
      if (!(e instanceof LibcError && (e.code === 'EINVAL' || e.code === 'ENOENT'))) throw e;
    }
  }

  /** `container:<ref>` as a joiner sees it: whether it runs, its pid, and the /dev/shm it shares, if any. */
  donor(ref: string): NamespaceDonor {
    const rec = this.store.get(ref);
    const running = rec.state.status === 'running' || rec.state.status === 'paused';
    const ipc = parseIpcMode(rec.hostConfig.IpcMode);
    let shmPath: string | undefined;
    if (ipc.kind === 'shareable') shmPath = this.path(rec.id);
    else if (ipc.kind === 'host') shmPath = '/dev/shm';
    else if (ipc.kind === 'container' && running) shmPath = this.donor(ipc.ref).shmPath;
    return { id: rec.id, running, pid: rec.state.pid, shmPath };
  }
}
