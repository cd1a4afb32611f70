// Device cgroup rules → a BPF_PROG_TYPE_CGROUP_DEVICE program, cgroup v2's replacement for devices.allow/deny (the
// facts from runc's libcontainer/cgroups/devices/devicefilter; the program's shape is berth's own, below).
import { InvalidParameter } from '../../errdefs/index.js';
import type { LinuxDeviceCgroup } from '../spec.js';

// linux/bpf.h: struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; }, access_type being
// (BPF_DEVCG_ACC_* << 16) | BPF_DEVCG_DEV_*.
export const BPF_DEVCG_ACC_MKNOD = 1;
export const BPF_DEVCG_ACC_READ = 2;
export const BPF_DEVCG_ACC_WRITE = 4;
export const BPF_DEVCG_DEV_BLOCK = 1;
export const BPF_DEVCG_DEV_CHAR = 2;

/** One eBPF instruction (struct bpf_insn). */
export interface BpfInsn {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
}

// Opcodes used (class | op | source).
export const OP = {
  LDXW: 0x61, // BPF_LDX | BPF_MEM | BPF_W
  AND32: 0x54, // BPF_ALU | BPF_AND | BPF_K
  RSH32: 0x74, // BPF_ALU | BPF_RSH | BPF_K
  MOV32: 0xb4, // BPF_ALU | BPF_MOV | BPF_K
  MOV32X: 0xbc, // BPF_ALU | BPF_MOV | BPF_X
  JEQ: 0x15, // BPF_JMP | BPF_JEQ | BPF_K
  JNE: 0x55, // BPF_JMP | BPF_JNE | BPF_K
  EXIT: 0x95, // BPF_JMP | BPF_EXIT
} as const;

// Registers: R1 the context (then scratch), R2 device type, R3 access bits not yet decided, R4 major, R5 minor.
const R0 = 0;
const R1 = 1;
const R2 = 2;
const R3 = 3;
const R4 = 4;
const R5 = 5;

const ins = (code: number, dst: number, imm = 0, off = 0, src = 0): BpfInsn => ({ code, dst, src, off, imm });

function accessBits(access: string | undefined, rule: LinuxDeviceCgroup): number {
  let bits = 0;
  for (const c of access ?? 'rwm') {
    const bit = c === 'r' ? BPF_DEVCG_ACC_READ : c === 'w' ? BPF_DEVCG_ACC_WRITE : c === 'm' ? BPF_DEVCG_ACC_MKNOD : 0;
    if (bit === 0) throw new InvalidParameter(`invalid device access ${JSON.stringify(access)} in rule ${show(rule)}`);
    bits |= bit;
  }
  return bits;
}

const show = (r: LinuxDeviceCgroup) => JSON.stringify(r);
const wildcard = (n: number | null | undefined): n is null | undefined => n === undefined || n === null || n < 0;

/** The instructions testing one rule; `undefined` when it can never match (a fifo rule: the cgroup never sees one). */
function ruleBlock(rule: LinuxDeviceCgroup): BpfInsn[] | undefined {
  const type = rule.type ?? 'a';
  if (!['a', 'b', 'c', 'u', 'p'].includes(type))
    throw new InvalidParameter(`invalid device type in rule ${show(rule)}`);
  if (type === 'p') return undefined;
  const access = accessBits(rule.access, rule);
  // Tests that jump past the block when the device does not match; their offsets are filled in below.
  const guards: BpfInsn[] = [];
  if (type !== 'a') guards.push(ins(OP.JNE, R2, type === 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR));
  if (!wildcard(rule.major)) guards.push(ins(OP.JNE, R4, rule.major));
  if (!wildcard(rule.minor)) guards.push(ins(OP.JNE, R5, rule.minor));
  const body = rule.allow
    ? [
        // These access bits are decided (allowed); when none is left, the request is allowed.
        ins(OP.AND32, R3, ~access),
        ins(OP.JNE, R3, 0, 2),
        ins(OP.MOV32, R0, 1),
        ins(OP.EXIT, 0),
      ]
    : [
        // A requested bit this rule denies, not allowed by a later rule: refuse.
        ins(OP.MOV32X, R1, 0, 0, R3),
        ins(OP.AND32, R1, access),
        ins(OP.JEQ, R1, 0, 2),
        ins(OP.MOV32, R0, 0),
        ins(OP.EXIT, 0),
      ];
  guards.forEach((g, i) => {
    g.off = guards.length - i - 1 + body.length;
  });
  return [...guards, ...body];
}

/**
 * Compiles an ordered rule list (runtime/devices.ts deviceRules: the spec's rules, then the defaults) with
 * v1's reading of it — a later rule overrides an earlier one — and default deny. Each requested access bit (r, w,
 * m) is decided by the last rule that names the device and that bit, so the program walks the rules from the
 * last: an allow rule settles its bits (all settled: allow), a deny rule refuses if it names a bit still open;
 * bits no rule settles are refused at the end. Unlike v1's devices.deny, a deny rule inside an earlier wildcard
 * allow does punch a hole (the safer reading, which runc's emulator also aims at).
 */
export function compileDeviceFilter(rules: readonly LinuxDeviceCgroup[]): BpfInsn[] {
  const prologue = [
    ins(OP.LDXW, R2, 0, 0, R1), // access_type
    ins(OP.AND32, R2, 0xffff), // device type
    ins(OP.LDXW, R3, 0, 0, R1),
    ins(OP.RSH32, R3, 16), // requested access bits
    ins(OP.LDXW, R4, 0, 4, R1), // major
    ins(OP.LDXW, R5, 0, 8, R1), // minor
  ];
  const blocks: BpfInsn[] = [];
  for (let i = rules.length - 1; i >= 0; i--) {
    const rule = rules[i] as LinuxDeviceCgroup;
    const block = ruleBlock(rule);
    if (block) blocks.push(...block);
    // A rule for every device and every access settles everything: the rules before it are never reached.
    const all = (rule.type ?? 'a') === 'a' && wildcard(rule.major) && wildcard(rule.minor);
    if (all && accessBits(rule.access, rule) === 7) break;
  }
  return [...prologue, ...blocks, ...denyAll()];
}

const denyAll = () => [ins(OP.MOV32, R0, 0), ins(OP.EXIT, 0)];

/** struct bpf_insn[] as the kernel reads it: code u8, dst:4|src:4 u8, off s16, imm s32 (little-endian). */
export function encodeProgram(insns: readonly BpfInsn[]): Buffer {
  const buf = Buffer.alloc(insns.length * 8);
  insns.forEach((x, i) => {
    buf.writeUInt8(x.code, i * 8);
    buf.writeUInt8((x.src << 4) | x.dst, i * 8 + 1);
    buf.writeInt16LE(x.off, i * 8 + 2);
    buf.writeInt32LE(x.imm | 0, i * 8 + 4);
  });
  return buf;
}
