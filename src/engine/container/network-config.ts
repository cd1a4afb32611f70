// A create request's networking, checked and resolved as moby's daemon does (runconfig's validateNetMode and the
// endpoint checks of container create): the network mode, the endpoints the container will have on each network
// (aliases, requested addresses, links), and Docker's errors for combinations that cannot work.
import type { ContainerConfig, EndpointSettings, HostConfig } from '../../api/index.js';
import { InvalidParameter } from '../../errdefs/index.js';

/** A network as the container services see it (the network service resolves names, ids and id prefixes). */
export interface NetworkRef {
  id: string;
  name: string;
  /** bridge, host or null (none). */
  driver: string;
  /** Created by a user: not one of bridge, host and none. */
  custom: boolean;
  /** Its IPAM config names a subnet (only then may a container ask for an address). */
  userSubnet: boolean;
}

export interface NetworkCatalog {
  /** By full name, full id or unique id prefix; NotFound `network <ref> not found` otherwise. */
  find(ref: string): NetworkRef;
}

export type ContainerNetworkMode =
  | { kind: 'bridge'; network: string } // the default bridge or a user-defined network (by name)
  | { kind: 'none' }
  | { kind: 'host' }
  | { kind: 'container'; ref: string };

/** The mode HostConfig.NetworkMode names; `default` and empty are the default bridge. */
export function parseNetworkMode(mode: string | undefined): ContainerNetworkMode {
  const m = mode ?? '';
  if (m === '' || m === 'default' || m === 'bridge') return { kind: 'bridge', network: 'bridge' };
  if (m === 'none') return { kind: 'none' };
  if (m === 'host') return { kind: 'host' };
  if (m.startsWith('container:')) return { kind: 'container', ref: m.slice('container:'.length) };
  return { kind: 'bridge', network: m };
}

const conflict = (what: string) => new InvalidParameter(`conflicting options: ${what}`);

/** runconfig's validateNetMode: what a shared (container:, host) network namespace cannot have of its own. */
function validateSharedMode(mode: ContainerNetworkMode, config: ContainerConfig, hc: HostConfig): void {
  if (mode.kind === 'container') {
    if (config.Hostname) throw conflict('hostname and the network mode');
    if (hc.Links?.length) {
      throw conflict("container type network can't be used with links. This would result in undefined behavior");
    }
    if (hc.Dns?.length) throw conflict('dns and the network mode');
    if (hc.ExtraHosts?.length) throw conflict('custom host-to-IP mapping and the network mode');
    if (config.MacAddress) throw conflict('mac-address and the network mode');
    if (hc.PublishAllPorts || Object.keys(hc.PortBindings ?? {}).length > 0) {
      throw conflict('port publishing and the container type network mode');
    }
    if (Object.keys(config.ExposedPorts ?? {}).length > 0) {
      throw conflict('port exposing and the container type network mode');
    }
  }
  if (mode.kind === 'host' && hc.Links?.length) {
    throw conflict("host type networking can't be used with links. This would result in undefined behavior");
  }
}

/** An endpoint's address fields while its container does not run (inspect shows them empty). */
export function noAddresses() {
  return {
    EndpointID: '',
    Gateway: '',
    IPAddress: '',
    IPPrefixLen: 0,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
  };
}

/** An endpoint as a created container keeps it: the request's part, no addresses yet. */
export function emptyEndpoint(
  networkId: string,
  asked: Partial<EndpointSettings> | null | undefined,
): EndpointSettings {
  const ipam = asked?.IPAMConfig;
  return {
    IPAMConfig: ipam && (ipam.IPv4Address || ipam.IPv6Address || ipam.LinkLocalIPs?.length) ? { ...ipam } : null,
    Links: asked?.Links?.length ? [...asked.Links] : null,
    Aliases: asked?.Aliases?.length ? [...asked.Aliases] : null,
    NetworkID: networkId,
    ...noAddresses(),
    // A MAC asked for (--mac-address: API 1.44+ sends it per endpoint) is kept; one derived from the address is not.
    MacAddress: asked?.MacAddress ?? '',
    DriverOpts: asked?.DriverOpts && Object.keys(asked.DriverOpts).length ? { ...asked.DriverOpts } : null,
  };
}

/** The endpoint checks moby makes when a container joins a network (at create and on `network connect`). */
export function validateEndpoint(net: NetworkRef, asked: Partial<EndpointSettings> | null | undefined): void {
  const ipam = asked?.IPAMConfig;
  if (ipam && (ipam.IPv4Address || ipam.IPv6Address)) {
    if (!net.custom) throw new InvalidParameter('user specified IP address is supported on user defined networks only');
    if (!net.userSubnet) {
      throw new InvalidParameter(
        'user specified IP address is supported only when connecting to networks with user configured subnets',
      );
    }
  }
  if (asked?.Aliases?.length && !net.custom) {
    throw new InvalidParameter('network-scoped alias is supported only for containers in user defined networks');
  }
}

/**
 * The networks a new container is attached to, by network name (inspect's NetworkSettings.Networks before it runs):
 * one for bridge and user networks, and for host and none (as Docker lists them), none for container: mode.
 */
export function resolveNetworks(
  catalog: NetworkCatalog,
  config: ContainerConfig,
  hc: HostConfig,
  endpointsConfig: Record<string, Partial<EndpointSettings> | null> | null | undefined,
): Record<string, EndpointSettings> {
  const mode = parseNetworkMode(hc.NetworkMode);
  validateSharedMode(mode, config, hc);
  const asked = Object.entries(endpointsConfig ?? {});
  if (asked.length > 1) {
    throw new InvalidParameter(
      `Container cannot be connected to network endpoints: ${asked.map(([name]) => name).join(', ')}`,
    );
  }
  if (mode.kind === 'container') return {};
  const net = catalog.find(mode.kind === 'bridge' ? mode.network : mode.kind);
  // The request's endpoint config is the one for the mode's network (the CLI names it as the user did).
  const [, settings] = asked.find(([name]) => name === net.name || name === net.id || name === hc.NetworkMode) ??
    asked[0] ?? ['', undefined];
  validateEndpoint(net, settings);
  const endpoint = emptyEndpoint(net.id, settings);
  // On a user network a legacy --link is an alias the embedded DNS answers for this container (moby keeps it on
  // the endpoint); on the default bridge it stays a HostConfig link (hosts line and variables).
  if (net.custom && hc.Links?.length && !endpoint.Links) endpoint.Links = [...hc.Links];
  return { [net.name]: endpoint };
}
