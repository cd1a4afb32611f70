// Serialises a network plan into berth-helper's plan wire format (lib/plan-wire.ts), the same as the init plan's.
import { encodeWireOps, type WireOp } from '../../lib/plan-wire.js';
import { NetOpcode, type NetOp } from './ops.js';

/** The opcode and wire arguments of one op, in the order native/src/netplan.c reads them. */
export function netOpArgs(op: NetOp): WireOp {
  switch (op.op) {
    case 'netnsCreate':
      return [NetOpcode.NetnsCreate, [op.path]];
    case 'netnsEnter':
      return [NetOpcode.NetnsEnter, [op.path]];
    case 'netnsLeave':
      return [NetOpcode.NetnsLeave, []];
    case 'netnsDelete':
      return [NetOpcode.NetnsDelete, [op.path]];
    case 'bridge':
      return [NetOpcode.Bridge, [op.name, op.mtu, op.mac]];
    case 'veth':
      return [NetOpcode.Veth, [op.hostName, op.peerName, op.peerNetnsPath, op.mtu, op.peerMac]];
    case 'master':
      return [NetOpcode.Master, op.hairpin ? [op.name, op.master, 1] : [op.name, op.master]];
    case 'up':
      return [NetOpcode.Up, [op.name]];
    case 'linkDelete':
      return [NetOpcode.LinkDelete, [op.name]];
    case 'addr':
      return [NetOpcode.Addr, op.nodad ? [op.name, op.cidr, 'nodad'] : [op.name, op.cidr]];
    case 'addrDel':
      return [NetOpcode.AddrDel, [op.name, op.cidr]];
    case 'route':
      return [NetOpcode.Route, [op.dst, op.gateway, op.dev]];
    case 'sysctl':
      return [NetOpcode.Sysctl, [op.path, op.value]];
    case 'exec':
      return [NetOpcode.Exec, [op.stdin, ...op.argv]];
  }
}

/** Encodes the plan, including its leading u32le total length, into one buffer. */
export function encodeNetPlan(plan: readonly NetOp[]): Buffer {
  return encodeWireOps(plan.map(netOpArgs));
}
