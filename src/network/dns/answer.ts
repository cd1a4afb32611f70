// Answers the embedded DNS gives itself, from the engine's Resolver: A/AAAA/PTR for the names of its containers, as
// Docker's resolver does (TTL 600, addresses shuffled), and the error replies the server needs.
import {
  type Answer,
  AUTHORITATIVE_ANSWER,
  type DecodedPacket,
  encode,
  encodingLength,
  type Packet,
  RECURSION_AVAILABLE,
  RECURSION_DESIRED,
  TRUNCATED_RESPONSE,
} from 'dns-packet';
import type { Resolver } from './resolver.js';
import { parseReverseName } from './reverse-name.js';

/** Docker's TTL for the names it answers (libnetwork's respTTL). */
export const TTL = 600;

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

/** The largest UDP answer a client takes: 512 bytes, or more when its query carries an EDNS OPT record. */
export function maxUdpSize(query: DecodedPacket): number {
  for (const rr of query.additionals ?? []) {
    if (rr.type === 'OPT') return Math.max(512, rr.udpPayloadSize);
  }
  return 512;
}

/** A query's name as the Resolver takes it: lowercased, without the trailing dot. */
export const normalizeName = (name: string): string => name.toLowerCase().replace(/\.$/, '');

const opcodeOf = (p: DecodedPacket): number => ((p.flags ?? 0) >> 11) & 0xf;

/** A reply header for `query`: its ID and question, its RD bit echoed, RA (we recurse by forwarding), `rcode`. */
export function reply(query: DecodedPacket, rcode: number, answers: Answer[] = [], authoritative = false): Packet {
  const flags =
    (query.flag_rd ? RECURSION_DESIRED : 0) |
    RECURSION_AVAILABLE |
    (authoritative ? AUTHORITATIVE_ANSWER : 0) |
    (opcodeOf(query) << 11) |
    rcode;
  return { type: 'response', id: query.id ?? 0, flags, questions: query.questions ?? [], answers };
}

function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/**
 * The reply to `query` when its name is one of ours, or undefined to forward it. Not a standard query with one
 * question: FORMERR or NOTIMP. A type other than A/AAAA/PTR for a name of ours: NOERROR with no answer (Docker does
 * that for MX; it also keeps e.g. HTTPS lookups of container names from leaking upstream).
 */
export function localAnswer(query: DecodedPacket, client: string, resolver: Resolver): Packet | undefined {
  if (opcodeOf(query) !== 0) return reply(query, RCODE.NOTIMP);
  const question = query.questions?.length === 1 ? query.questions[0] : undefined;
  if (!question || (question.class !== undefined && question.class !== 'IN')) {
    return question ? undefined : reply(query, RCODE.FORMERR);
  }
  const name = normalizeName(question.name);
  if (question.type === 'A' || question.type === 'AAAA') {
    const type = question.type;
    const addrs = resolver.lookup(client, name, type);
    if (addrs === undefined) return undefined;
    const answers: Answer[] = shuffled(addrs).map((data) => ({ type, name: question.name, ttl: TTL, data }));
    return reply(query, RCODE.NOERROR, answers, true);
  }
  if (question.type === 'PTR') {
    const ip = parseReverseName(name);
    const names = ip === undefined ? undefined : resolver.reverse(client, ip);
    if (names === undefined) return undefined;
    const answers: Answer[] = names.map((data) => ({ type: 'PTR', name: question.name, ttl: TTL, data }));
    return reply(query, RCODE.NOERROR, answers, true);
  }
  const ours = resolver.lookup(client, name, 'A') !== undefined || resolver.lookup(client, name, 'AAAA') !== undefined;
  return ours ? reply(query, RCODE.NOERROR, [], true) : undefined;
}

/** Encodes `packet` within `max` bytes: answers dropped from the end until it fits, TC set over UDP (Docker's
 * truncateResp). */
export function encodeWithin(packet: Packet, max: number, udp: boolean): Buffer {
  if (encodingLength(packet) <= max) return encode(packet);
  const answers = [...(packet.answers ?? [])];
  const flags = (packet.flags ?? 0) | (udp ? TRUNCATED_RESPONSE : 0);
  let cut: Packet = { ...packet, flags, answers };
  while (answers.length > 0 && encodingLength(cut) > max) {
    answers.pop();
    cut = { ...packet, flags, answers };
  }
  return encode(cut);
}
