// Compiles a runtime-spec LinuxSeccomp into the classic BPF program seccomp(2) loads: an arch check, then per ABI a
// binary search over syscall numbers into per-syscall blocks that test arguments. Built once per distinct profile.
import { createHash } from 'node:crypto';
import { InvalidParameter, NotImplemented } from '../../errdefs/index.js';
import type { LinuxSeccomp, LinuxSeccompArg } from '../spec.js';
import { type SyscallAbi, syscallTable } from './syscalls.js';

// Classic BPF opcodes (linux/filter.h, linux/bpf_common.h).
const BPF_LD_W_ABS = 0x20;
const BPF_ALU_AND_K = 0x54;
const BPF_JMP_JA = 0x05;
const BPF_JEQ_K = 0x15;
const BPF_JGT_K = 0x25;
const BPF_JGE_K = 0x35;
const BPF_RET_K = 0x06;

// seccomp_data offsets: nr, arch, instruction_pointer, args[6] (little-endian u64s).
const OFF_NR = 0;
const OFF_ARCH = 4;
const argLo = (i: number) => 16 + 8 * i;
const argHi = (i: number) => 20 + 8 * i;

// Return values (linux/seccomp.h).
export const SECCOMP_RET_KILL_PROCESS = 0x80000000;
export const SECCOMP_RET_KILL_THREAD = 0x00000000;
export const SECCOMP_RET_TRAP = 0x00030000;
export const SECCOMP_RET_ERRNO = 0x00050000;
export const SECCOMP_RET_TRACE = 0x7ff00000;
export const SECCOMP_RET_LOG = 0x7ffc0000;
export const SECCOMP_RET_ALLOW = 0x7fff0000;

const EPERM = 1;
const ENOSYS = 38;
const X32_SYSCALL_BIT = 0x40000000;

/** AUDIT_ARCH_* of each ABI: x32 shares x86_64's and is told apart by X32_SYSCALL_BIT in the number. */
export const AUDIT_ARCH: Record<SyscallAbi, number> = {
  x86_64: 0xc000003e,
  x32: 0xc000003e,
  x86: 0x40000003,
  aarch64: 0xc00000b7,
};

const SCMP_ARCH_ABI: Record<string, SyscallAbi> = {
  SCMP_ARCH_X86_64: 'x86_64',
  SCMP_ARCH_X32: 'x32',
  SCMP_ARCH_X86: 'x86',
  SCMP_ARCH_AARCH64: 'aarch64',
};
const NATIVE_ABI: Record<string, SyscallAbi> = { x64: 'x86_64', ia32: 'x86', arm64: 'aarch64' };

const FLAG_BITS: Record<string, number> = {
  SECCOMP_FILTER_FLAG_TSYNC: 1,
  SECCOMP_FILTER_FLAG_LOG: 2,
  SECCOMP_FILTER_FLAG_SPEC_ALLOW: 4,
  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV: 32,
};

/** The `flags` argument of seccomp(SECCOMP_SET_MODE_FILTER) for the spec's flag names. */
export function seccompFlags(seccomp: LinuxSeccomp): number {
  let flags = 0;
  for (const f of seccomp.flags ?? []) {
    const bit = FLAG_BITS[f];
    if (bit === undefined) throw new InvalidParameter(`seccomp: unknown flag "${f}"`);
    flags |= bit;
  }
  return flags;
}

