// A container's walls, through the docker CLI: the probe (berth-test-init caps/syscall/breakout) reports the same
// capability masks, Seccomp and NoNewPrivs lines and errnos under berth as under Debian's dockerd for each security
// option; breakouts from a default container fail; --ipc, --pid, --uts, --cgroupns, --sysctl, --read-only,
// --oom-score-adj and --group-add behave, and fail, as with dockerd.
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { test } from 'node:test';
import { TEST_INIT } from '../../fixtures/index.js';
import { differentialSuite, inspect } from './helpers.js';

const s = await differentialSuite();
const T = { skip: s.skip, timeout: 60_000 };
const D = { skip: s.skip ?? s.dockerdSkip, timeout: 240_000 };

type Run = (args: string[]) => Promise<{ code: number | null; stdout: string; stderr: string }>;
const berth: Run = (args) => s.d.dockerResult(args);
const dockerd: Run = (args) => s.dockerd().dockerResult(args);

const REFUSED = [
  'unshare-user',
  'unshare-net',
  'mount',
  'keyctl',
  'add_key',
  'bpf',
  'perf_event_open',
  'clock_settime',
  'open_by_handle_at',
];
const BREAKOUTS = [
  'remount-proc-sys',
  'write-proc-sys',
  'write-sys',
  'mknod-disk',
  'open-disk',
  'raw-socket',
  'read-kcore',
];

/** Runs the test init's tool in a fresh container with `opts`; "name result" lines as a map (or the raw text). */
async function tool(run: Run, opts: string[], args: string[]): Promise<string> {
  const r = await run(['run', '--rm', '--network', 'none', ...opts, 'busybox', TEST_INIT, ...args]);
  assert.equal(r.code, 0, `${opts.join(' ')} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const answers = (out: string) =>
  Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((l) => l.split(' ') as [string, string]),
  );

/** What the probe reports under one set of options: /proc/self/status's lines, syscalls' and breakouts' answers. */
async function probe(run: Run, opts: string[]) {
  const [status, calls, breakouts] = await Promise.all([
    tool(run, opts, ['caps']),
    tool(run, opts, ['syscall', ...REFUSED]),
    tool(run, opts, ['breakout', ...BREAKOUTS]),
  ]);
  return { status, syscalls: answers(calls), breakouts: answers(breakouts) };
}

const POLICIES: string[][] = [
  [],
  ['--cap-drop', 'ALL', '--cap-add', 'NET_BIND_SERVICE'],
  ['--cap-add', 'SYS_ADMIN'],
  ['--security-opt', 'seccomp=unconfined'],
  ['--security-opt', 'no-new-privileges'],
  ['--security-opt', 'no-new-privileges=true'],
  ['--read-only'],
  ['-u', '65534'],
];

test('berth and dockerd agree: capability masks, NoNewPrivs, Seccomp, refused syscalls and breakouts', D, async () => {
  for (const opts of POLICIES) {
    const [ours, theirs] = await Promise.all([probe(berth, opts), probe(dockerd, opts)]);
    assert.deepEqual(ours, theirs, `with ${opts.join(' ') || 'the defaults'}`);
  }
});

test('breakouts from a default container fail', T, async () => {
  const got = answers(await tool(berth, [], ['breakout', ...BREAKOUTS]));
  assert.equal(got['remount-proc-sys'], 'EPERM'); // seccomp: mount needs CAP_SYS_ADMIN
  assert.equal(got['write-proc-sys'], 'EROFS');
  assert.equal(got['write-sys'], 'EROFS');
  assert.equal(got['mknod-disk'], 'ok'); // CAP_MKNOD is Docker's default: the device cgroup is the wall
  assert.equal(got['open-disk'], 'EPERM');
  assert.ok(['ENOENT', 'empty'].includes(got['read-kcore'] ?? ''), `read-kcore ${got['read-kcore']}`); // masked
  const noRaw = answers(await tool(berth, ['--cap-drop', 'NET_RAW'], ['breakout', 'raw-socket']));
  assert.equal(noRaw['raw-socket'], 'EPERM');
  const status = await tool(berth, ['--cap-drop', 'ALL', '--cap-add', 'NET_BIND_SERVICE', '-u', '65534'], ['caps']);
  assert.match(status, /^CapBnd:\s+0000000000000400$/m);
  assert.match(status, /^CapEff:\s+0000000000000000$/m); // a non-root user keeps no effective capability
  const nnp = await tool(berth, ['--security-opt', 'no-new-privileges:true'], ['caps']);
  assert.match(nnp, /^NoNewPrivs:\s+1$/m);
  assert.match(nnp, /^Seccomp:\s+2$/m);
});

/** `docker run --rm busybox sh -c <script>` with `opts`; stdout, trimmed. */
async function sh(opts: string[], script: string): Promise<string> {
  return (await s.d.docker('run', '--rm', '--network', 'none', ...opts, 'busybox', 'sh', '-c', script)).stdout.trim();
}

test(
  '--ipc shareable: a container: joiner has its IPC namespace and its /dev/shm; private ones do not',
  T,
  async () => {
    await s.d.docker(
      'run',
      '-d',
      '--name',
      'ipc-donor',
      '--ipc',
      'shareable',
      '--network',
      'none',
      'busybox',
      'sh',
      '-c',
      'echo shared > /dev/shm/x; exec sleep 60',
    );
    try {
      const donorNs = (await s.d.docker('exec', 'ipc-donor', 'readlink', '/proc/self/ns/ipc')).stdout.trim();
      const joined = await sh(['--ipc', 'container:ipc-donor'], 'readlink /proc/self/ns/ipc; cat /dev/shm/x');
      assert.equal(joined, `${donorNs}\nshared`);
      const priv = await sh([], 'readlink /proc/self/ns/ipc; ls /dev/shm');
      assert.notEqual(priv.split('\n')[0], donorNs);
      assert.equal(priv.split('\n').length, 1, 'a private /dev/shm is empty');
      assert.equal(await inspect(s.d, 'ipc-donor', '{{.HostConfig.IpcMode}}'), 'shareable');
    } finally {
      await s.d.dockerResult(['rm', '-f', 'ipc-donor']);
    }
  },
);

test("--ipc container: refuses a donor that is private or not running, with dockerd's messages", T, async () => {
  await s.d.docker('run', '-d', '--name', 'ipc-private', '--network', 'none', 'busybox', 'sleep', '60');
  await s.d.docker('create', '--name', 'ipc-stopped', 'busybox', 'true');
  try {
    const id = await inspect(s.d, 'ipc-private', '{{.Id}}');
    const stoppedId = await inspect(s.d, 'ipc-stopped', '{{.Id}}');
    const priv = await berth(['run', '--rm', '--ipc', 'container:ipc-private', 'busybox', 'true']);
    assert.equal(priv.code, 125);
    assert.match(
      priv.stderr,
      new RegExp(
        `can't join IPC of container ${id}: non-shareable IPC \\(hint: use IpcMode:shareable for the donor container\\)`,
      ),
    );
    const stopped = await berth(['run', '--rm', '--ipc', 'container:ipc-stopped', 'busybox', 'true']);
    assert.match(
      stopped.stderr,
      new RegExp(`can't join IPC of container ${stoppedId}: container ${stoppedId} is not running`),
    );
    const pid = await berth(['run', '--rm', '--pid', 'container:ipc-stopped', 'busybox', 'true']);
    assert.match(pid.stderr, new RegExp(`Error response from daemon: container ${stoppedId} is not running`));
    const missing = await berth(['create', '--ipc', 'container:nope', 'busybox', 'true']);
    assert.match(missing.stderr, /No such container: nope/);
    const bad = await berth(['create', '--ipc', 'bogus', 'busybox', 'true']);
    assert.match(bad.stderr, /Invalid IPC mode: bogus/);
  } finally {
    await s.d.dockerResult(['rm', '-f', 'ipc-private', 'ipc-stopped']);
  }
});

