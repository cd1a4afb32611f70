// Containers' network sandboxes: the namespace made before the container starts and joined by path (the CNI model),
// with one endpoint per bridge network (a veth pair, addresses from IPAM, the default route), its published ports
// in the packet filter and its names in the embedded DNS. Acquired by a start, released by an exit, a removal, a
// failed start or reconciliation, each time through `release`, which finds what there is from the container's record
// and the names derived from its id, so a daemon that did not set it up (a crash came between) still gives it back.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { EndpointSettings, PortBinding } from '../../api/index.js';
import { InvalidParameter } from '../../errdefs/index.js';
import type { ContainerRecord } from '../container/model.js';
import { noAddresses, parseNetworkMode } from '../container/network-config.js';
import type {
  AddressBook,
  BridgeNetwork,
  EndpointLink,
  HostPorts,
  NameRegistry,
  PacketFilter,
  PublishedPort,
  SandboxKernel,
  SandboxNetworks,
} from './deps.js';

export interface SandboxDeps {
  netnsDir: string;
  networks: SandboxNetworks;
  addresses: AddressBook;
  ports: HostPorts;
  filter: PacketFilter;
  kernel: SandboxKernel;
  names: NameRegistry;
}

/** What the runtime and the container's files need of a sandbox. */
export interface SandboxInfo {
  /** 'new': the runtime makes a namespace with loopback only (none); 'host'; or a namespace to join. */
  network: 'new' | 'host' | { path: string };
  /** The container's addresses, for its /etc/hosts line. */
  addresses: string[];
  /** The embedded DNS's address on its first user-defined network, when it has one. */
  dnsServer?: string;
  /** The gateway of its first network (host-gateway in --add-host, the fallback resolver on the default bridge). */
  gateway?: string;
}

const prefixLen = (cidr: string) => Number(cidr.slice(cidr.indexOf('/') + 1));
const protoOf = (p: string): 'tcp' | 'udp' | 'sctp' => (p === 'udp' || p === 'sctp' ? p : 'tcp');

export class ContainerSandboxes {
  /** Published ports of the containers this daemon set up (or found running), to unpublish exactly those. */
  private readonly published = new Map<string, PublishedPort[]>();
  /** The interface each running container has on each network (eth0, eth1, …; connect takes the lowest free). */
  private readonly ifnames = new Map<string, Map<string, string>>();

  constructor(private readonly deps: SandboxDeps) {}

  netnsPath(id: string): string {
    return join(this.deps.netnsDir, id);
  }

  /**
   * Sets up `rec`'s sandbox for a start, writing the addresses and ports it got into the record (the caller saves
   * it). On failure everything taken is given back first.
   */
  async acquire(rec: ContainerRecord, containerNetns: (ref: string) => string): Promise<SandboxInfo> {
    const mode = parseNetworkMode(rec.hostConfig.NetworkMode);
    if (mode.kind === 'host') return { network: 'host', addresses: [] };
    if (mode.kind === 'none') return { network: 'new', addresses: [] };
    if (mode.kind === 'container') return { network: { path: containerNetns(mode.ref) }, addresses: [] };
    try {
      return await this.setUp(rec);
    } catch (e) {
      await this.release(rec).catch(() => {});
      throw e;
    }
  }

