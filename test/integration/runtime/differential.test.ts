// The same bundles under Debian's runc and under berth-runtime: what the container sees must be the same.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Spec } from '../../../src/runtime/spec.js';
import { TEST_INIT } from '../../fixtures/index.js';
import { RuntimeHarness, runCommand } from './harness.js';

const T = TEST_INIT;
let h: RuntimeHarness;
let runcRoot: string;
const runc = '/usr/sbin/runc';
// Decided before the tests are declared: `skip` is read when a test is defined.
const haveRunc = (await runCommand(runc, ['--version'], {}).catch(() => ({ code: 1 }))).code === 0;
/** A process in a network namespace of its own, for specs that join one by path. */
let netnsHolder: ChildProcess;

before(async () => {
  h = await RuntimeHarness.create();
  runcRoot = await mkdtemp(join(tmpdir(), 'runc-'));
  netnsHolder = spawn('unshare', ['--net', 'sleep', '60'], { stdio: 'ignore' });
});
after(async () => {
  netnsHolder.kill('SIGKILL');
  await rm(runcRoot, { recursive: true, force: true });
  await h.cleanup();
});

const PROBE = [
  'echo "pid=$$"',
  'hostname',
  `${T} ids`,
  `${T} caps`,
  'pwd',
  'env | sort | tr "\\n" " "; echo',
  'ulimit -n',
  'ls -1 /dev | tr "\\n" " "; echo',
  'cut -d" " -f2,3 /proc/mounts | sort | tr "\\n" ";"; echo',
  'wc -c < /proc/kcore',
  `${T} write /proc/sysrq-trigger`,
  `${T} write /x`,
  'ls /proc/acpi /sys/firmware 2>&1 | wc -l',
  'cat /proc/self/oom_score_adj',
  'cat /proc/self/uid_map /proc/self/cgroup | tr "\\n" " "; echo',
  'ls /sys/fs/cgroup | tr "\\n" " "; echo',
  'exit 7',
].join('; ');

const variants: [string, (s: Spec) => void][] = [
  ['runc defaults', () => {}],
  [
    'another user, cwd, env, caps, rlimits, oom score',
    (s) => {
      s.process!.user = { uid: 65534, gid: 65534, additionalGids: [5] };
      s.process!.cwd = '/tmp';
      s.process!.env = ['PATH=/bin', 'A=1'];
      s.process!.capabilities = { bounding: ['CAP_CHOWN'], effective: ['CAP_CHOWN'], permitted: ['CAP_CHOWN'] };
      s.process!.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 256, hard: 512 }];
      s.process!.oomScoreAdj = 100;
      s.process!.noNewPrivileges = false;
    },
  ],
  [
    'a user namespace with id mappings',
    (s) => {
      s.linux!.namespaces!.push({ type: 'user' });
      s.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
      s.linux!.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
    },
  ],
  [
    'a cgroup namespace and a joined network namespace',
    (s) => {
      s.linux!.namespaces = s.linux!.namespaces!.filter((n) => n.type !== 'network');
      s.linux!.namespaces.push({ type: 'cgroup' }, { type: 'network', path: `/proc/${netnsHolder.pid}/ns/net` });
    },
  ],
  [
    'a writable root with a bind mount',
    (s) => {
      s.root!.readonly = false;
      s.mounts!.push({ destination: '/mnt', type: 'bind', source: '/etc', options: ['rbind', 'ro'] });
    },
  ],
];

describe('differential: runc and berth-runtime see the same container', () => {
  for (const [name, mutate] of variants) {
    test(name, { skip: !haveRunc && 'runc is not installed' }, async () => {
      const b = await h.bundle({
        args: ['sh', '-c', PROBE],
        writableRootfs: name.includes('writable'),
        mutate,
      });
      const id = `diff-${Math.random().toString(36).slice(2, 8)}`;
      const ours = await h.run(['run', '--bundle', b.dir, id]);
      const theirs = await runCommand(runc, ['--root', runcRoot, 'run', '--bundle', b.dir, id], {});
      assert.equal(theirs.code, 7, `runc: ${theirs.stderr}`);
      assert.equal(ours.code, 7, ours.stderr);
      assert.deepEqual(ours.stdout.split('\n'), theirs.stdout.split('\n'));
      assert.equal(ours.stderr, theirs.stderr);
    });
  }
});
