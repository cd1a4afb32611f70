// System backend: version, info, disk usage and the event stream's subscription.
import { readFile } from 'node:fs/promises';
import { cpus, hostname, release, totalmem } from 'node:os';
import type { EventMessage, VersionResponse, Volume } from '../../api/index.js';
import { API_VERSION, MIN_API_VERSION } from '../../api/index.js';
import type { ImageStore } from '../../image/store/index.js';
import type { LayerStore } from '../../storage/layer/index.js';
import type { ContainerStore } from '../container/store.js';
import { containerSizes } from '../container/size.js';
import { summaryView } from '../container/views.js';
import { type EventBus, eventMatches } from '../events.js';
import { sharedSizes } from './shared-size.js';

export const BERTH_VERSION = '0.1.0';
/** The Docker Engine version berth answers as (clients gate features on it). */
export const ENGINE_VERSION = '28.0.0';

export interface SystemDeps {
  store: ContainerStore;
  images: ImageStore;
  layers: LayerStore;
  events: EventBus;
  dataRoot: string;
  storageDriver: string;
  cgroupVersion: 1 | 2;
  cgroupDriver: string;
  liveRestore: boolean;
  debug: boolean;
  insecureRegistries: string[];
  registryMirrors: string[];
  started: Date;
  /** The daemon runs containers under --userns-remap (`docker info` lists name=userns). */
  usernsRemap?: boolean;
  /** Runtime names and their commands, for `docker info` (berth's own included). */
  runtimes?: { byName: Record<string, { path: string; runtimeArgs?: string[] }>; defaultName: string };
  /** Every volume with its UsageData (size, reference count), for `system df`. */
  volumeUsage?: () => Promise<Volume[]>;
}

export class SystemService {
  constructor(private readonly deps: SystemDeps) {}

  async version(): Promise<VersionResponse> {
    const arch = process.arch === 'x64' ? 'amd64' : process.arch;
    return {
      Platform: { Name: 'berth' },
      Components: [
        {
          Name: 'Engine',
          Version: ENGINE_VERSION,
          Details: {
            ApiVersion: API_VERSION,
            Arch: arch,
            BuildTime: '',
            Experimental: 'false',
            GitCommit: 'berth',
            GoVersion: `node${process.versions.node}`,
            KernelVersion: release(),
            MinAPIVersion: MIN_API_VERSION,
            Os: 'linux',
          },
        },
        { Name: 'berth', Version: BERTH_VERSION, Details: { GitCommit: '' } },
      ],
      Version: ENGINE_VERSION,
      ApiVersion: API_VERSION,
      MinAPIVersion: MIN_API_VERSION,
      GitCommit: 'berth',
      GoVersion: `node${process.versions.node}`,
      Os: 'linux',
      Arch: arch,
      KernelVersion: release(),
      BuildTime: '',
    };
  }

  async info(): Promise<Record<string, unknown>> {
    const all = this.deps.store.all();
    const count = (s: string) => all.filter((c) => c.state.status === s).length;
    const osRelease = await readFile('/etc/os-release', 'utf8').catch(() => '');
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(osRelease)?.[1] ?? 'Linux';
    const v = await this.version();
    return {
      ID: '',
      Containers: all.length,
      ContainersRunning: count('running'),
      ContainersPaused: count('paused'),
      ContainersStopped: all.length - count('running') - count('paused'),
      Images: this.deps.images.images().length,
      Driver: this.deps.storageDriver,
      DriverStatus: [['Backing Filesystem', 'extfs']],
      Plugins: { Volume: [], Network: ['host', 'null'], Authorization: null, Log: ['json-file'] },
      MemoryLimit: true,
      SwapLimit: true,
      CpuCfsPeriod: true,
      CpuCfsQuota: true,
      CPUShares: true,
      CPUSet: true,
      PidsLimit: true,
      IPv4Forwarding: false,
      Debug: this.deps.debug,
      NFd: 0,
      OomKillDisable: this.deps.cgroupVersion === 1,
      NGoroutines: 0,
      SystemTime: new Date().toISOString(),
      LoggingDriver: 'json-file',
      CgroupDriver: this.deps.cgroupDriver,
      CgroupVersion: String(this.deps.cgroupVersion),
      NEventsListener: 0,
      KernelVersion: release(),
      OperatingSystem: pretty,
      OSVersion: /^VERSION_ID="?([^"\n]*)"?/m.exec(osRelease)?.[1] ?? '',
      OSType: 'linux',
      Architecture: process.arch === 'x64' ? 'x86_64' : process.arch,
      IndexServerAddress: 'https://index.docker.io/v1/',
      RegistryConfig: {
        InsecureRegistryCIDRs: ['127.0.0.0/8'],
        IndexConfigs: {},
        Mirrors: this.deps.registryMirrors,
      },
      NCPU: cpus().length,
      MemTotal: totalmem(),
      DockerRootDir: this.deps.dataRoot,
      HttpProxy: '',
      HttpsProxy: '',
      NoProxy: '',
      Name: hostname(),
      Labels: [],
      ExperimentalBuild: false,
      ServerVersion: v.Version,
      Runtimes: this.deps.runtimes?.byName ?? { berth: { path: 'berth-runtime' } },
      DefaultRuntime: this.deps.runtimes?.defaultName ?? 'berth',
      LiveRestoreEnabled: this.deps.liveRestore,
      Isolation: '',
      InitBinary: 'docker-init',
      // dockerd's order: apparmor, seccomp, selinux, userns, rootless, cgroupns.
      SecurityOptions: [
        'name=seccomp,profile=default',
        ...(this.deps.usernsRemap ? ['name=userns'] : []),
        'name=cgroupns',
      ],
      Swarm: {
        NodeID: '',
        NodeAddr: '',
        LocalNodeState: 'inactive',
        ControlAvailable: false,
        Error: '',
        RemoteManagers: null,
      },
      ContainerdCommit: { ID: '' },
      RuncCommit: { ID: `berth-runtime ${BERTH_VERSION}` },
      InitCommit: { ID: '' },
      Warnings: [],
    };
  }

  async diskUsage(): Promise<Record<string, unknown>> {
    const images = await this.deps.images.list({});
    const containers = this.deps.store.all();
    const layered = images.filter((i) => this.deps.images.has(i.Id)).map((i) => this.deps.images.get(i.Id));
    const diffSizes = new Map<string, number>();
    for (const c of new Set(layered.flatMap((i) => i.chainIds))) {
      diffSizes.set(c, await this.deps.layers.size(c).catch(() => 0));
    }
    const shared = sharedSizes(layered, (c) => diffSizes.get(c) ?? 0);
    return {
      LayersSize: (await this.deps.layers.stats()).size ?? 0,
      Images: images.map((i) => ({
        ...i,
        SharedSize: shared.get(i.Id) ?? 0,
        Containers: containers.filter((c) => c.image === i.Id).length,
      })),
      Containers: await Promise.all(
        containers.map(async (c) => ({ ...summaryView(c), ...(await containerSizes(this.deps, c)) })),
      ),
      Volumes: (await this.deps.volumeUsage?.()) ?? [],
      BuildCache: [],
    };
  }

  subscribeEvents(filters: Record<string, string[]>, sinceNs: number | undefined, onEvent: (e: EventMessage) => void) {
    const past = sinceNs === undefined ? [] : this.deps.events.since(sinceNs).filter((e) => eventMatches(e, filters));
    const stop = this.deps.events.subscribe((e) => {
      if (eventMatches(e, filters)) onEvent(e);
    });
    return { past, stop };
  }
}
