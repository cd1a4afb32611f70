// One schema per request body the Engine API takes, in the Go types moby decodes it into (moby's api/types/container
// HostConfig/Resources/Config, api/types ExecConfig/ExecStartCheck, runconfig.ContainerConfigWrapper), so a body is
// refused at the edge with the error Go's json.Unmarshal would give, and nothing out of range is ever stored.
import {
  array,
  bool,
  duration,
  emptyStruct,
  type GoSchema,
  int,
  int64,
  map,
  slice,
  string,
  strSlice,
  struct,
  uint,
  uint16,
  uint32,
  uint64,
} from './go-types.js';

const strings = () => slice(string());
const stringMap = () => map(string());

const healthConfig = () =>
  struct('container.HealthConfig', {
    Test: strings(),
    Interval: duration(),
    Timeout: duration(),
    StartPeriod: duration(),
    StartInterval: duration(),
    Retries: int(),
  });

/** container.Config's fields (embedded in the create request, the body of a commit). */
const configFields = (): Record<string, GoSchema> => ({
  Hostname: string(),
  Domainname: string(),
  User: string(),
  AttachStdin: bool(),
  AttachStdout: bool(),
  AttachStderr: bool(),
  ExposedPorts: map(emptyStruct(), 'nat.PortSet'),
  Tty: bool(),
  OpenStdin: bool(),
  StdinOnce: bool(),
  Env: strings(),
  Cmd: strSlice(),
  Healthcheck: healthConfig(),
  ArgsEscaped: bool(),
  Image: string(),
  Volumes: map(emptyStruct()),
  WorkingDir: string(),
  Entrypoint: strSlice(),
  NetworkDisabled: bool(),
  MacAddress: string(),
  OnBuild: strings(),
  Labels: stringMap(),
  StopSignal: string(),
  StopTimeout: int(),
  Shell: strSlice(),
});

const restartPolicy = () =>
  struct('container.RestartPolicy', {
    Name: string('container.RestartPolicyMode'),
    MaximumRetryCount: int(),
  });

const throttleDevice = () => struct('blkiodev.ThrottleDevice', { Path: string(), Rate: uint64() });

/** container.Resources, embedded in HostConfig and in the update request. */
const resourceFields = (): Record<string, GoSchema> => ({
  CpuShares: int64(),
  Memory: int64(),
  NanoCpus: int64(),
  CgroupParent: string(),
  BlkioWeight: uint16(),
  BlkioWeightDevice: slice(struct('blkiodev.WeightDevice', { Path: string(), Weight: uint16() })),
  BlkioDeviceReadBps: slice(throttleDevice()),
  BlkioDeviceWriteBps: slice(throttleDevice()),
  BlkioDeviceReadIOps: slice(throttleDevice()),
  BlkioDeviceWriteIOps: slice(throttleDevice()),
  CpuPeriod: int64(),
  CpuQuota: int64(),
  CpuRealtimePeriod: int64(),
  CpuRealtimeRuntime: int64(),
  CpusetCpus: string(),
  CpusetMems: string(),
  Devices: slice(
    struct('container.DeviceMapping', { PathOnHost: string(), PathInContainer: string(), CgroupPermissions: string() }),
  ),
  DeviceCgroupRules: strings(),
  DeviceRequests: slice(
    struct('container.DeviceRequest', {
      Driver: string(),
      Count: int(),
      DeviceIDs: strings(),
      Capabilities: slice(strings()),
      Options: stringMap(),
    }),
  ),
  KernelMemory: int64(),
  KernelMemoryTCP: int64(),
  MemoryReservation: int64(),
  MemorySwap: int64(),
  MemorySwappiness: int64(),
  OomKillDisable: bool(),
  PidsLimit: int64(),
  Ulimits: slice(struct('units.Ulimit', { Name: string(), Hard: int64(), Soft: int64() })),
  CpuCount: int64(),
  CpuPercent: int64(),
  IOMaximumIOps: uint64(),
  IOMaximumBandwidth: uint64(),
});

const mount = () =>
  struct('mount.Mount', {
    Type: string('mount.Type'),
    Source: string(),
    Target: string(),
    ReadOnly: bool(),
    Consistency: string('mount.Consistency'),
    BindOptions: struct('mount.BindOptions', {
      Propagation: string('mount.Propagation'),
      NonRecursive: bool(),
      CreateMountpoint: bool(),
      ReadOnlyNonRecursive: bool(),
      ReadOnlyForceRecursive: bool(),
    }),
    VolumeOptions: struct('mount.VolumeOptions', {
      NoCopy: bool(),
      Labels: stringMap(),
      Subpath: string(),
      DriverConfig: struct('mount.Driver', { Name: string(), Options: stringMap() }),
    }),
    TmpfsOptions: struct('mount.TmpfsOptions', {
      SizeBytes: int64(),
      Mode: uint32('fs.FileMode'),
      Options: slice(strings()),
    }),
  });

