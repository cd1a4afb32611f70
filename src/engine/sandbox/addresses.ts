// IPAM per container: every network's pools built from its IPAM config, addresses handed out to an owner (a
// container) and given back with it. Held in memory only: the running containers' records are the truth, and a
// daemon start marks their addresses held again (reserve), so an address is never handed out twice, and a crash
// can lose no lease (an address a container got but never recorded running was never in use).
import { Conflict } from '../../errdefs/index.js';
import { AddressPool, type PoolSpec } from '../../network/ipam/index.js';
import type { AddressBook } from './deps.js';

export class ContainerAddresses implements AddressBook {
  private readonly pools = new Map<string, AddressPool[]>();
  /** owner → the addresses it holds, by network. */
  private readonly held = new Map<string, { networkId: string; address: string }[]>();

  /** `specs`: a network's subnets (its IPAM config), undefined for a network that is gone. */
  constructor(private readonly specs: (networkId: string) => PoolSpec[] | undefined) {}

  allocate(networkId: string, owner: string, family: 4 | 6, requested?: string): string {
    const pool = this.poolsOf(networkId).find((p) => p.family === family);
    if (!pool) throw new Conflict(`network ${networkId} has no IPv${family} subnet`);
    const address = requested ? pool.request(requested) : pool.allocate();
    this.hold(owner, networkId, address);
    return address;
  }

  reserve(networkId: string, owner: string, address: string): void {
    const pool = this.poolsOf(networkId).find((p) => p.contains(address));
    if (!pool || pool.has(address)) return;
    try {
      pool.request(address);
    } catch {
      return; // outside the ip-range (an address of an older config): nothing to hold
    }
    this.hold(owner, networkId, address);
  }

  release(owner: string, networkId?: string): void {
    const list = this.held.get(owner);
    if (!list) return;
    const kept = list.filter((h) => {
      if (networkId !== undefined && h.networkId !== networkId) return true;
      for (const p of this.pools.get(h.networkId) ?? []) p.release(h.address);
      return false;
    });
    if (kept.length > 0) this.held.set(owner, kept);
    else this.held.delete(owner);
  }

  /** A network removed: its pools go (no container holds an address there any more). */
  forget(networkId: string): void {
    this.pools.delete(networkId);
  }

  private poolsOf(networkId: string): AddressPool[] {
    let pools = this.pools.get(networkId);
    if (!pools) {
      pools = (this.specs(networkId) ?? []).map((s) => AddressPool.create(s));
      this.pools.set(networkId, pools);
    }
    return pools;
  }

  private hold(owner: string, networkId: string, address: string): void {
    const list = this.held.get(owner) ?? [];
    list.push({ networkId, address });
    this.held.set(owner, list);
  }
}
