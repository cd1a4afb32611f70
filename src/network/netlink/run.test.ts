// Network plans against the real kernel (root). The file re-runs itself under `unshare --mount --net` (a private
// mount namespace and a new network namespace), so its bridges, veths, namespaces and mounts never touch the host's,
// even if it dies half-way; its test events go to the same stdout, so the runner reports them as this file's.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { isNetPlanError, type NetOp, NetOpcode, type NetPlanError, runNetPlan, runNetPlanVia } from './index.js';
import { builtHelper, reexecInNamespaces } from '../testing.js';

const run = promisify(execFile);
const TIMEOUT = 10_000;

const helper = builtHelper() ?? 'berth-helper';
const which = (tool: string) => ['/usr/sbin', '/usr/bin', '/sbin', '/bin'].some((d) => existsSync(join(d, tool)));
const skip =
  process.getuid?.() !== 0
    ? 'needs root'
    : !builtHelper()
      ? 'native/build/berth-helper is not built (make -C native)'
      : !['unshare', 'nsenter', 'ip', 'nft', 'busybox'].every(which)
        ? 'needs util-linux, iproute2, nftables and busybox'
        : undefined;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

interface IpLink {
  ifname: string;
  mtu: number;
  address: string;
  operstate: string;
  flags: string[];
  master?: string;
  linkinfo?: { info_kind?: string; info_slave_data?: { hairpin?: boolean } };
}
interface IpAddr extends IpLink {
  addr_info: { family: string; local: string; prefixlen: number }[];
}

/** `ip -j <args>` in the namespace at `ns` (the test's own when undefined). */
async function ipj<T>(ns: string | undefined, ...args: string[]): Promise<T[]> {
  const cmd = ns ? ['nsenter', [`--net=${ns}`, 'ip', '-j', ...args]] : ['ip', ['-j', ...args]];
  const { stdout } = await run(cmd[0] as string, cmd[1] as string[], { timeout: TIMEOUT });
  return JSON.parse(stdout || '[]') as T[];
}

async function link(ns: string | undefined, name: string): Promise<IpAddr> {
  const [l] = await ipj<IpAddr>(ns, '-d', 'addr', 'show', 'dev', name);
  assert.ok(l, `${name} exists`);
  return l;
}

const links = async (ns?: string) => (await ipj<IpLink>(ns, 'link', 'show')).map((l) => l.ifname).sort();
const addrs = (l: IpAddr) =>
  l.addr_info.filter((a) => !a.local.startsWith('fe80')).map((a) => `${a.local}/${a.prefixlen}`);

async function ping(ns: string, ip: string): Promise<void> {
  await run('nsenter', [`--net=${ns}`, 'busybox', 'ping', '-c', '1', '-W', '2', ip], { timeout: TIMEOUT });
}

/** Mount points under `dir` in this mount namespace. */
async function mountsUnder(dir: string): Promise<string[]> {
  return (await readFile('/proc/self/mountinfo', 'utf8'))
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((m) => m === dir || m.startsWith(`${dir}/`));
}

/** Sends raw bytes as the plan (for malformed plans TS would never encode) and returns the answer line. */
function rawPlan(bytes: Buffer): Promise<{ line: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(helper, ['net'], { stdio: ['pipe', 'pipe', 'inherit'], timeout: TIMEOUT });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ line: out.trim(), code }));
    child.stdin.end(bytes);
  });
}

/** Starts `berth-helper forkserver <socket>` and waits (bounded) for its `ready` line. */
function startForkserver(socket: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const fs = spawn(helper, ['forkserver', socket], { stdio: ['pipe', 'pipe', 'inherit'] });
    const timer = setTimeout(() => reject(new Error('forkserver not ready')), TIMEOUT);
    fs.stdout.setEncoding('utf8').once('data', (d: string) => {
      clearTimeout(timer);
      if (d.startsWith('ready')) resolve(fs);
      else reject(new Error(`forkserver said ${d}`));
    });
    fs.on('error', reject);
  });
}

