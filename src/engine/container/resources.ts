// What a running container holds, as steps with one release each: its rootfs mount, its network sandbox (namespace,
// endpoints, addresses, published ports, names), its OCI bundle, its container in the runtime (process, shim, cgroup,
// state), its holds on its volumes. Start acquires them under the journal; exit, removal, a failed start and
// reconciliation after a crash all give them back through releaseAll, so each is given back exactly once and none is
// forgotten.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidParameter, isNotFound } from '../../errdefs/index.js';
import type { ContainerSandboxes, SandboxInfo } from '../sandbox/sandboxes.js';
import type { ContainerDeps } from './deps.js';
import type { ResourceJournal, StepName } from './journal.js';
import { ShmStep } from './shm.js';

export interface ResourceStep {
  readonly name: StepName;
  /**
   * Gives back what the step acquired for `id`. Idempotent, and works in a daemon that did not acquire it (a crash
   * came between): it finds what is there and releases that.
   */
  release(id: string): Promise<void>;
}

/** The rootfs mount: the layer store counts mounts, so this step knows which of them are a start's. */
export class RootfsStep implements ResourceStep {
  readonly name = 'rootfs';
  private readonly held = new Set<string>();

  constructor(private readonly layers: ContainerDeps['layers']) {}

  async acquire(id: string): Promise<string> {
    const path = await this.layers.mount(id);
    this.held.add(id);
    return path;
  }

  /** A mount an earlier daemon made for a container it left running: this daemon takes its reference over. */
  async adopt(id: string): Promise<void> {
    if (this.held.has(id)) return;
    await this.layers.mount(id);
    this.held.add(id);
  }

  async release(id: string): Promise<void> {
    if (!this.held.delete(id)) {
      // Not this daemon's mount (or released already): take a reference to whatever is mounted, then drop it.
      try {
        await this.layers.mount(id);
      } catch (e) {
        if (isNotFound(e)) return;
        throw e;
      }
    }
    await this.layers.unmount(id);
  }
}

/** The network sandbox; its release reads the container's record for what it was attached to. */
export class NetworkStep implements ResourceStep {
  readonly name = 'network';
  constructor(
    private readonly sandboxes: ContainerSandboxes,
    private readonly store: ContainerDeps['store'],
  ) {}

  acquire(id: string): Promise<SandboxInfo> {
    return this.sandboxes.acquire(this.store.get(id), (ref) => this.sharedNetns(ref));
  }

  /** The namespace of a running container, for `--network container:<ref>`. */
  private sharedNetns(ref: string): string {
    const other = this.store.get(ref);
    if (other.state.status !== 'running' && other.state.status !== 'paused') {
      throw new InvalidParameter(`cannot join network of a non running container: ${other.id}`);
    }
    const mode = other.hostConfig.NetworkMode ?? '';
    const pinned = mode !== 'none' && mode !== 'host' && !mode.startsWith('container:');
    return pinned ? this.sandboxes.netnsPath(other.id) : `/proc/${other.state.pid}/ns/net`;
  }

  async release(id: string): Promise<void> {
    const rec = this.store.find(id);
    if (rec) await this.sandboxes.release(rec);
    else await this.sandboxes.releaseOrphan(id);
  }
}

/**
 * The container's holds on its volumes while it runs (a volume with mount options is mounted for its first user and
 * unmounted after its last). Its release reads the record for which volumes; the holds are sets, so a release after
 * a crash, by a daemon that never took them, finds nothing counted and unmounts what is mounted with no user left.
 */
export class VolumeStep implements ResourceStep {
  readonly name = 'volumes';
  constructor(
    private readonly store: ContainerDeps['store'],
    private readonly volumes: ContainerDeps['volumes'],
  ) {}

  async acquire(id: string): Promise<void> {
    const rec = this.store.get(id);
    const volumes = this.volumes;
    if (!volumes) return;
    const mounts = rec.mountSpec?.volumes ?? [];
    const results = await Promise.allSettled(
      mounts.map((v) => volumes.mount(v.name, id, { destination: v.dest, readWrite: !v.readOnly, propagation: '' })),
    );
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  adopt(id: string): void {
    const rec = this.store.find(id);
    for (const v of rec?.mountSpec?.volumes ?? []) this.volumes?.adopt(v.name, id);
  }

  async release(id: string): Promise<void> {
    const volumes = this.volumes;
    const rec = this.store.find(id);
    if (!volumes || !rec) return;
    const names = new Set((rec.mountSpec?.volumes ?? []).map((v) => v.name));
    await Promise.all([...names].map((n) => volumes.unmount(n, id)));
  }
}

export class BundleStep implements ResourceStep {
  readonly name = 'bundle';
  constructor(private readonly bundles: string) {}

  release(id: string): Promise<void> {
    return rm(join(this.bundles, id), { recursive: true, force: true });
  }
}

/** The runtime's container: killing what is left in its cgroup, waiting for its shim, removing cgroup and state. */
export class RuntimeStep implements ResourceStep {
  readonly name = 'runtime';
  constructor(private readonly runtime: ContainerDeps['runtime']) {}

  async release(id: string): Promise<void> {
    try {
      await this.runtime.delete(id, true);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}

export class ContainerResources {
  readonly rootfs: RootfsStep;
  readonly network: NetworkStep;
  readonly volumes: VolumeStep;
  readonly shm: ShmStep;
  private readonly steps: ResourceStep[];

  constructor(
    private readonly journal: ResourceJournal,
    deps: Pick<ContainerDeps, 'layers' | 'runtime' | 'paths' | 'sandboxes' | 'store' | 'volumes'>,
  ) {
    this.rootfs = new RootfsStep(deps.layers);
    this.network = new NetworkStep(deps.sandboxes, deps.store);
    this.volumes = new VolumeStep(deps.store, deps.volumes);
    this.shm = new ShmStep(deps.store);
    this.steps = [
      this.rootfs,
      this.network,
      this.volumes,
      this.shm,
      new BundleStep(deps.paths.bundles),
      new RuntimeStep(deps.runtime),
    ];
  }

  /** Journals every step of a start before the first is acquired. */
  intendStart(id: string): void {
    this.journal.intend(id, START_STEPS);
  }

  /** Steps an earlier daemon's container left journaled (reconciliation), or this daemon's not yet released. */
  holding(id: string): StepName[] {
    return this.journal.holding(id);
  }

  /** Containers that hold anything. */
  ids(): string[] {
    return this.journal.ids();
  }

  /**
   * Releases every step `id` holds, side by side (they are independent: the container's processes have their own
   * mount namespace, so the daemon's view of the rootfs can go while the runtime ends them). A step that fails stays
   * journaled, for the removal or the next start to try again; the first failure is thrown.
   */
  async releaseAll(id: string): Promise<void> {
    const held = new Set(this.journal.holding(id));
    if (held.size === 0) return;
    const results = await Promise.allSettled(
      this.steps.filter((s) => held.has(s.name)).map((s) => s.release(id).then(() => s.name)),
    );
    const released = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    this.journal.released(id, released);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }
}

// Volumes after the network and before the bundle: they are independent of the rootfs and the network (acquired
// side by side with them), but the bundle's spec binds their directories, which a tmpfs-type volume must have mounted.
const START_STEPS: readonly StepName[] = ['rootfs', 'network', 'volumes', 'shm', 'bundle', 'runtime'];
