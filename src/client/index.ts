// The typed Engine API client, for berth's CLI and compose; works against berthd and Docker's dockerd alike.
export { Client, type EventsOptions } from './client.js';
export {
  type ArchiveStream,
  type AttachOptions,
  Containers,
  type ListOptions,
  type LogsOptions,
  type PutArchiveOptions,
  parsePathStat,
  type RemoveOptions,
  type StopOptions,
  type WaitCondition,
} from './containers.js';
export {
  ApiConflict,
  type ApiError,
  ApiForbidden,
  ApiInvalidParameter,
  ApiNotFound,
  ApiNotImplemented,
  ApiSystem,
  ApiUnauthorized,
  apiError,
  DaemonUnreachable,
  isApiError,
  StreamError,
} from './errors.js';
export { Exec } from './exec.js';
export type { HijackedStream } from './hijack.js';
export { type CommitOptions, type ImageListOptions, Images, type ImportOptions } from './images.js';
export { type NetworkInspectOptions, Networks } from './networks.js';
export { Volumes } from './volumes.js';
export {
  type AuthenticateOK,
  type PushOptions,
  Registry,
  type SearchOptions,
  type SearchResult,
} from './registry.js';
export { collectProgress, decodeJsonStream, type JSONMessage, type JsonStream } from './jsonstream.js';
export { encodeFilters, type Filters } from './query.js';
export { demux, FrameDecoder, type Sink, STDERR, STDIN, STDOUT, SYSTEMERR } from './stdcopy.js';
export {
  DEFAULT_HOST,
  type DaemonAddress,
  optionsFromEnv,
  type Ping,
  parseHost,
  type TlsOptions,
  Transport,
  type TransportOptions,
} from './transport.js';
export type * from './types.js';
