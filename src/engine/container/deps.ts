// What the container services need from the rest of the daemon, passed in (cmd/berthd.ts wires the real ones).
import type { ImageStore } from '../../image/store/index.js';
import type { IdentityMapping } from '../../lib/idmap.js';
import type { ContainerRuntime } from '../../runtime/container-runtime.js';
import type { LayerStore } from '../../storage/layer/index.js';
import type { EventBus } from '../events.js';
import type { DaemonPaths } from '../paths.js';
import type { ContainerSandboxes } from '../sandbox/sandboxes.js';
import type { NetworkCatalog } from './network-config.js';
import type { VolumeMountInfo, VolumeWant } from '../volume/service.js';
import type { ContainerStore } from './store.js';

export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  debug(msg: string): void;
}

export interface NetnsOps {
  create(path: string): Promise<void>;
  remove(path: string): Promise<void>;
}

/** The volume side a container needs (the engine's VolumeService): references, holds while it runs. */
export interface ContainerVolumes {
  path(name: string): string;
  newName(): string;
  /** Container `id` references these volumes (made when missing); all or nothing. */
  reference(id: string, wants: readonly VolumeWant[]): Promise<void>;
  /** Its references go; `remove` (anonymous volumes) are removed unless still referenced elsewhere. */
  dereference(id: string, names: readonly string[], remove?: readonly string[]): Promise<void>;
  mount(name: string, id: string, info: VolumeMountInfo): Promise<void>;
  unmount(name: string, id: string): Promise<void>;
  adopt(name: string, id: string): void;
}

export interface ContainerDeps {
  paths: DaemonPaths;
  store: ContainerStore;
  runtime: ContainerRuntime;
  layers: LayerStore;
  images: ImageStore;
  events: EventBus;
  netns: NetnsOps;
  networks: NetworkCatalog;
  sandboxes: ContainerSandboxes;
  /** Volumes; without them, a mount that names one is refused. */
  volumes?: ContainerVolumes;
  /** The host's address as containers see it (--add-host host-gateway): the default bridge's gateway. */
  hostGateway?: string;
  /** The daemon's --dns, --dns-search, --dns-opt: a container's own replace them. */
  dnsDefaults?: { dns: string[]; dnsSearch: string[]; dnsOptions: string[] };
  /** Set when the host's resolvers are all loopback: berthd's DNS forwarding to them from the default bridge. */
  bridgeResolver?: string;
  log: Logger;
  storageDriver: string;
  /** The init binary for HostConfig.Init (Docker's docker-init), if one was found. */
  initPath?: string;
  /** Default log options (daemon.json log-opts). */
  logOpts: Record<string, string>;
  /** Parent cgroup of containers without HostConfig.CgroupParent (dockerd: "docker"). */
  cgroupParent: string;
  /** The daemon's --userns-remap mapping: containers run in a user namespace with it unless `--userns=host`. */
  remap?: IdentityMapping;
  /** The runtime a new container gets for HostConfig.Runtime (the default when empty; InvalidParameter if unknown). */
  runtimeName?: (requested: string | undefined) => string;
}
