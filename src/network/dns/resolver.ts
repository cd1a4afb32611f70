// What the embedded DNS server asks the engine: the names and addresses a given container may resolve. The engine
// implements it from its networks' endpoints; the server only speaks DNS.

/**
 * Answers for one client, identified by its own address on the network it queries from (the query's source address).
 * Names arrive lowercased, without the trailing dot (`web`, `web.mynet`); scoping them is the resolver's business.
 */
export interface Resolver {
  /** Addresses for `name`: undefined when it is not a name of ours (the query is forwarded), [] when it is ours but
   * has no address of that family (answered NOERROR with no answer, as Docker does). */
  lookup(client: string, name: string, type: 'A' | 'AAAA'): readonly string[] | undefined;
  /** Names for an address (PTR), undefined when it is not one of ours. */
  reverse(client: string, ip: string): readonly string[] | undefined;
  /** The client's own upstreams (a container's `--dns`), forwarded to instead of the server's; none: the server's. */
  upstreams?(client: string): readonly string[] | undefined;
}

/** Where the server reports what a daemon log should show: forwarding failures at debug, refused floods at warn. */
export interface DnsLog {
  debug(msg: string): void;
  warn(msg: string): void;
}
