// The bridge driver's kernel side: bridges and container sandboxes made by running network plans in berth-helper
// (each plan one helper process: forked by the daemon's forkserver, or spawned).
import { macFromIPv4, type NetOp, vethName } from '../netlink/index.js';
import {
  attachPlan,
  type BridgeSpec,
  bridgePlan,
  destroyPlan,
  type EndpointSpec,
  sandboxPlan,
  teardownPlan,
} from './plans.js';

export type NetPlanRunner = (ops: readonly NetOp[]) => Promise<void>;

export class BridgeKernel {
  constructor(private readonly run: NetPlanRunner) {}

  ensureBridge(b: BridgeSpec): Promise<void> {
    return this.run(bridgePlan(b));
  }

  removeBridge(name: string): Promise<void> {
    return this.run(teardownPlan([name]));
  }

  create(netns: string, endpoints: EndpointSpec[], opts: { dnsServer?: string }): Promise<void> {
    return this.run(sandboxPlan(netns, endpoints, opts.dnsServer));
  }

  attach(netns: string, endpoints: EndpointSpec[], opts: { dnsServer?: string }): Promise<void> {
    return this.run(attachPlan(netns, endpoints, opts.dnsServer));
  }

  detach(hostVeths: string[]): Promise<void> {
    return hostVeths.length ? this.run(teardownPlan(hostVeths)) : Promise.resolve();
  }

  /** The namespace unpinned; its endpoints go with it (see destroyPlan). */
  destroy(netns: string): Promise<void> {
    return this.run(destroyPlan(netns));
  }

  vethName(containerId: string, networkId: string): string {
    return vethName(containerId, networkId);
  }

  macFor(ipv4: string): string {
    return macFromIPv4(ipv4);
  }
}
