// What a process sees inside a container: its own pid namespace, hostname, mounts, masked and read-only paths,
// capabilities and no_new_privs as the spec says.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { capabilityMask } from '../../../src/runtime/capabilities.js';
import type { Spec } from '../../../src/runtime/spec.js';
import { TEST_INIT } from '../../fixtures/index.js';
import { RuntimeHarness } from './harness.js';

const T = TEST_INIT;
let h: RuntimeHarness;
before(async () => {
  h = await RuntimeHarness.create();
});
after(async () => {
  await h.cleanup();
});

let n = 0;
async function runIn(args: string[], mutate?: (s: Spec) => void) {
  const b = await h.bundle({ args, mutate });
  const r = await h.run(['run', '--bundle', b.dir, `iso${n++}`]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

describe('isolation', () => {
  test('the command is pid 1 and sees only its own processes', async () => {
    const out = await runIn(['sh', '-c', `echo $$; ${T} pid1; ls /proc | grep -c '^[0-9]'`]);
    const [shPid, pid1, count] = out.trim().split('\n');
    assert.equal(shPid, '1');
    assert.match(pid1 ?? '', /^pid=\d+ ppid=1 procs=\d+$/);
    assert.ok(Number(count) <= 3, `saw ${count} processes`);
  });

  test('hostname is set, host mounts are invisible, masked paths are masked and /proc/sys is read-only', async () => {
    const out = await runIn([
      'sh',
      '-c',
      `hostname; cat /proc/mounts | cut -d' ' -f2 | sort | tr '\\n' ' '; echo; wc -c < /proc/timer_list; ls /sys/firmware | wc -l; ${T} write /proc/sys/kernel/hostname; ${T} write /newfile; true`,
    ]);
    const [hostname, mounts = '', timerList, firmware, sysWrite, rootWrite] = out.trim().split('\n');
    assert.equal(hostname, 'berth-test');
    const points = mounts.trim().split(' ');
    assert.ok(points.includes('/') && points.includes('/proc') && points.includes('/dev/pts'), mounts);
    const hostOnly = (await readFile('/proc/self/mounts', 'utf8')).split('\n').map((l) => l.split(' ')[1]);
    assert.ok(hostOnly.includes('/sys/fs/cgroup/memory'));
    for (const p of points) assert.ok(!p.startsWith('/work') && !p.startsWith('/tmp/'), `host mount ${p} visible`);
    assert.equal(timerList?.trim(), '0', 'masked file reads empty');
    assert.equal(firmware?.trim(), '0', 'masked directory is empty');
    assert.equal(sysWrite, 'error EROFS');
    assert.equal(rootWrite, 'error EROFS', 'root.readonly');
  });

  test('capabilities match the spec and no_new_privs is set when asked', async () => {
    const caps = ['CAP_KILL', 'CAP_NET_BIND_SERVICE', 'CAP_CHOWN'];
    const out = await runIn([T, 'caps'], (s) => {
      s.process!.capabilities = { bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient: [] };
      s.process!.noNewPrivileges = true;
    });
    const field = (name: string) => BigInt(`0x${new RegExp(`^${name}:\\s*([0-9a-f]+)`, 'm').exec(out)?.[1]}`);
    const mask = capabilityMask(caps);
    assert.equal(field('CapBnd'), mask);
    assert.equal(field('CapEff'), mask);
    assert.equal(field('CapPrm'), mask);
    assert.equal(field('CapInh'), 0n);
    assert.match(out, /NoNewPrivs:\s+1/);
    const without = await runIn([T, 'caps'], (s) => {
      s.process!.noNewPrivileges = false;
    });
    assert.match(without, /NoNewPrivs:\s+0/);
  });

  test('user, groups, cwd, env and rlimits reach the process', async () => {
    const out = await runIn(['sh', '-c', `${T} ids; pwd; echo $GREETING; ulimit -n`], (s) => {
      s.process!.user = { uid: 65534, gid: 65534, additionalGids: [5, 100] };
      s.process!.cwd = '/tmp';
      s.process!.env = ['PATH=/bin:/usr/bin', 'GREETING=hi'];
      s.process!.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 512, hard: 1024 }];
    });
    assert.deepEqual(out.trim().split('\n'), ['uid=65534/65534 gid=65534/65534 groups=5,100', '/tmp', 'hi', '512']);
  });

  test('a bind mount and a tmpfs from the spec are there, read-only when asked', async () => {
    // /mnt and /run exist in the shared fixture rootfs, which must not gain new directories.
    const cmd = `cat /mnt/config.json | head -c 1; echo; ${T} write /mnt/x; ${T} write /run/x`;
    const out = await runIn(['sh', '-c', cmd], (s) => {
      s.mounts!.push({ destination: '/mnt', type: 'bind', source: '.', options: ['rbind', 'ro'] });
      s.mounts!.push({ destination: '/run', type: 'tmpfs', source: 'tmpfs', options: ['size=1m'] });
    });
    assert.deepEqual(out.trim().split('\n'), ['{', 'error EROFS', 'ok']);
  });

  test('sysctls are written in the container', async () => {
    const out = await runIn(['cat', '/proc/sys/net/ipv4/ip_forward'], (s) => {
      s.linux!.sysctl = { 'net.ipv4.ip_forward': '1' };
    });
    assert.equal(out.trim(), '1');
  });
});
