// What a container's network sandbox needs from the network side, declared here by its caller and implemented by the
// leaf modules (src/network) and the network service: networks to attach to, addresses, host ports, the kernel's
// links and namespaces, packet filtering and names.
import type { EndpointSpec } from '../../network/bridge/index.js';

/** A bridge-driver network as a container's endpoint needs it. */
export interface BridgeNetwork {
  id: string;
  name: string;
  /** The Linux bridge: berth0 for the default network, br-<id12> or the user's name otherwise. */
  bridge: string;
  mtu: number;
  internal: boolean;
  /** User-defined: its containers get the embedded DNS and network-scoped aliases. */
  custom: boolean;
  ipv4?: { subnet: string; gateway: string };
  ipv6?: { subnet: string; gateway: string };
}

export interface SandboxNetworks {
  /** The bridge network with this id, or undefined (gone, or another driver). */
  bridgeNetwork(id: string): BridgeNetwork | undefined;
}

/** IPAM, per container: every address a container holds is released with it, whichever network gave it. */
export interface AddressBook {
  /** The requested address, or the next free one; InvalidParameter/Conflict in Docker's words when it cannot be. */
  allocate(networkId: string, owner: string, family: 4 | 6, requested?: string): string;
  /** Marks an address as held (a running container found at daemon start). */
  reserve(networkId: string, owner: string, address: string): void;
  /** Gives back what `owner` holds on `networkId`, or everywhere. */
  release(owner: string, networkId?: string): void;
}

/** One published port: where it is reached on the host and where it lands in the container. */
export interface PublishedPort {
  proto: 'tcp' | 'udp' | 'sctp';
  /** '' for every address of the host. */
  hostIp: string;
  hostPort: number;
  containerPort: number;
  containerIp: string;
  /** The bridge the container's endpoint is on. */
  bridge: string;
}

/** What a container asked to publish (HostConfig.PortBindings, PublishAllPorts and its ExposedPorts). */
export interface PortRequest {
  portBindings: Record<string, { HostIp?: string; HostPort?: string }[] | null>;
  publishAll: boolean;
  exposed: string[];
}

export interface HostPorts {
  /**
   * Host ports for `owner`: the ones asked for (Conflict in Docker's words when taken, nothing held then), free ones
   * from the ephemeral range for the rest.
   */
  allocate(
    owner: string,
    request: PortRequest,
  ): Promise<{ proto: 'tcp' | 'udp' | 'sctp'; hostIp: string; hostPort: number; containerPort: number }[]>;
  /** Marks ports as held (a running container found at daemon start). */
  reserve(
    owner: string,
    ports: { proto: 'tcp' | 'udp' | 'sctp'; hostIp: string; hostPort: number; containerPort: number }[],
  ): void;
  release(owner: string): void;
}

export interface PacketFilter {
  publish(ports: PublishedPort[]): Promise<void>;
  unpublish(ports: PublishedPort[]): Promise<void>;
}

/** One interface of a container on a bridge: the veth pair and its addresses (the bridge driver's shape). */
export type EndpointLink = EndpointSpec;

export interface SandboxKernel {
  /** Creates the namespace pinned at `netnsPath` with its endpoints (and, when asked, 127.0.0.11 redirected to dns). */
  create(netnsPath: string, endpoints: EndpointLink[], opts: { dnsServer?: string }): Promise<void>;
  /** Adds endpoints to an existing namespace (network connect); no default route changes. */
  attach(netnsPath: string, endpoints: EndpointLink[], opts: { dnsServer?: string }): Promise<void>;
  /** Removes endpoints' host ends (and with them the container's ends). Missing ones are fine. */
  detach(hostVeths: string[]): Promise<void>;
  /** Unpins the namespace of a container whose processes are gone; its endpoints go with it. Missing is fine. */
  destroy(netnsPath: string): Promise<void>;
  /** The host-side name of the veth of container `containerId` on network `networkId`. */
  vethName(containerId: string, networkId: string): string;
  /** Docker's MAC for an IPv4 address (02:42 then the address's bytes). */
  macFor(ipv4: string): string;
}

/** The embedded DNS's view of who is where. */
export interface NameRegistry {
  /** A container's names on a network (its name, short id, aliases) and its addresses there. */
  register(
    containerId: string,
    networkId: string,
    entry: { names: string[]; ipv4?: string; ipv6?: string; links?: Record<string, string> },
  ): void;
  unregister(containerId: string, networkId?: string): void;
  /** The resolvers a container's queries for names not of its networks go to (its --dns); empty: the daemon's. */
  setUpstreams(containerId: string, servers: readonly string[]): void;
}
