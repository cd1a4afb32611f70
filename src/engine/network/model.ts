// A network as the engine keeps it: the API's view of it (Docker's fields, camelCase here) plus what only berth needs,
// the bridge's interface name. Addresses are not kept here: running containers' records hold them (engine/sandbox).
import type { IPAMConfig } from '../../api/networks.js';

export interface NetworkRecord {
  id: string;
  name: string;
  /** RFC 3339 with nanoseconds, as Docker prints it. */
  created: string;
  /** "bridge" for user networks; "host" and "null" only for the predefined ones. */
  driver: string;
  scope: 'local';
  enableIPv6: boolean;
  internal: boolean;
  attachable: boolean;
  ingress: boolean;
  ipam: { driver: string; options: Record<string, string> | null; config: IPAMConfig[] };
  options: Record<string, string>;
  labels: Record<string, string>;
  /** bridge, host and none: created by the daemon, never removed. */
  predefined: boolean;
  /** The bridge interface the driver makes (`berth0`, `br-<id12>`, or -o com.docker.network.bridge.name). */
  bridgeName?: string;
  /** The user gave a subnet at create (only then may a container ask for an address, `--ip`, as with Docker). */
  userSubnet?: boolean;
}

export const BRIDGE_NAME_OPTION = 'com.docker.network.bridge.name';
