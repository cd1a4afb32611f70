// IPAM: address parsing/printing as Go's, pools (gateway, ip-range, aux, sequential allocation with wrap, --ip,
// release, JSON round trip), Docker's default pools and its IPAM config validation.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AddressPool, formatAddr, parseAddr, pickSubnet, validateIpam } from './index.js';
import { DEFAULT_ADDRESS_POOLS, DEFAULT_ADDRESS_POOLS_V6 } from './default-pools.js';

test('addresses parse and print as Go prints them (RFC 5952 for IPv6)', () => {
  const round = (s: string) => {
    const a = parseAddr(s);
    assert.ok(a, s);
    return formatAddr(a);
  };
  assert.equal(round('172.17.0.1'), '172.17.0.1');
  assert.equal(round('fd00:0:0:0:0:0:0:1'), 'fd00::1');
  assert.equal(round('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
  assert.equal(round('::ffff:1.2.3.4'), '::ffff:102:304');
  assert.equal(round('::'), '::');
  assert.equal(round('FD00::A'), 'fd00::a');
  for (const bad of ['1.2.3', '1.2.3.256', '01.2.3.4', '1::2::3', 'fd00::g', '1:2:3:4:5:6:7:8:9', '']) {
    assert.equal(parseAddr(bad), undefined, bad);
  }
});

test('a pool hands out addresses after the gateway, sequentially, and not a freed one at once', () => {
  const p = AddressPool.create({ subnet: '10.1.0.0/29' });
  assert.equal(p.toJSON().gateway, '10.1.0.1');
  assert.deepEqual([p.allocate(), p.allocate(), p.allocate()], ['10.1.0.2', '10.1.0.3', '10.1.0.4']);
  p.release('10.1.0.3');
  assert.equal(p.allocate(), '10.1.0.5');
  assert.equal(p.allocate(), '10.1.0.6');
  // wraps: .7 is the broadcast address, so back to the start, skipping the gateway and what is taken
  assert.equal(p.allocate(), '10.1.0.3');
  assert.throws(() => p.allocate(), /no available addresses on this pool/);
});

test('ip-range bounds allocation and --ip; aux addresses and the gateway are never handed out', () => {
  const p = AddressPool.create({
    subnet: '10.2.0.0/16',
    ipRange: '10.2.5.0/30',
    gateway: '10.2.0.254',
    aux: { host: '10.2.5.1' },
  });
  assert.equal(p.allocate(), '10.2.5.0');
  assert.equal(p.allocate(), '10.2.5.2');
  assert.equal(p.allocate(), '10.2.5.3');
  assert.throws(() => p.allocate(), /no available addresses/);
  assert.throws(() => p.request('10.2.9.9'), /no configured subnet or ip-range contain the IP address 10.2.9.9/);
  assert.throws(() => p.request('10.2.5.1'), /Address already in use/);
  const q = AddressPool.create({ subnet: '10.3.0.0/24' });
  assert.equal(q.request('10.3.0.77'), '10.3.0.77');
  assert.throws(() => q.request('10.3.0.77'), /Address already in use/);
  assert.throws(() => q.request('10.3.0.1'), /Address already in use/); // the gateway
  assert.throws(() => q.request('10.4.0.1'), /no configured subnet/);
});

test('IPv6: a /64 allocates without enumerating it, and the state round-trips through JSON', () => {
  const p = AddressPool.create({ subnet: 'fd00::/64' });
  assert.equal(p.toJSON().gateway, 'fd00::1');
  assert.equal(p.allocate(), 'fd00::2');
  assert.equal(p.request('fd00::ffff:ffff:ffff:fffe'), 'fd00::ffff:ffff:ffff:fffe');
  const started = process.hrtime.bigint();
  for (let i = 0; i < 1000; i++) p.allocate();
  assert.ok(process.hrtime.bigint() - started < 2_000_000_000n);
  const back = AddressPool.fromJSON(JSON.parse(JSON.stringify(p.toJSON())));
  assert.equal(back.size, p.size);
  // ::3 … ::3ea were handed out last: the restored pool goes on after them
  assert.equal(back.allocate(), 'fd00::3eb');
});

test('default pools: the first subnet overlapping nothing in use, /20s of 192.168 after the 172s', () => {
  assert.equal(pickSubnet(DEFAULT_ADDRESS_POOLS, ['172.17.0.0/16']), '172.18.0.0/16');
  assert.equal(pickSubnet(DEFAULT_ADDRESS_POOLS, ['172.17.0.0/16', '172.18.5.0/24', '172.19.0.1/32']), '172.20.0.0/16');
  // a host route covering all of 172.16/12 pushes the pick into 192.168.0.0/20, then skips a used /20
  assert.equal(pickSubnet(DEFAULT_ADDRESS_POOLS, ['172.16.0.0/12']), '192.168.0.0/20');
  assert.equal(pickSubnet(DEFAULT_ADDRESS_POOLS, ['172.16.0.0/12', '192.168.1.0/24']), '192.168.16.0/20');
  assert.throws(
    () => pickSubnet(DEFAULT_ADDRESS_POOLS, ['172.16.0.0/12', '192.168.0.0/16']),
    /could not find an available, non-overlapping IPv4 address pool/,
  );
  assert.equal(pickSubnet(DEFAULT_ADDRESS_POOLS_V6, ['fd42:6572:7468::/64']), 'fd42:6572:7468:1::/64');
  // a /56 in use is stepped over in one go, not /64 by /64
  assert.equal(pickSubnet(DEFAULT_ADDRESS_POOLS_V6, ['fd42:6572:7468::/56']), 'fd42:6572:7468:100::/64');
});

test('validation names every fault in moby words', () => {
  assert.throws(
    () => validateIpam([{ Subnet: 'foo' }], false),
    (e: Error) => e.message === 'invalid network config:\ninvalid subnet invalid Prefix: invalid CIDR address: foo',
  );
  assert.throws(() => validateIpam([{ Subnet: '10.0.0.0/33' }], false), /invalid CIDR address: 10.0.0.0\/33/);
  assert.throws(
    () =>
      validateIpam(
        [{ Subnet: '10.6.0.1/16', Gateway: '10.7.0.1', IPRange: '10.8.0.0/24', AuxiliaryAddresses: { a: 'x' } }],
        false,
      ),
    (e: Error) =>
      e.message ===
      [
        'invalid network config:',
        'invalid subnet 10.6.0.1/16: it should be 10.6.0.0/16',
        'invalid ip-range 10.8.0.0/24: it should be within its parent subnet 10.6.0.1/16',
        'invalid gateway 10.7.0.1: it should be within its parent subnet 10.6.0.1/16',
        'invalid auxiliary address a: invalid address',
      ].join('\n'),
  );
  assert.throws(() => validateIpam([{ Subnet: 'fd00::/64' }], false), /IPv6 has not been enabled/);
  assert.equal(validateIpam([{ Subnet: 'fd00::/64', Gateway: 'fd00::1' }], true).length, 1);
});
