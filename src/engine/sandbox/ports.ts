// Host ports per container over the port allocator: what a container was given is released with it, and a daemon
// start marks what running containers hold.
import { type HostPort, type PortAllocation, type PortRequest, portRequests } from '../../network/ports/index.js';
import type { HostPorts, PortRequest as ContainerPortRequest } from './deps.js';

export interface Allocator {
  allocate(requests: PortRequest[]): Promise<PortAllocation[]>;
  release(ports: HostPort[]): void;
  restore(ports: HostPort[]): void;
}

export class ContainerPorts implements HostPorts {
  private readonly held = new Map<string, HostPort[]>();

  constructor(private readonly allocator: Allocator) {}

  async allocate(owner: string, req: ContainerPortRequest): Promise<PortAllocation[]> {
    this.release(owner);
    const exposed = Object.fromEntries(req.exposed.map((e) => [e, {}]));
    const got = await this.allocator.allocate(portRequests(req.portBindings, req.publishAll, exposed));
    if (got.length > 0) this.held.set(owner, got);
    return got;
  }

  reserve(owner: string, ports: PortAllocation[]): void {
    this.allocator.restore(ports);
    this.held.set(owner, [...(this.held.get(owner) ?? []), ...ports]);
  }

  release(owner: string): void {
    const ports = this.held.get(owner);
    if (!ports) return;
    this.held.delete(owner);
    this.allocator.release(ports);
  }
}
