// The container record the engine keeps (one JSON file per container, owned by ContainerStore): what was asked for
// (config, hostConfig), what it resolved to (image, path/args), and its state. Docker's field names inside config and
// hostConfig, since they are API payloads; camelCase for berth's own fields.
import type {
  ContainerConfig,
  EndpointSettings,
  Health,
  HostConfig,
  MountPoint,
  PortBinding,
} from '../../api/index.js';
import type { Mount } from '../../runtime/spec.js';
import type { VolumeMount } from '../spec/mounts.js';

export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface ContainerStateRecord {
  status: ContainerStatus;
  pid: number;
  exitCode: number;
  error: string;
  oomKilled: boolean;
  startedAt: string;
  finishedAt: string;
  health?: Health;
}

export interface ContainerRecord {
  id: string;
  /** Without the leading slash. */
  name: string;
  created: string;
  /** The image ID (sha256:…) and the reference the user gave. */
  image: string;
  imageRef: string;
  path: string;
  args: string[];
  /** The image's config merged with the request's, as inspect shows it. */
  config: ContainerConfig;
  hostConfig: HostConfig;
  /** What inspect shows under Mounts: resolved once, at create. */
  mounts: MountPoint[];
  /** The same mounts as the runtime gets them, and bind sources to create at start (resolved at create). */
  mountSpec?: { oci: Mount[]; createSources: string[]; volumes?: VolumeMount[] };
  /**
   * The networks it is attached to, by name, as inspect shows them: what was asked for at create or connect, plus,
   * while it runs, the addresses it got (a record from before networks were kept has none: the default bridge).
   */
  networks?: Record<string, EndpointSettings>;
  /** Its published ports while it runs (NetworkSettings.Ports: every exposed port, null where not published). */
  ports?: Record<string, PortBinding[] | null>;
  state: ContainerStateRecord;
  restartCount: number;
  /** Set by an explicit stop/kill: restart policies (unless-stopped, always at daemon start) honour it. */
  manuallyStopped: boolean;
  hasBeenStarted: boolean;
  driver: string;
}

export const ZERO_TIME = '0001-01-01T00:00:00Z';

export function newState(): ContainerStateRecord {
  return {
    status: 'created',
    pid: 0,
    exitCode: 0,
    error: '',
    oomKilled: false,
    startedAt: ZERO_TIME,
    finishedAt: ZERO_TIME,
  };
}

export const isRunning = (c: ContainerRecord): boolean =>
  c.state.status === 'running' || c.state.status === 'paused' || c.state.status === 'restarting';