test('--ipc none has no /dev/shm; --ipc host shares one IPC namespace between containers', T, async () => {
  const none = await berth(['run', '--rm', '--ipc', 'none', 'busybox', 'ls', '/dev/shm']);
  assert.notEqual(none.code, 0);
  assert.match(none.stderr, /No such file or directory/);
  const [a, b, c] = await Promise.all([
    sh(['--ipc', 'host'], 'readlink /proc/self/ns/ipc'),
    sh(['--ipc', 'host'], 'readlink /proc/self/ns/ipc'),
    sh([], 'readlink /proc/self/ns/ipc'),
  ]);
  assert.equal(a, b);
  assert.notEqual(a, c);
});

test("--pid container: sees the other container's processes; --pid host is not pid 1", T, async () => {
  await s.d.docker('run', '-d', '--name', 'pid-donor', '--network', 'none', 'busybox', 'sleep', '61');
  try {
    const ps = await sh(['--pid', 'container:pid-donor'], 'ps -o pid,args');
    assert.match(ps, /^\s*1\s+sleep 61$/m);
    assert.notEqual(await sh(['--pid', 'host'], 'echo $$'), '1');
    assert.equal(await sh([], 'echo $$'), '1');
  } finally {
    await s.d.dockerResult(['rm', '-f', 'pid-donor']);
  }
});

test("--uts host keeps the host's name and refuses a hostname", T, async () => {
  assert.equal(await sh(['--uts', 'host'], 'hostname'), hostname());
  const r = await berth(['run', '--rm', '--uts', 'host', '-h', 'foo', 'busybox', 'true']);
  assert.equal(r.code, 125);
  assert.match(r.stderr, /conflicting options: hostname and the UTS mode/);
});

