// The flag sets of `docker run`, `docker create`, `docker exec` and `docker update` (docker v28's, all of them, so no
// flag is "unknown" even where berth cannot honour it), with docker's descriptions so help reads the same.
import type { Ulimit } from '../../api/index.js';
import type { FlagSpec } from './parser.js';
import {
  type NetworkAttachment,
  parseCpus,
  parseGpuRequest,
  parseMount,
  parseNetworkOpt,
  parseUlimit,
  ramInBytes,
  validateAttach,
  validateDeviceCgroupRule,
  validateDNSSearch,
  validateExtraHost,
  validateIPAddress,
  validateLabel,
  validateLink,
  validateSysctl,
  validateThrottleBpsDevice,
  validateThrottleIOpsDevice,
  validateWeightDevice,
} from './values.js';
import type { DeviceRequest, MountSpec, ThrottleDevice, WeightDevice } from './wire.js';
import { InvalidParameter } from '../../errdefs/index.js';

// -e is checked when given (an empty name is an error); the value lookup happens when the request is built.
const validateEnvName = (v: string): string => {
  if (v.split('=')[0] === '') throw new InvalidParameter(`invalid environment variable: ${v}`);
  return v;
};

const append =
  <T>(f: (s: string) => T) =>
  (raw: string, cur: unknown): T[] => [...((cur as T[] | undefined) ?? []), f(raw)];

const throttle = (name: string, description: string, f: (s: string) => ThrottleDevice): FlagSpec => ({
  name,
  type: 'value',
  typeName: 'list',
  defaultText: '[]',
  default: [],
  parse: append(f),
  description,
});

/** docker's memory-swap value: bytes, or -1 for unlimited. */
export const parseSwapBytes = (raw: string): number => (raw === '-1' ? -1 : ramInBytes(raw));

