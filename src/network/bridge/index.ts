// The bridge driver: Linux bridges, and container namespaces with veth endpoints on them (the firewall is beside it).
export { BridgeKernel, type NetPlanRunner } from './kernel.js';
export {
  attachPlan,
  type BridgeSpec,
  bridgePlan,
  dnsRedirectRuleset,
  type EndpointSpec,
  sandboxPlan,
  teardownPlan,
} from './plans.js';
