// The embedded DNS server over real UDP and TCP sockets on loopback, with a fake upstream (a real server written with
// dns-packet). The file re-runs itself in a new network and mount namespace (unshare), so its sockets never touch
// the host's interfaces; the namespace goes away with the process.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  type Answer,
  AUTHORITATIVE_ANSWER,
  type DecodedPacket,
  decode,
  encode,
  type Packet,
  RECURSION_DESIRED,
  TRUNCATED_RESPONSE,
} from 'dns-packet';
import { isSystem } from '../../errdefs/index.js';
import { FrameReader, frame } from './framing.js';
import { EmbeddedDns, type Resolver } from './index.js';
import { reexecInNamespaces } from '../testing.js';

const run = promisify(execFile);
const skip =
  process.getuid?.() !== 0 ? 'needs root' : !['/usr/bin/unshare'].some(existsSync) ? 'needs util-linux' : undefined;

const SERVER = '127.0.0.11';
const UPSTREAM = '127.0.0.2';
const SILENT = '127.0.0.3'; // a UDP socket that reads and never answers
const PORT = 20000 + Math.floor(Math.random() * 20000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rcode = (p: DecodedPacket) => (p.flags ?? 0) & 0xf;
const dataOf = (p: DecodedPacket) => (p.answers ?? []).map((a) => ('data' in a ? String(a.data) : ''));

/** One UDP query from `from` (a loopback address of its own), answered within `ms`. */
function udpQuery(packet: Packet, opts: { from?: string; to?: string; port?: number; ms?: number } = {}) {
  return udpRaw(encode(packet), opts).then((raw) => decode(raw));
}

function udpRaw(msg: Buffer, opts: { from?: string; to?: string; port?: number; ms?: number } = {}): Promise<Buffer> {
  const to = opts.to ?? SERVER;
  const sock = createSocket(to.includes(':') ? 'udp6' : 'udp4');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error('no answer in time'));
    }, opts.ms ?? 3000);
    sock.on('message', (raw) => {
      clearTimeout(timer);
      sock.close();
      resolve(raw);
    });
    sock.bind({ address: opts.from ?? (to.includes(':') ? '::1' : '127.0.0.1'), port: 0 }, () =>
      sock.send(msg, opts.port ?? PORT, to),
    );
  });
}

/** Several queries over one TCP connection; answers keyed by ID. */
async function tcpQueries(packets: Packet[], opts: { to?: string } = {}): Promise<Map<number, DecodedPacket>> {
  const sock = connect({ host: opts.to ?? SERVER, port: PORT });
  const reader = new FrameReader();
  const got = new Map<number, DecodedPacket>();
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('TCP answers not in time')), 5000);
      sock.on('error', reject);
      sock.on('connect', () => sock.write(Buffer.concat(packets.map((p) => frame(encode(p))))));
      sock.on('data', (chunk) => {
        for (const m of reader.push(chunk)) {
          const p = decode(m);
          got.set(p.id ?? -1, p);
        }
        if (got.size === packets.length) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  } finally {
    sock.destroy();
  }
  return got;
}

const q = (name: string, type: 'A' | 'AAAA' | 'PTR' | 'MX' | 'TXT', extra: Partial<Packet> = {}): Packet => ({
  type: 'query',
  id: Math.floor(Math.random() * 65536),
  flags: RECURSION_DESIRED,
  questions: [{ type, name }],
  ...extra,
});

/** The engine's side in these tests: fixed names, and a log of who asked what. */
class FakeResolver implements Resolver {
  calls: Array<{ client: string; name: string }> = [];
  names = new Map<string, { A?: string[]; AAAA?: string[] }>([
    ['web', { A: ['10.0.0.2'], AAAA: ['fd00::2'] }],
    ['web.mynet', { A: ['10.0.0.2'] }],
    ['v4only', { A: ['10.0.0.3'], AAAA: [] }],
    ['shared', { A: ['10.0.0.4', '10.0.0.5', '10.0.0.6', '10.0.0.7', '10.0.0.8'] }],
    ['many', { A: Array.from({ length: 100 }, (_, i) => `10.1.0.${i + 1}`) }],
  ]);
  lookup(client: string, name: string, type: 'A' | 'AAAA') {
    this.calls.push({ client, name });
    const e = this.names.get(name);
    return e ? (e[type] ?? []) : undefined;
  }
  reverse(_client: string, ip: string) {
    return ip === '10.0.0.2' ? ['web'] : ip === 'fd00::2' ? ['web.mynet'] : undefined;
  }
}

