// The volume backend the API's volume routes call (create, list with Docker's filters, inspect, remove, prune) and
// the container side's volumes: which containers reference each volume (kept in memory, rebuilt from the containers'
// records at daemon start, so no counter file can drift after a crash), volumes made at container create, mounted
// and unmounted around a container's run, and `rm -v`'s removal of anonymous ones. Publishes Docker's volume events.
import { randomBytes } from 'node:crypto';
import type { Volume, VolumeCreateRequest, VolumeListResponse, VolumePruneResponse } from '../../api/volumes.js';
import { Conflict, InvalidParameter, isNotFound, NotFound } from '../../errdefs/index.js';
import {
  type Filters,
  filterValues,
  getBoolOrDefault,
  matchKVList,
  validateFilters,
} from '../../image/store/filters.js';
import { KeyedLock } from '../../lib/keyed-lock.js';
import { ANONYMOUS_LABEL, LOCAL_DRIVER, type LocalVolume, type LocalVolumes } from '../../volume/index.js';
import type { EventBus } from '../events.js';

export interface VolumeServiceDeps {
  volumes: LocalVolumes;
  events: EventBus;
}

/** A volume a container's mount asks for: named (made if missing) or anonymous (made with a fresh name). */
export interface VolumeWant {
  name: string;
  anonymous: boolean;
  labels?: Record<string, string> | null;
  options?: Record<string, string> | null;
  driver?: string;
}

/** What a mount event says about the mount. */
export interface VolumeMountInfo {
  destination: string;
  readWrite: boolean;
  propagation: string;
}

const LIST_FILTERS = ['dangling', 'driver', 'label', 'name'];
const PRUNE_FILTERS = ['label', 'label!', 'all', 'until'];

export class VolumeService {
  /** Volume name → IDs of the containers whose records reference it. */
  private readonly users = new Map<string, Set<string>>();
  /** One change per volume at a time: a removal and a container's reference never cross. */
  private readonly lock = new KeyedLock();

  constructor(private readonly deps: VolumeServiceDeps) {}

  /** The references, from the containers' records (daemon start). */
  rebuildReferences(containers: { id: string; volumes: readonly string[] }[]): void {
    this.users.clear();
    for (const c of containers) for (const v of c.volumes) this.addUser(v, c.id);
  }

  /** The host directory a volume's mounts show. */
  path(name: string): string {
    return this.deps.volumes.mountpoint(name);
  }

  /** A fresh anonymous volume's name (64 hex digits, as Docker's). */
  newName(): string {
    return randomBytes(32).toString('hex');
  }

  async create(req: VolumeCreateRequest): Promise<Volume> {
    const name = req.Name || this.newName();
    checkDriver(req.Driver, name);
    return this.lock.run(name, async () => {
      const { volume, created } = await this.deps.volumes.create(name, {
        labels: req.Labels ?? null,
        options: req.DriverOpts ?? null,
      });
      if (created) this.publish('create', name);
      return this.view(volume);
    });
  }

  list(filters: Filters): VolumeListResponse {
    validateFilters(filters, LIST_FILTERS);
    const dangling = Object.hasOwn(filters, 'dangling') ? getBoolOrDefault(filters, 'dangling', false) : undefined;
    const names = filterValues(filters, 'name');
    const drivers = filterValues(filters, 'driver');
    const out: Volume[] = [];
    for (const v of this.deps.volumes.list()) {
      if (names.length > 0 && !names.some((n) => fuzzy(n, v.name))) continue;
      if (drivers.length > 0 && !drivers.some((d) => fuzzy(d, LOCAL_DRIVER))) continue;
      if (!matchKVList(filters, 'label', v.labels ?? undefined)) continue;
      if (dangling !== undefined && dangling === this.inUse(v.name)) continue;
      out.push(this.view(v));
    }
    return { Volumes: out, Warnings: null };
  }

  inspect(name: string): Volume {
    return this.view(this.get(name));
  }

  /** Removes a volume no container references; `force` only makes a missing one no error (as dockerd). */
  async remove(name: string, force = false): Promise<void> {
    try {
      await this.lock.run(name, () => this.removeLocked(name));
    } catch (e) {
      if (force && isNotFound(e)) return;
      throw e;
    }
  }

  private async removeLocked(name: string): Promise<void> {
    this.get(name);
    const users = this.users.get(name);
    if (users && users.size > 0) {
      throw new Conflict(`remove ${name}: volume is in use - [${[...users].join(', ')}]`);
    }
    await this.deps.volumes.remove(name);
    this.publish('destroy', name);
  }