  private async setUp(rec: ContainerRecord): Promise<SandboxInfo> {
    const { kernel } = this.deps;
    const endpoints: { name: string; net: BridgeNetwork; link: EndpointLink; settings: EndpointSettings }[] = [];
    for (const [name, settings] of Object.entries(rec.networks ?? {})) {
      const net = this.deps.networks.bridgeNetwork(settings.NetworkID);
      if (!net) throw new InvalidParameter(`network ${name} not found`);
      const link = this.endpointLink(rec, net, settings, endpoints.length);
      endpoints.push({ name, net, link, settings });
    }
    const first = endpoints[0];
    const ports = await this.deps.ports.allocate(rec.id, {
      portBindings: rec.hostConfig.PortBindings ?? {},
      publishAll: rec.hostConfig.PublishAllPorts === true,
      exposed: Object.keys(rec.config.ExposedPorts ?? {}),
    });
    const dnsNet = endpoints.find((e) => e.net.custom && e.net.ipv4);
    const dnsServer = dnsNet?.net.ipv4?.gateway;
    const netnsPath = this.netnsPath(rec.id);
    await kernel.create(
      netnsPath,
      endpoints.map((e) => e.link),
      dnsServer ? { dnsServer } : {},
    );
    const published = first ? dnatTargets(ports, first.link.ipv4, first.link.ipv6, first.net.bridge) : [];
    if (published.length > 0) {
      this.published.set(rec.id, published);
      await this.deps.filter.publish(published);
    }
    for (const e of endpoints) this.register(rec, e.net, e.link, e.settings);
    this.deps.names.setUpstreams(rec.id, rec.hostConfig.Dns ?? []);
    this.ifnames.set(rec.id, new Map(endpoints.map((e) => [e.net.id, e.link.ifname])));
    for (const e of endpoints) showAddresses(rec, e.net, e.link, e.settings);
    rec.ports = portsView(Object.keys(rec.config.ExposedPorts ?? {}), ports, !!first?.link.ipv6);
    return {
      network: { path: netnsPath },
      addresses: endpoints.flatMap((e) => [e.link.ipv4, e.link.ipv6].filter((a): a is string => !!a)),
      ...(dnsServer ? { dnsServer } : {}),
      ...(first?.link.gateway4 ? { gateway: first.link.gateway4 } : {}),
    };
  }

  /** `network connect` of a running container: a new endpoint in its namespace (no route changes). */
  async attach(rec: ContainerRecord, name: string, settings: EndpointSettings): Promise<void> {
    const net = this.deps.networks.bridgeNetwork(settings.NetworkID);
    if (!net) throw new InvalidParameter(`network ${name} not found`);
    const used = this.ifnames.get(rec.id) ?? new Map<string, string>();
    let index = 0;
    while ([...used.values()].includes(`eth${index}`)) index++;
    const link = this.endpointLink(rec, net, settings, index);
    try {
      const dnsServer = net.custom ? net.ipv4?.gateway : undefined;
      await this.deps.kernel.attach(this.netnsPath(rec.id), [link], dnsServer ? { dnsServer } : {});
    } catch (e) {
      this.deps.addresses.release(rec.id, net.id);
      await this.deps.kernel.detach([link.hostVeth]).catch(() => {});
      throw e;
    }
    used.set(net.id, link.ifname);
    this.ifnames.set(rec.id, used);
    this.register(rec, net, link, settings);
    showAddresses(rec, net, link, settings);
  }

  /** `network disconnect` of a running container: its endpoint on that network goes. */
  async detach(rec: ContainerRecord, settings: EndpointSettings): Promise<void> {
    this.deps.names.unregister(rec.id, settings.NetworkID);
    await this.deps.kernel.detach([this.deps.kernel.vethName(rec.id, settings.NetworkID)]);
    this.deps.addresses.release(rec.id, settings.NetworkID);
    this.ifnames.get(rec.id)?.delete(settings.NetworkID);
    clearAddresses(settings, this.deps.kernel.macFor(settings.IPAddress || '0.0.0.0'));
  }

  /** The endpoint's link, with addresses from IPAM (held by the container until it is released). */
  private endpointLink(rec: ContainerRecord, net: BridgeNetwork, s: EndpointSettings, index: number): EndpointLink {
    const { addresses, kernel } = this.deps;
    const link: EndpointLink = {
      ifname: `eth${index}`,
      hostVeth: kernel.vethName(rec.id, net.id),
      bridge: net.bridge,
      mtu: net.mtu,
      // The endpoint's own (--mac-address), else the container's (API < 1.44, the first network's), else derived.
      mac: s.MacAddress || (index === 0 ? (rec.config.MacAddress ?? '') : ''),
    };
    if (net.ipv4) {
      const ip = addresses.allocate(net.id, rec.id, 4, s.IPAMConfig?.IPv4Address || undefined);
      link.ipv4 = `${ip}/${prefixLen(net.ipv4.subnet)}`;
      if (!net.internal) link.gateway4 = net.ipv4.gateway;
      if (!link.mac) link.mac = kernel.macFor(ip);
    }
    if (net.ipv6) {
      const ip = addresses.allocate(net.id, rec.id, 6, s.IPAMConfig?.IPv6Address || undefined);
      link.ipv6 = `${ip}/${prefixLen(net.ipv6.subnet)}`;
      if (!net.internal) link.gateway6 = net.ipv6.gateway;
    }
    if (!link.mac) link.mac = kernel.macFor('0.0.0.0');
    return link;
  }

