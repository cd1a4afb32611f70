// A whole container lifecycle on a real cgroup v2 tree. Hosts here are v1 (hybrid), so the test mounts cgroup2 on a
// temporary directory: only core files (procs, freeze, events) work there, which is what placement and pause need.
import assert from 'node:assert/strict';
import { access, mkdtemp, readFile, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type SuiteContext, mountedCgroup2 } from '../../../src/runtime/cgroups/testsuite.js';
import { Runtime } from '../../../src/runtime/runtime.js';
import { TEST_INIT } from '../../fixtures/index.js';
import { RuntimeHarness, eventually } from './harness.js';

let h: RuntimeHarness;
let cg2: SuiteContext;
let rt: Runtime;
let root: string;
const parent = `berth-v2-test-${process.pid}`;

before(async () => {
  h = await RuntimeHarness.create();
  cg2 = await mountedCgroup2();
  root = await mkdtemp(join(tmpdir(), 'brt2-'));
  rt = await Runtime.open({ root, cgroups: cg2.driver });
});
after(async () => {
  for (const c of await rt.list()) await rt.delete(c.id, true).catch(() => {});
  await rm(root, { recursive: true, force: true });
  await h.cleanup();
  await cg2.cleanup?.();
});

describe('cgroup v2', () => {
  test('a container is placed, paused, resumed and removed through the v2 tree', async () => {
    const b = await h.bundle({
      args: ['sh', '-c', `cat /proc/self/cgroup; exec ${TEST_INIT} sleep 30`],
      mutate: (s) => {
        s.linux!.cgroupsPath = `/${parent}/c1`;
        s.linux!.namespaces!.push({ type: 'cgroup' });
      },
    });
    const log = join(b.dir, 'log.json');
    await rt.create('v2c1', b.dir, { stdio: { log: { path: log, maxSize: 0, maxFiles: 1 } } });
    await rt.start('v2c1');
    const dir = (await rt.store.read('v2c1')).cgroupsPath;
    const cgroupDir = join(cg2.driver.open(dir).procsFiles[0] ?? '', '..');
    const pids = await eventually(async () => {
      const p = await rt.ps('v2c1');
      return p.length === 1 ? p : undefined;
    });
    assert.equal(pids[0], (await rt.state('v2c1')).pid);
    // Inside, its own cgroup namespace makes the container's cgroup the root.
    const lines = await eventually(async () => {
      const text = await readFile(log, 'utf8').catch(() => '');
      return text.includes('0::') ? text : undefined;
    });
    assert.match(lines, /"0::\/\\n"/);
    await rt.pause('v2c1');
    assert.equal((await rt.state('v2c1')).status, 'paused');
    assert.match(await readFile(join(cgroupDir, 'cgroup.events'), 'utf8'), /frozen 1/);
    await rt.resume('v2c1');
    assert.equal((await rt.state('v2c1')).status, 'running');
    await rt.kill('v2c1', 'KILL');
    assert.equal((await rt.wait('v2c1'))?.exitCode, 137);
    await rt.delete('v2c1');
    await assert.rejects(access(cgroupDir));
    await rmdir(join(cgroupDir, '..'));
  });
});
