// The embedded DNS server (Docker's 127.0.0.11) and the Resolver interface the engine implements for it.
export type { Upstream } from './upstream.js';
export { parseUpstream } from './upstream.js';
export type { DnsLog, Resolver } from './resolver.js';
export { EmbeddedDns, type EmbeddedDnsOptions } from './server.js';
