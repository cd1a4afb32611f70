// The firewall against the real kernel, with real traffic: the file re-runs itself in a network and mount namespace of
// its own (unshare --net --mount), so its bridges, namespaces and nft table never reach the host's, even if it dies.
// Topology: this process is the "host"; netns `out` is another machine on a veth (10.99.0.0/24, fd99::/64); `c1` sits
// on bridge fwb0 (172.30.0.0/24, fd30::/64), `c2` on fwb1 (172.31.0.0/24), `ci` on the internal fwbi (172.32.0.0/24).
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { isSystem } from '../../errdefs/index.js';
import { enableForwarding, Firewall, type FirewallNetwork, nftCommand, type PublishedPort } from './index.js';
import { reexecInNamespaces } from '../testing.js';

const exec = promisify(execFile);
const skip =
  process.getuid?.() !== 0
    ? 'needs root'
    : !['/usr/sbin/nft', '/sbin/nft'].some(existsSync)
      ? 'needs nft'
      : !['/usr/sbin/ip', '/usr/bin/ip'].some(existsSync)
        ? 'needs iproute2'
        : undefined;

const sh = async (...cmds: string[]) => {
  for (const c of cmds) await exec('sh', ['-c', c], { timeout: 10_000 });
};

// A TCP server answering "<name> <peer address>" and a UDP one answering the same; a sink counting bytes on 5001.
const SERVERS = `
const net = require('node:net'), dgram = require('node:dgram');
const name = process.argv[1];
for (const host of ['0.0.0.0', '::']) {
  net.createServer((s) => s.end(name + ' ' + s.remoteAddress.replace('::ffff:', ''))).listen({ port: 80, host, ipv6Only: true });
  const u = dgram.createSocket(host === '::' ? { type: 'udp6', ipv6Only: true } : 'udp4');
  u.on('message', (m, r) => u.send(name + ' ' + r.address, r.port, r.address)).bind(53, host);
  net.createServer((s) => { let n = 0; s.on('data', (d) => (n += d.length)); s.on('end', () => s.end(String(n))); })
    .listen({ port: 5001, host, ipv6Only: true });
}
setTimeout(() => console.log('ready'), 100);`;

// Prints what a TCP (or UDP) request to host:port got back, or the error code, within 1.5 s.
const CLIENT = `
const [proto, host, port] = process.argv.slice(1);
const done = (s) => { console.log(s); process.exit(0); };
setTimeout(() => done('TIMEOUT'), 1500);
if (proto === 'udp') {
  const u = require('node:dgram').createSocket(host.includes(':') ? 'udp6' : 'udp4');
  u.on('message', (m) => done(String(m)));
  u.send('ping', Number(port), host);
} else {
  const c = require('node:net').connect(Number(port), host);
  let got = '';
  c.on('data', (d) => (got += d)).on('end', () => done(got)).on('error', (e) => done(e.code));
}`;

async function request(ns: string | undefined, proto: 'tcp' | 'udp', host: string, port: number): Promise<string> {
  const argv = [process.execPath, '-e', CLIENT, proto, host, String(port)];
  const [cmd, ...args] = ns === undefined ? argv : ['ip', 'netns', 'exec', ns, ...argv];
  const { stdout } = await exec(cmd ?? 'ip', args, { timeout: 10_000 });
  return stdout.trim();
}

/** Sends `bytes` to host:port's sink from `ns` (or this namespace) and returns MB/s. */
async function throughput(ns: string | undefined, host: string, port: number, bytes: number): Promise<number> {
  const script = `
    const c = require('node:net').connect(${port}, '${host}');
    const chunk = Buffer.alloc(1 << 20); let left = ${bytes}; const t0 = process.hrtime.bigint();
    const pump = () => { while (left > 0) { left -= chunk.length; if (!c.write(chunk)) return c.once('drain', pump); } c.end(); };
    c.on('connect', pump); let got = '';
    c.on('data', (d) => (got += d)).on('end', () => {
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      console.log(Number(got) === ${bytes} ? (${bytes} / 1e6 / s).toFixed(0) : 'short ' + got);
    });`;
  const argv = [process.execPath, '-e', script];
  const [cmd, ...args] = ns === undefined ? argv : ['ip', 'netns', 'exec', ns, ...argv];
  const { stdout } = await exec(cmd ?? 'ip', args, { timeout: 120_000 });
  const mbps = Number(stdout.trim());
  assert.ok(Number.isFinite(mbps), stdout);
  return mbps;
}

async function listTable(): Promise<unknown[]> {
  const { stdout } = await exec('nft', ['-j', 'list', 'table', 'inet', 'berth'], { timeout: 10_000 });
  const doc = JSON.parse(stdout) as { nftables: Record<string, Record<string, unknown>>[] };
  // Handles change when objects are made again; what matters is what the table holds.
  return doc.nftables
    .filter((o) => !('metainfo' in o))
    .map((o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, { ...v, handle: undefined }])));
}