/** The SECCOMP_RET_* value of an OCI action; ERRNO and TRACE default to EPERM as runc does. */
export function actionValue(action: string, errnoRet?: number): number {
  const data = (errnoRet ?? EPERM) & 0xffff;
  switch (action) {
    case 'SCMP_ACT_KILL':
    case 'SCMP_ACT_KILL_THREAD':
      return SECCOMP_RET_KILL_THREAD;
    case 'SCMP_ACT_KILL_PROCESS':
      return SECCOMP_RET_KILL_PROCESS;
    case 'SCMP_ACT_TRAP':
      return SECCOMP_RET_TRAP;
    case 'SCMP_ACT_ERRNO':
      return (SECCOMP_RET_ERRNO | data) >>> 0;
    case 'SCMP_ACT_TRACE':
      return (SECCOMP_RET_TRACE | data) >>> 0;
    case 'SCMP_ACT_LOG':
      return SECCOMP_RET_LOG;
    case 'SCMP_ACT_ALLOW':
      return SECCOMP_RET_ALLOW;
    case 'SCMP_ACT_NOTIFY':
      throw new NotImplemented('seccomp: SCMP_ACT_NOTIFY (a user-space listener) is not supported');
    default:
      throw new InvalidParameter(`seccomp: unknown action "${action}"`);
  }
}

// --- a tiny assembler: jumps name labels, resolved (with trampolines for far conditional jumps) at the end.

class Label {}

type Insn =
  | { kind: 'stmt'; code: number; k: number }
  | { kind: 'jmp'; code: number; k: number; jt: Label; jf: Label }
  | { kind: 'ja'; target: Label }
  | { kind: 'label'; label: Label };

class Assembler {
  readonly insns: Insn[] = [];
  stmt(code: number, k: number): void {
    this.insns.push({ kind: 'stmt', code, k: k >>> 0 });
  }
  jump(code: number, k: number, jt: Label, jf: Label): void {
    this.insns.push({ kind: 'jmp', code, k: k >>> 0, jt, jf });
  }
  ja(target: Label): void {
    this.insns.push({ kind: 'ja', target });
  }
  place(label: Label): void {
    this.insns.push({ kind: 'label', label });
  }
  ret(value: number): void {
    this.stmt(BPF_RET_K, value);
  }
  load(offset: number): void {
    this.stmt(BPF_LD_W_ABS, offset);
  }

  /** Resolves labels; a conditional jump further than 255 gets a `ja` trampoline right after it. */
  assemble(): Buffer {
    let insns = this.insns;
    for (;;) {
      const pos = new Map<Label, number>();
      let n = 0;
      for (const i of insns) {
        if (i.kind === 'label') pos.set(i.label, n);
        else n++;
      }
      const at = (l: Label) => {
        const p = pos.get(l);
        if (p === undefined) throw new Error('seccomp bpf: unplaced label');
        return p;
      };
      const fixed: Insn[] = [];
      let far = false;
      n = 0;
      for (const i of insns) {
        if (i.kind !== 'jmp') {
          fixed.push(i);
          if (i.kind !== 'label') n++;
          continue;
        }
        const tFar = at(i.jt) - n - 1 > 255;
        const fFar = at(i.jf) - n - 1 > 255;
        if (!tFar && !fFar) {
          fixed.push(i);
          n++;
          continue;
        }
        far = true;
        const t = tFar ? new Label() : i.jt;
        const f = fFar ? new Label() : i.jf;
        fixed.push({ ...i, jt: t, jf: f });
        if (tFar) fixed.push({ kind: 'label', label: t }, { kind: 'ja', target: i.jt });
        if (fFar) fixed.push({ kind: 'label', label: f }, { kind: 'ja', target: i.jf });
        n++;
      }
      insns = fixed;
      if (far) continue;
      if (n > 4096)
        throw new InvalidParameter(`seccomp: the filter needs ${n} instructions, more than the kernel's 4096`);
      const out = Buffer.alloc(n * 8);
      let k = 0;
      for (const i of insns) {
        if (i.kind === 'label') continue;
        const o = k * 8;
        if (i.kind === 'stmt') {
          out.writeUInt16LE(i.code, o);
          out.writeUInt32LE(i.k, o + 4);
        } else if (i.kind === 'ja') {
          out.writeUInt16LE(BPF_JMP_JA, o);
          out.writeUInt32LE(at(i.target) - k - 1, o + 4);
        } else {
          out.writeUInt16LE(i.code, o);
          out.writeUInt8(at(i.jt) - k - 1, o + 2);
          out.writeUInt8(at(i.jf) - k - 1, o + 3);
          out.writeUInt32LE(i.k, o + 4);
        }
        k++;
      }
      return out;
    }
  }
}

