// The network backend the API's network routes call: create (validation, IPAM, the driver's side effects, nothing
// half-made on failure), list with Docker's filters, inspect, remove, prune, connect/disconnect (handed to the
// container side), and and the networks' IPAM configs (the addresses themselves are the container side's).
import { randomBytes } from 'node:crypto';
import type {
  EndpointResource,
  EndpointSettings,
  IPAMConfig,
  NetworkConnectRequest,
  NetworkCreateRequest,
  NetworkCreateResponse,
  NetworkDisconnectRequest,
  NetworkPruneResponse,
  NetworkResource,
} from '../../api/networks.js';
import { Conflict, Forbidden, InvalidParameter, NotFound, NotImplemented } from '../../errdefs/index.js';
import type { Filters } from '../../image/store/filters.js';
import { KeyedLock } from '../../lib/keyed-lock.js';
import {
  AddressPool,
  DEFAULT_ADDRESS_POOLS,
  DEFAULT_ADDRESS_POOLS_V6,
  overlaps,
  overlapsAny,
  POOL_OVERLAP,
  pickSubnet,
  validateIpam,
} from '../../network/ipam/index.js';
import type { EventBus } from '../events.js';
import { matchesList, pruneFilter, validateListFilters } from './filters.js';
import { BRIDGE_NAME_OPTION, type NetworkRecord } from './model.js';
import { type DefaultBridgeOptions, defaultBridgeIpam, PREDEFINED, predefinedRecord } from './predefined.js';
import type { NetworkStore } from './store.js';

/** The driver's side of a network (bridges, firewall), implemented by the network module; calls are idempotent. */
export interface NetworkDriver {
  createNetwork(net: NetworkRecord): Promise<void>;
  deleteNetwork(net: NetworkRecord): Promise<void>;
}

/** A container attached to a network, as the container side reports it (addresses in CIDR form, or ""). */
export interface ActiveEndpoint {
  containerId: string;
  name: string;
  endpointId: string;
  mac: string;
  ipv4: string;
  ipv6: string;
}

/** The container side of networks, implemented by the engine's container lifecycle. */
export interface Endpoints {
  activeEndpoints(networkId: string): ActiveEndpoint[];
  connect(networkId: string, containerIdOrName: string, settings: Partial<EndpointSettings>): Promise<void>;
  disconnect(networkId: string, containerIdOrName: string, force: boolean): Promise<void>;
}

export interface NetworkDeps {
  store: NetworkStore;
  driver: NetworkDriver;
  endpoints: Endpoints;
  events: EventBus;
  /** Subnets of the host's routes and interfaces, which a network without --subnet must not overlap. */
  hostSubnets: () => Promise<string[]>;
  defaultBridge?: DefaultBridgeOptions;
}

const SUPPORTED_LATER = ['overlay', 'macvlan', 'ipvlan'];

export class NetworkService {
  /** One network's changes at a time; `create` takes the CREATE key so names and subnets are picked one by one. */
  private readonly lock = new KeyedLock();

  constructor(private readonly deps: NetworkDeps) {}

  /** The container side, once the engine has one (it needs this service for its addresses). */
  set endpoints(e: Endpoints) {
    this.deps.endpoints = e;
  }

  /**
   * Makes sure bridge, host and none exist, and the default bridge matches the daemon's bip/fixed-cidr (a change of
   * those gives it new pools, as dockerd recreates docker0's network; its containers get addresses from them at
   * their next start).
   */
  async ensurePredefined(): Promise<void> {
    const opts = this.deps.defaultBridge ?? {};
    for (const name of PREDEFINED) {
      const have = this.deps.store.all().find((n) => n.predefined && n.name === name);
      const want = predefinedRecord(name, have?.id ?? newId(), opts);
      if (
        have &&
        JSON.stringify(have.ipam) === JSON.stringify(want.ipam) &&
        have.enableIPv6 === want.enableIPv6 &&
        JSON.stringify(have.options) === JSON.stringify(want.options)
      ) {
        continue;
      }
      if (have) want.created = have.created;
      await this.deps.store.save(want);
    }
  }

  /** A network by full ID, name or unique ID prefix (for the container side). */
  get(term: string): NetworkRecord {
    return this.deps.store.get(term);
  }