async function mapElements(map: string): Promise<string> {
  const { stdout } = await exec('nft', ['list', 'map', 'inet', 'berth', map], { timeout: 10_000 });
  return (/elements = \{([^}]*)\}/.exec(stdout)?.[1] ?? '').replace(/\s+/g, ' ').trim();
}

if (!(skip === undefined && reexecInNamespaces(import.meta.url, ['--net'], 'firewall tests'))) {
  describe('firewall: nftables rules with real traffic', { ...(skip ? { skip } : {}) }, () => {
    const fw = new Firewall(nftCommand());
    const servers: ChildProcess[] = [];
    const HOST = '10.99.0.1';
    const net0: FirewallNetwork = {
      bridge: 'fwb0',
      subnets: ['172.30.0.0/24', 'fd30::/64'],
      internal: false,
      icc: true,
      masquerade: true,
    };
    const net1: FirewallNetwork = {
      bridge: 'fwb1',
      subnets: ['172.31.0.0/24'],
      internal: false,
      icc: true,
      masquerade: true,
    };
    const neti: FirewallNetwork = {
      bridge: 'fwbi',
      subnets: ['172.32.0.0/24'],
      internal: true,
      icc: true,
      masquerade: true,
    };
    const c1Web: PublishedPort = {
      proto: 'tcp',
      hostIp: '',
      hostPort: 8080,
      containerIp: '172.30.0.2',
      containerPort: 80,
    };
    const c1Dns: PublishedPort = {
      proto: 'udp',
      hostIp: '0.0.0.0',
      hostPort: 8053,
      containerIp: '172.30.0.2',
      containerPort: 53,
    };
    const c1Local: PublishedPort = {
      proto: 'tcp',
      hostIp: '127.0.0.1',
      hostPort: 8081,
      containerIp: '172.30.0.2',
      containerPort: 80,
    };
    const c1Web6: PublishedPort = {
      proto: 'tcp',
      hostIp: '::',
      hostPort: 8080,
      containerIp: 'fd30::2',
      containerPort: 80,
    };
    const c1Sink: PublishedPort = {
      proto: 'tcp',
      hostIp: '',
      hostPort: 5001,
      containerIp: '172.30.0.2',
      containerPort: 5001,
    };
    const c2Web: PublishedPort = {
      proto: 'tcp',
      hostIp: HOST,
      hostPort: 8082,
      containerIp: '172.31.0.2',
      containerPort: 80,
    };
    const c1Ports = [c1Web, c1Dns, c1Local, c1Web6, c1Sink];

    before(async () => {
      await sh(
        'ip link set lo up',
        'ip netns add out',
        'ip link add vout type veth peer name eth0 netns out',
        `ip addr add ${HOST}/24 dev vout`,
        'ip addr add fd99::1/64 dev vout nodad',
        'ip link set vout up',
        'ip -n out link set lo up',
        'ip -n out addr add 10.99.0.2/24 dev eth0',
        'ip -n out addr add fd99::2/64 dev eth0 nodad',
        'ip -n out link set eth0 up',
        `ip -n out route add default via ${HOST}`,
        'ip -n out -6 route add default via fd99::1',
      );
      for (const [ns, br, gw, ip, ip6] of [
        ['c1', 'fwb0', '172.30.0.1', '172.30.0.2', 'fd30::'],
        ['c2', 'fwb1', '172.31.0.1', '172.31.0.2', undefined],
        ['ci', 'fwbi', '172.32.0.1', '172.32.0.2', undefined],
      ] as const) {
        await sh(
          `ip link add ${br} type bridge`,
          `ip addr add ${gw}/24 dev ${br}`,
          `ip link set ${br} up`,
          `ip netns add ${ns}`,
          `ip link add v${ns} master ${br} type veth peer name eth0 netns ${ns}`,
          `ip link set v${ns} up`,
          // As Docker with the userland proxy off: br_netfilter bridges a hairpin DNAT back out the port it came in on.
          `ip link set v${ns} type bridge_slave hairpin on`,
          `ip -n ${ns} link set lo up`,
          `ip -n ${ns} addr add ${ip}/24 dev eth0`,
          `ip -n ${ns} link set eth0 up`,
          `ip -n ${ns} route add default via ${gw}`,
        );
        if (ip6) {
          await sh(
            `ip addr add ${ip6}1/64 dev ${br} nodad`,
            `ip -n ${ns} addr add ${ip6}2/64 dev eth0 nodad`,
            `ip -n ${ns} -6 route add default via ${ip6}1`,
          );
        }
      }
      await enableForwarding({ ipv6: true });
      for (const ns of ['c1', 'c2', 'ci', 'out']) {
        const s = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', SERVERS, ns], {
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        servers.push(s);
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`server in ${ns} did not start`)), 5000);
          s.stdout?.once('data', () => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      await fw.init({ networks: [net0, net1, neti], ports: [] });
    });

    after(async () => {
      for (const s of servers) s.kill('SIGKILL');
      await fw.removeAll();
      for (const ns of ['c1', 'c2', 'ci', 'out']) await sh(`ip netns del ${ns}`).catch(() => undefined);
      for (const br of ['fwb0', 'fwb1', 'fwbi']) await sh(`ip link del ${br}`).catch(() => undefined);
      await sh('ip link del vout').catch(() => undefined);
    });

    it('without rules nothing is published', async () => {
      assert.equal(await request('out', 'tcp', HOST, 8080), 'ECONNREFUSED');
    });

    it('a published port answers from another host, via 127.0.0.1 and the host address, and to the container itself', async () => {
      await fw.publish([...c1Ports, c2Web]);
      assert.equal(await request('out', 'tcp', HOST, 8080), 'c1 10.99.0.2', 'DNAT path keeps the client address');
      assert.equal(await request(undefined, 'tcp', '127.0.0.1', 8080), 'c1 172.30.0.1', 'loopback path, masqueraded');
      assert.equal(await request(undefined, 'tcp', HOST, 8080), `c1 ${HOST}`, "the host's own address");
      assert.equal(await request('c1', 'tcp', HOST, 8080), 'c1 172.30.0.1', 'hairpin, masqueraded');
      assert.equal(await request('out', 'udp', HOST, 8053), 'c1 10.99.0.2', 'UDP');
      assert.equal(await request('out', 'tcp', 'fd99::1', 8080), 'c1 fd99::2', 'IPv6 DNAT');
    });

    it('a port bound to one host address answers only there', async () => {
      assert.equal(await request(undefined, 'tcp', '127.0.0.1', 8081), 'c1 172.30.0.1');
      assert.equal(await request(undefined, 'tcp', HOST, 8081), 'ECONNREFUSED');
      assert.equal(await request('out', 'tcp', HOST, 8081), 'ECONNREFUSED');
      assert.equal(await request('out', 'tcp', HOST, 8082), 'c2 10.99.0.2');
      assert.equal(await request(undefined, 'tcp', '127.0.0.1', 8082), 'ECONNREFUSED');
    });

    it('containers reach out, masqueraded; nothing reaches them unsolicited', async () => {
      assert.equal(await request('c1', 'tcp', '10.99.0.2', 80), `out ${HOST}`);
      assert.equal(await request('c1', 'tcp', 'fd99::2', 80), 'out fd99::1', 'IPv6 ULA masqueraded');
      assert.equal(await request('out', 'tcp', '172.30.0.2', 80), 'TIMEOUT');
      assert.equal(await request('out', 'tcp', 'fd30::2', 80), 'TIMEOUT');
    });

    it('two bridges are isolated, also through a published port', async () => {
      assert.equal(await request('c1', 'tcp', '172.31.0.2', 80), 'TIMEOUT');
      assert.equal(await request('c2', 'tcp', '172.30.0.2', 80), 'TIMEOUT');
      assert.equal(await request('c2', 'tcp', HOST, 8080), 'TIMEOUT');
    });

    it('an internal network neither reaches nor is reached from outside its bridge', async () => {
      assert.equal(await request('ci', 'tcp', '10.99.0.2', 80), 'TIMEOUT');
      assert.equal(await request('out', 'tcp', '172.32.0.2', 80), 'TIMEOUT');
      assert.equal(await request(undefined, 'tcp', '172.32.0.2', 80), 'ci 172.32.0.1', 'the host side of its bridge');
    });

    it('a container cannot use route_localnet to reach the host loopback', async () => {
      const { stdout } = await exec('cat', ['/proc/sys/net/ipv4/conf/fwb0/route_localnet']);
      assert.equal(stdout.trim(), '1');
      // An attacker on the bridge: its lo is down (no local 127/8) and it routes 127.0.0.0/8 to the gateway.
      await sh(
        'ip netns add atk',
        'ip link add vatk master fwb0 type veth peer name eth0 netns atk',
        'ip link set vatk up',
        'ip -n atk link set eth0 up',
        'ip -n atk addr add 172.30.0.9/24 dev eth0',
        'ip netns exec atk sh -c "echo 1 > /proc/sys/net/ipv4/conf/eth0/route_localnet"',
        'ip -n atk route add 127.0.0.0/8 via 172.30.0.1 dev eth0',
      );
      const probe = spawn(
        process.execPath,
        [
          '-e',
          "require('node:net').createServer((s) => s.end('host')).listen(7070, '127.0.0.1', () => console.log('ready'))",
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      try {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('probe listener did not start')), 5000);
          probe.stdout?.once('data', () => {
            clearTimeout(timer);
            resolve();
          });
        });
        assert.equal(await request('atk', 'tcp', '127.0.0.1', 7070), 'TIMEOUT');
        await sh('nft insert rule inet berth localnet accept'); // without the guard it would get through
        assert.equal(await request('atk', 'tcp', '127.0.0.1', 7070), 'host');
      } finally {
        probe.kill('SIGKILL');
        await sh('ip netns del atk');
        await fw.setNetworks([net0, net1, neti]);
      }
    });

    it('init again changes nothing, keeps the user chain and its rules, and they apply', async () => {
      const before = await listTable();
      await fw.init({ networks: [net0, net1, neti], ports: [...c1Ports, c2Web] });
      assert.deepEqual(await listTable(), before, 'no duplicate, no lost rule or element');
      await sh('nft add rule inet berth user ip saddr 10.99.0.2 tcp dport 80 drop');
      await fw.init({ networks: [net0, net1, neti], ports: [...c1Ports, c2Web] });
      const { stdout } = await exec('nft', ['list', 'chain', 'inet', 'berth', 'user']);
      assert.match(stdout, /ip saddr 10\.99\.0\.2 tcp dport 80 drop/);
      assert.equal(await request('out', 'tcp', HOST, 8080), 'TIMEOUT', "the user's rule comes first");
      await fw.setNetworks([net0, net1, neti]);
      assert.equal(await request('out', 'tcp', HOST, 8080), 'TIMEOUT', 'and stays first after a network change');
      await sh('nft flush chain inet berth user');
      assert.equal(await request('out', 'tcp', HOST, 8080), 'c1 10.99.0.2');
    });

    it('icc=false drops traffic between two containers of the bridge', async () => {
      await sh(
        'ip netns add c3',
        'ip link add vc3 master fwb0 type veth peer name eth0 netns c3',
        'ip link set vc3 up',
        'ip -n c3 link set eth0 up',
        'ip -n c3 addr add 172.30.0.3/24 dev eth0',
      );
      try {
        assert.equal(await request('c3', 'tcp', '172.30.0.2', 80), 'c1 172.30.0.3');
        await fw.setNetworks([{ ...net0, icc: false }, net1, neti]);
        assert.equal(await request('c3', 'tcp', '172.30.0.2', 80), 'TIMEOUT');
      } finally {
        await fw.setNetworks([net0, net1, neti]);
        await sh('ip netns del c3');
      }
    });

    it('a host port published to another target fails the whole batch, and unpublish removes exactly its elements', async () => {
      const taken = { ...c2Web, hostIp: '', hostPort: 8080 };
      const fresh = { ...c2Web, hostPort: 8090 };
      await assert.rejects(fw.publish([fresh, taken]), (e: unknown) => isSystem(e) && /File exists/.test(String(e)));
      assert.doesNotMatch(await mapElements('pub4'), /8090/, 'nothing half-published');
      await fw.unpublish(c1Ports);
      await fw.unpublish(c1Ports); // again: no error
      assert.equal(await mapElements('pub4any'), '');
      assert.equal(await mapElements('pub6any'), '');
      assert.equal(await mapElements('pub4'), '10.99.0.1 . tcp . 8082 : 172.31.0.2 . 80');
      assert.equal(await request('out', 'tcp', HOST, 8080), 'ECONNREFUSED');
      assert.equal(await request('out', 'tcp', HOST, 8082), 'c2 10.99.0.2');
    });

    it('measures publish batches and throughput through DNAT and the loopback path', async (t) => {
      const many = Array.from({ length: 1000 }, (_, i) => ({ ...c1Web, hostPort: 20000 + i }));
      let t0 = performance.now();
      await fw.publish([c1Sink]);
      const one = performance.now() - t0;
      t0 = performance.now();
      await fw.publish(many);
      const thousand = performance.now() - t0;
      t0 = performance.now();
      await fw.unpublish(many);
      const unthousand = performance.now() - t0;
      t.diagnostic(
        `publish 1 port ${one.toFixed(1)} ms, 1000 ports ${thousand.toFixed(1)} ms, unpublish 1000 ${unthousand.toFixed(1)} ms`,
      );
      const gb = 1 << 30;
      const dnat = await throughput('out', HOST, 5001, gb);
      const loop = await throughput(undefined, '127.0.0.1', 5001, gb);
      t.diagnostic(`1 GiB through DNAT ${dnat} MB/s, through the loopback path ${loop} MB/s`);
      assert.ok(dnat > 0 && loop > 0);
    });

    it('removeAll leaves no berth table', async () => {
      await fw.removeAll();
      await assert.rejects(exec('nft', ['list', 'table', 'inet', 'berth']));
      await fw.removeAll();
    });
  });
}
