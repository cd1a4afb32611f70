// The device filter compiler, run through a tiny eBPF interpreter for its decisions, then loaded into the kernel and
// attached to a real cgroup v2 directory with a process in it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { isInvalidParameter } from '../../errdefs/index.js';
import { openCgroupDir, queryDevicePrograms } from '../../sys/bpf.js';
import { realCgroupFs } from '../../sys/index.js';
import { DEFAULT_DEVICE_RULES, deviceRules } from '../devices.js';
import type { LinuxDeviceCgroup } from '../spec.js';
import {
  BPF_DEVCG_ACC_MKNOD,
  BPF_DEVCG_ACC_READ,
  BPF_DEVCG_ACC_WRITE,
  BPF_DEVCG_DEV_BLOCK,
  BPF_DEVCG_DEV_CHAR,
  type BpfInsn,
  compileDeviceFilter,
  encodeProgram,
  OP,
} from './device-filter.js';
import { mountedCgroup2 } from './testsuite.js';

const ACC: Record<string, number> = { r: BPF_DEVCG_ACC_READ, w: BPF_DEVCG_ACC_WRITE, m: BPF_DEVCG_ACC_MKNOD };

/** Runs the program for one request, as the kernel would: 1 = allowed, 0 = refused. */
function run(insns: readonly BpfInsn[], type: 'b' | 'c', major: number, minor: number, access: string): number {
  let bits = 0;
  for (const c of access) bits |= ACC[c] ?? 0;
  const ctx = [((bits << 16) | (type === 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR)) >>> 0, major, minor];
  const reg = new Array<number>(11).fill(0);
  let ctxInR1 = true;
  for (let pc = 0, steps = 0; pc < insns.length && steps < 100_000; pc++, steps++) {
    const x = insns[pc] as BpfInsn;
    const u32 = (n: number) => n >>> 0;
    switch (x.code) {
      case OP.LDXW:
        assert.ok(x.src === 1 && ctxInR1, 'loads only from the context');
        reg[x.dst] = ctx[x.off / 4] ?? assert.fail(`bad ctx offset ${x.off}`);
        break;
      case OP.AND32:
        reg[x.dst] = u32((reg[x.dst] ?? 0) & x.imm);
        break;
      case OP.RSH32:
        reg[x.dst] = u32(reg[x.dst] ?? 0) >>> x.imm;
        break;
      case OP.MOV32:
        reg[x.dst] = u32(x.imm);
        break;
      case OP.MOV32X:
        reg[x.dst] = u32(reg[x.src] ?? 0);
        break;
      case OP.JEQ:
        if (reg[x.dst] === u32(x.imm)) pc += x.off;
        break;
      case OP.JNE:
        if (reg[x.dst] !== u32(x.imm)) pc += x.off;
        break;
      case OP.EXIT:
        return reg[0] ?? 0;
      default:
        assert.fail(`unknown opcode 0x${x.code.toString(16)}`);
    }
    if (x.dst === 1) ctxInR1 = false;
  }
  return assert.fail('ran off the end of the program');
}

const rule = (allow: boolean, type: string, major: number | null, minor: number | null, access: string) => ({
  allow,
  type,
  major,
  minor,
  access,
});

