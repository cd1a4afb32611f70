// berth's embedded DNS server (Docker's 127.0.0.11): answers container names from the engine's Resolver and forwards
// the rest to the host's resolvers. One server in berthd, listening on each user network's gateway address.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { setMaxListeners } from 'node:events';
import { createServer, isIP, type Server, type Socket } from 'node:net';
import { type DecodedPacket, decode, encode } from 'dns-packet';
import { Conflict, InvalidParameter, System } from '../../errdefs/index.js';
import { encodeWithin, localAnswer, maxUdpSize, RCODE, reply } from './answer.js';
import { forward } from './forward.js';
import { FrameReader, frame } from './framing.js';
import type { DnsLog, Resolver } from './resolver.js';
import { parseUpstream, type Upstream } from './upstream.js';

export interface EmbeddedDnsOptions {
  resolver: Resolver;
  /** "ip", "ip:port" or "[v6]:port"; loopback addresses are fine (berthd runs in the host's network namespace). */
  upstreams?: readonly string[];
  log: DnsLog;
  /** Forwarded queries waiting for an upstream at once; past it, queries are answered REFUSED. */
  maxInFlight?: number;
  /** Wait per upstream server (Docker waits 4 s). */
  upstreamTimeoutMs?: number;
  /** A TCP connection with no query for this long is closed. */
  tcpIdleMs?: number;
  /** TCP connections per listening address; past it new ones are dropped. */
  maxTcpConnections?: number;
}

interface Listener {
  port: number;
  udp: UdpSocket;
  tcp: Server;
  conns: Set<Socket>;
}

/** Bytes a TCP client may leave unread before we drop it (it pipelines queries and never reads). */
const MAX_TCP_BACKLOG = 1 << 20;
const FLOOD_LOG_INTERVAL_MS = 2000;

/** Drops the IPv4-mapped prefix a dual-stack socket puts on IPv4 peers, so the Resolver sees the container's IP. */
const clientAddress = (a: string | undefined): string => (a ?? '').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');

export class EmbeddedDns {
  readonly #resolver: Resolver;
  readonly #log: DnsLog;
  readonly #maxInFlight: number;
  readonly #timeoutMs: number;
  readonly #idleMs: number;
  readonly #maxConns: number;
  readonly #listeners = new Map<string, Listener>();
  readonly #opening = new Map<string, Promise<void>>();
  #abort = EmbeddedDns.#controller();
  #upstreams: Upstream[] = [];
  #inFlight = 0;
  #lastFloodLog = 0;

