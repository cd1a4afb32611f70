// Engine API image shapes (Docker's field names and casing, as in moby's api/swagger.yaml). The image store produces
// them (src/image/store/views.ts); clients read them.
import type { HealthConfig } from './containers.js';

/** An item of `GET /images/json`. */
export interface ImageSummary {
  Id: string;
  /** The parent image ID for images built/committed locally, else "". */
  ParentId: string;
  RepoTags: string[];
  RepoDigests: string[];
  /** Unix seconds of the config's `created` (0 when absent). */
  Created: number;
  /** Bytes of all the image's layers. */
  Size: number;
  /** -1: not computed (Docker computes it only on request). */
  SharedSize: number;
  /** Deprecated copy of Size (dropped from API v1.44). */
  VirtualSize?: number;
  Labels: Record<string, string> | null;
  /** -1: not computed. */
  Containers: number;
}

/** Docker's `container.Config` as image inspect prints it: Go's JSON, `omitempty` fields left out when empty. */
export interface InspectContainerConfig {
  Hostname: string;
  Domainname: string;
  User: string;
  AttachStdin: boolean;
  AttachStdout: boolean;
  AttachStderr: boolean;
  ExposedPorts?: Record<string, Record<string, never>>;
  Tty: boolean;
  OpenStdin: boolean;
  StdinOnce: boolean;
  Env: string[] | null;
  Cmd: string[] | null;
  Healthcheck?: HealthConfig;
  ArgsEscaped?: boolean;
  Image: string;
  Volumes: Record<string, Record<string, never>> | null;
  WorkingDir: string;
  Entrypoint: string[] | null;
  NetworkDisabled?: boolean;
  MacAddress?: string;
  OnBuild: string[] | null;
  Labels: Record<string, string> | null;
  StopSignal?: string;
  StopTimeout?: number;
  Shell?: string[];
}

/** `GET /images/{name}/json`, without GraphDriver (the layer store's to add: driver name and layer metadata). */
export interface ImageInspect {
  Id: string;
  RepoTags: string[];
  RepoDigests: string[];
  Parent: string;
  Comment: string;
  /** RFC3339Nano; absent when the config has no `created` (as API v1.44+). */
  Created?: string;
  Container: string;
  ContainerConfig: InspectContainerConfig;
  DockerVersion: string;
  Author: string;
  Config: InspectContainerConfig | null;
  Architecture: string;
  Variant?: string;
  Os: string;
  OsVersion?: string;
  Size: number;
  VirtualSize?: number;
  RootFS: { Type: string; Layers?: string[] };
  Metadata: { LastTagTime: string };
}

/** An item of `GET /images/{name}/history`, newest first. */
export interface HistoryItem {
  /** The image ID for the entries that are images in this store, `<missing>` for the others. */
  Id: string;
  /** Unix seconds. */
  Created: number;
  CreatedBy: string;
  Tags: string[] | null;
  Size: number;
  Comment: string;
}

/** An item of `DELETE /images/{name}`: exactly one of the two is set. */
export type DeleteItem = { Untagged: string } | { Deleted: string };

/** `POST /images/prune`. */
export interface PruneReport {
  ImagesDeleted: DeleteItem[] | null;
  SpaceReclaimed: number;
}