  private register(rec: ContainerRecord, net: BridgeNetwork, link: EndpointLink, s: EndpointSettings): void {
    if (!net.custom) return;
    this.deps.names.register(rec.id, net.id, {
      names: dnsNames(rec, s),
      ...(link.ipv4 ? { ipv4: link.ipv4.slice(0, link.ipv4.indexOf('/')) } : {}),
      ...(link.ipv6 ? { ipv6: link.ipv6.slice(0, link.ipv6.indexOf('/')) } : {}),
      links: linkAliases(s.Links),
    });
  }

  /**
   * Gives back everything `rec`'s sandbox holds (idempotent; also right after a crash, from the record alone) and
   * clears the addresses from its record.
   */
  async release(rec: ContainerRecord): Promise<void> {
    const mode = parseNetworkMode(rec.hostConfig.NetworkMode);
    const id = rec.id;
    this.deps.names.unregister(id);
    const published = this.published.get(id);
    this.published.delete(id);
    if (published) await this.deps.filter.unpublish(published);
    this.deps.ports.release(id);
    if (mode.kind === 'bridge') await this.deps.kernel.destroy(this.netnsPath(id));
    this.deps.addresses.release(id);
    this.ifnames.delete(id);
    for (const s of Object.values(rec.networks ?? {}))
      clearAddresses(s, this.deps.kernel.macFor(s.IPAddress || '0.0.0.0'));
    rec.ports = undefined;
  }

  /** What a container without a record left (its journal outlived it): the namespace (its endpoints go with it). */
  async releaseOrphan(id: string): Promise<void> {
    this.deps.names.unregister(id);
    const published = this.published.get(id);
    this.published.delete(id);
    if (published) await this.deps.filter.unpublish(published);
    this.deps.ports.release(id);
    this.deps.addresses.release(id);
    await this.deps.kernel.destroy(this.netnsPath(id));
  }

  /** A running container found at daemon start: what it holds is marked as held again, its ports published. */
  async restore(rec: ContainerRecord): Promise<void> {
    if (parseNetworkMode(rec.hostConfig.NetworkMode).kind !== 'bridge') return;
    this.deps.names.setUpstreams(rec.id, rec.hostConfig.Dns ?? []);
    const published: PublishedPort[] = [];
    this.ifnames.set(rec.id, new Map(Object.values(rec.networks ?? {}).map((s, i) => [s.NetworkID, `eth${i}`])));
    const first = Object.values(rec.networks ?? {})[0];
    for (const s of Object.values(rec.networks ?? {})) {
      const net = this.deps.networks.bridgeNetwork(s.NetworkID);
      if (!net) continue;
      if (s.IPAddress) this.deps.addresses.reserve(net.id, rec.id, s.IPAddress);
      if (s.GlobalIPv6Address) this.deps.addresses.reserve(net.id, rec.id, s.GlobalIPv6Address);
      if (net.custom) {
        this.deps.names.register(rec.id, net.id, {
          names: dnsNames(rec, s),
          ...(s.IPAddress ? { ipv4: s.IPAddress } : {}),
          ...(s.GlobalIPv6Address ? { ipv6: s.GlobalIPv6Address } : {}),
          links: linkAliases(s.Links),
        });
      }
      if (s === first) {
        // A port on every address is listed once per family (0.0.0.0 and ::): held once.
        const seen = new Set<string>();
        const held = Object.entries(rec.ports ?? {}).flatMap(([key, bindings]) => {
          const [port = '0', proto = 'tcp'] = key.split('/');
          return (bindings ?? []).flatMap((b) => {
            const hostIp = b.HostIp === '0.0.0.0' || b.HostIp === '::' ? '' : (b.HostIp ?? '');
            const id = `${proto}/${hostIp}/${b.HostPort}`;
            if (seen.has(id)) return [];
            seen.add(id);
            return [{ proto: protoOf(proto), hostIp, hostPort: Number(b.HostPort), containerPort: Number(port) }];
          });
        });
        this.deps.ports.reserve(rec.id, held);
        const v4 = s.IPAddress ? `${s.IPAddress}/${s.IPPrefixLen}` : undefined;
        const v6 = s.GlobalIPv6Address ? `${s.GlobalIPv6Address}/${s.GlobalIPv6PrefixLen}` : undefined;
        published.push(...dnatTargets(held, v4, v6, net.bridge));
      }
    }
    if (published.length > 0) {
      this.published.set(rec.id, published);
      await this.deps.filter.publish(published);
    }
  }
}

