import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LinuxSeccomp } from '../spec.js';
import {
  AUDIT_ARCH,
  compileSeccomp,
  SECCOMP_RET_ALLOW,
  SECCOMP_RET_ERRNO,
  SECCOMP_RET_KILL_THREAD,
  seccompFlags,
  seccompProgram,
} from './bpf.js';
import { containerSeccomp } from './index.js';
import { syscallNumber, syscallTable } from './syscalls.js';

/** A classic-BPF interpreter for the instructions the compiler emits: checks what the program decides. */
function run(prog: Buffer, arch: number, nr: number, args: bigint[] = []): number {
  const data = Buffer.alloc(64);
  data.writeUInt32LE(nr >>> 0, 0);
  data.writeUInt32LE(arch >>> 0, 4);
  for (const [i, v] of args.entries()) data.writeBigUInt64LE(BigInt.asUintN(64, v), 16 + 8 * i);
  let A = 0;
  let pc = 0;
  for (let steps = 0; steps < 10000; steps++) {
    assert.ok(pc * 8 < prog.length, `pc ${pc} runs off the program`);
    const code = prog.readUInt16LE(pc * 8);
    const jt = prog.readUInt8(pc * 8 + 2);
    const jf = prog.readUInt8(pc * 8 + 3);
    const k = prog.readUInt32LE(pc * 8 + 4);
    pc++;
    switch (code) {
      case 0x20: // ld [k]
        assert.ok(k % 4 === 0 && k < 64);
        A = data.readUInt32LE(k);
        break;
      case 0x54: // and #k
        A = (A & k) >>> 0;
        break;
      case 0x05: // ja
        pc += k;
        break;
      case 0x15:
        pc += A === k ? jt : jf;
        break;
      case 0x25:
        pc += A > k ? jt : jf;
        break;
      case 0x35:
        pc += A >= k ? jt : jf;
        break;
      case 0x06:
        return k;
      default:
        assert.fail(`unexpected opcode 0x${code.toString(16)}`);
    }
  }
  assert.fail('program does not terminate');
}

const X86_64 = AUDIT_ARCH.x86_64;
const I386 = AUDIT_ARCH.x86;
const nr = (name: string, abi: 'x86_64' | 'x86' | 'x32' = 'x86_64') => {
  const n = syscallNumber(abi, name);
  assert.ok(n !== undefined, name);
  return abi === 'x32' ? (n | 0x40000000) >>> 0 : n;
};
const EPERM = (SECCOMP_RET_ERRNO | 1) >>> 0;
const ENOSYS = (SECCOMP_RET_ERRNO | 38) >>> 0;
const DEFAULT_CAPS = ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_SETUID', 'CAP_SETGID', 'CAP_SYS_CHROOT', 'CAP_KILL'];

