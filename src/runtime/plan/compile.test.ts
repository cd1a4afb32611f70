import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultSpec } from '../default-spec.js';
import { CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUTS } from '../namespaces.js';
import { MS_BIND, MS_RDONLY, MS_REC, MS_REMOUNT } from '../mount-options.js';
import { type CompileContext, compileCreatePlan } from './compile.js';
import type { PlanOp } from './ops.js';

const ctx = (over: Partial<CompileContext> = {}): CompileContext => ({
  rootfs: '/b/rootfs',
  shim: { stdio: 'pipes', openStdin: false, socketPath: '/r/s.sock', exitFile: '/r/exit.json', startGate: true },
  cgroup: {
    procsFiles: ['/sys/fs/cgroup/memory/x/cgroup.procs'],
    oomCounter: undefined,
    version: 1,
    hierarchies: [{ mountpoint: '/sys/fs/cgroup/memory', subsystems: ['memory'] }],
    ownDirs: ['/sys/fs/cgroup/memory/x'],
  },
  bindKinds: new Map(),
  bindSources: new Map(),
  hostCapabilities: (1n << 41n) - 1n,
  ...over,
});

const kinds = (ops: PlanOp[]) => ops.map((o) => o.op);

test('default spec compiles shim ops, clone, mounts, pivot, then the process, with exec last', () => {
  const ops = compileCreatePlan(defaultSpec(), ctx());
  const k = kinds(ops);
  assert.deepEqual(k.slice(0, 3), ['stdio', 'socket', 'exitFile']);
  const clone = ops.find((o) => o.op === 'clone');
  assert.equal(
    clone?.op === 'clone' && clone.flags,
    CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS,
  );
  assert.ok(k.indexOf('cgroupProcs') < k.indexOf('clone'));
  assert.ok(k.indexOf('rootfs') < k.indexOf('pivotRoot'));
  assert.ok(k.indexOf('pivotRoot') < k.indexOf('mask'));
  assert.ok(k.indexOf('mknod') < k.indexOf('pivotRoot'));
  assert.ok(k.indexOf('capBounding') < k.indexOf('user') && k.indexOf('user') < k.indexOf('caps'));
  assert.equal(k.at(-1), 'exec');
  assert.deepEqual(ops.at(-1), { op: 'exec', file: 'sh', argv: ['sh'] });
  assert.ok(
    ops.some((o) => o.op === 'readonly' && o.path === '/'),
    'readonly root',
  );
  assert.ok(ops.some((o) => o.op === 'hostname' && o.name === 'runc'));
});

test('a bind mount with ro is a bind then a read-only remount', () => {
  const spec = defaultSpec();
  spec.mounts = [{ destination: '/data', type: 'bind', source: '/host', options: ['rbind', 'ro', 'nosuid'] }];
  const ops = compileCreatePlan(
    spec,
    ctx({ bindKinds: new Map([['/data', 'dir']]), bindSources: new Map([['/data', '/host']]) }),
  );
  const mounts = ops.filter((o) => o.op === 'mount');
  assert.deepEqual(mounts[0], {
    op: 'mount',
    source: '/host',
    target: '/data',
    fstype: '',
    flags: MS_BIND | MS_REC,
    data: '',
    create: 'dir',
  });
  const remount = mounts[1];
  assert.ok(remount?.op === 'mount' && remount.flags & MS_REMOUNT && remount.flags & MS_RDONLY);
});

test('cgroup namespace is unshared in the child, after the cgroup placement, and cgroupfs is mounted', () => {
  const spec = defaultSpec();
  spec.linux?.namespaces?.push({ type: 'cgroup' });
  const ops = compileCreatePlan(spec, ctx());
  const unshare = ops.find((o) => o.op === 'unshare');
  assert.equal(unshare?.op === 'unshare' && unshare.flags, CLONE_NEWCGROUP);
  const clone = ops.find((o) => o.op === 'clone');
  assert.equal(clone?.op === 'clone' && clone.flags & CLONE_NEWCGROUP, 0n);
  assert.ok(ops.some((o) => o.op === 'mount' && o.fstype === 'cgroup' && o.data === 'memory'));
});

test('capabilities the host lacks are never requested', () => {
  const spec = defaultSpec();
  spec.process!.capabilities = { bounding: ['CAP_SYS_RESOURCE', 'CAP_KILL'], effective: ['CAP_SYS_RESOURCE'] };
  const host = (1n << 41n) - 1n - (1n << 24n);
  const ops = compileCreatePlan(spec, ctx({ hostCapabilities: host }));
  const bounding = ops.find((o) => o.op === 'capBounding');
  assert.equal(bounding?.op === 'capBounding' && bounding.keep, 1n << 5n);
});

