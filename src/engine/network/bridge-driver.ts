// The bridge driver's side of networks: a network's Linux bridge with its gateway addresses, its rules in the
// firewall (all networks' rules rewritten in one batch), and the embedded DNS listening on a user network's gateway.
import type { NetworkDriver } from './service.js';
import type { NetworkRecord } from './model.js';

/** What the driver needs of the firewall, expressed in its own types. */
export interface NetworkFirewall {
  setNetworks(
    networks: { bridge: string; subnets: string[]; internal: boolean; icc: boolean; masquerade: boolean }[],
  ): Promise<void>;
}

export interface BridgeDriverDeps {
  kernel: {
    ensureBridge(b: { name: string; mtu: number; gateways: string[] }): Promise<void>;
    removeBridge(name: string): Promise<void>;
  };
  firewall: NetworkFirewall;
  dns: { listen(address: string): Promise<void>; unlisten(address: string): Promise<void> };
  /** Every network the daemon has now. */
  networks: () => NetworkRecord[];
  /** A removed network's address pools are dropped. */
  forgetAddresses: (networkId: string) => void;
}

export const MTU_OPTION = 'com.docker.network.driver.mtu';

const flag = (v: string | undefined, dflt: boolean) => (v === undefined || v === '' ? dflt : v === 'true');

/** A bridge network's MTU (its driver option, else 1500). */
export function networkMtu(n: NetworkRecord): number {
  return Number(n.options[MTU_OPTION]) || 1500;
}

/** The gateways of a network's subnets, CIDR form (172.17.0.1/16). */
export function gatewayCidrs(n: NetworkRecord): string[] {
  return n.ipam.config.flatMap((c) =>
    c.Gateway && c.Subnet ? [`${c.Gateway}/${c.Subnet.slice(c.Subnet.indexOf('/') + 1)}`] : [],
  );
}

/** A network's own IPv4 gateway, where its containers' DNS queries go. */
export function dnsAddress(n: NetworkRecord): string | undefined {
  return n.ipam.config.find((c) => c.Gateway && !c.Gateway.includes(':'))?.Gateway;
}

function firewallNetwork(n: NetworkRecord) {
  return {
    bridge: n.bridgeName ?? '',
    subnets: n.ipam.config.flatMap((c) => (c.Subnet ? [c.Subnet] : [])),
    internal: n.internal,
    icc: flag(n.options['com.docker.network.bridge.enable_icc'], true),
    masquerade: flag(n.options['com.docker.network.bridge.enable_ip_masquerade'], true),
  };
}

const isBridge = (n: NetworkRecord) => n.driver === 'bridge' && !!n.bridgeName;

/** Networks in one order whatever the store's, so a restart writes the rules it found (by id: names may be reused). */
const ordered = (ns: NetworkRecord[]) => [...ns].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

export class BridgeNetworkDriver implements NetworkDriver {
  constructor(private readonly deps: BridgeDriverDeps) {}

  /** Every bridge network's bridge and rules, as at daemon start (idempotent). */
  async restore(): Promise<void> {
    const bridges = this.deps.networks().filter(isBridge);
    for (const n of bridges) {
      await this.deps.kernel.ensureBridge({ name: n.bridgeName ?? '', mtu: networkMtu(n), gateways: gatewayCidrs(n) });
    }
    for (const n of bridges) await this.listenDns(n);
  }

  /** The firewall's view of every bridge network, for its init at daemon start. */
  firewallNetworks() {
    return ordered(this.deps.networks().filter(isBridge)).map(firewallNetwork);
  }

  async createNetwork(net: NetworkRecord): Promise<void> {
    if (!isBridge(net)) return;
    await this.deps.kernel.ensureBridge({
      name: net.bridgeName ?? '',
      mtu: networkMtu(net),
      gateways: gatewayCidrs(net),
    });
    try {
      const others = this.deps.networks().filter((n) => isBridge(n) && n.id !== net.id);
      await this.deps.firewall.setNetworks(ordered([...others, net]).map(firewallNetwork));
      await this.listenDns(net);
    } catch (e) {
      await this.deleteNetwork(net).catch(() => {});
      throw e;
    }
  }

  async deleteNetwork(net: NetworkRecord): Promise<void> {
    if (!isBridge(net)) return;
    const others = this.deps.networks().filter((n) => isBridge(n) && n.id !== net.id);
    await this.deps.firewall.setNetworks(ordered(others).map(firewallNetwork));
    const dns = dnsAddress(net);
    if (dns && !net.predefined) await this.deps.dns.unlisten(dns);
    await this.deps.kernel.removeBridge(net.bridgeName ?? '');
    this.deps.forgetAddresses(net.id);
  }

  /** User networks get the embedded DNS at their gateway (the default bridge has none, as Docker's). */
  private async listenDns(n: NetworkRecord): Promise<void> {
    const dns = dnsAddress(n);
    if (dns && !n.predefined) await this.deps.dns.listen(dns);
  }
}