/**
 * Where each host port's traffic goes: the container's IPv4 address, and its IPv6 one too for a port on every
 * address or on an IPv6 one (DNAT cannot turn one family into the other).
 */
function dnatTargets(
  ports: { proto: 'tcp' | 'udp' | 'sctp'; hostIp: string; hostPort: number; containerPort: number }[],
  ipv4: string | undefined,
  ipv6: string | undefined,
  bridge: string,
): PublishedPort[] {
  const bare = (cidr: string | undefined) => cidr?.slice(0, cidr.indexOf('/'));
  const out: PublishedPort[] = [];
  for (const p of ports) {
    const v6Host = p.hostIp.includes(':');
    const v4 = bare(ipv4);
    const v6 = bare(ipv6);
    if (v4 && !v6Host) out.push({ ...p, containerIp: v4, bridge });
    if (v6 && (p.hostIp === '' || v6Host)) out.push({ ...p, containerIp: v6, bridge });
  }
  return out;
}

/** A stable endpoint id per container and network (Docker's are random; nothing depends on that). */
function endpointId(containerId: string, networkId: string): string {
  return createHash('sha256').update(`${containerId}/${networkId}`).digest('hex');
}

/** The names a container answers to on a user-defined network: its name, its short id, its aliases. */
function dnsNames(rec: ContainerRecord, s: EndpointSettings): string[] {
  return [...new Set([rec.name, rec.id.slice(0, 12), ...(s.Aliases ?? [])])];
}

/** `--link name:alias` on a user-defined network: the alias resolves to that container for this one only. */
function linkAliases(links: string[] | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of links ?? []) {
    const [name = '', alias = name] = l.split(':');
    out[alias] = name.replace(/^\//, '');
  }
  return out;
}

/** What inspect shows of an endpoint while its container runs. */
function showAddresses(rec: ContainerRecord, net: BridgeNetwork, link: EndpointLink, s: EndpointSettings): void {
  s.EndpointID = s.EndpointID || endpointId(rec.id, net.id);
  s.IPAddress = link.ipv4?.slice(0, link.ipv4.indexOf('/')) ?? '';
  s.IPPrefixLen = link.ipv4 ? prefixLen(link.ipv4) : 0;
  s.Gateway = link.gateway4 ?? '';
  s.GlobalIPv6Address = link.ipv6?.slice(0, link.ipv6.indexOf('/')) ?? '';
  s.GlobalIPv6PrefixLen = link.ipv6 ? prefixLen(link.ipv6) : 0;
  s.IPv6Gateway = link.gateway6 ?? '';
  s.MacAddress = link.mac;
  if (net.custom) s.DNSNames = dnsNames(rec, s);
}

/** A stopped endpoint keeps what was asked for; `derivedMac` (from its address) was not. */
function clearAddresses(s: EndpointSettings, derivedMac: string): void {
  if (s.MacAddress === derivedMac) s.MacAddress = '';
  Object.assign(s, noAddresses());
  s.DNSNames = undefined;
}

/** NetworkSettings.Ports: every exposed port, with its host bindings (both families' for a dual-stack one) or null. */
function portsView(
  exposed: string[],
  ports: { proto: string; hostIp: string; hostPort: number; containerPort: number }[],
  ipv6: boolean,
): Record<string, PortBinding[] | null> {
  const out: Record<string, PortBinding[] | null> = {};
  for (const e of exposed) out[e.includes('/') ? e : `${e}/tcp`] = null;
  for (const p of ports) {
    const key = `${p.containerPort}/${p.proto}`;
    const list = out[key] ?? [];
    const hostPort = String(p.hostPort);
    if (p.hostIp !== '') list.push({ HostIp: p.hostIp, HostPort: hostPort });
    else {
      list.push({ HostIp: '0.0.0.0', HostPort: hostPort });
      if (ipv6) list.push({ HostIp: '::', HostPort: hostPort });
    }
    out[key] = list;
  }
  return out;
}