  list(filters: Filters): NetworkResource[] {
    validateListFilters(filters);
    return this.deps.store
      .all()
      .filter((n) => matchesList(n, filters, this.deps.endpoints.activeEndpoints(n.id).length > 0))
      .map((n) => this.resource(n, false));
  }

  inspect(term: string, opts: { verbose?: boolean; scope?: string } = {}): NetworkResource {
    const n = this.deps.store.get(term);
    if (opts.scope && opts.scope !== n.scope) throw new NotFound(`network ${term} not found`);
    return this.resource(n, true);
  }

  async create(req: NetworkCreateRequest): Promise<NetworkCreateResponse> {
    return this.lock.run(CREATE, () => this.createLocked(req));
  }

  private async createLocked(req: NetworkCreateRequest): Promise<NetworkCreateResponse> {
    const name = req.Name ?? '';
    if (name === '') throw new InvalidParameter('invalid name: ');
    if (this.deps.store.byName(name)) throw new Conflict(`network with name ${name} already exists`);
    const driver = req.Driver || 'bridge';
    if (driver === 'host' || driver === 'null') {
      throw new Forbidden(`only one instance of "${driver}" network is allowed`);
    }
    if (SUPPORTED_LATER.includes(driver)) throw new NotImplemented(`the ${driver} driver is not supported by berth`);
    if (driver !== 'bridge') throw new NotFound(`plugin "${driver}" not found`);
    const ipamDriver = req.IPAM?.Driver || 'default';
    if (ipamDriver !== 'default') throw new NotFound(`plugin "${ipamDriver}" not found`);
    if (req.Scope && req.Scope !== 'local') throw new NotImplemented(`scope ${req.Scope} is not supported by berth`);
    if (req.Ingress) throw new Forbidden('ingress network can only be created in swarm mode');
    if (req.ConfigOnly || req.ConfigFrom?.Network) {
      throw new NotImplemented('config-only networks are not supported by berth');
    }
    const enableIPv6 = req.EnableIPv6 === true;
    const given = (req.IPAM?.Config ?? []).map(withoutEmpty);
    const subnets = validateIpam(given, enableIPv6);

    // Subnets asked for must overlap neither each other nor another network's.
    const taken = this.deps.store.all().flatMap((n) => n.ipam.config.map((c) => c.Subnet ?? ''));
    for (const [i, s] of subnets.entries()) {
      if (subnets.some((o, j) => j < i && overlaps(o, s)) || overlapsAny(s, taken)) throw new Forbidden(POOL_OVERLAP);
    }
    // A family left without a subnet gets one from the default pools, clear of networks and the host's routes.
    const configs: IPAMConfig[] = given;
    const hasV4 = subnets.some((s) => s.addr.family === 4);
    const hasV6 = subnets.some((s) => s.addr.family === 6);
    if (!hasV4 || (enableIPv6 && !hasV6)) {
      const inUse = [...taken, ...(await this.deps.hostSubnets())];
      if (!hasV4) configs.unshift({ Subnet: pickSubnet(DEFAULT_ADDRESS_POOLS, inUse) });
      if (enableIPv6 && !hasV6) configs.push({ Subnet: pickSubnet(DEFAULT_ADDRESS_POOLS_V6, inUse) });
    }
    const pools = configs.map((c) => poolFor(c));
    configs.forEach((c, i) => {
      c.Subnet = pools[i]?.toJSON().subnet;
      c.Gateway = pools[i]?.toJSON().gateway;
    });

    const id = newId();
    const options = { ...(req.Options ?? {}) };
    const rec: NetworkRecord = {
      id,
      name,
      created: new Date().toISOString(),
      driver,
      scope: 'local',
      enableIPv6,
      internal: req.Internal === true,
      attachable: req.Attachable === true,
      ingress: false,
      ipam: { driver: 'default', options: { ...(req.IPAM?.Options ?? {}) }, config: configs },
      options,
      labels: { ...(req.Labels ?? {}) },
      userSubnet: subnets.length > 0,
      predefined: false,
      bridgeName: options[BRIDGE_NAME_OPTION] || `br-${id.slice(0, 12)}`,
    };
    const clash = this.deps.store.all().find((n) => n.bridgeName === rec.bridgeName);
    if (clash) throw new Conflict(`bridge name ${rec.bridgeName} is already in use by network ${clash.name}`);
    await this.deps.driver.createNetwork(rec);
    try {
      await this.deps.store.save(rec);
    } catch (e) {
      await this.deps.driver.deleteNetwork(rec).catch(() => {});
      throw e;
    }
    this.deps.events.publish('network', 'create', id, { name, type: driver });
    return { Id: id, Warning: '' };
  }

