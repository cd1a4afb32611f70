import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_PROFILE } from './default-profile.js';
import { parseKernelRelease, parseProfile, resolveProfile } from './profile.js';

const ctx = { capabilities: ['CAP_CHOWN'], arch: 'x64', kernel: [6, 1] as const };
const names = (p: ReturnType<typeof resolveProfile>) => new Set(p.syscalls?.flatMap((s) => s.names));

describe('seccomp profiles', () => {
  it('validates with clear errors', () => {
    const bad: [unknown, RegExp][] = [
      ['{', /Decoding seccomp profile failed: /],
      [{ defaultAction: 'SCMP_ACT_NOPE' }, /unknown defaultAction "SCMP_ACT_NOPE"/],
      [
        { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'ALLOW' }] },
        /syscalls\[0\]: unknown action "ALLOW"/,
      ],
      [
        {
          defaultAction: 'SCMP_ACT_ERRNO',
          syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'EQ' }] }],
        },
        /syscalls\[0\].args\[0\]: unknown op "EQ"/,
      ],
      [
        {
          defaultAction: 'SCMP_ACT_ERRNO',
          syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 6, value: 1, op: 'SCMP_CMP_EQ' }] }],
        },
        /index 6 out of range/,
      ],
      [
        { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ name: 'a', names: ['b'], action: 'SCMP_ACT_ALLOW' }] },
        /both 'name' and 'names'/,
      ],
      [
        {
          defaultAction: 'SCMP_ACT_ERRNO',
          architectures: ['SCMP_ARCH_X86_64'],
          archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: [] }],
        },
        /both 'architectures' and 'archMap'/,
      ],
      [{ defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_Z80'] }, /unknown architecture "SCMP_ARCH_Z80"/],
      [
        {
          defaultAction: 'SCMP_ACT_ERRNO',
          syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '6' } }],
        },
        /invalid kernel version/,
      ],
      [{ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ action: 'SCMP_ACT_ALLOW' }] }, /no syscall names/],
    ];
    for (const [input, re] of bad) {
      assert.throws(
        () => parseProfile(typeof input === 'string' ? input : JSON.stringify(input)),
        re,
        JSON.stringify(input),
      );
    }
    assert.equal(parseProfile('{}'), undefined); // Docker: no default action and no rules = no filter
  });

  it('accepts the old single-name form and Docker-style JSON', () => {
    const p = parseProfile(
      '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"name":"mkdir","action":"SCMP_ACT_ERRNO"}]}',
    );
    assert.deepEqual(p?.syscalls?.[0]?.names, ['mkdir']);
    const round = parseProfile(JSON.stringify(DEFAULT_PROFILE));
    assert.deepEqual(resolveProfile(round as typeof DEFAULT_PROFILE, ctx), resolveProfile(DEFAULT_PROFILE, ctx));
  });

  it("resolves Docker's default for a container: caps, arch and kernel decide the conditional rules", () => {
    const plain = resolveProfile(DEFAULT_PROFILE, ctx);
    assert.deepEqual(plain.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    assert.equal(plain.defaultErrnoRet, 1);
    const n = names(plain);
    for (const s of ['read', 'arch_prctl', 'modify_ldt', 'clone', 'clone3', 'ptrace']) assert.ok(n.has(s), s);
    for (const s of ['mount', 'unshare', 'setns', 'keyctl', 'open_by_handle_at', 'clock_settime', 'set_tls', 'reboot'])
      assert.ok(!n.has(s), s);
    assert.ok(plain.syscalls?.some((s) => s.names.includes('clone') && s.args?.[0]?.op === 'SCMP_CMP_MASKED_EQ'));

    const admin = resolveProfile(DEFAULT_PROFILE, { ...ctx, capabilities: ['CAP_SYS_ADMIN', 'CAP_DAC_READ_SEARCH'] });
    assert.ok(names(admin).has('mount') && names(admin).has('open_by_handle_at'));
    // excludes by cap: the masked clone rule and clone3's ENOSYS go away
    assert.ok(!admin.syscalls?.some((s) => s.names.includes('clone3') && s.action === 'SCMP_ACT_ERRNO'));
    assert.ok(!admin.syscalls?.some((s) => s.names.includes('clone') && s.args));

    const arm = resolveProfile(DEFAULT_PROFILE, { ...ctx, arch: 'arm64' });
    assert.deepEqual(arm.architectures, ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
    assert.ok(names(arm).has('set_tls') && !names(arm).has('arch_prctl'));

    const old = resolveProfile(DEFAULT_PROFILE, { ...ctx, kernel: [4, 4] });
    assert.ok(!names(old).has('ptrace')); // minKernel 4.8
  });

  it('parses kernel releases', () => {
    assert.deepEqual(parseKernelRelease('6.1.0-18-amd64'), [6, 1]);
    assert.deepEqual(parseKernelRelease('3.12-1-amd64'), [3, 12]);
    assert.throws(() => parseKernelRelease('x'), /failed to parse kernel version/);
  });
});
