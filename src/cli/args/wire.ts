// Engine API shapes the docker CLI sends on create/exec/update that src/api does not model (yet): the full Mount,
// device requests, blkio throttles, endpoint settings. Field names and casing are Docker's; each extends src/api's type
// so a value of it is still a ContainerCreateRequest.
import type {
  ContainerCreateRequest,
  ContainerUpdateRequest,
  ExecCreateRequest,
  HostConfig,
  MountRequest,
} from '../../api/index.js';

export interface MountSpec extends MountRequest {
  Type: string;
  Target: string;
  Source?: string;
  ReadOnly?: boolean;
  Consistency?: string;
  BindOptions?: {
    Propagation?: string;
    NonRecursive?: boolean;
    CreateMountpoint?: boolean;
    ReadOnlyNonRecursive?: boolean;
    ReadOnlyForceRecursive?: boolean;
  } | null;
  VolumeOptions?: {
    NoCopy?: boolean;
    Labels?: Record<string, string>;
    Subpath?: string;
    DriverConfig?: { Name?: string; Options?: Record<string, string> } | null;
  } | null;
  ImageOptions?: { Subpath?: string } | null;
  TmpfsOptions?: { SizeBytes?: number; Mode?: number } | null;
}

export interface DeviceRequest {
  Driver: string;
  Count: number;
  DeviceIDs: string[] | null;
  Capabilities: string[][] | null;
  Options: Record<string, string> | null;
}

export interface ThrottleDevice {
  Path: string;
  Rate: number;
}

export interface WeightDevice {
  Path: string;
  Weight: number;
}

export interface DeviceMapping {
  PathOnHost: string;
  PathInContainer: string;
  CgroupPermissions: string;
}

export interface EndpointSettings {
  IPAMConfig: { IPv4Address?: string; IPv6Address?: string; LinkLocalIPs?: string[] } | null;
  Links: string[] | null;
  Aliases: string[] | null;
  MacAddress: string;
  DriverOpts: Record<string, string> | null;
  GwPriority: number;
  NetworkID: string;
  EndpointID: string;
  Gateway: string;
  IPAddress: string;
  IPPrefixLen: number;
  IPv6Gateway: string;
  GlobalIPv6Address: string;
  GlobalIPv6PrefixLen: number;
  DNSNames: string[] | null;
}

/** HostConfig as the CLI sends it: src/api's fields plus the ones it leaves out. */
export interface CreateHostConfig extends HostConfig {
  Mounts?: MountSpec[] | null;
  ConsoleSize?: [number, number];
  CgroupnsMode?: string;
  Annotations?: Record<string, string> | null;
  BlkioWeightDevice?: WeightDevice[] | null;
  BlkioDeviceReadBps?: ThrottleDevice[] | null;
  BlkioDeviceWriteBps?: ThrottleDevice[] | null;
  BlkioDeviceReadIOps?: ThrottleDevice[] | null;
  BlkioDeviceWriteIOps?: ThrottleDevice[] | null;
  DeviceCgroupRules?: string[] | null;
  DeviceRequests?: DeviceRequest[] | null;
  KernelMemory?: number;
  CpuCount?: number;
  CpuPercent?: number;
  IOMaximumIOps?: number;
  IOMaximumBandwidth?: number;
}

export interface CreateRequestBody extends ContainerCreateRequest {
  HostConfig: CreateHostConfig;
  NetworkingConfig: { EndpointsConfig: Record<string, EndpointSettings> };
}

/** `POST /containers/{id}/exec` as the CLI sends it (with the legacy Detach field). */
export interface ExecCreateBody extends ExecCreateRequest {
  Detach?: boolean;
}

/** `POST /containers/{id}/update` as the CLI sends it: all of Resources plus RestartPolicy. */
export interface UpdateRequestBody extends ContainerUpdateRequest {
  CgroupParent: string;
  CpuRealtimePeriod: number;
  CpuRealtimeRuntime: number;
  BlkioWeightDevice: WeightDevice[] | null;
  BlkioDeviceReadBps: ThrottleDevice[] | null;
  BlkioDeviceWriteBps: ThrottleDevice[] | null;
  BlkioDeviceReadIOps: ThrottleDevice[] | null;
  BlkioDeviceWriteIOps: ThrottleDevice[] | null;
  Devices: DeviceMapping[] | null;
  DeviceCgroupRules: string[] | null;
  DeviceRequests: DeviceRequest[] | null;
  KernelMemory?: number;
  MemorySwappiness: number | null;
  OomKillDisable: boolean | null;
  Ulimits: null;
  CpuCount: number;
  CpuPercent: number;
  IOMaximumIOps: number;
  IOMaximumBandwidth: number;
}
