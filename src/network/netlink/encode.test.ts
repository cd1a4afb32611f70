import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSystem } from '../../errdefs/index.js';
import { encodeNetPlan, NetOpcode, type NetOp, parseNetPlanReply } from './index.js';

/** Decodes the wire format back into [opcode, args as text] pairs. */
function decode(buf: Buffer): [number, string[]][] {
  assert.equal(buf.readUInt32LE(0), buf.length - 4);
  const ops: [number, string[]][] = [];
  let off = 4;
  const u32 = () => {
    const v = buf.readUInt32LE(off);
    off += 4;
    return v;
  };
  while (off < buf.length) {
    const code = u32();
    const args: string[] = [];
    for (let n = u32(); n > 0; n--) {
      const len = u32();
      args.push(buf.subarray(off, off + len).toString());
      off += len;
    }
    ops.push([code, args]);
  }
  return ops;
}

test('every op encodes as its opcode and its arguments in the order netplan.c reads them', () => {
  const plan: NetOp[] = [
    { op: 'netnsCreate', path: '/run/berth/netns/a' },
    { op: 'netnsEnter', path: '/proc/1/ns/net' },
    { op: 'netnsLeave' },
    { op: 'netnsDelete', path: '/run/berth/netns/a' },
    { op: 'bridge', name: 'berth0', mtu: 1500, mac: '' },
    {
      op: 'veth',
      hostName: 'veth1234567',
      peerName: 'eth0',
      peerNetnsPath: '/n',
      mtu: 9000,
      peerMac: '02:42:ac:11:00:02',
    },
    { op: 'master', name: 'veth1234567', master: 'berth0' },
    { op: 'master', name: 'veth1234567', master: 'berth0', hairpin: true },
    { op: 'up', name: 'eth0' },
    { op: 'linkDelete', name: 'veth1234567' },
    { op: 'addr', name: 'eth0', cidr: '172.17.0.2/16' },
    { op: 'addr', name: 'eth0', cidr: 'fd00::2/64', nodad: true },
    { op: 'addrDel', name: 'eth0', cidr: 'fd00::2/64' },
    { op: 'route', dst: 'default', gateway: '172.17.0.1', dev: 'eth0' },
    { op: 'sysctl', path: 'net/ipv4/ip_forward', value: '1' },
    { op: 'exec', stdin: 'table inet berth {}\n', argv: ['nft', '-f', '-'] },
  ];
  assert.deepEqual(decode(encodeNetPlan(plan)), [
    [NetOpcode.NetnsCreate, ['/run/berth/netns/a']],
    [NetOpcode.NetnsEnter, ['/proc/1/ns/net']],
    [NetOpcode.NetnsLeave, []],
    [NetOpcode.NetnsDelete, ['/run/berth/netns/a']],
    [NetOpcode.Bridge, ['berth0', '1500', '']],
    [NetOpcode.Veth, ['veth1234567', 'eth0', '/n', '9000', '02:42:ac:11:00:02']],
    [NetOpcode.Master, ['veth1234567', 'berth0']],
    [NetOpcode.Master, ['veth1234567', 'berth0', '1']],
    [NetOpcode.Up, ['eth0']],
    [NetOpcode.LinkDelete, ['veth1234567']],
    [NetOpcode.Addr, ['eth0', '172.17.0.2/16']],
    [NetOpcode.Addr, ['eth0', 'fd00::2/64', 'nodad']],
    [NetOpcode.AddrDel, ['eth0', 'fd00::2/64']],
    [NetOpcode.Route, ['default', '172.17.0.1', 'eth0']],
    [NetOpcode.Sysctl, ['net/ipv4/ip_forward', '1']],
    [NetOpcode.Exec, ['table inet berth {}\n', 'nft', '-f', '-']],
  ]);
});

test('an empty plan is just its zero length', () => {
  assert.deepEqual([...encodeNetPlan([])], [0, 0, 0, 0]);
});

test('multi-byte text is measured in bytes', () => {
  const buf = encodeNetPlan([{ op: 'exec', stdin: 'é', argv: ['sh'] }]);
  assert.equal(buf.readUInt32LE(12), 2); // after the total, the opcode and argc
});

test('the answer line: ok, or an error naming the step, its op and its errno', () => {
  const ops: NetOp[] = [
    { op: 'up', name: 'eth0' },
    { op: 'veth', hostName: 'v', peerName: 'p', peerNetnsPath: '', mtu: 0, peerMac: '' },
  ];
  assert.equal(parseNetPlanReply('ok', ops), undefined);
  const e = parseNetPlanReply('error 1 17 VETH v/p: File exists', ops);
  assert.ok(isSystem(e));
  assert.equal(e.step, 1);
  assert.equal(e.op, ops[1]);
  assert.equal(e.errno, 17);
  assert.equal(e.code, 'EEXIST');
  assert.equal(e.message, 'VETH v/p: File exists');
  const whole = parseNetPlanReply('error -1 22 plan: truncated op header', ops);
  assert.equal(whole?.step, -1);
  assert.equal(whole?.op, undefined);
  assert.equal(parseNetPlanReply('error 0 0 EXEC nft: exit status 1', ops)?.code, undefined);
  assert.match(parseNetPlanReply('garbage', ops)?.message ?? '', /unexpected answer/);
});
