// Host ports handed to containers, in memory (rebuilt at start from the containers' records): never the same
// (proto, address, port) twice, a wildcard address conflicting with every address of its family, free ports picked
// round-robin from the ephemeral range as Docker's portallocator does, and each pick checked against host processes.
import { readFile } from 'node:fs/promises';
import { isIPv4 } from 'node:net';
import { Conflict, System } from '../../errdefs/index.js';
import type { PortRequest, Proto } from './bindings.js';
import { bindProbe, type PortProbe } from './probe.js';

/** One allocated host port. */
export interface HostPort {
  proto: Proto;
  hostIp: string;
  hostPort: number;
}

/** A request's outcome: the container port and the host port it got. */
export interface PortAllocation extends HostPort {
  containerPort: number;
}

export interface PortRange {
  start: number;
  end: number;
}

/** /proc/sys/net/ipv4/ip_local_port_range (procfs: never waits on a device). */
export async function ephemeralRange(procRoot = '/proc'): Promise<PortRange> {
  const text = await readFile(`${procRoot}/sys/net/ipv4/ip_local_port_range`, 'utf8');
  const [start, end] = text.trim().split(/\s+/).map(Number);
  if (!start || !end || end < start) throw new System(`unexpected ip_local_port_range: ${text.trim()}`);
  return { start, end };
}

// '' covers both families, 0.0.0.0 and :: one each.
function families(ip: string): number {
  if (ip === '') return 0b11;
  return isIPv4(ip) ? 0b01 : 0b10;
}
const isAny = (ip: string) => ip === '' || ip === '0.0.0.0' || ip === '::';

function overlaps(a: string, b: string): boolean {
  if (a === b) return true;
  return (isAny(a) || isAny(b)) && (families(a) & families(b)) !== 0;
}

const shown = (ip: string) => (ip === '' ? '0.0.0.0' : ip);

export class PortAllocator {
  // proto/port → the addresses it is allocated on.
  readonly #taken = new Map<string, string[]>();
  #cursor: number;

  constructor(
    private readonly range: PortRange,
    private readonly probe: PortProbe = bindProbe,
  ) {
    this.#cursor = range.start;
  }

  /** Marks ports found in the containers' records as taken, without probing (their owners may hold them). */
  restore(ports: HostPort[]): void {
    for (const p of ports) this.#take(p);
  }

  /** Allocates every request or none: on a failure the ports taken so far in this call are given back. */
  async allocate(requests: PortRequest[]): Promise<PortAllocation[]> {
    const done: PortAllocation[] = [];
    try {
      for (const r of requests) done.push({ ...(await this.#one(r)), containerPort: r.containerPort });
      return done;
    } catch (e) {
      this.release(done);
      throw e;
    }
  }

  /** Gives ports back (container stop); ports not allocated are ignored. */
  release(ports: HostPort[]): void {
    for (const p of ports) {
      const key = `${p.proto}/${p.hostPort}`;
      const left = (this.#taken.get(key) ?? []).filter((ip) => ip !== p.hostIp);
      if (left.length > 0) this.#taken.set(key, left);
      else this.#taken.delete(key);
    }
  }

  /** Whether (proto, hostIp, port) is free here (the host itself is not asked). */
  isFree(p: HostPort): boolean {
    return !(this.#taken.get(`${p.proto}/${p.hostPort}`) ?? []).some((ip) => overlaps(ip, p.hostIp));
  }

  async #one(r: PortRequest): Promise<HostPort> {
    if (r.hostPortStart !== 0 && r.hostPortStart === r.hostPortEnd) {
      const p = { proto: r.proto, hostIp: r.hostIp, hostPort: r.hostPortStart };
      if (!this.isFree(p)) {
        throw new Conflict(`Bind for ${shown(r.hostIp)}:${r.hostPortStart} failed: port is already allocated`);
      }
      await this.#probed(p);
      return p;
    }
    // A range, or any port: try each candidate once, skipping those taken here or held by a host process.
    const any = r.hostPortStart === 0;
    const { start, end } = any ? this.range : { start: r.hostPortStart, end: r.hostPortEnd };
    let port = any ? this.#cursor : start;
    let lastError: unknown;
    for (let tries = 0; tries <= end - start; tries++, port = port >= end ? start : port + 1) {
      const p = { proto: r.proto, hostIp: r.hostIp, hostPort: port };
      if (!this.isFree(p)) continue;
      try {
        await this.#probed(p);
      } catch (e) {
        lastError = e;
        continue;
      }
      if (any) this.#cursor = port >= end ? start : port + 1;
      return p;
    }
    if (lastError !== undefined && !any) throw lastError;
    throw new Conflict(
      any
        ? `all ports are allocated`
        : `Bind for ${shown(r.hostIp)}:${r.hostPortStart}-${r.hostPortEnd} failed: port is already allocated`,
    );
  }

  // Taken before the probe's await, so a concurrent allocation cannot pick the same port meanwhile.
  async #probed(p: HostPort): Promise<void> {
    this.#take(p);
    try {
      await this.probe(p.proto, p.hostIp, p.hostPort);
    } catch (e) {
      this.release([p]);
      throw e;
    }
  }

  #take(p: HostPort): void {
    const key = `${p.proto}/${p.hostPort}`;
    this.#taken.set(key, [...(this.#taken.get(key) ?? []), p.hostIp]);
  }
}