// --- the filter

interface Rule {
  args: LinuxSeccompArg[];
  action: number;
}

const u64 = (v: number | bigint) => BigInt.asUintN(64, BigInt(v));
const hi = (v: bigint) => Number(v >> 32n);
const lo = (v: bigint) => Number(v & 0xffffffffn);

/** One comparison; falls through to `pass` when it holds, jumps to `fail` when not. 32-bit ABIs test the low word. */
function emitCompare(a: Assembler, arg: LinuxSeccompArg, wide: boolean, pass: Label, fail: Label): void {
  const v = u64(arg.value);
  const v2 = u64(arg.valueTwo ?? 0);
  const i = arg.index;
  if (arg.op === 'SCMP_CMP_MASKED_EQ') {
    if (wide) {
      const next = new Label();
      a.load(argHi(i));
      a.stmt(BPF_ALU_AND_K, hi(v));
      a.jump(BPF_JEQ_K, hi(v2), next, fail);
      a.place(next);
    }
    a.load(argLo(i));
    a.stmt(BPF_ALU_AND_K, lo(v));
    a.jump(BPF_JEQ_K, lo(v2), pass, fail);
    return;
  }
  // Unsigned compare of (hi, lo) with (vh, vl): decided by the high words unless they are equal.
  const lowWord = new Label();
  const [code, ifTrue, ifFalse] = ((): [number, Label, Label] => {
    switch (arg.op) {
      case 'SCMP_CMP_EQ':
        return [BPF_JEQ_K, pass, fail];
      case 'SCMP_CMP_NE':
        return [BPF_JEQ_K, fail, pass];
      case 'SCMP_CMP_GT':
        return [BPF_JGT_K, pass, fail];
      case 'SCMP_CMP_GE':
        return [BPF_JGE_K, pass, fail];
      case 'SCMP_CMP_LT':
        return [BPF_JGE_K, fail, pass];
      case 'SCMP_CMP_LE':
        return [BPF_JGT_K, fail, pass];
      default:
        throw new InvalidParameter(`seccomp: unknown op "${arg.op}"`);
    }
  })();
  if (wide) {
    const hiEqual = lowWord;
    a.load(argHi(i));
    if (code === BPF_JEQ_K) {
      a.jump(BPF_JEQ_K, hi(v), hiEqual, ifFalse);
    } else {
      // hi > vh decides for GT/GE (true) and LT/LE (false); hi < vh the opposite; equal: look at the low words.
      const notAbove = new Label();
      a.jump(BPF_JGT_K, hi(v), ifTrue, notAbove);
      a.place(notAbove);
      a.jump(BPF_JEQ_K, hi(v), hiEqual, ifFalse);
    }
    a.place(hiEqual);
  }
  a.load(argLo(i));
  a.jump(code, lo(v), ifTrue, ifFalse);
}

/** One syscall's block: its rules in order (argument rules first), the first that matches decides. */
function emitSyscall(a: Assembler, rules: Rule[], wide: boolean, defaultAction: number): void {
  for (const rule of rules) {
    const next = new Label();
    for (const arg of rule.args) {
      const pass = new Label();
      emitCompare(a, arg, wide, pass, next);
      a.place(pass);
    }
    a.ret(rule.action);
    a.place(next);
    if (rule.args.length === 0) return; // unconditional: nothing after it can match
  }
  a.ret(defaultAction);
}

/** A run of consecutive syscall numbers that get one decision: a plain action, or one syscall's rule block. */
interface Segment {
  start: number;
  ret?: number;
  rules?: Rule[];
}