/** The flags every container-creating command has (docker/cli's addFlags). */
export const CONTAINER_FLAGS: readonly FlagSpec[] = [
  // General purpose
  {
    name: 'attach',
    short: 'a',
    type: 'list',
    validate: validateAttach,
    description: 'Attach to STDIN, STDOUT or STDERR',
  },
  {
    name: 'device-cgroup-rule',
    type: 'list',
    validate: validateDeviceCgroupRule,
    description: 'Add a rule to the cgroup allowed devices list',
  },
  { name: 'device', type: 'list', description: 'Add a host device to the container' },
  {
    name: 'gpus',
    type: 'value',
    typeName: 'gpu-request',
    default: [],
    parse: append<DeviceRequest>(parseGpuRequest),
    minApiVersion: '1.40',
    description: "GPU devices to add to the container ('all' to pass all GPUs)",
  },
  { name: 'env', short: 'e', type: 'list', validate: validateEnvName, description: 'Set environment variables' },
  { name: 'env-file', type: 'list', description: 'Read in a file of environment variables' },
  { name: 'entrypoint', type: 'string', description: 'Overwrite the default ENTRYPOINT of the image' },
  { name: 'group-add', type: 'list', description: 'Add additional groups to join' },
  { name: 'hostname', short: 'h', type: 'string', description: 'Container host name' },
  { name: 'domainname', type: 'string', description: 'Container NIS domain name' },
  { name: 'interactive', short: 'i', type: 'bool', description: 'Keep STDIN open even if not attached' },
  { name: 'label', short: 'l', type: 'list', validate: validateLabel, description: 'Set meta data on a container' },
  { name: 'label-file', type: 'list', description: 'Read in a line delimited file of labels' },
  { name: 'read-only', type: 'bool', description: "Mount the container's root filesystem as read only" },
  { name: 'restart', type: 'string', default: 'no', description: 'Restart policy to apply when a container exits' },
  { name: 'stop-signal', type: 'string', description: 'Signal to stop the container' },
  {
    name: 'stop-timeout',
    type: 'int',
    minApiVersion: '1.25',
    description: 'Timeout (in seconds) to stop a container',
  },
  { name: 'sysctl', type: 'map', validate: validateSysctl, description: 'Sysctl options' },
  { name: 'tty', short: 't', type: 'bool', description: 'Allocate a pseudo-TTY' },
  {
    name: 'ulimit',
    type: 'value',
    typeName: 'ulimit',
    defaultText: '[]',
    default: {},
    parse: (raw, cur) => {
      const u = parseUlimit(raw);
      return { ...(cur as Record<string, Ulimit>), [u.Name]: u };
    },
    description: 'Ulimit options',
  },
  { name: 'user', short: 'u', type: 'string', description: 'Username or UID (format: <name|uid>[:<group|gid>])' },
  { name: 'workdir', short: 'w', type: 'string', description: 'Working directory inside the container' },
  {
    name: 'rm',
    type: 'bool',
    description: 'Automatically remove the container and its associated anonymous volumes when it exits',
  },
  // Security
  { name: 'cap-add', type: 'list', description: 'Add Linux capabilities' },
  { name: 'cap-drop', type: 'list', description: 'Drop Linux capabilities' },
  { name: 'privileged', type: 'bool', description: 'Give extended privileges to this container' },
  { name: 'security-opt', type: 'list', description: 'Security Options' },
  { name: 'userns', type: 'string', description: 'User namespace to use' },
  {
    name: 'cgroupns',
    type: 'string',
    minApiVersion: '1.41',
    description: `Cgroup namespace to use (host|private)
'host':    Run the container in the Docker host's cgroup namespace
'private': Run the container in its own private cgroup namespace
'':        Use the cgroup namespace as configured by the
           default-cgroupns-mode option on the daemon (default)`,
  },
  // Network and port publishing
  {
    name: 'add-host',
    type: 'list',
    validate: validateExtraHost,
    description: 'Add a custom host-to-IP mapping (host:ip)',
  },
  { name: 'dns', type: 'list', validate: validateIPAddress, description: 'Set custom DNS servers' },
  { name: 'dns-opt', type: 'list', dest: 'dns-option', hidden: true, description: 'Set DNS options' },
  { name: 'dns-option', type: 'list', description: 'Set DNS options' },
  { name: 'dns-search', type: 'list', validate: validateDNSSearch, description: 'Set custom DNS search domains' },
  { name: 'expose', type: 'list', description: 'Expose a port or a range of ports' },
  { name: 'ip', type: 'string', description: 'IPv4 address (e.g., 172.30.100.104)' },
  { name: 'ip6', type: 'string', description: 'IPv6 address (e.g., 2001:db8::33)' },
  { name: 'link', type: 'list', validate: validateLink, description: 'Add link to another container' },
  { name: 'link-local-ip', type: 'list', description: 'Container IPv4/IPv6 link-local addresses' },
  { name: 'mac-address', type: 'string', description: 'Container MAC address (e.g., 92:d0:c6:0a:29:33)' },
  { name: 'publish', short: 'p', type: 'list', description: "Publish a container's port(s) to the host" },
  { name: 'publish-all', short: 'P', type: 'bool', description: 'Publish all exposed ports to random ports' },
  {
    name: 'net',
    type: 'value',
    typeName: 'network',
    dest: 'network',
    hidden: true,
    parse: append<NetworkAttachment>(parseNetworkOpt),
    description: 'Connect a container to a network',
  },
  {
    name: 'network',
    type: 'value',
    typeName: 'network',
    default: [],
    parse: append<NetworkAttachment>(parseNetworkOpt),
    description: 'Connect a container to a network',
  },
  {
    name: 'net-alias',
    type: 'list',
    dest: 'network-alias',
    hidden: true,
    description: 'Add network-scoped alias for the container',
  },
  { name: 'network-alias', type: 'list', description: 'Add network-scoped alias for the container' },
  // Logging and storage
  { name: 'log-driver', type: 'string', description: 'Logging driver for the container' },
  { name: 'volume-driver', type: 'string', description: 'Optional volume driver for the container' },
  { name: 'log-opt', type: 'list', description: 'Log driver options' },
  { name: 'storage-opt', type: 'list', description: 'Storage driver options for the container' },
  { name: 'tmpfs', type: 'list', description: 'Mount a tmpfs directory' },
  { name: 'volumes-from', type: 'list', description: 'Mount volumes from the specified container(s)' },
  { name: 'volume', short: 'v', type: 'list', description: 'Bind mount a volume' },
  {
    name: 'mount',
    type: 'value',
    typeName: 'mount',
    default: [],
    parse: append<MountSpec>((s) => parseMount(s)),
    description: 'Attach a filesystem mount to the container',
  },
  // Health-checking
  { name: 'health-cmd', type: 'string', description: 'Command to run to check health' },
  {
    name: 'health-interval',
    type: 'duration',
    description: 'Time between running the check (ms|s|m|h) (default 0s)',
  },
  { name: 'health-retries', type: 'int', description: 'Consecutive failures needed to report unhealthy' },
  {
    name: 'health-timeout',
    type: 'duration',
    description: 'Maximum time to allow one check to run (ms|s|m|h) (default 0s)',
  },
  {
    name: 'health-start-period',
    type: 'duration',
    minApiVersion: '1.29',
    description:
      'Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)',
  },
  {
    name: 'health-start-interval',
    type: 'duration',
    minApiVersion: '1.44',
    description: 'Time between running the check during the start period (ms|s|m|h) (default 0s)',
  },
  { name: 'no-healthcheck', type: 'bool', description: 'Disable any container-specified HEALTHCHECK' },
  // Resource management
  {
    name: 'blkio-weight',
    type: 'uint16',
    description: 'Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)',
  },
  {
    name: 'blkio-weight-device',
    type: 'value',
    typeName: 'list',
    defaultText: '[]',
    default: [],
    parse: append<WeightDevice>(validateWeightDevice),
    description: 'Block IO weight (relative device weight)',
  },
  { name: 'cidfile', type: 'string', description: 'Write the container ID to the file' },
  { name: 'cpuset-cpus', type: 'string', description: 'CPUs in which to allow execution (0-3, 0,1)' },
  { name: 'cpuset-mems', type: 'string', description: 'MEMs in which to allow execution (0-3, 0,1)' },
  { name: 'cpu-count', type: 'int64', osType: 'windows', description: 'CPU count (Windows only)' },
  { name: 'cpu-percent', type: 'int64', osType: 'windows', description: 'CPU percent (Windows only)' },
  { name: 'cpu-period', type: 'int64', description: 'Limit CPU CFS (Completely Fair Scheduler) period' },
  { name: 'cpu-quota', type: 'int64', description: 'Limit CPU CFS (Completely Fair Scheduler) quota' },
  {
    name: 'cpu-rt-period',
    type: 'int64',
    minApiVersion: '1.25',
    description: 'Limit CPU real-time period in microseconds',
  },
  {
    name: 'cpu-rt-runtime',
    type: 'int64',
    minApiVersion: '1.25',
    description: 'Limit CPU real-time runtime in microseconds',
  },
  { name: 'cpu-shares', short: 'c', type: 'int64', description: 'CPU shares (relative weight)' },
  {
    name: 'cpus',
    type: 'value',
    typeName: 'decimal',
    default: 0,
    parse: parseCpus,
    minApiVersion: '1.25',
    description: 'Number of CPUs',
  },
  throttle('device-read-bps', 'Limit read rate (bytes per second) from a device', validateThrottleBpsDevice),
  throttle('device-read-iops', 'Limit read rate (IO per second) from a device', validateThrottleIOpsDevice),
  throttle('device-write-bps', 'Limit write rate (bytes per second) to a device', validateThrottleBpsDevice),
  throttle('device-write-iops', 'Limit write rate (IO per second) to a device', validateThrottleIOpsDevice),
  {
    name: 'io-maxbandwidth',
    type: 'bytes',
    osType: 'windows',
    description: 'Maximum IO bandwidth limit for the system drive (Windows only)',
  },
  {
    name: 'io-maxiops',
    type: 'uint64',
    osType: 'windows',
    description: 'Maximum IOps limit for the system drive (Windows only)',
  },
  { name: 'kernel-memory', type: 'bytes', description: 'Kernel memory limit' },
  { name: 'memory', short: 'm', type: 'bytes', description: 'Memory limit' },
  { name: 'memory-reservation', type: 'bytes', description: 'Memory soft limit' },
  {
    name: 'memory-swap',
    type: 'value',
    typeName: 'bytes',
    default: 0,
    defaultText: '0',
    parse: parseSwapBytes,
    description: "Swap limit equal to memory plus swap: '-1' to enable unlimited swap",
  },
  { name: 'memory-swappiness', type: 'int64', default: -1, description: 'Tune container memory swappiness (0 to 100)' },
  { name: 'oom-kill-disable', type: 'bool', description: 'Disable OOM Killer' },
  { name: 'oom-score-adj', type: 'int', description: "Tune host's OOM preferences (-1000 to 1000)" },
  { name: 'pids-limit', type: 'int64', description: 'Tune container pids limit (set -1 for unlimited)' },
  // Low-level execution (cgroups, namespaces, ...)
  { name: 'cgroup-parent', type: 'string', description: 'Optional parent cgroup for the container' },
  { name: 'ipc', type: 'string', description: 'IPC mode to use' },
  { name: 'isolation', type: 'string', description: 'Container isolation technology' },
  { name: 'pid', type: 'string', description: 'PID namespace to use' },
  { name: 'shm-size', type: 'bytes', description: 'Size of /dev/shm' },
  { name: 'uts', type: 'string', description: 'UTS namespace to use' },
  { name: 'runtime', type: 'string', description: 'Runtime to use for this container' },
  {
    name: 'init',
    type: 'bool',
    minApiVersion: '1.25',
    description: 'Run an init inside the container that forwards signals and reaps processes',
  },
  {
    name: 'annotation',
    type: 'map',
    minApiVersion: '1.43',
    description: 'Add an annotation to the container (passed through to the OCI runtime)',
  },
];

