// The network plan: the ordered list of namespace, link, address, route, sysctl and exec steps `berth-helper net`
// executes. One discriminated union here, mirrored by `enum net_op` in native/src/netplan.h; docs/helper-protocol.md
// ("Network plans") describes each op.

/** Opcodes of network plans (64 and up; the init plan's are below). */
export const NetOpcode = {
  NetnsCreate: 64,
  NetnsEnter: 65,
  NetnsLeave: 66,
  NetnsDelete: 67,
  Bridge: 68,
  Veth: 69,
  Master: 70,
  Up: 71,
  LinkDelete: 72,
  Addr: 73,
  AddrDel: 74,
  Route: 75,
  Sysctl: 76,
  Exec: 77,
} as const;

export type NetOp =
  /** A new network namespace with lo up, pinned on `path` (a file the helper creates); the plan does not enter it. */
  | { op: 'netnsCreate'; path: string }
  /** Later ops run in the namespace at `path` (a pinned file or /proc/<pid>/ns/net). */
  | { op: 'netnsEnter'; path: string }
  /** Back to the namespace the helper started in. */
  | { op: 'netnsLeave' }
  /** Unmount and remove a pinned namespace; a missing one is fine. */
  | { op: 'netnsDelete'; path: string }
  /** A bridge, created if absent; `mtu` 0 and `mac` '' leave the kernel's defaults. */
  | { op: 'bridge'; name: string; mtu: number; mac: string }
  /**
   * A veth pair: `hostName` here, `peerName` created directly in the namespace at `peerNetnsPath` ('' = here).
   * A name in use fails with errno EEXIST.
   */
  | { op: 'veth'; hostName: string; peerName: string; peerNetnsPath: string; mtu: number; peerMac: string }
  /** Enslave `name` to the bridge `master`; `hairpin` sets the port's hairpin mode. */
  | { op: 'master'; name: string; master: string; hairpin?: boolean }
  | { op: 'up'; name: string }
  /** Delete a link (a veth pair goes with either end); a missing one is fine. */
  | { op: 'linkDelete'; name: string }
  /** Add (or replace) an address, `cidr` as 10.0.0.2/24 or fd00::2/64; `nodad` makes an IPv6 address usable at once. */
  | { op: 'addr'; name: string; cidr: string; nodad?: boolean }
  /** Remove an address; a missing one (or device) is fine. */
  | { op: 'addrDel'; name: string; cidr: string }
  /** Add or replace a route: `dst` 'default' (family from the gateway) or a CIDR; `gateway` '' for on-link. */
  | { op: 'route'; dst: string; gateway: string; dev: string }
  /** Write `value` to /proc/sys/<path> (path with slashes, e.g. net/ipv4/ip_forward) in the current namespace. */
  | { op: 'sysctl'; path: string; value: string }
  /** Run `argv` (searched in PATH) in the current namespaces with `stdin` as its input; non-zero exit fails. */
  | { op: 'exec'; stdin: string; argv: [string, ...string[]] };

export type NetPlan = NetOp[];