describe('device filter compiler', () => {
  it('denies everything with no rules or a deny-all', () => {
    for (const rules of [[], [{ allow: false, access: 'rwm' }]] as LinuxDeviceCgroup[][]) {
      const p = compileDeviceFilter(rules);
      assert.equal(run(p, 'c', 1, 3, 'r'), 0);
      assert.equal(run(p, 'b', 8, 0, 'm'), 0);
    }
  });

  it("Docker's default container: its own nodes and mknod of anything, no disk access", () => {
    const p = compileDeviceFilter(deviceRules({ resources: { devices: [{ allow: false, access: 'rwm' }] } }));
    assert.equal(run(p, 'c', 1, 3, 'rw'), 1); // /dev/null
    assert.equal(run(p, 'c', 1, 9, 'r'), 1); // /dev/urandom
    assert.equal(run(p, 'c', 136, 4, 'rw'), 1); // a pty
    assert.equal(run(p, 'c', 5, 2, 'rw'), 1); // /dev/ptmx
    assert.equal(run(p, 'b', 8, 0, 'm'), 1); // mknod /dev/sda is allowed…
    assert.equal(run(p, 'b', 8, 0, 'r'), 0); // …opening it is not
    assert.equal(run(p, 'b', 8, 0, 'rw'), 0);
    assert.equal(run(p, 'c', 10, 229, 'r'), 0); // /dev/fuse
    assert.equal(run(p, 'c', 1, 1, 'rw'), 0); // /dev/mem
  });

  it('privileged (allow-all) allows everything and stops compiling at it', () => {
    const rules = deviceRules({ resources: { devices: [{ allow: true, access: 'rwm' }] } });
    const p = compileDeviceFilter(rules);
    assert.equal(run(p, 'b', 8, 0, 'rwm'), 1);
    assert.equal(run(p, 'c', 10, 229, 'rw'), 1);
    // The defaults after the allow-all are compiled; nothing before it.
    assert.ok(p.length < compileDeviceFilter(DEFAULT_DEVICE_RULES).length + 10);
  });

  it('a later rule overrides an earlier one, bit by bit', () => {
    const p = compileDeviceFilter([
      rule(false, 'a', null, null, 'rwm'),
      rule(true, 'c', 10, 229, 'rw'),
      rule(false, 'c', 10, 229, 'w'),
    ]);
    assert.equal(run(p, 'c', 10, 229, 'r'), 1);
    assert.equal(run(p, 'c', 10, 229, 'w'), 0);
    assert.equal(run(p, 'c', 10, 229, 'rw'), 0); // open O_RDWR asks for both
    assert.equal(run(p, 'c', 10, 229, 'm'), 0);
    const reallowed = compileDeviceFilter([rule(false, 'c', 10, 229, 'w'), rule(true, 'c', 10, null, 'w')]);
    assert.equal(run(reallowed, 'c', 10, 229, 'w'), 1);
    assert.equal(run(reallowed, 'c', 10, 229, 'r'), 0);
  });

  it('bits are settled by different rules (read from one, write from another)', () => {
    const p = compileDeviceFilter([rule(true, 'c', 1, null, 'r'), rule(true, 'a', null, 3, 'w')]);
    assert.equal(run(p, 'c', 1, 3, 'rw'), 1);
    assert.equal(run(p, 'c', 1, 4, 'rw'), 0);
    assert.equal(run(p, 'b', 7, 3, 'w'), 1);
  });

  it('a deny rule punches a hole in an earlier wildcard allow', () => {
    const p = compileDeviceFilter([rule(true, 'a', null, null, 'rwm'), rule(false, 'b', 8, null, 'rw')]);
    assert.equal(run(p, 'b', 8, 1, 'r'), 0);
    assert.equal(run(p, 'b', 8, 1, 'm'), 1);
    assert.equal(run(p, 'b', 7, 0, 'r'), 1);
    assert.equal(run(p, 'c', 8, 1, 'r'), 1);
  });

  it('matches the type: b is not c, a and u (as c) are; a fifo rule never matches', () => {
    const p = compileDeviceFilter([rule(true, 'b', 8, 0, 'r'), rule(true, 'u', 4, 1, 'r'), rule(true, 'p', 9, 9, 'r')]);
    assert.equal(run(p, 'b', 8, 0, 'r'), 1);
    assert.equal(run(p, 'c', 8, 0, 'r'), 0);
    assert.equal(run(p, 'c', 4, 1, 'r'), 1);
    assert.equal(run(p, 'c', 9, 9, 'r'), 0);
    assert.equal(run(compileDeviceFilter([{ allow: true, major: -1, minor: -1, access: 'r' }]), 'b', 1, 1, 'r'), 1);
  });

  it('refuses malformed rules', () => {
    assert.throws(() => compileDeviceFilter([rule(true, 'x', 1, 1, 'r')]), isInvalidParameter);
    assert.throws(() => compileDeviceFilter([rule(true, 'c', 1, 1, 'rx')]), isInvalidParameter);
  });

  it('encodes struct bpf_insn little-endian with dst in the low nibble', () => {
    const buf = encodeProgram([{ code: 0x61, dst: 2, src: 1, off: 4, imm: -2 }]);
    assert.deepEqual([...buf], [0x61, 0x12, 4, 0, 0xfe, 0xff, 0xff, 0xff]);
  });
});

/** Runs `script` in a shell that first moves itself into cgroup `dir`; resolves its exit code and stderr. */
function inCgroup(dir: string, script: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', `echo $$ > '${dir}/cgroup.procs' && ${script}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

const hasCgroup2 = (await realCgroupFs.readFile('/proc/filesystems').catch(() => '')).includes('cgroup2');
const skip = process.getuid?.() !== 0 ? 'needs root' : hasCgroup2 ? undefined : 'the kernel has no cgroup2';

describe('device filter on a real cgroup v2 directory', { ...(skip ? { skip } : {}) }, () => {
  it('a process in the cgroup opens what the rules allow and gets EPERM for the rest; apply replaces the program', async () => {
    const ctx = await mountedCgroup2();
    const cg = ctx.driver.open(`/berth-devfilter-test-${process.pid}`);
    try {
      await cg.create();
      const [dir] = Object.values(cg.paths) as [string];
      await cg.apply({
        devices: [
          { allow: false, access: 'rwm' },
          { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
        ],
      });
      assert.deepEqual(await inCgroup(dir, 'echo hi > /dev/null'), { code: 0, stderr: '' });
      const zero = await inCgroup(dir, 'head -c1 /dev/zero >/dev/null');
      assert.notEqual(zero.code, 0);
      assert.match(zero.stderr, /Operation not permitted/);

      // A second apply swaps the program rather than stacking another.
      await cg.apply({ devices: [{ allow: true, type: 'c', major: 1, minor: 5, access: 'r' }] });
      const fd = await openCgroupDir(dir);
      try {
        assert.equal((await queryDevicePrograms(fd.fd)).length, 1);
      } finally {
        await fd.close();
      }
      assert.deepEqual(await inCgroup(dir, 'head -c1 /dev/zero | cat'), { code: 0, stderr: '' });
      assert.match((await inCgroup(dir, 'echo hi > /dev/null')).stderr, /Operation not permitted/);
    } finally {
      await cg.destroy();
      await ctx.cleanup?.();
    }
  });
});