/** The host's resolver stand-in: answers example.test, truncates big.test over UDP, ignores slow.test. */
class FakeUpstream {
  udp!: UdpSocket;
  tcp!: Server;
  seen: Array<{ name: string; transport: 'udp' | 'tcp' }> = [];

  answer(query: DecodedPacket, transport: 'udp' | 'tcp'): Packet | undefined {
    const question = query.questions?.[0];
    if (!question) return undefined;
    this.seen.push({ name: question.name, transport });
    const base: Packet = { type: 'response', id: query.id ?? 0, flags: 0x80, questions: query.questions ?? [] };
    if (question.name === 'slow.test') return undefined;
    if (question.name === 'big.test') {
      if (transport === 'udp') return { ...base, flags: 0x80 | TRUNCATED_RESPONSE };
      const answers: Answer[] = Array.from({ length: 60 }, (_, i) => ({
        type: 'A',
        name: 'big.test',
        ttl: 5,
        data: `192.0.2.${i + 1}`,
      }));
      return { ...base, answers };
    }
    if (question.name === 'nx.test') return { ...base, flags: 0x80 | 3 };
    return { ...base, answers: [{ type: 'A', name: question.name, ttl: 5, data: '192.0.2.1' }] };
  }

  async start(address: string, port: number): Promise<void> {
    this.udp = createSocket('udp4');
    this.udp.on('message', (msg, rinfo) => {
      const a = this.answer(decode(msg), 'udp');
      if (a) this.udp.send(encode(a), rinfo.port, rinfo.address);
    });
    await new Promise<void>((r) => this.udp.bind(port, address, r));
    this.tcp = createServer((sock) => {
      const reader = new FrameReader();
      sock.on('error', () => undefined);
      sock.on('data', (chunk) => {
        for (const m of reader.push(chunk)) {
          const a = this.answer(decode(m), 'tcp');
          if (a) sock.write(frame(encode(a)));
        }
      });
    });
    await new Promise<void>((r) => this.tcp.listen(port, address, r));
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.udp.close(() => r()));
    await new Promise<void>((r) => this.tcp.close(() => r()));
  }
}