/** Cuts [base, base + max] into segments; neighbours with the same plain action merge, which keeps the tree small. */
function segments(rules: Map<number, Rule[]>, base: number, max: number, defaultAction: number): Segment[] {
  const out: Segment[] = [];
  for (let nr = base; nr <= base + max; nr++) {
    const list = rules.get(nr);
    const first = list?.[0];
    const plain = !list ? defaultAction : first && first.args.length === 0 ? first.action : undefined;
    const last = out[out.length - 1];
    if (plain !== undefined && last && last.ret === plain) continue;
    out.push(plain !== undefined ? { start: nr, ret: plain } : { start: nr, rules: list as Rule[] });
  }
  return out;
}

/** Binary search over the segments' first numbers; each leaf returns its action or runs its rule block in place. */
function emitSearch(
  a: Assembler,
  segs: Segment[],
  from: number,
  to: number,
  wide: boolean,
  defaultAction: number,
): void {
  if (to - from === 1) {
    const seg = segs[from] as Segment;
    if (seg.rules) emitSyscall(a, seg.rules, wide, defaultAction);
    else a.ret(seg.ret as number);
    return;
  }
  const mid = (from + to) >> 1;
  const upper = new Label();
  const lower = new Label();
  a.jump(BPF_JGE_K, (segs[mid] as Segment).start, upper, lower);
  a.place(lower);
  emitSearch(a, segs, from, mid, wide, defaultAction);
  a.place(upper);
  emitSearch(a, segs, mid, to, wide, defaultAction);
}

/** The rules of one ABI, by syscall number (names that ABI lacks are skipped, as libseccomp does). */
function rulesFor(seccomp: LinuxSeccomp, abi: SyscallAbi, defaultAction: number): Map<number, Rule[]> {
  const table = syscallTable(abi);
  const bit = abi === 'x32' ? X32_SYSCALL_BIT : 0;
  const byNr = new Map<number, Rule[]>();
  for (const [i, call] of (seccomp.syscalls ?? []).entries()) {
    const action = actionValue(call.action, call.errnoRet);
    for (const [j, arg] of (call.args ?? []).entries()) {
      if (!Number.isInteger(arg.index) || arg.index < 0 || arg.index > 5) {
        throw new InvalidParameter(`seccomp: syscalls[${i}].args[${j}]: index ${arg.index} out of range (0-5)`);
      }
    }
    // A rule with the default action changes nothing (libseccomp refuses it; runc skips it).
    if (action === defaultAction) continue;
    for (const name of call.names) {
      const nr = table.numbers.get(name);
      if (nr === undefined) continue;
      const key = (nr | bit) >>> 0;
      const list = byNr.get(key) ?? [];
      list.push({ args: call.args ?? [], action });
      byNr.set(key, list);
    }
  }
  // Argument rules before unconditional ones, each group in profile order.
  for (const list of byNr.values()) list.sort((x, y) => Number(x.args.length === 0) - Number(y.args.length === 0));
  return byNr;
}

/** Syscalls newer than the table answer ENOSYS, so programs fall back as on an older kernel (runc's patchbpf). */
function needsEnosysStub(defaultAction: number): boolean {
  return defaultAction !== SECCOMP_RET_ALLOW && defaultAction !== SECCOMP_RET_LOG;
}

function emitAbi(a: Assembler, seccomp: LinuxSeccomp, abi: SyscallAbi, defaultAction: number): void {
  const base = abi === 'x32' ? X32_SYSCALL_BIT : 0;
  const max = syscallTable(abi).max;
  if (needsEnosysStub(defaultAction)) {
    const tooNew = new Label();
    const known = new Label();
    a.jump(BPF_JGT_K, base + max, tooNew, known);
    a.place(tooNew);
    a.ret(actionValue('SCMP_ACT_ERRNO', ENOSYS));
    a.place(known);
  }
  // Above the table with an allowing default: the default applies, as it does to the gaps.
  const segs = segments(rulesFor(seccomp, abi, defaultAction), base, max, defaultAction);
  if (!needsEnosysStub(defaultAction)) segs.push({ start: base + max + 1, ret: defaultAction });
  emitSearch(a, segs, 0, segs.length, abi !== 'x86', defaultAction);
}