// Flags run and create share besides the container's (name, pull, platform, content trust, explicit --help).
const createCommon = (verb: 'running' | 'creating'): FlagSpec[] => [
  { name: 'name', type: 'string', description: 'Assign a name to the container' },
  {
    name: 'pull',
    type: 'string',
    default: 'missing',
    // docker's create help has a stray "|" here; kept so help matches.
    description:
      verb === 'running'
        ? 'Pull image before running ("always", "missing", "never")'
        : 'Pull image before creating ("always", "|missing", "never")',
  },
  { name: 'quiet', short: 'q', type: 'bool', description: 'Suppress the pull output' },
  { name: 'use-api-socket', type: 'bool', description: 'Bind mount Docker API socket and required auth' },
  // An explicit --help without -h, which is --hostname here.
  { name: 'help', type: 'bool', description: 'Print usage' },
  {
    name: 'platform',
    type: 'string',
    minApiVersion: '1.32',
    description: 'Set platform if server is multi-platform capable',
  },
  { name: 'disable-content-trust', type: 'bool', default: true, description: 'Skip image verification' },
];

/** `docker run`'s flags (not interspersed: the first positional is the image). */
export const RUN_FLAGS: readonly FlagSpec[] = [
  { name: 'detach', short: 'd', type: 'bool', description: 'Run container in background and print container ID' },
  { name: 'sig-proxy', type: 'bool', default: true, description: 'Proxy received signals to the process' },
  { name: 'detach-keys', type: 'string', description: 'Override the key sequence for detaching a container' },
  ...createCommon('running'),
  ...CONTAINER_FLAGS,
];

