// Devices through the docker CLI against berthd (cgroup v1 here; v2's eBPF filter has its own test beside
// src/runtime/cgroups/device-filter.ts): --device nodes and their permissions, --device-cgroup-rule, a default
// container's refusal to open a disk it made, --privileged's host devices; and the same scripts under Debian's dockerd.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { differentialSuite } from './helpers.js';

const s = await differentialSuite();
const T = { skip: s.skip, timeout: 30_000 };
const EPERM = /Operation not permitted/;

type Run = (args: string[]) => Promise<{ code: number | null; stdout: string; stderr: string }>;
const berth: Run = (args) => s.d.dockerResult(args);
const sh = (run: Run, opts: string[], script: string) =>
  run(['run', '--rm', '--network', 'none', ...opts, 'busybox', 'sh', '-c', script]);

// The scenarios, each a set of run options and a script; the differential test runs them all under both engines.
const SCENARIOS: Record<string, [string[], string]> = {
  mapped: [['--device', '/dev/null:/dev/mynull'], 'echo hi > /dev/mynull && stat -c "%F %t:%T %a" /dev/mynull'],
  readOnly: [['--device', '/dev/fuse:/dev/myfuse:r'], ': < /dev/myfuse && echo read ok; : > /dev/myfuse'],
  // /dev/null's default rule (rwm, after the container's own) still lets it be written, under Docker too.
  nullReadOnly: [['--device', '/dev/null:/dev/mynull:r'], 'echo hi > /dev/mynull && echo write ok'],
  disk: [[], 'mknod /dev/sda b 8 0 && echo mknod ok && cat /dev/sda'],
  unlisted: [[], 'mknod /dev/fz c 10 229 && : < /dev/fz'],
  cgroupRule: [['--device-cgroup-rule', 'c 10:229 rw'], 'mknod /dev/fz c 10 229 && : < /dev/fz && echo open ok'],
  privileged: [
    ['--privileged'],
    'test -c /dev/loop-control && test -b /dev/loop0 && : < /dev/fuse && echo host devices',
  ],
};
const scenario = (run: Run, name: string) => {
  const [opts, script] = SCENARIOS[name] ?? assert.fail(name);
  return sh(run, opts, script);
};

test('--device /dev/null:/dev/mynull creates a working char node 1:3', T, async () => {
  const r = await scenario(berth, 'mapped');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'character special file 1:3 666\n');
});

test('--device …:r lets the node be opened for reading only (EPERM for writing)', T, async () => {
  const r = await scenario(berth, 'readOnly');
  assert.equal(r.stdout, 'read ok\n');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, EPERM);
});

test('a default container may mknod a disk but not open it, nor a device it was not given', T, async () => {
  const disk = await scenario(berth, 'disk');
  assert.equal(disk.stdout, 'mknod ok\n');
  assert.notEqual(disk.code, 0);
  assert.match(disk.stderr, EPERM);
  const fuse = await scenario(berth, 'unlisted');
  assert.notEqual(fuse.code, 0);
  assert.match(fuse.stderr, EPERM);
});

test('--device-cgroup-rule allows mknod and open of the node it names', T, async () => {
  const r = await scenario(berth, 'cgroupRule');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'open ok\n');
});

test('--privileged sees and opens the host devices', {
  ...T,
  skip: s.skip ?? (existsSync('/dev/loop0') ? undefined : 'no /dev/loop0'),
}, async () => {
  const r = await scenario(berth, 'privileged');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'host devices\n');
});

test("a missing --device path fails the start with Docker's message", T, async () => {
  const r = await berth(['run', '--rm', '--device', '/dev/nope', 'busybox', 'true']);
  assert.notEqual(r.code, 0);
  assert.match(
    r.stderr,
    /error gathering device information while adding custom device "\/dev\/nope": no such file or directory/,
  );
});

test('berth and dockerd agree on every device scenario', { skip: s.dockerdSkip, timeout: 120_000 }, async () => {
  const d = s.dockerd();
  const theirs: Run = (args) => d.dockerResult(args);
  for (const name of Object.keys(SCENARIOS)) {
    // The sandboxed dockerd's runc cannot start a privileged container here ("unable to apply caps").
    if (name === 'privileged') continue;
    const [a, b] = [await scenario(berth, name), await scenario(theirs, name)];
    assert.deepEqual(
      { code: a.code, stdout: a.stdout, eperm: EPERM.test(a.stderr) },
      { code: b.code, stdout: b.stdout, eperm: EPERM.test(b.stderr) },
      `${name}: berth ${a.stderr} / dockerd ${b.stderr}`,
    );
  }
});