const hostConfig = () =>
  struct('container.HostConfig', {
    Binds: strings(),
    ContainerIDFile: string(),
    LogConfig: struct('container.LogConfig', { Type: string(), Config: stringMap() }),
    NetworkMode: string('container.NetworkMode'),
    PortBindings: map(
      slice(struct('nat.PortBinding', { HostIp: string(), HostPort: string() }), '[]nat.PortBinding'),
      'nat.PortMap',
    ),
    RestartPolicy: restartPolicy(),
    AutoRemove: bool(),
    VolumeDriver: string(),
    VolumesFrom: strings(),
    ConsoleSize: array(2, uint()),
    Annotations: stringMap(),
    CapAdd: strSlice(),
    CapDrop: strSlice(),
    CgroupnsMode: string('container.CgroupnsMode'),
    Dns: strings(),
    DnsOptions: strings(),
    DnsSearch: strings(),
    ExtraHosts: strings(),
    GroupAdd: strings(),
    IpcMode: string('container.IpcMode'),
    Cgroup: string('container.CgroupSpec'),
    Links: strings(),
    OomScoreAdj: int(),
    PidMode: string('container.PidMode'),
    Privileged: bool(),
    PublishAllPorts: bool(),
    ReadonlyRootfs: bool(),
    SecurityOpt: strings(),
    StorageOpt: stringMap(),
    Tmpfs: stringMap(),
    UTSMode: string('container.UTSMode'),
    UsernsMode: string('container.UsernsMode'),
    ShmSize: int64(),
    Sysctls: stringMap(),
    Runtime: string(),
    Isolation: string('container.Isolation'),
    ...resourceFields(),
    Mounts: slice(mount()),
    MaskedPaths: strings(),
    ReadonlyPaths: strings(),
    Init: bool(),
  });

/** POST /containers/create */
export const containerCreateBody = struct('runconfig.ContainerConfigWrapper', {
  ...configFields(),
  HostConfig: hostConfig(),
  NetworkingConfig: struct('network.NetworkingConfig', {
    EndpointsConfig: map({ type: 'object', goType: 'network.EndpointSettings' }),
  }),
});

/** POST /containers/{id}/update */
export const containerUpdateBody = struct('container.UpdateConfig', {
  ...resourceFields(),
  RestartPolicy: restartPolicy(),
});

/** POST /commit: the new image's container.Config. */
export const commitBody = struct('container.Config', configFields());

/** POST /containers/{id}/start: a HostConfig here was removed in API v1.24; the route refuses any. */
export const containerStartBody = hostConfig();

/** POST /containers/{id}/exec */
export const execCreateBody = struct('types.ExecConfig', {
  User: string(),
  Privileged: bool(),
  Tty: bool(),
  ConsoleSize: array(2, uint()),
  AttachStdin: bool(),
  AttachStderr: bool(),
  AttachStdout: bool(),
  Detach: bool(),
  DetachKeys: string(),
  Env: strings(),
  WorkingDir: string(),
  Cmd: strings(),
});

/** POST /exec/{id}/start */
export const execStartBody = struct('types.ExecStartCheck', {
  Detach: bool(),
  Tty: bool(),
  ConsoleSize: array(2, uint()),
});

const endpointSettings = () =>
  struct('network.EndpointSettings', {
    IPAMConfig: struct('network.EndpointIPAMConfig', {
      IPv4Address: string(),
      IPv6Address: string(),
      LinkLocalIPs: strings(),
    }),
    Links: strings(),
    Aliases: strings(),
    DriverOpts: stringMap(),
    GwPriority: int(),
    NetworkID: string(),
    EndpointID: string(),
    Gateway: string(),
    IPAddress: string(),
    IPPrefixLen: int(),
    IPv6Gateway: string(),
    GlobalIPv6Address: string(),
    GlobalIPv6PrefixLen: int(),
    MacAddress: string(),
    DNSNames: strings(),
  });

/** POST /networks/create */
export const networkCreateBody = struct('types.NetworkCreateRequest', {
  Name: string(),
  CheckDuplicate: bool(),
  Driver: string(),
  Scope: string(),
  EnableIPv4: bool(),
  EnableIPv6: bool(),
  IPAM: struct('network.IPAM', {
    Driver: string(),
    Options: stringMap(),
    Config: slice(
      struct('network.IPAMConfig', {
        Subnet: string(),
        IPRange: string(),
        Gateway: string(),
        AuxiliaryAddresses: stringMap(),
      }),
    ),
  }),
  Internal: bool(),
  Attachable: bool(),
  Ingress: bool(),
  ConfigOnly: bool(),
  ConfigFrom: struct('network.ConfigReference', { Network: string() }),
  Options: stringMap(),
  Labels: stringMap(),
});

/** POST /networks/{id}/connect */
export const networkConnectBody = struct('types.NetworkConnect', {
  Container: string(),
  EndpointConfig: endpointSettings(),
});

/** POST /networks/{id}/disconnect */
export const networkDisconnectBody = struct('types.NetworkDisconnect', { Container: string(), Force: bool() });

/** POST /volumes/create */
export const volumeCreateBody = struct('volume.CreateOptions', {
  Name: string(),
  Driver: string(),
  DriverOpts: stringMap(),
  Labels: stringMap(),
});