if (!(skip === undefined && reexecInNamespaces(import.meta.url, ['--net'], 'dns tests'))) {
  describe('the embedded DNS server', { ...(skip ? { skip } : {}) }, () => {
    const resolver = new FakeResolver();
    const upstream = new FakeUpstream();
    const warnings: string[] = [];
    const log = { debug: () => undefined, warn: (m: string) => void warnings.push(m) };
    let silent: UdpSocket;
    let dns: EmbeddedDns;

    before(async () => {
      await run('ip', ['link', 'set', 'lo', 'up']); // a new network namespace starts with lo down
      await upstream.start(UPSTREAM, 53);
      silent = createSocket('udp4');
      await new Promise<void>((r) => silent.bind(53, SILENT, r));
      dns = new EmbeddedDns({ resolver, upstreams: [UPSTREAM], log, upstreamTimeoutMs: 300 });
      await dns.listen(SERVER, PORT);
    });

    after(async () => {
      await dns.close();
      await upstream.stop();
      silent.close();
    });

    it('answers A for a container name: TTL 600, AA, the question and ID echoed, RD honoured', async () => {
      resolver.calls = [];
      const query = q('web', 'A');
      const res = await udpQuery(query, { from: '127.0.0.5' });
      assert.equal(res.id, query.id);
      assert.equal(rcode(res), 0);
      assert.ok(res.flag_aa && res.flag_qr && res.flag_rd);
      assert.deepEqual(res.questions, [{ name: 'web', type: 'A', class: 'IN' }]);
      assert.deepEqual(res.answers, [
        { name: 'web', type: 'A', class: 'IN', ttl: 600, flush: false, data: '10.0.0.2' },
      ]);
      assert.deepEqual(resolver.calls, [{ client: '127.0.0.5', name: 'web' }], 'the resolver sees the source address');

      const noRd = await udpQuery(q('web', 'A', { flags: 0 }));
      assert.equal(noRd.flag_rd, false);
      assert.equal(noRd.flags !== undefined && (noRd.flags & AUTHORITATIVE_ANSWER) !== 0, true);
    });

    it('matches names case-insensitively, with or without the trailing dot, and passes name.network through', async () => {
      resolver.calls = [];
      const res = await udpQuery(q('WeB.', 'A'));
      assert.deepEqual(dataOf(res), ['10.0.0.2']);
      assert.equal(res.answers?.[0]?.name, 'WeB', 'the answer carries the name as asked');
      const dotted = await udpQuery(q('Web.MyNet', 'A'));
      assert.deepEqual(dataOf(dotted), ['10.0.0.2']);
      assert.deepEqual(
        resolver.calls.map((c) => c.name),
        ['web', 'web.mynet'],
      );
    });

    it('answers AAAA, and NOERROR with no answer for a name of ours without an address of that family', async () => {
      assert.deepEqual(dataOf(await udpQuery(q('web', 'AAAA'))), ['fd00::2']);
      const none = await udpQuery(q('v4only', 'AAAA'));
      assert.equal(rcode(none), 0);
      assert.deepEqual(none.answers, []);
      assert.ok(none.flag_aa);
      assert.deepEqual(
        upstream.seen.filter((s) => s.name === 'v4only'),
        [],
        'not forwarded',
      );
      const mx = await udpQuery(q('web', 'MX'));
      assert.equal(rcode(mx), 0);
      assert.deepEqual(mx.answers, [], 'other types for our names: NODATA, not forwarded');
    });

    it('answers PTR for IPv4 and IPv6 addresses of ours', async () => {
      const v4 = await udpQuery(q('2.0.0.10.in-addr.arpa', 'PTR'));
      assert.deepEqual(dataOf(v4), ['web']);
      assert.deepEqual(
        v4.answers?.map((a) => ('ttl' in a ? a.ttl : 0)),
        [600],
      );
      const nibbles = '2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa';
      assert.deepEqual(dataOf(await udpQuery(q(nibbles, 'PTR'))), ['web.mynet']);
    });

    it('forwards other names to the upstream and passes its answer back under the client ID', async () => {
      const query = q('example.test', 'A');
      const res = await udpQuery(query);
      assert.equal(res.id, query.id);
      assert.deepEqual(dataOf(res), ['192.0.2.1']);
      assert.deepEqual(
        res.answers?.map((a) => ('ttl' in a ? a.ttl : 0)),
        [5],
        "the upstream's answer, not ours",
      );
      const ptr = await udpQuery(q('9.9.9.10.in-addr.arpa', 'PTR'));
      assert.deepEqual(dataOf(ptr), ['192.0.2.1'], 'an address not of ours is forwarded too');
      const nx = await udpQuery(q('nx.test', 'A'));
      assert.equal(rcode(nx), 3, 'NXDOMAIN passed through');
    });

    it('tries the upstreams in turn, and answers SERVFAIL within the timeout when none answers', async () => {
      dns.setUpstreams([`${SILENT}:53`, UPSTREAM]);
      try {
        let t0 = performance.now();
        assert.deepEqual(dataOf(await udpQuery(q('example.test', 'A'))), ['192.0.2.1']);
        assert.ok(performance.now() - t0 >= 280, 'the silent server was asked first');
        dns.setUpstreams([SILENT, '127.0.0.4:53']); // nobody listens on the second
        t0 = performance.now();
        const res = await udpQuery(q('example.test', 'A'));
        const ms = performance.now() - t0;
        assert.equal(rcode(res), 2);
        assert.ok(ms < 2 * 300 + 500, `SERVFAIL after ${ms.toFixed(0)} ms`);
        dns.setUpstreams([]);
        assert.equal(rcode(await udpQuery(q('example.test', 'A'))), 2, 'no upstream: SERVFAIL at once');
      } finally {
        dns.setUpstreams([UPSTREAM]);
      }
      assert.throws(() => dns.setUpstreams(['not-an-ip']), /invalid DNS server address: not-an-ip/);
      assert.throws(() => dns.setUpstreams(['1.2.3.4:99999']), /invalid DNS server address/);
      dns.setUpstreams(['[::1]:53', '::1', '127.0.0.1:5353', UPSTREAM]);
      dns.setUpstreams([UPSTREAM]);
    });

    it('retries a truncated upstream answer over TCP, and truncates for a client that takes only 512 bytes', async () => {
      upstream.seen = [];
      const edns: Partial<Packet> = {
        additionals: [
          {
            type: 'OPT',
            name: '.',
            udpPayloadSize: 4096,
            extendedRcode: 0,
            ednsVersion: 0,
            flags: 0,
            flag_do: false,
            options: [],
          },
        ],
      };
      const full = await udpQuery(q('big.test', 'A', edns));
      assert.equal(full.flag_tc, false);
      assert.equal(full.answers?.length, 60);
      assert.deepEqual(
        upstream.seen.map((s) => s.transport),
        ['udp', 'tcp'],
      );
      const small = await udpQuery(q('big.test', 'A'));
      assert.equal(small.flag_tc, true, 'the truncated answer, for the client to retry over TCP');
    });

    it('serves several queries on one TCP connection, forwarding over TCP', async () => {
      upstream.seen = [];
      const packets = [q('web', 'A'), q('example.test', 'A'), q('many', 'A'), q('big.test', 'A')];
      const got = await tcpQueries(packets);
      assert.deepEqual(dataOf(got.get(packets[0]?.id ?? -1)!), ['10.0.0.2']);
      assert.deepEqual(dataOf(got.get(packets[1]?.id ?? -1)!), ['192.0.2.1']);
      assert.equal(got.get(packets[2]?.id ?? -1)?.answers?.length, 100, 'no 512-byte limit over TCP');
      assert.equal(got.get(packets[3]?.id ?? -1)?.answers?.length, 60);
      assert.deepEqual(
        upstream.seen.map((s) => s.transport),
        ['tcp', 'tcp'],
      );
    });

    it('truncates a local answer that does not fit in UDP, setting TC', async () => {
      const res = await udpQuery(q('many', 'A'));
      assert.equal(res.flag_tc, true);
      const n = res.answers?.length ?? 0;
      assert.ok(n > 0 && n < 100, `${n} answers`);
    });

    it('returns every address of a shared alias, in varying order', async () => {
      const orders = new Set<string>();
      for (let i = 0; i < 30; i++) {
        const got = dataOf(await udpQuery(q('shared', 'A')));
        assert.deepEqual([...got].sort(), ['10.0.0.4', '10.0.0.5', '10.0.0.6', '10.0.0.7', '10.0.0.8']);
        orders.add(got.join(','));
      }
      assert.ok(orders.size > 1, 'round-robin');
    });

    it('drops malformed UDP packets and closes a TCP connection that sends garbage, and keeps answering', async () => {
      const junk = [
        Buffer.from('hello'),
        Buffer.alloc(0),
        Buffer.from([0x12, 0x34]),
        encode(q('web', 'A')).subarray(0, 20), // cut inside the question
        encode({ ...q('web', 'A'), type: 'response' }), // a response, not a query
        Buffer.alloc(512, 0xff),
      ];
      for (const j of junk) await assert.rejects(udpRaw(j, { ms: 200 }), /no answer in time/);
      const sock = connect({ host: SERVER, port: PORT });
      const closed = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('not closed')), 3000);
        sock.on('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      sock.on('error', () => undefined);
      sock.write(Buffer.from([0x00, 0x05, 1, 2, 3, 4, 5]));
      await closed;
      const zero = connect({ host: SERVER, port: PORT });
      zero.on('error', () => undefined);
      zero.write(Buffer.from([0, 0]));
      await new Promise<void>((r) => zero.on('close', () => r()));
      assert.deepEqual(dataOf(await udpQuery(q('web', 'A'))), ['10.0.0.2']);
    });

    it('under a flood of forwarded queries keeps at most maxInFlight waiting, refuses the rest, answers its own', async () => {
      const flood = new EmbeddedDns({ resolver, upstreams: [SILENT], log, maxInFlight: 50, upstreamTimeoutMs: 1000 });
      await flood.listen('127.0.0.12', PORT);
      const sock = createSocket('udp4');
      const rcodes: number[] = [];
      let peak = 0;
      sock.on('message', (raw) => rcodes.push(rcode(decode(raw))));
      await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
      try {
        for (let i = 0; i < 500; i++) {
          sock.send(encode(q(`flood${i}.test`, 'A')), PORT, '127.0.0.12');
          if (i % 50 === 0) await sleep(1);
          peak = Math.max(peak, flood.inFlight);
        }
        const deadline = Date.now() + 3000;
        while (rcodes.length < 450 && Date.now() < deadline) await sleep(10);
        peak = Math.max(peak, flood.inFlight);
        assert.ok(peak <= 50, `peak ${peak}`);
        assert.ok(rcodes.filter((c) => c === 5).length >= 400, 'REFUSED beyond the bound');
        assert.ok(warnings.some((w) => /more than 50 concurrent/.test(w)));
        assert.deepEqual(dataOf(await udpQuery(q('web', 'A'), { to: '127.0.0.12' })), ['10.0.0.2']);
      } finally {
        sock.close();
        await flood.close();
      }
      assert.equal(flood.inFlight, 0, 'close abandons what was waiting');
    });

    it('listens on several addresses, IPv6 too, and again after unlisten', async () => {
      await dns.listen('::1', PORT);
      await dns.listen('::1', PORT); // again: a no-op
      await assert.rejects(dns.listen('::1', PORT + 1), /already listens on ::1 port/);
      await assert.rejects(dns.listen('nope', PORT), /invalid address/);
      const other = new EmbeddedDns({ resolver, log });
      await assert.rejects(other.listen(SERVER, PORT), (e: unknown) => {
        assert.ok(isSystem(e));
        assert.match(e.message, /^listening for DNS on 127\.0\.0\.11 port \d+: .*EADDRINUSE/);
        return true;
      });
      await other.listen('127.0.0.14', PORT); // nothing half-made by the failure
      await other.close();
      await Promise.all([dns.listen('127.0.0.15', PORT), dns.listen('127.0.0.15', PORT)]); // concurrent: one bind
      await dns.unlisten('127.0.0.15');
      assert.deepEqual(dataOf(await udpQuery(q('web', 'A'), { to: '::1' })), ['10.0.0.2']);
      const tcp = await tcpQueries([q('example.test', 'A')], { to: '::1' });
      assert.deepEqual(dataOf([...tcp.values()][0]!), ['192.0.2.1']);
      await dns.unlisten('::1');
      await assert.rejects(udpQuery(q('web', 'A'), { to: '::1', ms: 200 }));
      await dns.listen('::1', PORT);
      assert.deepEqual(dataOf(await udpQuery(q('web', 'A'), { to: '::1' })), ['10.0.0.2']);
      await dns.unlisten('::1');
      await dns.unlisten('::1');
    });

    it('closes idle TCP connections', async () => {
      const idle = new EmbeddedDns({ resolver, log, tcpIdleMs: 200 });
      await idle.listen('127.0.0.13', PORT);
      try {
        const sock = connect({ host: '127.0.0.13', port: PORT });
        sock.on('error', () => undefined);
        const t0 = performance.now();
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('still open')), 3000);
          sock.on('close', () => {
            clearTimeout(timer);
            resolve();
          });
        });
        assert.ok(performance.now() - t0 >= 150);
      } finally {
        await idle.close();
      }
    });

    it('answers its own names fast (micro-benchmark, not asserted)', async (t) => {
      const sock = createSocket('udp4');
      await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
      const total = 20000;
      const window = 64;
      const sentAt = new Map<number, number>();
      const lat: number[] = [];
      let next = 0;
      const packets = Array.from({ length: 65536 }, (_, id) => encode({ ...q('web', 'A'), id }));
      try {
        const t0 = performance.now();
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`only ${lat.length} answers`)), 20000);
          const send = () => {
            const id = next++ % 65536;
            sentAt.set(id, performance.now());
            sock.send(packets[id]!, PORT, SERVER);
          };
          sock.on('message', (raw) => {
            const id = raw.readUInt16BE(0);
            lat.push(performance.now() - (sentAt.get(id) ?? 0));
            if (lat.length === total) {
              clearTimeout(timer);
              resolve();
            } else if (next < total) send();
          });
          for (let i = 0; i < window; i++) send();
        });
        const secs = (performance.now() - t0) / 1000;
        lat.sort((a, b) => a - b);
        t.diagnostic(
          `local answers over UDP: ${(total / secs).toFixed(0)} queries/s (window ${window}), ` +
            `p50 ${lat[Math.floor(lat.length / 2)]?.toFixed(3)} ms under load`,
        );
        // One at a time: the latency of a lone query.
        const single: number[] = [];
        for (let i = 0; i < 200; i++) {
          const s0 = performance.now();
          await udpQuery(q('web', 'A'));
          single.push(performance.now() - s0);
        }
        single.sort((a, b) => a - b);
        t.diagnostic(`lone query round trip p50 ${single[100]?.toFixed(3)} ms (incl. the client's socket setup)`);
      } finally {
        sock.close();
      }
    });
  });
}
