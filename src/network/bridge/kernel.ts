// The bridge driver's kernel side: bridges and container sandboxes made by running network plans in berth-helper.
import { macFromIPv4, runNetPlan, vethName } from '../netlink/index.js';
import {
  attachPlan,
  type BridgeSpec,
  bridgePlan,
  type EndpointSpec,
  sandboxPlan,
  teardownPlan,
} from './plans.js';

export class BridgeKernel {
  constructor(private readonly helperPath: string) {}

  ensureBridge(b: BridgeSpec): Promise<void> {
    return runNetPlan(this.helperPath, bridgePlan(b));
  }

  removeBridge(name: string): Promise<void> {
    return runNetPlan(this.helperPath, teardownPlan([name]));
  }

  create(netns: string, endpoints: EndpointSpec[], opts: { dnsServer?: string }): Promise<void> {
    return runNetPlan(this.helperPath, sandboxPlan(netns, endpoints, opts.dnsServer));
  }

  attach(netns: string, endpoints: EndpointSpec[], opts: { dnsServer?: string }): Promise<void> {
    return runNetPlan(this.helperPath, attachPlan(netns, endpoints, opts.dnsServer));
  }

  detach(hostVeths: string[]): Promise<void> {
    return hostVeths.length ? runNetPlan(this.helperPath, teardownPlan(hostVeths)) : Promise.resolve();
  }

  destroy(netns: string, hostVeths: string[]): Promise<void> {
    return runNetPlan(this.helperPath, teardownPlan(hostVeths, netns));
  }

  vethName(containerId: string, networkId: string): string {
    return vethName(containerId, networkId);
  }

  macFor(ipv4: string): string {
    return macFromIPv4(ipv4);
  }
}
