// Forwarding a query the embedded DNS does not answer itself to the upstream servers in turn, over UDP (TCP when
// the answer comes truncated or the client asked over TCP), as libnetwork's resolver does, with a bounded wait.
import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { type DecodedPacket, decode } from 'dns-packet';
import { RCODE } from './answer.js';
import { FrameReader, frame } from './framing.js';
import type { DnsLog } from './resolver.js';
import { formatUpstream, type Upstream } from './upstream.js';

export interface ForwardOptions {
  /** Aborts the exchange in progress (the server is closing). */
  signal?: AbortSignal;
  /** The client asked over TCP: ask upstream over TCP too. */
  tcp: boolean;
  /** The largest UDP answer the client takes (a TCP retry's answer is used only if it fits). */
  maxUdp: number;
  /** Per upstream, connection and answer together. */
  timeoutMs: number;
  log: DnsLog;
}

/** `query` under a fresh random ID (the upstream sees our ID, not the client's: one less thing to spoof). */
function withId(query: Buffer, id: number): Buffer {
  const copy = Buffer.from(query);
  copy.writeUInt16BE(id, 0);
  return copy;
}

/** The decoded answer if `raw` answers the query with `id` (a response, same ID); otherwise undefined. */
function matching(raw: Buffer, id: number): DecodedPacket | undefined {
  try {
    const p = decode(raw);
    return p.type === 'response' && p.id === id ? p : undefined;
  } catch {
    return undefined;
  }
}

interface Exchanged {
  raw: Buffer;
  packet: DecodedPacket;
}
type Exchange = (query: Buffer, up: Upstream, timeoutMs: number, signal?: AbortSignal) => Promise<Exchanged>;

/** Settles once: clears the timer and the abort listener, runs `cleanup`, then resolves or rejects. */
function settler(
  resolve: (v: Exchanged) => void,
  reject: (e: Error) => void,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  cleanup: () => void,
): (err: Error | undefined, got?: Exchanged) => void {
  let settled = false;
  const done = (err: Error | undefined, got?: Exchanged) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    cleanup();
    if (got && !err) resolve(got);
    else reject(err ?? new Error('connection closed without an answer'));
  };
  const onAbort = () => done(new Error('aborted'));
  const timer = setTimeout(() => done(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  if (signal?.aborted) queueMicrotask(onAbort);
  else signal?.addEventListener('abort', onAbort, { once: true });
  return done;
}

const exchangeUdp: Exchange = (query, up, timeoutMs, signal) => {
  const id = randomInt(0x10000);
  return new Promise((resolve, reject) => {
    const sock = createSocket(up.family === 6 ? 'udp6' : 'udp4');
    const done = settler(resolve, reject, timeoutMs, signal, () => sock.close());
    sock.on('error', (e) => done(e));
    sock.on('message', (raw, rinfo) => {
      // Only the upstream's own answer to this ID counts; anything else on the port is ignored.
      if (rinfo.address !== up.host || rinfo.port !== up.port) return;
      const packet = matching(raw, id);
      if (packet) done(undefined, { raw, packet });
    });
    sock.send(withId(query, id), up.port, up.host, (e) => {
      if (e) done(e);
    });
  });
};

const exchangeTcp: Exchange = (query, up, timeoutMs, signal) => {
  const id = randomInt(0x10000);
  return new Promise((resolve, reject) => {
    const sock = connect({ host: up.host, port: up.port });
    const reader = new FrameReader();
    const done = settler(resolve, reject, timeoutMs, signal, () => sock.destroy());
    sock.on('error', (e) => done(e));
    sock.on('close', () => done(undefined));
    sock.on('connect', () => sock.write(frame(withId(query, id))));
    sock.on('data', (chunk) => {
      let msgs: Buffer[];
      try {
        msgs = reader.push(chunk);
      } catch (e) {
        return done(e instanceof Error ? e : new Error(String(e)));
      }
      for (const raw of msgs) {
        const packet = matching(raw, id);
        if (packet) return done(undefined, { raw, packet });
      }
    });
  });
};

const rcodeOf = (p: DecodedPacket): number => (p.flags ?? 0) & 0xf;

/**
 * The first usable answer from `upstreams`, tried in order, as raw bytes (the caller puts the client's ID back), or
 * undefined when none answered. SERVFAIL, REFUSED and a non-authoritative NXDOMAIN move on to the next server, as
 * libnetwork does; if every server answered so, the last of those answers is returned.
 */
export async function forward(
  query: Buffer,
  upstreams: readonly Upstream[],
  opts: ForwardOptions,
): Promise<Buffer | undefined> {
  let last: Buffer | undefined;
  for (const up of upstreams) {
    if (opts.signal?.aborted) break;
    let got: Exchanged;
    try {
      got = await (opts.tcp ? exchangeTcp : exchangeUdp)(query, up, opts.timeoutMs, opts.signal);
      if (!opts.tcp && got.packet.flag_tc) {
        // Retry the whole answer over TCP; if it is still too big for the client, it gets the truncated one and
        // retries over TCP itself.
        const full = await exchangeTcp(query, up, opts.timeoutMs, opts.signal).catch(() => undefined);
        if (full && full.raw.length <= opts.maxUdp) got = full;
      }
    } catch (e) {
      opts.log.debug(
        `[resolver] ${opts.tcp ? 'tcp' : 'udp'} ${formatUpstream(up)}: ${e instanceof Error ? e.message : String(e)}`,
      );
      continue;
    }
    const rcode = rcodeOf(got.packet);
    if (rcode === RCODE.SERVFAIL || rcode === RCODE.REFUSED || (rcode === RCODE.NXDOMAIN && !got.packet.flag_aa)) {
      last = got.raw;
      continue;
    }
    return got.raw;
  }
  return last;
}