describe('seccomp BPF compiler', () => {
  const docker = compileSeccomp(containerSeccomp(DEFAULT_CAPS) as LinuxSeccomp, 'x64');

  it("Docker's default: the allow-list passes, the rest is EPERM", () => {
    for (const name of ['read', 'write', 'execve', 'openat', 'mkdir', 'setresuid', 'capset', 'exit_group', 'chroot']) {
      assert.equal(run(docker, X86_64, nr(name)), SECCOMP_RET_ALLOW, name);
    }
    for (const name of [
      'keyctl',
      'add_key',
      'bpf',
      'perf_event_open',
      'clock_settime',
      'open_by_handle_at',
      'mount',
      'unshare',
      'setns',
      'reboot',
      'kexec_load',
    ]) {
      assert.equal(run(docker, X86_64, nr(name)), EPERM, name);
    }
  });

  it('clone is allowed without namespace flags, clone3 answers ENOSYS', () => {
    const clone = nr('clone');
    assert.equal(run(docker, X86_64, clone, [0x11n]), SECCOMP_RET_ALLOW); // SIGCHLD|...
    assert.equal(run(docker, X86_64, clone, [0x10000000n]), EPERM); // CLONE_NEWUSER
    assert.equal(run(docker, X86_64, clone, [0x40000000n | 0x11n]), EPERM); // CLONE_NEWNET
    assert.equal(run(docker, X86_64, clone, [0x1_0000_0011n]), SECCOMP_RET_ALLOW); // high word ignored by the mask
    assert.equal(run(docker, X86_64, nr('clone3')), ENOSYS);
  });

  it('personality only with the listed values; socket refuses AF_ALG and AF_VSOCK', () => {
    const p = nr('personality');
    assert.equal(run(docker, X86_64, p, [0n]), SECCOMP_RET_ALLOW);
    assert.equal(run(docker, X86_64, p, [0xffffffffn]), SECCOMP_RET_ALLOW);
    assert.equal(run(docker, X86_64, p, [0x0040000n]), EPERM); // ADDR_NO_RANDOMIZE
    assert.equal(run(docker, X86_64, p, [0x1_0000_0000n]), EPERM); // equal low word, other high word
    const socket = nr('socket');
    for (const af of [1n, 2n, 10n, 16n, 37n, 39n, 44n])
      assert.equal(run(docker, X86_64, socket, [af]), SECCOMP_RET_ALLOW);
    for (const af of [38n, 40n]) assert.equal(run(docker, X86_64, socket, [af]), EPERM);
  });

  it('capabilities add syscalls: SYS_ADMIN gets mount, unshare and any clone; SYS_TIME clock_settime', () => {
    const admin = compileSeccomp(containerSeccomp([...DEFAULT_CAPS, 'CAP_SYS_ADMIN']) as LinuxSeccomp, 'x64');
    for (const name of ['mount', 'unshare', 'setns', 'bpf', 'perf_event_open', 'clone3']) {
      assert.equal(run(admin, X86_64, nr(name)), SECCOMP_RET_ALLOW, name);
    }
    assert.equal(run(admin, X86_64, nr('clone'), [0x10000000n]), SECCOMP_RET_ALLOW);
    assert.equal(run(admin, X86_64, nr('keyctl')), EPERM);
    const time = compileSeccomp(containerSeccomp([...DEFAULT_CAPS, 'CAP_SYS_TIME']) as LinuxSeccomp, 'x64');
    assert.equal(run(time, X86_64, nr('clock_settime')), SECCOMP_RET_ALLOW);
  });

  it('the i386 and x32 ABIs are filtered with their own numbers; other arches are killed', () => {
    assert.equal(run(docker, I386, nr('read', 'x86')), SECCOMP_RET_ALLOW);
    assert.equal(run(docker, I386, nr('mkdir', 'x86')), SECCOMP_RET_ALLOW);
    assert.equal(run(docker, I386, nr('keyctl', 'x86')), EPERM);
    assert.equal(run(docker, I386, nr('personality', 'x86'), [0xffffffffn]), SECCOMP_RET_ALLOW);
    assert.equal(run(docker, X86_64, nr('rt_sigaction', 'x32')), SECCOMP_RET_ALLOW);
    assert.equal(run(docker, X86_64, nr('keyctl', 'x32')), EPERM);
    assert.equal(run(docker, AUDIT_ARCH.aarch64, 63), SECCOMP_RET_KILL_THREAD);
    const nativeOnly = compileSeccomp({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [] }, 'x64');
    assert.equal(run(nativeOnly, I386, 3), SECCOMP_RET_KILL_THREAD);
    assert.equal(run(nativeOnly, X86_64, nr('read', 'x32')), SECCOMP_RET_KILL_THREAD);
  });

  it('syscalls newer than the table answer ENOSYS, not the default errno', () => {
    const max = syscallTable('x86_64').max;
    assert.equal(run(docker, X86_64, max + 1), ENOSYS);
    assert.equal(run(docker, X86_64, 1000), ENOSYS);
    assert.equal(run(docker, I386, syscallTable('x86').max + 1), ENOSYS);
    // With an allowing default there is nothing to fall back from.
    const allow = compileSeccomp(
      { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }] },
      'x64',
    );
    assert.equal(run(allow, X86_64, 1000), SECCOMP_RET_ALLOW);
    assert.equal(run(allow, X86_64, nr('mkdir')), EPERM);
    assert.equal(run(allow, X86_64, nr('mkdirat')), SECCOMP_RET_ALLOW);
  });

  it('every comparison op, on 64-bit values split in words; several args AND, several rules OR', () => {
    const big = 0x1_0000_0005n;
    const ops: [string, bigint[], bigint[]][] = [
      ['SCMP_CMP_EQ', [big], [5n, big + 1n]],
      ['SCMP_CMP_NE', [5n, big + 1n], [big]],
      ['SCMP_CMP_LT', [0n, 5n, 0xffff_ffffn, big - 1n], [big, big + 1n, 0x2_0000_0000n]],
      ['SCMP_CMP_LE', [big, 5n, big - 1n], [big + 1n, 0x2_0000_0000n]],
      ['SCMP_CMP_GT', [big + 1n, 0x2_0000_0000n], [big, 5n, 0xffff_ffffn]],
      ['SCMP_CMP_GE', [big, big + 1n, 0x2_0000_0000n], [big - 1n, 6n]],
    ];
    for (const [op, yes, no] of ops) {
      const prog = compileSeccomp(
        {
          defaultAction: 'SCMP_ACT_ALLOW',
          syscalls: [
            { names: ['ioctl'], action: 'SCMP_ACT_ERRNO', errnoRet: 22, args: [{ index: 1, value: big, op }] },
          ],
        },
        'x64',
      );
      for (const v of yes) assert.equal(run(prog, X86_64, 16, [0n, v]), (SECCOMP_RET_ERRNO | 22) >>> 0, `${op} ${v}`);
      for (const v of no) assert.equal(run(prog, X86_64, 16, [0n, v]), SECCOMP_RET_ALLOW, `${op} ${v} (no)`);
    }
    const masked = compileSeccomp(
      {
        defaultAction: 'SCMP_ACT_ERRNO',
        syscalls: [
          {
            names: ['ioctl'],
            action: 'SCMP_ACT_ALLOW',
            args: [
              { index: 0, value: 1, op: 'SCMP_CMP_EQ' },
              { index: 2, value: 0xf0, valueTwo: 0x30, op: 'SCMP_CMP_MASKED_EQ' },
            ],
          },
          { names: ['ioctl'], action: 'SCMP_ACT_ALLOW', args: [{ index: 5, value: 7, op: 'SCMP_CMP_EQ' }] },
        ],
      },
      'x64',
    );
    assert.equal(run(masked, X86_64, 16, [1n, 0n, 0x3fn]), SECCOMP_RET_ALLOW);
    assert.equal(run(masked, X86_64, 16, [1n, 0n, 0x4fn]), EPERM);
    assert.equal(run(masked, X86_64, 16, [2n, 0n, 0x3fn]), EPERM);
    assert.equal(run(masked, X86_64, 16, [2n, 0n, 0n, 0n, 0n, 7n]), SECCOMP_RET_ALLOW);
  });

  it('a large profile still assembles: far jumps get trampolines, the tree stays shallow', () => {
    const names = [...syscallTable('x86_64').numbers.keys()];
    const seccomp: LinuxSeccomp = {
      defaultAction: 'SCMP_ACT_ERRNO',
      syscalls: names.map((n, i) => ({
        names: [n],
        action: 'SCMP_ACT_ALLOW',
        args: [{ index: 0, value: i, op: 'SCMP_CMP_EQ' }],
      })),
    };
    const prog = compileSeccomp(seccomp, 'x64');
    names.forEach((n, i) => {
      assert.equal(run(prog, X86_64, nr(n), [BigInt(i)]), SECCOMP_RET_ALLOW, n);
      assert.equal(run(prog, X86_64, nr(n), [BigInt(i + 1)]), EPERM, n);
    });
  });

  it('flags and unsupported actions', () => {
    assert.equal(
      seccompFlags({
        defaultAction: 'SCMP_ACT_ALLOW',
        flags: ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'],
      }),
      6,
    );
    assert.throws(() => compileSeccomp({ defaultAction: 'SCMP_ACT_NOTIFY' }), /not supported/);
    assert.throws(() => compileSeccomp({ defaultAction: 'SCMP_ACT_BOGUS' }), /unknown action "SCMP_ACT_BOGUS"/);
  });

  it('is built once per distinct profile', () => {
    const a = containerSeccomp(DEFAULT_CAPS) as LinuxSeccomp;
    const first = seccompProgram(a);
    assert.equal(seccompProgram(a), first); // same object
    assert.equal(seccompProgram(structuredClone(a)), first); // same content
    const other = containerSeccomp([...DEFAULT_CAPS, 'CAP_SYS_ADMIN']) as LinuxSeccomp;
    assert.notEqual(seccompProgram(other), first);
  });
});