async function rejectsWith(
  ops: NetOp[],
  check: (e: NetPlanError) => void,
  runner: (ops: NetOp[]) => Promise<void> = (o) => runNetPlan(helper, o),
): Promise<void> {
  await assert.rejects(runner(ops), (e: unknown) => {
    assert.ok(isNetPlanError(e), String(e));
    check(e);
    return true;
  });
}

/** One container's endpoint on `bridge`: namespace, veth pair, addresses, default routes (what the engine will send). */
function containerSetup(ns: string, veth: string, bridge: string, ip4: string, ip6?: string): NetOp[] {
  return [
    { op: 'netnsCreate', path: ns },
    { op: 'veth', hostName: veth, peerName: 'eth0', peerNetnsPath: ns, mtu: 1450, peerMac: macOf(ip4) },
    { op: 'master', name: veth, master: bridge },
    { op: 'up', name: veth },
    { op: 'netnsEnter', path: ns },
    { op: 'addr', name: 'eth0', cidr: `${ip4}/24` },
    ...(ip6 ? [{ op: 'addr', name: 'eth0', cidr: `${ip6}/64`, nodad: true } as const] : []),
    { op: 'up', name: 'eth0' },
    { op: 'route', dst: 'default', gateway: '10.77.0.1', dev: 'eth0' },
    ...(ip6 ? [{ op: 'route', dst: 'default', gateway: 'fd77::1', dev: 'eth0' } as const] : []),
    { op: 'netnsLeave' },
  ];
}

function macOf(ip4: string): string {
  return `02:42:${ip4
    .split('.')
    .map((b) => Number(b).toString(16).padStart(2, '0'))
    .join(':')}`;
}

