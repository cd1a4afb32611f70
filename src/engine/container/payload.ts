// Type checks of a create request's fields, as Go's json.Unmarshal does them for moby's structs: a value of the wrong
// JSON type is refused with Go's message instead of being stored (and failing later, or never).
import { InvalidParameter } from '../../errdefs/index.js';

type Kind = 'int64' | 'bool' | 'string' | '[]string' | 'map[string]string' | 'object';

const CONFIG: Record<string, Kind> = {
  Hostname: 'string',
  Domainname: 'string',
  User: 'string',
  AttachStdin: 'bool',
  AttachStdout: 'bool',
  AttachStderr: 'bool',
  Tty: 'bool',
  OpenStdin: 'bool',
  StdinOnce: 'bool',
  Env: '[]string',
  Image: 'string',
  WorkingDir: 'string',
  Labels: 'map[string]string',
  StopSignal: 'string',
  StopTimeout: 'int64',
  OnBuild: '[]string',
  Shell: '[]string',
  Healthcheck: 'object',
  ExposedPorts: 'object',
  Volumes: 'object',
  HostConfig: 'object',
};

const HOST_CONFIG: Record<string, Kind> = {
  Binds: '[]string',
  NetworkMode: 'string',
  AutoRemove: 'bool',
  CapAdd: '[]string',
  CapDrop: '[]string',
  Dns: '[]string',
  DnsOptions: '[]string',
  DnsSearch: '[]string',
  ExtraHosts: '[]string',
  GroupAdd: '[]string',
  OomScoreAdj: 'int64',
  Privileged: 'bool',
  ReadonlyRootfs: 'bool',
  SecurityOpt: '[]string',
  Tmpfs: 'map[string]string',
  ShmSize: 'int64',
  Sysctls: 'map[string]string',
  CpuShares: 'int64',
  Memory: 'int64',
  NanoCpus: 'int64',
  CgroupParent: 'string',
  BlkioWeight: 'int64',
  CpuPeriod: 'int64',
  CpuQuota: 'int64',
  CpusetCpus: 'string',
  CpusetMems: 'string',
  MemoryReservation: 'int64',
  MemorySwap: 'int64',
  MemorySwappiness: 'int64',
  OomKillDisable: 'bool',
  PidsLimit: 'int64',
  Init: 'bool',
  RestartPolicy: 'object',
  LogConfig: 'object',
};

function jsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

function ok(kind: Kind, v: unknown): boolean {
  switch (kind) {
    case 'int64':
      return typeof v === 'number' && Number.isInteger(v);
    case 'bool':
      return typeof v === 'boolean';
    case 'string':
      return typeof v === 'string';
    case '[]string':
      return Array.isArray(v) && v.every((x) => typeof x === 'string');
    case 'map[string]string':
      return (
        typeof v === 'object' && !Array.isArray(v) && Object.values(v as object).every((x) => typeof x === 'string')
      );
    case 'object':
      return typeof v === 'object' && !Array.isArray(v);
  }
}

function check(obj: Record<string, unknown>, fields: Record<string, Kind>, struct: string): void {
  for (const [name, kind] of Object.entries(fields)) {
    const v = obj[name];
    if (v === undefined || v === null || ok(kind, v)) continue;
    const got = typeof v === 'number' && kind === 'int64' ? 'number' : jsonType(v);
    throw new InvalidParameter(
      `json: cannot unmarshal ${got === 'object' ? 'object' : got} into Go struct field ${struct}.${name} of type ${kind}`,
    );
  }
}

/** Refuses a create body whose known fields have the wrong JSON types (Cmd and Entrypoint may be a string). */
export function checkCreatePayload(body: Record<string, unknown>): void {
  check(body, CONFIG, 'ContainerConfigWrapper.Config');
  for (const f of ['Cmd', 'Entrypoint']) {
    const v = body[f];
    if (v !== undefined && v !== null && typeof v !== 'string' && !ok('[]string', v)) {
      throw new InvalidParameter(
        `json: cannot unmarshal ${jsonType(v)} into Go struct field ContainerConfigWrapper.Config.${f} of type strslice.StrSlice`,
      );
    }
  }
  const hc = body.HostConfig;
  if (hc && typeof hc === 'object')
    check(hc as Record<string, unknown>, HOST_CONFIG, 'ContainerConfigWrapper.HostConfig.HostConfig');
}
