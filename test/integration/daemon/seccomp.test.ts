// seccomp in containers, through the docker CLI against berthd: Docker's default profile (Seccomp: 2, the refused
// syscalls answer EPERM, syscalls past the table ENOSYS), capabilities widening it, unconfined, --privileged and a
// user's JSON profile; and the same probe under Debian's dockerd, whose answers must match.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { TEST_INIT } from '../../fixtures/index.js';
import { differentialSuite } from './helpers.js';

// Differential: the same probe under Debian's dockerd (runc + libseccomp) must give the same answers.
const s = await differentialSuite();
const dockerdSkip = s.dockerdSkip;
const T = { skip: s.skip, timeout: 30_000 };

const REFUSED = [
  'unshare-user',
  'unshare-net',
  'clone-newuser',
  'mount',
  'keyctl',
  'add_key',
  'bpf',
  'perf_event_open',
  'clock_settime',
  'open_by_handle_at',
];

/** Runs the probe in a fresh container: the Seccomp line, then "name ERRNO|ok" per syscall. */
async function probe(
  run: (args: string[]) => Promise<{ code: number | null; stdout: string; stderr: string }>,
  opts: string[],
  calls: string[],
) {
  const r = await run(['run', '--rm', '--network', 'none', ...opts, 'busybox', TEST_INIT, 'syscall', ...calls]);
  assert.equal(r.code, 0, r.stderr);
  const status = await run(['run', '--rm', '--network', 'none', ...opts, 'busybox', TEST_INIT, 'caps']);
  const seccomp = /^Seccomp:\s*(\d)/m.exec(status.stdout)?.[1];
  const answers = Object.fromEntries(
    r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(' ') as [string, string]),
  );
  return { seccomp, answers };
}

const berth = (args: string[]) => s.d.dockerResult(args);

test('a default container runs under a filter that refuses what Docker refuses, with EPERM', T, async () => {
  const { seccomp, answers } = await probe(berth, [], [...REFUSED, 'getpid', 'mkdir', 'personality-query']);
  assert.equal(seccomp, '2');
  for (const call of REFUSED) assert.equal(answers[call], 'EPERM', call);
  assert.equal(answers.getpid, 'ok');
  assert.equal(answers.mkdir, 'ok');
  assert.equal(answers['personality-query'], 'ok');
});

test('a syscall number past the table answers ENOSYS, as with runc', T, async () => {
  const { answers } = await probe(berth, [], ['1000', 'personality-norandom', 'socket-vsock']);
  assert.equal(answers['1000'], 'ENOSYS');
  assert.equal(answers['personality-norandom'], 'EPERM');
  assert.equal(answers['socket-vsock'], 'EPERM');
});

test('seccomp=unconfined and --privileged run without a filter', T, async () => {
  for (const opts of [['--security-opt', 'seccomp=unconfined'], ['--privileged']]) {
    const { seccomp, answers } = await probe(berth, opts, ['keyctl', 'unshare-user']);
    assert.equal(seccomp, '0', opts.join(' '));
    assert.equal(answers.keyctl, 'ok');
  }
});

test('--cap-add SYS_ADMIN allows what the profile allows with it, no more', T, async () => {
  const { seccomp, answers } = await probe(
    berth,
    ['--cap-add', 'SYS_ADMIN'],
    ['unshare-net', 'mount', 'bpf', 'keyctl', 'clock_settime'],
  );
  assert.equal(seccomp, '2');
  assert.equal(answers['unshare-net'], 'ok');
  assert.equal(answers.mount, 'ok');
  assert.notEqual(answers.bpf, 'EPERM'); // allowed: the kernel itself answers (EFAULT for a NULL attr)
  assert.equal(answers.keyctl, 'EPERM');
  assert.equal(answers.clock_settime, 'EPERM');
});

test('a JSON profile from a file replaces the default: mkdir denied, the rest allowed', T, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-seccomp-'));
  try {
    const file = join(dir, 'deny-mkdir.json');
    await writeFile(
      file,
      JSON.stringify({
        defaultAction: 'SCMP_ACT_ALLOW',
        syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' }],
      }),
    );
    const { seccomp, answers } = await probe(berth, ['--security-opt', `seccomp=${file}`], ['mkdir', 'keyctl', '1000']);
    assert.equal(seccomp, '2');
    assert.equal(answers.mkdir, 'EPERM');
    assert.equal(answers.keyctl, 'ok');
    assert.equal(answers['1000'], 'ENOSYS'); // the kernel's own answer: the default allows it
    await writeFile(
      file,
      JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_BOGUS' }] }),
    );
    const bad = await berth(['run', '--rm', '--security-opt', `seccomp=${file}`, 'busybox', 'true']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /unknown action "SCMP_ACT_BOGUS"/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a process exec'd into the container runs under the container's filter", T, async () => {
  await s.d.docker('run', '-d', '--name', 'seccomp-exec', '--network', 'none', 'busybox', 'sleep', '60');
  try {
    const r = await s.d.docker('exec', 'seccomp-exec', TEST_INIT, 'syscall', 'keyctl', 'unshare-user', 'getpid');
    assert.equal(r.stdout, 'keyctl EPERM\nunshare-user EPERM\ngetpid ok\n');
  } finally {
    await s.d.dockerResult(['rm', '-f', 'seccomp-exec']);
  }
});

test('docker info lists seccomp with the default profile', T, async () => {
  const r = await s.d.docker('info', '--format', '{{json .SecurityOptions}}');
  assert.ok((JSON.parse(r.stdout) as string[]).includes('name=seccomp,profile=default'), r.stdout);
});

test('berth and dockerd agree: Seccomp line and errno of each refused syscall', {
  skip: dockerdSkip,
  timeout: 120_000,
}, async () => {
  const d = s.dockerd();
  const theirs = (args: string[]) => d.dockerResult(args);
  const calls = [...REFUSED, 'getpid', 'mkdir', 'personality-norandom', '1000'];
  for (const opts of [
    [],
    ['--security-opt', 'seccomp=unconfined'],
    ['--cap-add', 'SYS_ADMIN'],
    ['--cap-add', 'SYS_TIME'],
  ]) {
    const [a, b] = [await probe(berth, opts, calls), await probe(theirs, opts, calls)];
    assert.deepEqual(a, b, `with ${opts.join(' ') || 'the defaults'}`);
  }
});