test('joined namespaces become setns steps, user first, pid joined by the shim', () => {
  const spec = defaultSpec();
  spec.linux!.namespaces = [
    { type: 'network', path: '/proc/1/ns/net' },
    { type: 'user', path: '/proc/1/ns/user' },
    { type: 'pid', path: '/proc/1/ns/pid' },
    { type: 'mount' },
    { type: 'uts' },
  ];
  const ops = compileCreatePlan(spec, ctx());
  const setns = ops.filter((o) => o.op === 'setns').map((o) => o.op === 'setns' && o.path);
  assert.deepEqual(setns, ['/proc/1/ns/user', '/proc/1/ns/net']);
  assert.ok(ops.some((o) => o.op === 'joinPidNs' && o.path === '/proc/1/ns/pid'));
});

test('a new user namespace is cloned inside a joined network namespace, and binds /sys instead of mounting sysfs', () => {
  const spec = defaultSpec();
  spec.linux!.namespaces = [
    ...spec.linux!.namespaces!.filter((n) => n.type !== 'network'),
    { type: 'network', path: '/run/netns/c1' },
    { type: 'user' },
  ];
  spec.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
  spec.linux!.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
  const ops = compileCreatePlan(spec, ctx());
  const k = kinds(ops);
  assert.ok(k.indexOf('joinNetNs') >= 0 && k.indexOf('joinNetNs') < k.indexOf('clone'));
  assert.ok(ops.some((o) => o.op === 'joinNetNs' && o.path === '/run/netns/c1'));
  assert.ok(!ops.some((o) => o.op === 'setns'), 'no setns from inside the user namespace');
  assert.ok(ops.some((o) => o.op === 'uidMap' && o.content === '0 100000 65536\n'));
  const sys = ops.filter((o) => o.op === 'mount' && o.target === '/sys');
  assert.equal(sys[0]?.op === 'mount' && sys[0].source, '/sys');
  assert.equal(sys[0]?.op === 'mount' && sys[0].flags, MS_BIND | MS_REC);
  assert.ok(sys[1]?.op === 'mount' && (sys[1].flags & (MS_REMOUNT | MS_RDONLY)) === (MS_REMOUNT | MS_RDONLY));
  // Without a user namespace nothing changes: the joined namespace is a child setns, sysfs a real mount.
  spec.linux!.namespaces = spec.linux!.namespaces.filter((n) => n.type !== 'user');
  const plain = compileCreatePlan(spec, ctx());
  assert.ok(!plain.some((o) => o.op === 'joinNetNs'));
  assert.ok(plain.some((o) => o.op === 'mount' && o.target === '/sys' && o.fstype === 'sysfs'));
});

test('bad input is refused with a clear error', () => {
  const spec = defaultSpec();
  spec.linux!.namespaces = [{ type: 'bogus' as 'pid' }];
  assert.throws(() => compileCreatePlan(spec, ctx()), /unknown namespace type "bogus"/);
  const noArgs = defaultSpec();
  noArgs.process!.args = [];
  assert.throws(() => compileCreatePlan(noArgs, ctx()), /args must not be empty/);
  const hostUts = defaultSpec();
  hostUts.linux!.namespaces = [{ type: 'mount' }];
  assert.throws(() => compileCreatePlan(hostUts, ctx()), /private UTS namespace/);
  const rl = defaultSpec();
  rl.process!.rlimits = [{ type: 'RLIMIT_BOGUS', soft: 1, hard: 1 }];
  assert.throws(() => compileCreatePlan(rl, ctx()), /unknown rlimit type/);
});

test('seccomp loads before the user change without no_new_privs, right after it with', () => {
  const spec = defaultSpec();
  spec.linux!.seccomp = { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] };
  const tail = (s: typeof spec) => kinds(compileCreatePlan(s, ctx())).slice(-8);
  spec.process!.noNewPrivileges = false;
  assert.deepEqual(tail(spec), ['chdir', 'capBounding', 'seccomp', 'user', 'caps', 'capAmbient', 'env', 'exec']);
  spec.process!.noNewPrivileges = true;
  assert.deepEqual(tail(spec), ['capBounding', 'user', 'caps', 'capAmbient', 'noNewPrivs', 'seccomp', 'env', 'exec']);
  const op = compileCreatePlan(spec, ctx()).find((o) => o.op === 'seccomp');
  assert.ok(op?.op === 'seccomp' && op.program.length % 8 === 0 && op.flags === 0);
  spec.linux!.seccomp = null;
  assert.ok(!kinds(compileCreatePlan(spec, ctx())).includes('seccomp'));
});