test('--cgroupns private roots /proc/self/cgroup at the container; inspect shows the modes', T, async () => {
  const cg = await sh(['--cgroupns', 'private'], 'cat /proc/self/cgroup');
  for (const line of cg.split('\n')) assert.match(line, /:\/$/, line);
  await s.d.docker('create', '--name', 'modes', '--pid', 'host', '--uts', 'host', 'busybox', 'true');
  try {
    const modes = await inspect(
      s.d,
      'modes',
      '{{.HostConfig.IpcMode}}|{{.HostConfig.PidMode}}|{{.HostConfig.UTSMode}}|{{.HostConfig.CgroupnsMode}}',
    );
    const cgroupns =
      (await s.d.docker('info', '--format', '{{.CgroupVersion}}')).stdout.trim() === '2' ? 'private' : 'host';
    assert.equal(modes, `private|host|host|${cgroupns}`);
  } finally {
    await s.d.dockerResult(['rm', '-f', 'modes']);
  }
});

test("--sysctl: namespaced ones applied; ones that would reach the host refused with runc's messages", T, async () => {
  const out = await sh(
    ['--sysctl', 'kernel.shmmax=1000', '--sysctl', 'net.ipv4.ip_forward=1', '--sysctl', 'fs.mqueue.msg_max=20'],
    'cat /proc/sys/kernel/shmmax /proc/sys/net/ipv4/ip_forward /proc/sys/fs/mqueue/msg_max',
  );
  assert.equal(out, '1000\n1\n20');
  const cases: [string[], RegExp][] = [
    [
      ['--ipc', 'host', '--sysctl', 'kernel.shmmax=1'],
      /sysctl "kernel.shmmax" is not allowed in the hosts ipc namespace/,
    ],
    [
      ['--network', 'host', '--sysctl', 'net.ipv4.ip_forward=1'],
      /sysctl "net.ipv4.ip_forward" not allowed in host network namespace/,
    ],
  ];
  for (const [opts, message] of cases) {
    const r = await berth(['run', '--rm', ...opts, 'busybox', 'true']);
    assert.equal(r.code, 125, opts.join(' '));
    assert.match(r.stderr, message);
  }
});

test('the same refusals under dockerd (which refuses at start, in runc)', D, async () => {
  for (const opts of [
    ['--ipc', 'host', '--sysctl', 'kernel.shmmax=1'],
    ['--network', 'host', '--sysctl', 'net.ipv4.ip_forward=1'],
    ['--uts', 'host', '-h', 'foo'],
    ['--security-opt', 'no-new-privileges=maybe'],
    ['--oom-score-adj', '1001'],
  ]) {
    const [ours, theirs] = await Promise.all([
      berth(['run', '--rm', ...opts, 'busybox', 'true']),
      dockerd(['run', '--rm', ...opts, 'busybox', 'true']),
    ]);
    assert.equal(ours.code, theirs.code, opts.join(' '));
    const message = (e: string) =>
      /Error response from daemon: (?:.*runc create failed: )?(.*?)(?:: unknown)?$/m.exec(e)?.[1];
    assert.equal(message(ours.stderr), message(theirs.stderr), opts.join(' '));
  }
});

test('--read-only with a --tmpfs /tmp; --oom-score-adj; --group-add names and ids', T, async () => {
  const ro = await berth([
    'run',
    '--rm',
    '--read-only',
    '--tmpfs',
    '/tmp',
    'busybox',
    'sh',
    '-c',
    'touch /tmp/a && echo tmp ok; touch /a',
  ]);
  assert.equal(ro.stdout, 'tmp ok\n');
  assert.match(ro.stderr, /Read-only file system/);
  assert.equal(await sh(['--oom-score-adj', '500'], 'cat /proc/self/oom_score_adj'), '500');
  const bad = await berth(['run', '--rm', '--oom-score-adj', '-1001', 'busybox', 'true']);
  assert.match(bad.stderr, /Invalid value -1001, range for oom score adj is \[-1000, 1000\]/);
  const ids = await tool(berth, ['-u', '65534', '--group-add', 'tty', '--group-add', '1234'], ['ids']);
  assert.equal(ids, 'uid=65534/65534 gid=65534/65534 groups=5,1234,65534\n');
  const nogroup = await berth(['run', '--rm', '--group-add', 'wheel', 'busybox', 'true']);
  assert.match(nogroup.stderr, /Unable to find group wheel: no matching entries in group file/);
});

test('berth and dockerd agree on --group-add and -u ids', D, async () => {
  for (const opts of [
    ['-u', '65534', '--group-add', 'tty', '--group-add', '1234'],
    ['-u', 'nobody'],
    ['-u', '1000:5'],
  ]) {
    const [ours, theirs] = await Promise.all([tool(berth, opts, ['ids']), tool(dockerd, opts, ['ids'])]);
    assert.equal(ours, theirs, opts.join(' '));
  }
});