  /** Every forwarded query listens on this signal: up to maxInFlight listeners, on purpose. */
  static #controller(): AbortController {
    const c = new AbortController();
    setMaxListeners(0, c.signal);
    return c;
  }

  constructor(opts: EmbeddedDnsOptions) {
    this.#resolver = opts.resolver;
    this.#log = opts.log;
    this.#maxInFlight = opts.maxInFlight ?? 1000;
    this.#timeoutMs = opts.upstreamTimeoutMs ?? 2000;
    this.#idleMs = opts.tcpIdleMs ?? 10_000;
    this.#maxConns = opts.maxTcpConnections ?? 256;
    this.setUpstreams(opts.upstreams ?? []);
  }

  /** Replaces the servers queries are forwarded to; all are checked before any is used. */
  setUpstreams(servers: readonly string[]): void {
    this.#upstreams = servers.map(parseUpstream);
  }

  /** Forwarded queries waiting for an answer now (for tests and stats). */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Serves DNS over UDP and TCP on `address` (IPv4 or IPv6) and `port`. Listening again on the same address and port
   * is a no-op; on another port while the first still listens, a Conflict.
   */
  async listen(address: string, port = 53): Promise<void> {
    const family = isIP(address);
    if (family === 0) throw new InvalidParameter(`invalid address for the embedded DNS server: ${address}`);
    const pending = this.#opening.get(address);
    if (pending) {
      // A listen on the same address is under way: let it settle, then decide (no await before the check below,
      // so two calls cannot both get past it).
      await pending;
      return this.listen(address, port);
    }
    const existing = this.#listeners.get(address);
    if (existing) {
      if (existing.port === port) return;
      throw new Conflict(`the embedded DNS server already listens on ${address} port ${existing.port}`);
    }
    const opening = this.#open(address, family === 6 ? 6 : 4, port);
    this.#opening.set(
      address,
      opening.then(
        () => undefined,
        () => undefined,
      ),
    );
    try {
      this.#listeners.set(address, await opening);
    } catch (e) {
      throw new System(`listening for DNS on ${address} port ${port}: ${e instanceof Error ? e.message : String(e)}`, {
        cause: e,
      });
    } finally {
      this.#opening.delete(address);
    }
  }

  /** Binds the UDP socket and the TCP server, or neither. */
  async #open(address: string, family: 4 | 6, port: number): Promise<Listener> {
    const udp = createSocket({ type: family === 6 ? 'udp6' : 'udp4' });
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind({ address, port, exclusive: true }, () => {
        udp.off('error', reject);
        resolve();
      });
    });
    const conns = new Set<Socket>();
    const tcp = createServer((sock) => this.#serveTcp(sock, conns));
    tcp.maxConnections = this.#maxConns;
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen({ host: address, port, exclusive: true }, () => {
          tcp.off('error', reject);
          resolve();
        });
      });
    } catch (e) {
      udp.close();
      throw e;
    }
    udp.on('error', (e) => this.#log.warn(`[resolver] udp ${address}:${port}: ${e.message}`));
    tcp.on('error', (e) => this.#log.warn(`[resolver] tcp ${address}:${port}: ${e.message}`));
    udp.on('message', (msg, rinfo) => {
      this.#handle(msg, clientAddress(rinfo.address), undefined, (out) => {
        try {
          udp.send(out, rinfo.port, rinfo.address);
        } catch {
          // The socket closed (unlisten) while the answer was on its way: nobody left to answer.
        }
      });
    });
    return { port, udp, tcp, conns };
  }

  /** Stops serving on `address`: its sockets close and its TCP clients are disconnected. Unknown addresses: no-op. */
  async unlisten(address: string): Promise<void> {
    await this.#opening.get(address);
    const l = this.#listeners.get(address);
    if (!l) return;
    this.#listeners.delete(address);
    for (const c of l.conns) c.destroy();
    await Promise.all([
      new Promise<void>((resolve) => l.udp.close(() => resolve())),
      new Promise<void>((resolve) => l.tcp.close(() => resolve())),
    ]);
  }

  /** Stops every listener and abandons the forwarded queries still waiting. */
  async close(): Promise<void> {
    this.#abort.abort();
    this.#abort = EmbeddedDns.#controller(); // the server may listen again after close
    await Promise.all([...this.#listeners.keys()].map((a) => this.unlisten(a)));
  }

  #serveTcp(sock: Socket, conns: Set<Socket>): void {
    conns.add(sock);
    const client = clientAddress(sock.remoteAddress);
    const reader = new FrameReader();
    sock.setTimeout(this.#idleMs, () => sock.destroy());
    sock.on('error', () => undefined); // a reset by the client is its business; 'close' follows
    sock.on('close', () => conns.delete(sock));
    const send = (out: Buffer) => {
      if (sock.destroyed) return;
      if (sock.writableLength > MAX_TCP_BACKLOG) sock.destroy();
      else sock.write(frame(out));
    };
    sock.on('data', (chunk: Buffer) => {
      let msgs: Buffer[];
      try {
        msgs = reader.push(chunk);
      } catch {
        return void sock.destroy();
      }
      for (const msg of msgs) {
        if (!this.#handle(msg, client, 0xffff, send)) return void sock.destroy();
      }
    });
  }

  /**
   * Answers one query (`tcpMax` set for TCP, undefined for UDP) through `send`, now or once forwarded. Returns false
   * for bytes that are not a DNS query (UDP drops them, TCP closes the connection).
   */
  #handle(msg: Buffer, client: string, tcpMax: number | undefined, send: (out: Buffer) => void): boolean {
    let query: DecodedPacket;
    try {
      query = decode(msg);
    } catch {
      return false;
    }
    if (query.type !== 'query') return false; // a response aimed at us: never answer it (no loops, no reflection)
    const max = tcpMax ?? maxUdpSize(query);
    try {
      const local = localAnswer(query, client, this.#resolver);
      if (local) {
        send(encodeWithin(local, max, tcpMax === undefined));
        return true;
      }
    } catch (e) {
      // A resolver that throws or hands back something unencodable is a bug in the engine, not the client's fault.
      this.#log.warn(
        `[resolver] answering ${query.questions?.[0]?.name ?? '?'}: ${e instanceof Error ? e.message : String(e)}`,
      );
      send(encode(reply(query, RCODE.SERVFAIL)));
      return true;
    }
    this.#forward(msg, query, max, tcpMax !== undefined, send, this.#upstreamsFor(client));
    return true;
  }

  /** The client's own upstreams when the resolver names some (a container's --dns), else the server's. */
  #upstreamsFor(client: string): Upstream[] {
    let own: readonly string[] | undefined;
    try {
      own = this.#resolver.upstreams?.(client);
      if (own?.length) return own.map(parseUpstream);
    } catch (e) {
      this.#log.warn(`[resolver] upstreams of ${client}: ${e instanceof Error ? e.message : String(e)}`);
    }
    return this.#upstreams;
  }

  #forward(
    msg: Buffer,
    query: DecodedPacket,
    maxUdp: number,
    tcp: boolean,
    send: (out: Buffer) => void,
    upstreams: Upstream[],
  ): void {
    if (upstreams.length === 0) {
      send(encode(reply(query, RCODE.SERVFAIL)));
      return;
    }
    if (this.#inFlight >= this.#maxInFlight) {
      const now = Date.now();
      if (now - this.#lastFloodLog > FLOOD_LOG_INTERVAL_MS) {
        this.#lastFloodLog = now;
        this.#log.warn(`[resolver] more than ${this.#maxInFlight} concurrent queries: refusing`);
      }
      send(encode(reply(query, RCODE.REFUSED)));
      return;
    }
    this.#inFlight++;
    forward(msg, upstreams, {
      tcp,
      maxUdp,
      timeoutMs: this.#timeoutMs,
      log: this.#log,
      signal: this.#abort.signal,
    })
      .then((raw) => {
        if (!raw) return send(encode(reply(query, RCODE.SERVFAIL)));
        raw.writeUInt16BE(query.id ?? 0, 0); // the client's ID back in place of the one we sent upstream
        send(raw);
      })
      .catch((e: unknown) => {
        this.#log.warn(`[resolver] forwarding: ${e instanceof Error ? e.message : String(e)}`);
        send(encode(reply(query, RCODE.SERVFAIL)));
      })
      .finally(() => this.#inFlight--);
  }
}
