// Who answers to which name on which network, for the embedded DNS: containers register their names (name, short id,
// aliases) and addresses per user-defined network when their sandbox is set up. A query is answered from the
// networks of the container that asks (found by its source address), so networks never see each other's names;
// a name several containers share (an alias) answers with all their addresses.
import type { NameRegistry } from './deps.js';

interface Entry {
  containerId: string;
  networkId: string;
  names: string[];
  ipv4?: string;
  ipv6?: string;
  links: Record<string, string>;
}

export class ContainerNames implements NameRegistry {
  /** containerId → networkId → entry. */
  private readonly entries = new Map<string, Map<string, Entry>>();
  /** A container's address on a network → that entry (queries come from there). */
  private readonly byAddress = new Map<string, Entry>();
  /** A container's own resolvers (--dns), which its queries for other names go to. */
  private readonly resolvers = new Map<string, readonly string[]>();

  /** Sets (or, empty, clears) the resolvers `containerId` forwards to instead of the daemon's. */
  setUpstreams(containerId: string, servers: readonly string[]): void {
    if (servers.length > 0) this.resolvers.set(containerId, [...servers]);
    else this.resolvers.delete(containerId);
  }

  upstreams(client: string): readonly string[] | undefined {
    const asker = this.byAddress.get(stripZone(client));
    return asker ? this.resolvers.get(asker.containerId) : undefined;
  }

  register(
    containerId: string,
    networkId: string,
    entry: { names: string[]; ipv4?: string; ipv6?: string; links?: Record<string, string> },
  ): void {
    this.unregister(containerId, networkId);
    const e: Entry = {
      containerId,
      networkId,
      names: entry.names.map((n) => n.toLowerCase()),
      links: Object.fromEntries(Object.entries(entry.links ?? {}).map(([k, v]) => [k.toLowerCase(), v.toLowerCase()])),
      ...(entry.ipv4 ? { ipv4: entry.ipv4 } : {}),
      ...(entry.ipv6 ? { ipv6: entry.ipv6 } : {}),
    };
    const nets = this.entries.get(containerId) ?? new Map<string, Entry>();
    this.entries.set(containerId, nets);
    nets.set(networkId, e);
    if (e.ipv4) this.byAddress.set(e.ipv4, e);
    if (e.ipv6) this.byAddress.set(e.ipv6, e);
  }

  unregister(containerId: string, networkId?: string): void {
    if (networkId === undefined) this.resolvers.delete(containerId);
    const nets = this.entries.get(containerId);
    if (!nets) return;
    for (const [nid, e] of nets) {
      if (networkId !== undefined && nid !== networkId) continue;
      if (e.ipv4 && this.byAddress.get(e.ipv4) === e) this.byAddress.delete(e.ipv4);
      if (e.ipv6 && this.byAddress.get(e.ipv6) === e) this.byAddress.delete(e.ipv6);
      nets.delete(nid);
    }
    if (nets.size === 0) this.entries.delete(containerId);
  }

  /**
   * The addresses `name` has for the container at `client`: undefined when the name is none of its networks'
   * (the DNS forwards it), [] when it is but has no address of that family.
   */
  lookup(client: string, name: string, type: 'A' | 'AAAA'): string[] | undefined {
    const asker = this.byAddress.get(stripZone(client));
    if (!asker) return undefined;
    const askerNets = this.entries.get(asker.containerId) ?? new Map<string, Entry>();
    let wanted = name.toLowerCase().replace(/\.$/, '');
    // A link's alias stands for the linked container's name, for this container only.
    for (const e of askerNets.values()) {
      const target = e.links[wanted];
      if (target) wanted = target;
    }
    const found: string[] = [];
    let known = false;
    for (const own of askerNets.values()) {
      for (const nets of this.entries.values()) {
        const e = nets.get(own.networkId);
        if (!e?.names.includes(wanted)) continue;
        known = true;
        const ip = type === 'A' ? e.ipv4 : e.ipv6;
        if (ip && !found.includes(ip)) found.push(ip);
      }
    }
    return known ? found : undefined;
  }

  /** The names of the container at `ip`, if it shares a network with the one at `client`. */
  reverse(client: string, ip: string): string[] | undefined {
    const asker = this.byAddress.get(stripZone(client));
    const target = this.byAddress.get(ip);
    if (!asker || !target) return undefined;
    const askerNets = this.entries.get(asker.containerId);
    if (!askerNets?.has(target.networkId)) return undefined;
    const [first] = target.names;
    return first ? [first] : undefined;
  }
}

const stripZone = (a: string) => a.replace(/%.*$/, '').replace(/^::ffff:/, '');
