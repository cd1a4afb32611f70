// berth's packet filtering and NAT: one nftables table kept in step with the networks and published ports the engine
// holds. Each change is one atomic nft batch; calls are queued so a reconcile never interleaves with a publish.
import { type NftRunner, nftCommand } from './runner.js';
import {
  initScript,
  networksScript,
  parseTableListing,
  publishScript,
  removeScript,
  unpublishScript,
} from './script.js';
import { enableBridgeNetfilter, enableRouteLocalnet } from './sysctl.js';
import type { FirewallNetwork, FirewallState, PublishedPort } from './types.js';

export interface FirewallOptions {
  /** Where procfs is mounted (tests may point it elsewhere); `/proc` by default. */
  procRoot?: string;
}

export class Firewall {
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly nft: NftRunner = nftCommand(),
    private readonly options: FirewallOptions = {},
  ) {}

  /**
   * Makes berth's table exactly `state` in one batch: whatever an earlier daemon left is replaced, the `user` chain
   * and its rules are kept. Call at daemon start, after the bridges exist.
   */
  init(state: FirewallState): Promise<void> {
    return this.#serial(async () => {
      const listing = await this.nft.listTable('inet', 'berth');
      await this.nft.run(initScript(listing === undefined ? undefined : parseTableListing(listing), state));
      await this.#bridgeSettings(state.networks);
    });
  }

  /** Rewrites the per-network rules (all networks, in one batch) after a network was added or removed. */
  setNetworks(networks: FirewallNetwork[]): Promise<void> {
    return this.#serial(async () => {
      await this.nft.run(networksScript(networks));
      await this.#bridgeSettings(networks);
    });
  }

  /** Publishes ports in one batch of map elements; a host port already published elsewhere fails all of them. */
  publish(ports: PublishedPort[]): Promise<void> {
    return this.#serial(() => (ports.length === 0 ? Promise.resolve() : this.nft.run(publishScript(ports))));
  }

  /** Removes exactly these ports' elements in one batch; ports not published are no error. */
  unpublish(ports: PublishedPort[]): Promise<void> {
    return this.#serial(() => (ports.length === 0 ? Promise.resolve() : this.nft.run(unpublishScript(ports))));
  }

  /** Deletes berth's table, user chain included (`--iptables=false`, tests). */
  removeAll(): Promise<void> {
    return this.#serial(() => this.nft.run(removeScript()));
  }

  async #bridgeSettings(networks: FirewallNetwork[]): Promise<void> {
    const proc = this.options.procRoot;
    for (const n of networks) if (!n.internal) await enableRouteLocalnet(n.bridge, proc);
    if (networks.some((n) => !n.icc)) await enableBridgeNetfilter(proc);
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(fn, fn);
    this.#queue = next.catch(() => undefined);
    return next;
  }
}
