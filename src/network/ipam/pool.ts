// One subnet's addresses: the gateway and auxiliary addresses reserved, an optional ip-range sub-pool to allocate
// from, and the addresses handed out. Allocation goes on after the last address handed out and wraps, as
// libnetwork's does, so a freed address is not reused at once; it never enumerates the subnet (a /64 is fine).
import { Conflict, InvalidParameter, System } from '../../errdefs/index.js';
import {
  type Addr,
  bounds,
  contains,
  type Family,
  formatAddr,
  formatPrefix,
  masked,
  parseAddr,
  parsePrefix,
  type Prefix,
} from './addr.js';

/** A pool as persisted: plain strings, so the state survives a restart as JSON. */
export interface PoolState {
  /** The subnet, masked (`172.18.0.0/16`). */
  subnet: string;
  ipRange?: string;
  gateway: string;
  /** Auxiliary addresses by name (never handed out). */
  aux: Record<string, string>;
  /** Addresses handed out, in the order they were. */
  allocated: string[];
  /** The last address handed out by `allocate` (where the next search starts). */
  last?: string;
}

export interface PoolSpec {
  subnet: string;
  ipRange?: string;
  gateway?: string;
  aux?: Record<string, string>;
}

export class AddressPool {
  private readonly allocated = new Set<bigint>();
  private readonly reserved = new Set<bigint>();
  /** The range addresses come from: the ip-range if any, else the subnet, less network and broadcast addresses. */
  private readonly first: bigint;
  private readonly lastUsable: bigint;
  private last: bigint | undefined;

  private constructor(
    readonly subnet: Prefix,
    readonly ipRange: Prefix | undefined,
    readonly gateway: Addr,
    readonly aux: Record<string, string>,
  ) {
    const sub = bounds(subnet);
    // IPv4's network and broadcast addresses, and IPv6's subnet-router anycast address, are never a host's.
    const v4Host = subnet.addr.family === 4 && subnet.bits < 31;
    const lo = sub.first + (v4Host || subnet.addr.family === 6 ? 1n : 0n);
    const hi = sub.last - (v4Host ? 1n : 0n);
    const r = ipRange ? bounds(ipRange) : sub;
    this.first = r.first > lo ? r.first : lo;
    this.lastUsable = r.last < hi ? r.last : hi;
    this.reserved.add(gateway.value);
    for (const a of Object.values(aux)) {
      const p = parseAddr(a);
      if (p) this.reserved.add(p.value);
    }
  }

  /** A pool for a validated IPAM config; the gateway defaults to the subnet's first usable address. */
  static create(spec: PoolSpec): AddressPool {
    const subnet = parsePrefix(spec.subnet);
    if (!subnet) throw new InvalidParameter(`invalid CIDR address: ${spec.subnet}`);
    const m = masked(subnet);
    const ipRange = spec.ipRange ? parsePrefix(spec.ipRange) : undefined;
    if (spec.ipRange && !ipRange) throw new InvalidParameter(`invalid CIDR address: ${spec.ipRange}`);
    let gateway: Addr | undefined;
    if (spec.gateway) {
      gateway = parseAddr(spec.gateway);
      if (!gateway || !contains(m, gateway)) throw new InvalidParameter(`invalid gateway ${spec.gateway}`);
    } else {
      gateway = { family: m.addr.family, value: m.addr.value + 1n };
    }
    return new AddressPool(m, ipRange && masked(ipRange), gateway, { ...(spec.aux ?? {}) });
  }

  static fromJSON(s: PoolState): AddressPool {
    const pool = AddressPool.create({ subnet: s.subnet, ipRange: s.ipRange, gateway: s.gateway, aux: s.aux });
    for (const a of s.allocated) {
      const p = parseAddr(a);
      if (!p) throw new System(`corrupt IPAM state: address ${a}`);
      pool.allocated.add(p.value);
    }
    if (s.last) pool.last = parseAddr(s.last)?.value;
    return pool;
  }

  toJSON(): PoolState {
    const fam = this.family;
    return {
      subnet: formatPrefix(this.subnet),
      ...(this.ipRange ? { ipRange: formatPrefix(this.ipRange) } : {}),
      gateway: formatAddr(this.gateway),
      aux: { ...this.aux },
      allocated: [...this.allocated].map((value) => formatAddr({ family: fam, value })),
      ...(this.last !== undefined ? { last: formatAddr({ family: fam, value: this.last }) } : {}),
    };
  }

  get family(): Family {
    return this.subnet.addr.family;
  }

  get prefixLen(): number {
    return this.subnet.bits;
  }

  /** How many addresses are handed out. */
  get size(): number {
    return this.allocated.size;
  }

  has(addr: string): boolean {
    const a = parseAddr(addr);
    return a !== undefined && a.family === this.family && this.allocated.has(a.value);
  }

  /** The next free address after the last one handed out, wrapping to the start of the range. */
  allocate(): string {
    const span = this.lastUsable - this.first + 1n;
    if (span <= 0n) throw noAddresses();
    const start =
      this.last !== undefined && this.last >= this.first && this.last < this.lastUsable ? this.last + 1n : this.first;
    // Every address tried and refused is allocated or reserved, so the search ends within |allocated|+|reserved|+1.
    const limit = BigInt(this.allocated.size + this.reserved.size + 1);
    let candidate = start;
    for (let tried = 0n; tried < span && tried <= limit; tried++) {
      if (!this.allocated.has(candidate) && !this.reserved.has(candidate)) {
        this.allocated.add(candidate);
        this.last = candidate;
        return formatAddr({ family: this.family, value: candidate });
      }
      candidate = candidate === this.lastUsable ? this.first : candidate + 1n;
    }
    throw noAddresses();
  }

  /** A specific address (`--ip`): within the ip-range (or the subnet) and free, else Docker's errors. */
  request(addr: string): string {
    const a = parseAddr(addr);
    if (!a || a.family !== this.family) throw new InvalidParameter(`invalid address ${addr}`);
    const within = this.ipRange ? contains(this.ipRange, a) : contains(this.subnet, a);
    if (!within) throw new InvalidParameter(`no configured subnet or ip-range contain the IP address ${addr}`);
    if (this.allocated.has(a.value) || this.reserved.has(a.value)) throw new Conflict('Address already in use');
    this.allocated.add(a.value);
    return formatAddr(a);
  }

  /** Gives an address back; unknown addresses are ignored (a release is idempotent). */
  release(addr: string): boolean {
    const a = parseAddr(addr);
    if (!a || a.family !== this.family) return false;
    return this.allocated.delete(a.value);
  }

  contains(addr: string): boolean {
    const a = parseAddr(addr);
    return a !== undefined && contains(this.subnet, a);
  }
}

const noAddresses = () => new Conflict('no available addresses on this pool');