if (!(skip === undefined && reexecInNamespaces(import.meta.url, ['--net'], 'netlink tests'))) {
  describe('network plans (berth-helper net) against the kernel', { ...(skip ? { skip } : {}) }, () => {
    let tmp: string;
    let forkserver: ChildProcess;
    let socket: string;
    const ns = (name: string) => join(tmp, name);

    before(async () => {
      tmp = await mkdtemp(join(tmpdir(), 'berth-netlink-'));
      socket = join(tmp, 'forkserver.sock');
      forkserver = await startForkserver(socket);
      // The test's own namespace starts with lo down; the bridge gateway is the "host" side.
      await run('ip', ['link', 'set', 'lo', 'up']);
      await runNetPlan(helper, [
        { op: 'bridge', name: 'br-test', mtu: 1450, mac: '02:42:00:00:77:01' },
        { op: 'addr', name: 'br-test', cidr: '10.77.0.1/24' },
        { op: 'addr', name: 'br-test', cidr: 'fd77::1/64', nodad: true },
        { op: 'up', name: 'br-test' },
      ]);
    });

    after(async () => {
      // The forkserver ends when its stdin closes.
      const exited = new Promise((r) => forkserver.once('exit', r));
      forkserver.stdin?.end();
      const timer = setTimeout(() => forkserver.kill('SIGKILL'), TIMEOUT);
      await exited;
      clearTimeout(timer);
      await runNetPlan(helper, [{ op: 'linkDelete', name: 'br-test' }]);
      assert.deepEqual(await links(), ['lo'], 'no link is left');
      assert.deepEqual(await mountsUnder(tmp), [], 'no namespace is left mounted');
      await rm(tmp, { recursive: true, force: true });
    });

    it('sets up two containers on a bridge: addresses, MAC, MTU, master, up, routes; they reach each other', async () => {
      const [a, b] = [ns('a'), ns('b')];
      await runNetPlan(helper, [
        ...containerSetup(a, 'veth-a', 'br-test', '10.77.0.2', 'fd77::2'),
        ...containerSetup(b, 'veth-b', 'br-test', '10.77.0.3', 'fd77::3'),
      ]);
      try {
        const eth0 = await link(a, 'eth0');
        assert.equal(eth0.mtu, 1450);
        assert.equal(eth0.address, '02:42:0a:4d:00:02');
        assert.ok(eth0.flags.includes('UP'));
        assert.deepEqual(addrs(eth0), ['10.77.0.2/24', 'fd77::2/64']);
        assert.deepEqual(await links(a), ['eth0', 'lo'], 'the peer is eth0 in the namespace, nothing else');
        const routes = await ipj<{ dst: string; gateway?: string; dev: string }>(a, 'route', 'show', 'default');
        assert.deepEqual(
          routes.map((r) => [r.dst, r.gateway, r.dev]),
          [['default', '10.77.0.1', 'eth0']],
        );
        const routes6 = await ipj<{ dst: string; gateway?: string }>(a, '-6', 'route', 'show', 'default');
        assert.deepEqual(
          routes6.map((r) => [r.dst, r.gateway]),
          [['default', 'fd77::1']],
        );

        const host = await link(undefined, 'veth-a');
        assert.equal(host.master, 'br-test');
        assert.equal(host.mtu, 1450);
        assert.ok(host.flags.includes('UP'));
        assert.equal(host.linkinfo?.info_slave_data?.hairpin, false);
        const br = await link(undefined, 'br-test');
        assert.equal(br.linkinfo?.info_kind, 'bridge');
        assert.equal(br.address, '02:42:00:00:77:01');

        await ping(a, '10.77.0.3');
        await ping(b, '10.77.0.1');
        await ping(a, 'fd77::3');
      } finally {
        await runNetPlan(helper, [
          { op: 'linkDelete', name: 'veth-a' },
          { op: 'linkDelete', name: 'veth-b' },
          { op: 'netnsDelete', path: a },
          { op: 'netnsDelete', path: b },
        ]);
      }
      assert.deepEqual(await links(), ['br-test', 'lo']);
      assert.equal(existsSync(a), false);
    });

    it('repeats are harmless: BRIDGE updates an existing bridge, ADDR replaces, deletes of what is gone succeed', async () => {
      const c = ns('c');
      await runNetPlan(helper, [
        ...containerSetup(c, 'veth-c', 'br-test', '10.77.0.4'),
        { op: 'bridge', name: 'br-test', mtu: 1400, mac: '' },
        { op: 'netnsEnter', path: c },
        { op: 'addr', name: 'eth0', cidr: '10.77.0.4/24' },
        { op: 'addr', name: 'eth0', cidr: '10.77.0.4/24' },
        { op: 'route', dst: 'default', gateway: '10.77.0.1', dev: 'eth0' },
        { op: 'addrDel', name: 'eth0', cidr: '10.77.0.9/24' },
        { op: 'addrDel', name: 'nosuch', cidr: '10.77.0.9/24' },
        { op: 'netnsLeave' },
      ]);
      try {
        assert.equal((await link(undefined, 'br-test')).mtu, 1400);
        assert.deepEqual(addrs(await link(c, 'eth0')), ['10.77.0.4/24']);
        assert.equal((await ipj(c, 'route', 'show', 'default')).length, 1);
        await runNetPlan(helper, [
          { op: 'netnsEnter', path: c },
          { op: 'addrDel', name: 'eth0', cidr: '10.77.0.4/24' },
          { op: 'netnsLeave' },
        ]);
        assert.deepEqual(addrs(await link(c, 'eth0')), []);
        // A bridge name held by a link of another kind is refused, not silently reused.
        await rejectsWith([{ op: 'bridge', name: 'veth-c', mtu: 0, mac: '' }], (e) => {
          assert.equal(e.step, 0);
          assert.match(e.message, /^BRIDGE veth-c: /);
        });
      } finally {
        await runNetPlan(helper, [
          { op: 'bridge', name: 'br-test', mtu: 1450, mac: '' },
          { op: 'linkDelete', name: 'veth-c' },
          { op: 'linkDelete', name: 'veth-c' },
          { op: 'netnsDelete', path: c },
          { op: 'netnsDelete', path: c },
        ]);
      }
    });

    it('MASTER with hairpin sets the bridge port hairpin mode', async () => {
      await runNetPlan(helper, [
        { op: 'veth', hostName: 'veth-h', peerName: 'veth-hp', peerNetnsPath: '', mtu: 0, peerMac: '' },
        { op: 'master', name: 'veth-h', master: 'br-test', hairpin: true },
      ]);
      try {
        const host = await link(undefined, 'veth-h');
        assert.equal(host.master, 'br-test');
        assert.equal(host.linkinfo?.info_slave_data?.hairpin, true);
      } finally {
        await runNetPlan(helper, [{ op: 'linkDelete', name: 'veth-hp' }]);
      }
      assert.deepEqual(await links(), ['br-test', 'lo'], 'deleting one end deleted both');
    });

    it('SYSCTL writes the entered namespace’s value, not the starting one’s', async () => {
      const d = ns('d');
      const own = (await readFile('/proc/sys/net/ipv4/ip_forward', 'utf8')).trim();
      await runNetPlan(helper, [
        { op: 'netnsCreate', path: d },
        { op: 'netnsEnter', path: d },
        { op: 'sysctl', path: 'net/ipv4/ip_forward', value: own === '1' ? '0' : '1' },
        { op: 'netnsLeave' },
      ]);
      try {
        const inside = await run('nsenter', [`--net=${d}`, 'cat', '/proc/sys/net/ipv4/ip_forward']);
        assert.equal(inside.stdout.trim(), own === '1' ? '0' : '1');
        assert.equal((await readFile('/proc/sys/net/ipv4/ip_forward', 'utf8')).trim(), own);
        await rejectsWith([{ op: 'sysctl', path: 'net/ipv4/nosuch', value: '1' }], (e) => {
          assert.equal(e.code, 'ENOENT');
          assert.match(e.message, /^SYSCTL net\/ipv4\/nosuch: open\(\/proc\/sys\/net\/ipv4\/nosuch/);
        });
      } finally {
        await runNetPlan(helper, [{ op: 'netnsDelete', path: d }]);
      }
    });

    it('EXEC loads an nft ruleset inside the namespace; a failing command is reported with its first stderr line', async () => {
      const e = ns('e');
      const ruleset = [
        'table ip berth-dns {',
        '  chain output { type nat hook output priority -100; ip daddr 127.0.0.11 udp dport 53 dnat to 10.77.0.1:5353; }',
        '}',
        '',
      ].join('\n');
      await runNetPlan(helper, [
        { op: 'netnsCreate', path: e },
        { op: 'netnsEnter', path: e },
        { op: 'exec', stdin: ruleset, argv: ['nft', '-f', '-'] },
        { op: 'netnsLeave' },
      ]);
      try {
        const inside = await run('nsenter', [`--net=${e}`, 'nft', 'list', 'tables'], { timeout: TIMEOUT });
        assert.match(inside.stdout, /table ip berth-dns/);
        const own = await run('nft', ['list', 'tables'], { timeout: TIMEOUT });
        assert.doesNotMatch(own.stdout, /berth-dns/, 'not in the starting namespace');

        await rejectsWith(
          [
            { op: 'netnsEnter', path: e },
            { op: 'exec', stdin: 'table ip broken {\n', argv: ['nft', '-f', '-'] },
          ],
          (err) => {
            assert.equal(err.step, 1);
            assert.equal(err.errno, 0);
            assert.match(err.message, /^EXEC nft: exit status 1: .*Error: syntax error/);
          },
        );
        await rejectsWith(
          [{ op: 'exec', stdin: '', argv: ['sh', '-c', 'echo out; echo first >&2; echo second >&2; exit 3'] }],
          (err) => assert.equal(err.message, 'EXEC sh: exit status 3: first'),
        );
        await rejectsWith([{ op: 'exec', stdin: '', argv: ['berth-no-such-program'] }], (err) => {
          assert.equal(err.code, 'ENOENT');
          assert.equal(err.message, 'EXEC berth-no-such-program: exec: No such file or directory');
        });
        // A large stdin cannot dead-lock the helper against a child that never reads it.
        await runNetPlan(helper, [{ op: 'exec', stdin: 'x'.repeat(1 << 20), argv: ['true'] }]);
      } finally {
        await runNetPlan(helper, [{ op: 'netnsDelete', path: e }]);
      }
    });

    it('bad plans are refused before any op runs, naming the step', async () => {
      const f = ns('f');
      const u32 = (n: number) => {
        const b = Buffer.alloc(4);
        b.writeUInt32LE(n);
        return b;
      };
      const body = (...parts: Buffer[]) => {
        const b = Buffer.concat(parts);
        return Buffer.concat([u32(b.length), b]);
      };
      const str = (s: string) => Buffer.concat([u32(Buffer.byteLength(s)), Buffer.from(s)]);
      const create = Buffer.concat([u32(NetOpcode.NetnsCreate), u32(1), str(f)]);
      assert.deepEqual(await rawPlan(body(create, u32(999), u32(0))), {
        line: 'error 1 22 plan: unknown opcode 999',
        code: 1,
      });
      assert.deepEqual(await rawPlan(body(create, u32(NetOpcode.Up), u32(2), str('a'), str('b'))), {
        line: 'error 1 22 plan: UP takes 1 argument(s), got 2',
        code: 1,
      });
      assert.deepEqual(await rawPlan(body(create, u32(NetOpcode.Up))), {
        line: 'error 1 22 plan: truncated op header',
        code: 1,
      });
      // Init plan opcodes are not network ops.
      assert.deepEqual(await rawPlan(body(u32(45), u32(1), str('host'))), {
        line: 'error 0 22 plan: unknown opcode 45',
        code: 1,
      });
      assert.equal(existsSync(f), false, 'the valid NETNS_CREATE before the bad op did not run');
      assert.deepEqual((await rawPlan(Buffer.alloc(0))).line, 'error -1 0 plan: fd 0 closed');
    });

    it('failing ops give precise errors and leave nothing of themselves', async () => {
      const missing = join(tmp, 'missing', 'ns');
      await rejectsWith([{ op: 'up', name: 'nosuch' }], (e) => {
        assert.equal(e.message, 'UP nosuch: No such device');
        assert.equal(e.code, 'ENODEV');
        assert.deepEqual(e.op, { op: 'up', name: 'nosuch' });
      });
      await rejectsWith([{ op: 'addr', name: 'nosuch', cidr: '10.77.0.5/24' }], (e) => {
        assert.equal(e.message, 'ADDR nosuch 10.77.0.5/24: link nosuch: No such device');
        assert.equal(e.code, 'ENODEV');
      });
      await rejectsWith([{ op: 'addr', name: 'br-test', cidr: '10.77.0.300/24' }], (e) => {
        assert.equal(e.message, 'ADDR br-test 10.77.0.300/24: invalid CIDR address "10.77.0.300/24"');
        assert.equal(e.code, 'EINVAL');
      });
      await rejectsWith(
        [{ op: 'veth', hostName: 'veth-x', peerName: 'eth0', peerNetnsPath: missing, mtu: 0, peerMac: '' }],
        (e) => {
          assert.equal(e.message, `VETH veth-x/eth0: open(${missing}): No such file or directory`);
          assert.equal(e.code, 'ENOENT');
        },
      );
      await rejectsWith([{ op: 'netnsEnter', path: missing }], (e) => assert.equal(e.code, 'ENOENT'));
      await rejectsWith([{ op: 'netnsCreate', path: missing }], (e) => {
        assert.equal(e.message, `NETNS_CREATE ${missing}: open(${missing}, O_CREAT): No such file or directory`);
      });
      await rejectsWith([{ op: 'route', dst: '10.99.0.0/16', gateway: '192.168.254.1', dev: 'br-test' }], (e) => {
        assert.equal(e.code, 'ENETUNREACH');
        // The kernel's extended ack, when it gives one, follows in parentheses.
        assert.match(
          e.message,
          /^ROUTE 10\.99\.0\.0\/16 via 192\.168\.254\.1 dev br-test: Network (is )?unreachable( \(.+\))?$/,
        );
      });
      await rejectsWith([{ op: 'route', dst: 'default', gateway: '', dev: 'br-test' }], (e) =>
        assert.equal(e.code, 'EINVAL'),
      );
      await rejectsWith([{ op: 'master', name: 'br-test', master: 'nosuch' }], (e) => assert.equal(e.code, 'ENODEV'));
      assert.deepEqual(await links(), ['br-test', 'lo']);
      assert.equal(existsSync(join(tmp, 'missing')), false);
    });

    it('a veth name in use fails with EEXIST, after the ops before it, and leaves the existing pair alone', async () => {
      const g = ns('g');
      await runNetPlan(helper, containerSetup(g, 'veth-g', 'br-test', '10.77.0.7'));
      try {
        await rejectsWith(
          [
            { op: 'up', name: 'veth-g' },
            { op: 'veth', hostName: 'veth-g', peerName: 'eth0', peerNetnsPath: g, mtu: 0, peerMac: '' },
          ],
          (e) => {
            assert.equal(e.step, 1);
            assert.equal(e.code, 'EEXIST');
            assert.equal(e.errno, 17);
            assert.match(e.message, /^VETH veth-g\/eth0: File exists/);
          },
        );
        // The peer's name is taken inside the namespace: EEXIST too, and no host end is left behind.
        await rejectsWith(
          [{ op: 'veth', hostName: 'veth-g2', peerName: 'eth0', peerNetnsPath: g, mtu: 0, peerMac: '' }],
          (e) => assert.equal(e.code, 'EEXIST'),
        );
        assert.deepEqual(await links(), ['br-test', 'lo', 'veth-g']);
        await ping(g, '10.77.0.1');
      } finally {
        await runNetPlan(helper, [
          { op: 'linkDelete', name: 'veth-g' },
          { op: 'netnsDelete', path: g },
        ]);
      }
    });

    it('runs plans through the forkserver too: setup, EXEC, errors', async () => {
      const via = (ops: NetOp[]) => runNetPlanVia(socket, ops);
      const h = ns('h');
      await via([
        ...containerSetup(h, 'veth-fs', 'br-test', '10.77.0.8'),
        { op: 'netnsEnter', path: h },
        { op: 'exec', stdin: 'table inet via-forkserver {}\n', argv: ['nft', '-f', '-'] },
      ]);
      try {
        await ping(h, '10.77.0.1');
        const inside = await run('nsenter', [`--net=${h}`, 'nft', 'list', 'tables'], { timeout: TIMEOUT });
        assert.match(inside.stdout, /via-forkserver/);
        await rejectsWith(
          [{ op: 'veth', hostName: 'veth-fs', peerName: 'eth1', peerNetnsPath: '', mtu: 0, peerMac: '' }],
          (e) => assert.equal(e.code, 'EEXIST'),
          via,
        );
        await rejectsWith(
          [{ op: 'exec', stdin: '', argv: ['sh', '-c', 'echo no >&2; exit 4'] }],
          (e) => assert.equal(e.message, 'EXEC sh: exit status 4: no'),
          via,
        );
        await via([]);
      } finally {
        await via([
          { op: 'linkDelete', name: 'veth-fs' },
          { op: 'netnsDelete', path: h },
        ]);
      }
      assert.deepEqual(await links(), ['br-test', 'lo']);
    });

    it('one container’s setup from Node: median of 50 runs, spawned and via the forkserver, beside a bare spawn', async (t) => {
      const spawned: number[] = [];
      const forked: number[] = [];
      const spawns: number[] = [];
      for (let i = 0; i < 50; i++) {
        for (const [runner, times] of [
          [(o: NetOp[]) => runNetPlan(helper, o), spawned],
          [(o: NetOp[]) => runNetPlanVia(socket, o), forked],
        ] as const) {
          const path = ns(`t${i}`);
          const t0 = performance.now();
          await runner(containerSetup(path, `veth-t${i}`, 'br-test', `10.77.0.${100 + i}`).slice(0, -1));
          times.push(performance.now() - t0);
          await runNetPlan(helper, [
            { op: 'linkDelete', name: `veth-t${i}` },
            { op: 'netnsDelete', path },
          ]);
        }
        const t1 = performance.now();
        await run(helper, ['version']);
        spawns.push(performance.now() - t1);
      }
      t.diagnostic(
        `container network setup (NETNS_CREATE+VETH+MASTER+UP+NETNS_ENTER+ADDR+UP+ROUTE) median: spawned ${median(spawned).toFixed(2)} ms, ` +
          `via the forkserver ${median(forked).toFixed(2)} ms; bare \`berth-helper version\` spawn ${median(spawns).toFixed(2)} ms`,
      );
      assert.deepEqual(await links(), ['br-test', 'lo']);
    });
  });
}
