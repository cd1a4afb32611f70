// berth's firewall: nftables rules for bridge networks (NAT, isolation, the user's chain) and published ports.
export { Firewall, type FirewallOptions } from './firewall.js';
export { type NftRunner, nftCommand, nftLibrary } from './runner.js';
export {
  initScript,
  networksScript,
  parseTableListing,
  publishScript,
  removeScript,
  type TableObjects,
  unpublishScript,
} from './script.js';
export { enableBridgeNetfilter, enableForwarding, enableRouteLocalnet } from './sysctl.js';
export {
  bridgeOptions,
  type FirewallNetwork,
  type FirewallState,
  type Proto,
  type PublishedPort,
} from './types.js';
