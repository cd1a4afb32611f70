import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attachPlan, bridgePlan, destroyPlan, dnsRedirectRuleset, sandboxPlan, teardownPlan } from './plans.js';

const eth0 = {
  ifname: 'eth0',
  hostVeth: 'veth1234567',
  bridge: 'berth0',
  mtu: 1500,
  mac: '02:42:ac:11:00:02',
  ipv4: '172.17.0.2/16',
  gateway4: '172.17.0.1',
};

test('a bridge: created if absent, its gateways added (IPv6 without DAD), up', () => {
  assert.deepEqual(bridgePlan({ name: 'br-x', mtu: 1400, gateways: ['10.1.0.1/24', 'fd00::1/64'] }), [
    { op: 'bridge', name: 'br-x', mtu: 1400, mac: '' },
    { op: 'addr', name: 'br-x', cidr: '10.1.0.1/24', nodad: false },
    { op: 'addr', name: 'br-x', cidr: 'fd00::1/64', nodad: true },
    { op: 'up', name: 'br-x' },
  ]);
});

test("a container's sandbox: namespace, veth into it, addresses, default route, back out", () => {
  assert.deepEqual(sandboxPlan('/run/berth/netns/c1', [eth0]), [
    { op: 'netnsCreate', path: '/run/berth/netns/c1' },
    { op: 'linkDelete', name: 'veth1234567' },
    {
      op: 'veth',
      hostName: 'veth1234567',
      peerName: 'eth0',
      peerNetnsPath: '/run/berth/netns/c1',
      mtu: 1500,
      peerMac: '02:42:ac:11:00:02',
    },
    { op: 'master', name: 'veth1234567', master: 'berth0', hairpin: true },
    { op: 'up', name: 'veth1234567' },
    { op: 'netnsEnter', path: '/run/berth/netns/c1' },
    { op: 'sysctl', path: 'net/ipv6/conf/eth0/disable_ipv6', value: '1' },
    { op: 'addr', name: 'eth0', cidr: '172.17.0.2/16' },
    { op: 'up', name: 'eth0' },
    { op: 'route', dst: 'default', gateway: '172.17.0.1', dev: 'eth0' },
    { op: 'netnsLeave' },
  ]);
});

test('a user network: 127.0.0.11 redirected to the DNS at its gateway; connect adds no route', () => {
  const plan = sandboxPlan('/n', [{ ...eth0, bridge: 'br-a', ipv4: '10.5.0.2/24', gateway4: '10.5.0.1' }], '10.5.0.1');
  const exec = plan.find((o) => o.op === 'exec');
  assert.deepEqual(exec, { op: 'exec', stdin: dnsRedirectRuleset('10.5.0.1'), argv: ['nft', '-f', '-'] });
  assert.match(dnsRedirectRuleset('10.5.0.1'), /ip daddr 127\.0\.0\.11 .* dnat to 10\.5\.0\.1:53/);
  assert.ok(plan.some((o) => o.op === 'sysctl' && o.path === 'net/ipv4/conf/eth0/route_localnet'));
  const eth1 = { ...eth0, ifname: 'eth1', hostVeth: 'veth7654321', bridge: 'br-b', ipv4: '10.6.0.3/24' };
  const attach = attachPlan('/n', [eth1]);
  assert.ok(!attach.some((o) => o.op === 'route' || o.op === 'netnsCreate'));
  assert.ok(attach.some((o) => o.op === 'addr' && o.name === 'eth1' && o.cidr === '10.6.0.3/24'));
});

test('teardown: a disconnect deletes the host end; a stop only unpins the namespace', () => {
  assert.deepEqual(teardownPlan(['veth1']), [{ op: 'linkDelete', name: 'veth1' }]);
  assert.deepEqual(destroyPlan('/n'), [{ op: 'netnsDelete', path: '/n' }]);
});