  /** Volumes no container references: anonymous ones only unless the `all` filter is set; label filters apply. */
  async prune(filters: Filters): Promise<VolumePruneResponse> {
    validateFilters(filters, PRUNE_FILTERS);
    if (Object.hasOwn(filters, 'until')) throw new InvalidParameter("invalid filter 'until'");
    const all = getBoolOrDefault(filters, 'all', false);
    const deleted: string[] = [];
    let reclaimed = 0;
    for (const v of this.deps.volumes.list()) {
      if (this.inUse(v.name)) continue;
      if (!all && !Object.hasOwn(v.labels ?? {}, ANONYMOUS_LABEL)) continue;
      if (!matchKVList(filters, 'label', v.labels ?? undefined)) continue;
      const notLabels = filterValues(filters, 'label!');
      if (notLabels.length > 0 && matchKVList({ label: notLabels }, 'label', v.labels ?? undefined)) continue;
      const size = await this.deps.volumes.size(v.name).catch(() => 0);
      try {
        await this.lock.run(v.name, () => this.removeLocked(v.name));
        deleted.push(v.name);
        reclaimed += size;
      } catch {
        // referenced by a container created meanwhile: kept, as dockerd keeps it
      }
    }
    return { VolumesDeleted: deleted.length > 0 ? deleted : null, SpaceReclaimed: reclaimed };
  }

  /** Every volume with its size and reference count (`system df`). */
  async usage(): Promise<Volume[]> {
    return Promise.all(
      this.deps.volumes.list().map(async (v) => ({
        ...this.view(v),
        UsageData: {
          Size: await this.deps.volumes.size(v.name).catch(() => -1),
          RefCount: this.users.get(v.name)?.size ?? 0,
        },
      })),
    );
  }

  // The container side.

  /**
   * Container `id`'s references to the volumes its mounts name, made at its create: missing named volumes and the
   * anonymous ones are created (Docker's implicit create). All or nothing: on failure, what it made is removed.
   */
  async reference(id: string, wants: readonly VolumeWant[]): Promise<void> {
    const done: VolumeWant[] = [];
    try {
      for (const w of wants) {
        checkDriver(w.driver, w.name);
        await this.lock.run(w.name, async () => {
          const labels = w.anonymous ? { ...(w.labels ?? {}), [ANONYMOUS_LABEL]: '' } : (w.labels ?? null);
          const { created } = await this.deps.volumes.create(w.name, { labels, options: w.options ?? null });
          this.addUser(w.name, id);
          if (created) this.publish('create', w.name);
        });
        done.push(w);
      }
    } catch (e) {
      await this.dereference(
        id,
        done.map((w) => w.name),
        done.filter((w) => w.anonymous).map((w) => w.name),
      );
      throw e;
    }
  }

  /**
   * Container `id` is gone: its references go; `remove` (its anonymous volumes, for `rm -v` and `--rm`) are removed
   * unless another container still references them.
   */
  async dereference(id: string, names: readonly string[], remove: readonly string[] = []): Promise<void> {
    for (const n of names) this.users.get(n)?.delete(id);
    for (const n of remove) {
      await this.lock
        .run(n, () => this.removeLocked(n))
        .catch((e) => {
          if (!isNotFound(e) && !(e instanceof Conflict)) throw e;
        });
    }
  }

  /** A running container's hold on a volume (mounted on first use when its options say so). */
  async mount(name: string, id: string, info: VolumeMountInfo): Promise<void> {
    await this.deps.volumes.mount(name, id);
    this.publish('mount', name, {
      container: id,
      destination: info.destination,
      propagation: info.propagation,
      'read/write': String(info.readWrite),
    });
  }

  async unmount(name: string, id: string): Promise<void> {
    await this.deps.volumes.unmount(name, id);
    this.publish('unmount', name, { container: id });
  }

  /** A hold an earlier daemon's container keeps (live restore). */
  adopt(name: string, id: string): void {
    this.deps.volumes.adopt(name, id);
  }

  private inUse(name: string): boolean {
    return (this.users.get(name)?.size ?? 0) > 0;
  }

  private addUser(name: string, id: string): void {
    const set = this.users.get(name) ?? new Set<string>();
    set.add(id);
    this.users.set(name, set);
  }

  private get(name: string): LocalVolume {
    const v = this.deps.volumes.find(name);
    if (!v) throw new NotFound(`get ${name}: no such volume`);
    return v;
  }

  private view(v: LocalVolume): Volume {
    return {
      CreatedAt: v.createdAt,
      Driver: LOCAL_DRIVER,
      Labels: v.labels,
      Mountpoint: v.mountpoint,
      Name: v.name,
      Options: v.options,
      Scope: 'local',
    };
  }

  private publish(action: string, name: string, extra: Record<string, string> = {}): void {
    this.deps.events.publish('volume', action, name, { driver: LOCAL_DRIVER, ...extra });
  }
}

/** Only the local driver exists (no volume plugins): another name is dockerd's "plugin not found". */
function checkDriver(driver: string | undefined, name: string): void {
  if (driver && driver !== LOCAL_DRIVER) {
    throw new NotFound(`create ${name}: error looking up volume plugin ${driver}: plugin "${driver}" not found`);
  }
}

/** filters.Args.Match: equal, or the value as a regular expression (a bad one never matches). */
function fuzzy(pattern: string, source: string): boolean {
  if (pattern === source) return true;
  try {
    return new RegExp(pattern).test(source);
  } catch {
    return false;
  }
}