  async remove(term: string): Promise<void> {
    const n = this.deps.store.get(term);
    await this.lock.run(n.id, () => this.removeLocked(n));
  }

  private async removeLocked(n: NetworkRecord): Promise<void> {
    if (n.predefined) throw new Forbidden(`${n.name} is a pre-defined network and cannot be removed`);
    if (this.deps.endpoints.activeEndpoints(n.id).length > 0) {
      throw new Forbidden(`error while removing network: network ${n.name} id ${n.id} has active endpoints`);
    }
    await this.deps.driver.deleteNetwork(n);
    await this.deps.store.delete(n.id);
    this.deps.events.publish('network', 'destroy', n.id, { name: n.name, type: n.driver });
  }

  /** Removes user networks without endpoints that pass the filters (until, label, label!). */
  async prune(filters: Filters): Promise<NetworkPruneResponse> {
    const f = pruneFilter(filters);
    const deleted: string[] = [];
    for (const n of this.deps.store.all()) {
      if (n.predefined || !f.test(n)) continue;
      try {
        await this.lock.run(n.id, () => this.removeLocked(n));
        deleted.push(n.name);
      } catch {
        // in use by now, or its driver refused: kept, as dockerd keeps it
      }
    }
    this.deps.events.publish('network', 'prune', '', { reclaimed: '0' });
    return { NetworksDeleted: deleted.length > 0 ? deleted : null };
  }

  async connect(term: string, req: NetworkConnectRequest): Promise<void> {
    const n = this.deps.store.get(term);
    await this.deps.endpoints.connect(n.id, req.Container ?? '', req.EndpointConfig ?? {});
  }

  async disconnect(term: string, req: NetworkDisconnectRequest): Promise<void> {
    const n = this.deps.store.get(term);
    await this.deps.endpoints.disconnect(n.id, req.Container ?? '', req.Force === true);
  }

  private resource(n: NetworkRecord, withContainers: boolean): NetworkResource {
    const containers: Record<string, EndpointResource> = {};
    if (withContainers) {
      for (const e of this.deps.endpoints.activeEndpoints(n.id)) {
        containers[e.containerId] = {
          Name: e.name,
          EndpointID: e.endpointId,
          MacAddress: e.mac,
          IPv4Address: e.ipv4,
          IPv6Address: e.ipv6,
        };
      }
    }
    return {
      Name: n.name,
      Id: n.id,
      Created: n.created,
      Scope: n.scope,
      Driver: n.driver,
      EnableIPv6: n.enableIPv6,
      IPAM: { Driver: n.ipam.driver, Options: n.ipam.options, Config: n.ipam.config },
      Internal: n.internal,
      Attachable: n.attachable,
      Ingress: n.ingress,
      ConfigFrom: { Network: '' },
      ConfigOnly: false,
      Containers: containers,
      Options: n.options,
      Labels: n.labels,
    };
  }
}

const CREATE = '\0create';

function newId(): string {
  return randomBytes(32).toString('hex');
}

/** A config as Go marshals it: empty fields left out (they are `omitempty`). */
function withoutEmpty(c: IPAMConfig): IPAMConfig {
  const out: IPAMConfig = {};
  if (c.Subnet) out.Subnet = c.Subnet;
  if (c.IPRange) out.IPRange = c.IPRange;
  if (c.Gateway) out.Gateway = c.Gateway;
  if (c.AuxiliaryAddresses && Object.keys(c.AuxiliaryAddresses).length > 0) {
    out.AuxiliaryAddresses = { ...c.AuxiliaryAddresses };
  }
  return out;
}

function poolFor(c: IPAMConfig): AddressPool {
  return AddressPool.create({
    subnet: c.Subnet ?? '',
    ...(c.IPRange ? { ipRange: c.IPRange } : {}),
    ...(c.Gateway ? { gateway: c.Gateway } : {}),
    ...(c.AuxiliaryAddresses ? { aux: c.AuxiliaryAddresses } : {}),
  });
}

/** The default bridge's subnet for a daemon configured with `opts` (for the container side's defaults). */
export function defaultBridgeSubnet(opts: DefaultBridgeOptions): string {
  return defaultBridgeIpam(opts).Subnet ?? '';
}