/** `docker create`'s flags (not interspersed). */
export const CREATE_FLAGS: readonly FlagSpec[] = [...createCommon('creating'), ...CONTAINER_FLAGS];

/** `docker exec`'s flags (not interspersed: the first positional is the container, then the command). */
export const EXEC_FLAGS: readonly FlagSpec[] = [
  { name: 'detach-keys', type: 'string', description: 'Override the key sequence for detaching a container' },
  { name: 'interactive', short: 'i', type: 'bool', description: 'Keep STDIN open even if not attached' },
  { name: 'tty', short: 't', type: 'bool', description: 'Allocate a pseudo-TTY' },
  { name: 'detach', short: 'd', type: 'bool', description: 'Detached mode: run command in the background' },
  { name: 'user', short: 'u', type: 'string', description: 'Username or UID (format: "<name|uid>[:<group|gid>]")' },
  { name: 'privileged', type: 'bool', description: 'Give extended privileges to the command' },
  {
    name: 'env',
    short: 'e',
    type: 'list',
    validate: validateEnvName,
    minApiVersion: '1.25',
    description: 'Set environment variables',
  },
  { name: 'env-file', type: 'list', minApiVersion: '1.25', description: 'Read in a file of environment variables' },
  {
    name: 'workdir',
    short: 'w',
    type: 'string',
    minApiVersion: '1.35',
    description: 'Working directory inside the container',
  },
];

/** `docker update`'s flags. */
export const UPDATE_FLAGS: readonly FlagSpec[] = [
  {
    name: 'blkio-weight',
    type: 'uint16',
    description: 'Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)',
  },
  { name: 'cpu-period', type: 'int64', description: 'Limit CPU CFS (Completely Fair Scheduler) period' },
  { name: 'cpu-quota', type: 'int64', description: 'Limit CPU CFS (Completely Fair Scheduler) quota' },
  {
    name: 'cpu-rt-period',
    type: 'int64',
    minApiVersion: '1.25',
    description: 'Limit the CPU real-time period in microseconds',
  },
  {
    name: 'cpu-rt-runtime',
    type: 'int64',
    minApiVersion: '1.25',
    description: 'Limit the CPU real-time runtime in microseconds',
  },
  { name: 'cpuset-cpus', type: 'string', description: 'CPUs in which to allow execution (0-3, 0,1)' },
  { name: 'cpuset-mems', type: 'string', description: 'MEMs in which to allow execution (0-3, 0,1)' },
  { name: 'cpu-shares', short: 'c', type: 'int64', description: 'CPU shares (relative weight)' },
  { name: 'memory', short: 'm', type: 'bytes', description: 'Memory limit' },
  { name: 'memory-reservation', type: 'bytes', description: 'Memory soft limit' },
  {
    name: 'memory-swap',
    type: 'value',
    typeName: 'bytes',
    default: 0,
    defaultText: '0',
    parse: parseSwapBytes,
    description: 'Swap limit equal to memory plus swap: -1 to enable unlimited swap',
  },
  { name: 'kernel-memory', type: 'bytes', hidden: true, description: 'Kernel memory limit (deprecated)' },
  { name: 'restart', type: 'string', description: 'Restart policy to apply when a container exits' },
  {
    name: 'pids-limit',
    type: 'int64',
    minApiVersion: '1.40',
    description: 'Tune container pids limit (set -1 for unlimited)',
  },
  {
    name: 'cpus',
    type: 'value',
    typeName: 'decimal',
    default: 0,
    parse: parseCpus,
    minApiVersion: '1.29',
    description: 'Number of CPUs',
  },
];
