// The network endpoints' wire shapes (`/networks/...`), with Docker's field names (moby's api/types/network).

export interface IPAMConfig {
  Subnet?: string;
  IPRange?: string;
  Gateway?: string;
  AuxiliaryAddresses?: Record<string, string>;
}

export interface IPAM {
  /** "default" unless a plugin was asked for. */
  Driver: string;
  Options: Record<string, string> | null;
  Config: IPAMConfig[];
}

/** One container on a network, as inspect shows it (addresses in CIDR form). */
export interface EndpointResource {
  Name: string;
  EndpointID: string;
  MacAddress: string;
  IPv4Address: string;
  IPv6Address: string;
}

/** `GET /networks/{id}` and each item of `GET /networks`. */
export interface NetworkResource {
  Name: string;
  Id: string;
  Created: string;
  Scope: string;
  Driver: string;
  EnableIPv6: boolean;
  IPAM: IPAM;
  Internal: boolean;
  Attachable: boolean;
  Ingress: boolean;
  ConfigFrom: { Network: string };
  ConfigOnly: boolean;
  Containers: Record<string, EndpointResource>;
  Options: Record<string, string>;
  Labels: Record<string, string>;
}

/** `POST /networks/create` */
export interface NetworkCreateRequest {
  Name: string;
  /** Ignored since API 1.44: a duplicate name is always refused. */
  CheckDuplicate?: boolean;
  Driver?: string;
  Scope?: string;
  Internal?: boolean;
  Attachable?: boolean;
  Ingress?: boolean;
  ConfigOnly?: boolean;
  ConfigFrom?: { Network: string } | null;
  IPAM?: Partial<IPAM> | null;
  EnableIPv6?: boolean;
  Options?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

export interface NetworkCreateResponse {
  Id: string;
  Warning: string;
}

export interface EndpointIPAMConfig {
  IPv4Address?: string;
  IPv6Address?: string;
  LinkLocalIPs?: string[] | null;
}

/**
 * A container's attachment to one network: what was asked for (IPAMConfig, Aliases, Links) and, while it runs, what it
 * got, as container inspect shows it. Requests (create's NetworkingConfig, connect) send any part of it.
 */
export interface EndpointSettings {
  IPAMConfig: EndpointIPAMConfig | null;
  Links: string[] | null;
  Aliases: string[] | null;
  NetworkID: string;
  EndpointID: string;
  Gateway: string;
  IPAddress: string;
  IPPrefixLen: number;
  IPv6Gateway: string;
  GlobalIPv6Address: string;
  GlobalIPv6PrefixLen: number;
  MacAddress: string;
  DriverOpts: Record<string, string> | null;
  DNSNames?: string[] | null;
}

/** `POST /networks/{id}/connect` */
export interface NetworkConnectRequest {
  Container: string;
  EndpointConfig?: Partial<EndpointSettings> | null;
}

/** `POST /networks/{id}/disconnect` */
export interface NetworkDisconnectRequest {
  Container: string;
  Force?: boolean;
}

/** `POST /networks/prune`: the names of the networks removed (null when none, as Go's nil slice). */
export interface NetworkPruneResponse {
  NetworksDeleted: string[] | null;
}
