// The nft scripts as text: what one network, one publish and a reconcile write (the real-traffic test is
// firewall.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isInvalidParameter } from '../../errdefs/index.js';
import {
  bridgeOptions,
  type FirewallNetwork,
  initScript,
  networksScript,
  parseTableListing,
  publishScript,
  unpublishScript,
} from './index.js';

const net: FirewallNetwork = {
  bridge: 'berth0',
  subnets: ['172.17.0.0/16'],
  internal: false,
  icc: true,
  masquerade: true,
};

describe('nft scripts', () => {
  it('one network: user chain first, then accept out and published, drop unsolicited; masquerade out, loopback, hairpin', () => {
    assert.equal(
      networksScript([net]),
      [
        'flush chain inet berth forward',
        'flush chain inet berth postrouting',
        'flush chain inet berth localnet',
        'add rule inet berth forward jump user',
        'add rule inet berth forward oifname "berth0" ct state established,related accept',
        'add rule inet berth forward oifname "berth0" ct status dnat accept',
        'add rule inet berth forward iifname "berth0" oifname "berth0" accept',
        'add rule inet berth forward iifname "berth0" accept',
        'add rule inet berth forward oifname "berth0" drop',
        'add rule inet berth postrouting ip saddr 172.17.0.0/16 oifname != "berth0" masquerade',
        'add rule inet berth postrouting oifname "berth0" ct status dnat ip saddr 127.0.0.0/8 masquerade',
        'add rule inet berth postrouting oifname "berth0" ct status dnat ip saddr 172.17.0.0/16 masquerade',
        'add rule inet berth localnet iifname "berth0" ip daddr 127.0.0.0/8 drop',
        '',
      ].join('\n'),
    );
  });

  it('isolation between bridges and internal networks come before any accept', () => {
    const lines = networksScript([
      net,
      { ...net, bridge: 'br-1', subnets: ['fd00::/64'], internal: true, icc: false },
    ]).split('\n');
    assert.deepEqual(lines.slice(4, 8), [
      'add rule inet berth forward iifname "berth0" oifname "br-1" drop',
      'add rule inet berth forward iifname "br-1" oifname "berth0" drop',
      'add rule inet berth forward iifname "br-1" oifname != "br-1" drop',
      'add rule inet berth forward oifname "br-1" iifname != "br-1" drop',
    ]);
    assert.ok(lines.includes('add rule inet berth forward iifname "br-1" oifname "br-1" drop'), 'icc=false');
    assert.ok(!lines.some((l) => l.includes('fd00::/64')), 'an internal network is not masqueraded');
  });

  it('publish and unpublish are element batches, by family and wildcard', () => {
    const ports = [
      { proto: 'tcp' as const, hostIp: '', hostPort: 8080, containerIp: '172.17.0.2', containerPort: 80 },
      { proto: 'udp' as const, hostIp: '127.0.0.1', hostPort: 53, containerIp: '172.17.0.2', containerPort: 53 },
      { proto: 'sctp' as const, hostIp: '::', hostPort: 9, containerIp: 'fd00::2', containerPort: 9 },
      { proto: 'tcp' as const, hostIp: '0.0.0.0', hostPort: 8443, containerIp: '172.17.0.2', containerPort: 443 },
    ];
    assert.equal(
      publishScript(ports),
      'add element inet berth pub4any { tcp . 8080 : 172.17.0.2 . 80, tcp . 8443 : 172.17.0.2 . 443 }\n' +
        'add element inet berth pub4 { 127.0.0.1 . udp . 53 : 172.17.0.2 . 53 }\n' +
        'add element inet berth pub6any { sctp . 9 : fd00::2 . 9 }\n',
    );
    assert.match(
      unpublishScript(ports.slice(1, 2)),
      /add element .*\ndelete element inet berth pub4 \{ 127\.0\.0\.1 \. udp \. 53 \}\n$/,
    );
  });

  it('init deletes what an earlier berth left, except the user chain, and makes everything again', () => {
    const script = initScript(
      { chains: ['user', 'forward', 'old'], sets: [], maps: ['pub4'] },
      { networks: [net], ports: [] },
    );
    const lines = script.split('\n');
    assert.deepEqual(lines.slice(0, 7), [
      'add table inet berth',
      'add chain inet berth user',
      'flush chain inet berth forward',
      'flush chain inet berth old',
      'delete chain inet berth forward',
      'delete chain inet berth old',
      'delete map inet berth pub4',
    ]);
    assert.ok(!lines.some((l) => /(flush|delete) chain inet berth user/.test(l)));
  });

  it('refuses names and addresses that are not what they claim, before they reach a script', () => {
    assert.throws(() => networksScript([{ ...net, bridge: 'x"; flush ruleset' }]), isInvalidParameter);
    assert.throws(
      () => networksScript([{ ...net, subnets: ['10.0.0.0/33'] }]),
      /invalid CIDR address: 10\.0\.0\.0\/33/,
    );
    const p = { proto: 'tcp' as const, hostIp: '127.0.0.1', hostPort: 80, containerIp: 'fd00::2', containerPort: 80 };
    assert.throws(() => publishScript([p]), /not of the same family/);
    assert.throws(() => publishScript([{ ...p, containerIp: '1.2.3.4', hostPort: 0 }]), /invalid port/);
  });

  it("parses the table listing and the bridge driver's options", () => {
    const json = JSON.stringify({
      nftables: [
        { metainfo: {} },
        { table: { name: 'berth' } },
        { chain: { name: 'user' } },
        { map: { name: 'pub4' } },
      ],
    });
    assert.deepEqual(parseTableListing(json), { chains: ['user'], sets: [], maps: ['pub4'] });
    assert.deepEqual(bridgeOptions({ 'com.docker.network.bridge.enable_icc': 'false' }), {
      icc: false,
      masquerade: true,
    });
    assert.throws(() => bridgeOptions({ 'com.docker.network.bridge.enable_ip_masquerade': 'nope' }), /ParseBool/);
  });
});