/** The ABIs a filter covers: its architectures that berth has tables for, or the host's own when none are listed. */
export function filterAbis(seccomp: LinuxSeccomp, hostArch: string = process.arch): SyscallAbi[] {
  const listed = seccomp.architectures ?? [];
  const abis = listed.length > 0 ? listed.map((a) => SCMP_ARCH_ABI[a]) : [NATIVE_ABI[hostArch]];
  return [...new Set(abis.filter((a): a is SyscallAbi => a !== undefined))];
}

/**
 * Compiles the filter: anything from an arch it does not cover is killed (libseccomp's bad-arch action), syscall
 * numbers above the ABI's table answer ENOSYS, and the rest follows the rules, then the default action.
 */
export function compileSeccomp(seccomp: LinuxSeccomp, hostArch: string = process.arch): Buffer {
  if (seccomp.listenerPath) throw new NotImplemented('seccomp: a listenerPath (SCMP_ACT_NOTIFY) is not supported');
  const defaultAction = actionValue(seccomp.defaultAction, seccomp.defaultErrnoRet);
  const abis = filterAbis(seccomp, hostArch);
  const a = new Assembler();
  const badArch = new Label();
  const byArch = new Map<number, SyscallAbi[]>();
  for (const abi of abis) byArch.set(AUDIT_ARCH[abi], [...(byArch.get(AUDIT_ARCH[abi]) ?? []), abi]);
  a.load(OFF_ARCH);
  const entries = [...byArch.entries()].map(([arch, list]) => ({ arch, list, label: new Label() }));
  for (const e of entries) {
    const next = new Label();
    a.jump(BPF_JEQ_K, e.arch, e.label, next);
    a.place(next);
  }
  a.ja(badArch);
  for (const e of entries) {
    a.place(e.label);
    a.load(OFF_NR);
    if (e.arch === AUDIT_ARCH.x86_64) {
      // x86_64 and x32 share the arch token; x32 numbers carry X32_SYSCALL_BIT.
      const native = new Label();
      const x32 = new Label();
      a.jump(BPF_JGE_K, X32_SYSCALL_BIT, x32, native);
      a.place(x32);
      if (e.list.includes('x32')) emitAbi(a, seccomp, 'x32', defaultAction);
      else a.ja(badArch);
      a.place(native);
      if (e.list.includes('x86_64')) emitAbi(a, seccomp, 'x86_64', defaultAction);
      else a.ja(badArch);
    } else {
      emitAbi(a, seccomp, e.list[0] as SyscallAbi, defaultAction);
    }
  }
  a.place(badArch);
  a.ret(SECCOMP_RET_KILL_THREAD);
  return a.assemble();
}

const cache = new Map<string, Buffer>();
const byObject = new WeakMap<LinuxSeccomp, Buffer>();
const CACHE_MAX = 64;

/** compileSeccomp, cached by the spec's content and the arch: containers with the same profile share one program. */
export function seccompProgram(seccomp: LinuxSeccomp, hostArch: string = process.arch): Buffer {
  const known = hostArch === process.arch ? byObject.get(seccomp) : undefined;
  if (known) return known;
  const key = createHash('sha256')
    .update(hostArch)
    .update('\0')
    .update(JSON.stringify(seccomp, bigintSafe))
    .digest('hex');
  let program = cache.get(key);
  if (!program) {
    program = compileSeccomp(seccomp, hostArch);
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
    cache.set(key, program);
  }
  if (hostArch === process.arch) byObject.set(seccomp, program);
  return program;
}

function bigintSafe(_key: string, v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : v;
}
