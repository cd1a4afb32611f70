// Engine API system shapes: version, info, events, disk usage (moby api/swagger.yaml).

export interface VersionComponent {
  Name: string;
  Version: string;
  Details?: Record<string, string>;
}

export interface VersionResponse {
  Platform: { Name: string };
  Components: VersionComponent[];
  Version: string;
  ApiVersion: string;
  MinAPIVersion: string;
  GitCommit: string;
  GoVersion: string;
  Os: string;
  Arch: string;
  KernelVersion: string;
  BuildTime: string;
}

export interface EventMessage {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'local' | 'swarm';
  time: number;
  timeNano: number;
  /** Deprecated fields older clients still read. */
  status?: string;
  id?: string;
  from?: string;
}

export interface ErrorResponse {
  message: string;
}

/** The subset of `GET /info` berth fills; the rest of Docker's keys are present with zero values. */
export type InfoResponse = Record<string, unknown>;
