// The per-container files and variables of Docker's networking: /etc/hosts, /etc/resolv.conf, legacy link variables.
export { type HostsLink, type HostsOptions, hostsFile } from './hosts.js';
export { type LinkEnvOptions, linkEnv } from './link-env.js';
export {
  EMBEDDED_DNS_ADDRESS,
  filterResolvDns,
  type ResolvConf,
  type ResolvConfMode,
  type ResolvConfOptions,
  resolvConf,
} from './resolvconf.js';
