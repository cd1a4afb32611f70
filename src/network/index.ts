// Container networking: network namespaces made ahead of the container, the embedded DNS server, and the
// per-container hosts/resolv.conf files and link variables.
export { type DnsLog, EmbeddedDns, type EmbeddedDnsOptions, type Resolver } from './dns/index.js';
export {
  EMBEDDED_DNS_ADDRESS,
  type HostsLink,
  type HostsOptions,
  hostsFile,
  type LinkEnvOptions,
  linkEnv,
  type ResolvConf,
  type ResolvConfMode,
  type ResolvConfOptions,
  resolvConf,
} from './files/index.js';
export { createNetns, deleteNetns, prepareNetnsDir } from './netns.js';
export {
  isNetPlanError,
  macFromIPv4,
  type NetOp,
  NetPlanError,
  runNetPlan,
  vethName,
} from './netlink/index.js';
